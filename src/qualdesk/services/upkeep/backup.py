"""`qualdesk backup`: a consistent copy of the desk's database while reps keep working.

The copy uses SQLite's online backup API from a read-only connection that
holds one read transaction for the whole copy. In WAL mode a reader never
blocks a writer, so reps keep working; the copy is the database as it stood
when the copy began; and, because the snapshot is held, a rep's write does
not restart the copy (a paged backup that let go between steps would start
over at every write). The pages go in steps only so that a large file shows
progress.

The copy is written under a temporary name beside the target, checked
(PRAGMA integrity_check), switched to WAL and checkpointed so it stands on
its own (no -wal file), flushed to disk, and only then given its name; an
existing file is never replaced unless forced.

A desk on a PostgreSQL server is backed up the same way into a SQLite desk,
written table by table from one snapshot of the server (`qualdesk db copy`);
pg_dump remains the server's own backup.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from qualdesk.core.errors import QualdeskError
from qualdesk.db.engine import is_postgres, shown_location
from qualdesk.db.sqlitefile import PageProgress, copy_file, database_file, finish_copy, not_sqlite
from qualdesk.services.upkeep.dbcopy import (
    Progress,
    copy_to_new_file,
    new_file_target,
    new_sqlite_file,
)

STEP_PAGES = 1024
PG_DUMP = (
    "The copy is a SQLite desk that opens on its own (`qualdesk --db FILE`); "
    "pg_dump remains the server's own backup."
)


@dataclass(frozen=True)
class BackupReport:
    """Where the copy went, and what it holds."""

    source: str
    path: Path
    size: int
    schema: str | None
    leads: int | None
    touches: int | None
    # The desk is on a PostgreSQL server: the copy is a SQLite desk made by `db copy`.
    from_server: bool = False


def back_up(
    location: str,
    target: Path,
    *,
    force: bool = False,
    progress: PageProgress | None = None,
    step_pages: int = STEP_PAGES,
    tables: Progress | None = None,
) -> BackupReport:
    """Copy the desk's database to a new file, consistent, checked and self-contained.

    A SQLite desk is copied page by page (see the module's docstring); a desk
    on a PostgreSQL server is copied table by table into a new SQLite desk,
    from one snapshot (see `dbcopy`).

    Args:
        location: the desk's database (a file path, a `sqlite:///` URL, or a
            PostgreSQL URL); it must exist.
        target: the file to write.
        force: replace the target if a file is already there.
        progress: called after each step of a SQLite copy with (bytes copied, bytes in all).
        step_pages: pages copied per step.
        tables: called as each table of a server's desk is copied.

    Returns:
        The copy's path, size, schema and counts of leads and touches.

    Raises:
        DatabaseBusy: the source stayed locked for the whole busy timeout.
        QualdeskError: the source is missing or not a database, the target
            is taken or cannot be written, or the copy failed its check;
            nothing is left behind.
    """
    if is_postgres(location):
        # Private, whatever the umask: there is no desk file whose permissions to follow.
        done = copy_to_new_file(location, target, force=force, progress=tables, mode=0o600)
        return BackupReport(
            shown_location(location),
            done.path,
            done.size,
            done.report.schema,
            done.leads,
            done.touches,
            from_server=True,
        )
    source = database_file(location)
    why = not_sqlite(source)
    if why:
        raise QualdeskError(f"{source}: {why}; nothing to back up")
    target = _target(source, target, force)
    with new_sqlite_file(target, force) as partial:
        copy_file(source, partial, progress, step_pages)
        schema, leads, touches = finish_copy(str(source), partial)
        size = partial.stat().st_size
        # Whoever may open the desk may open its copy (a temporary file starts private).
        os.chmod(partial, source.stat().st_mode & 0o777)
    return BackupReport(str(source), target, size, schema, leads, touches)


def _target(source: Path, target: Path, force: bool) -> Path:
    """The file to write, refused before any work if it cannot or must not be written."""
    try:
        absolute = target.expanduser().absolute()
    except RuntimeError:  # ~someone who is not a user here
        raise QualdeskError(f"{target}: cannot tell whose home folder that is") from None
    if absolute.exists() and not absolute.is_dir() and absolute.samefile(source):
        raise QualdeskError(f"{absolute} is the desk's database itself; choose another name")
    for suffix in ("-wal", "-shm", "-journal"):
        if absolute == Path(f"{source.absolute()}{suffix}"):
            raise QualdeskError(f"{absolute} is part of the desk's database; choose another name")
    return new_file_target(absolute, force)
