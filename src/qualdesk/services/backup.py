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
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qualdesk.core.errors import QualdeskError
from qualdesk.services.partfiles import open_partial
from qualdesk.services.sqlitefile import (
    calm,
    connect,
    database_file,
    not_sqlite,
    reason,
    schema_revision,
    table_columns,
)

# (bytes copied, bytes in all)
Progress = Callable[[int, int], None]
STEP_PAGES = 1024
# Files SQLite would read together with a database of that name.
_COMPANIONS = ("-wal", "-journal")


@dataclass(frozen=True)
class BackupReport:
    """Where the copy went, and what it holds."""

    source: Path
    path: Path
    size: int
    schema: str | None
    leads: int | None
    touches: int | None


def back_up(
    location: str,
    target: Path,
    *,
    force: bool = False,
    progress: Progress | None = None,
    step_pages: int = STEP_PAGES,
) -> BackupReport:
    """Copy the desk's database to a new file, consistent, checked and self-contained.

    Args:
        location: the desk's database (a file path or `sqlite:///` URL); it must exist.
        target: the file to write.
        force: replace the target if a file is already there.
        progress: called after each step with (bytes copied, bytes in all).
        step_pages: pages copied per step.

    Returns:
        The copy's path, size, schema and counts of leads and touches.

    Raises:
        DatabaseBusy: the source stayed locked for the whole busy timeout.
        QualdeskError: the source is missing or not a database, the target
            is taken or cannot be written, or the copy failed its check;
            nothing is left behind.
    """
    source = database_file(location)
    why = not_sqlite(source)
    if why:
        raise QualdeskError(f"{source}: {why}; nothing to back up")
    target = _target(source, target, force)
    try:
        handle, partial = open_partial(target)
        os.close(handle)
    except OSError as exc:
        raise QualdeskError(f"{target}: cannot write ({exc.strerror or exc})") from None
    try:
        counts = _copy(source, partial, progress, step_pages)
        size = partial.stat().st_size
        # Whoever may open the desk may open its copy (a temporary file starts private).
        os.chmod(partial, source.stat().st_mode & 0o777)
        _flush(partial)
        _put_in_place(partial, target, force)
    except OSError as exc:
        raise QualdeskError(
            f"{target}: cannot write ({exc.strerror or exc}); nothing written"
        ) from None
    finally:
        for leftover in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                Path(f"{partial}{leftover}").unlink(missing_ok=True)
    _flush_folder(target.parent)
    schema, leads, touches = counts
    return BackupReport(source, target, size, schema, leads, touches)


def _target(source: Path, target: Path, force: bool) -> Path:
    """The file to write, refused before any work if it cannot or must not be written."""
    try:
        target = target.expanduser().absolute()
    except RuntimeError:  # ~someone who is not a user here
        raise QualdeskError(f"{target}: cannot tell whose home folder that is") from None
    if target.is_dir():
        raise QualdeskError(f"{target} is a folder; name the backup file")
    if not target.parent.is_dir():
        raise QualdeskError(f"{target}: the folder {target.parent} does not exist")
    if target.exists() and target.samefile(source):
        raise QualdeskError(f"{target} is the desk's database itself; choose another name")
    for suffix in ("-wal", "-shm", "-journal"):
        if target == Path(f"{source.absolute()}{suffix}"):
            raise QualdeskError(f"{target} is part of the desk's database; choose another name")
    if target.exists() and not force:
        raise QualdeskError(
            f"{target}: a file is already there; choose another name (or --force to replace it)"
        )
    for suffix in _COMPANIONS:
        companion = Path(f"{target}{suffix}")
        # An empty one (left by a reader such as `qualdesk doctor`) holds nothing to read.
        if companion.exists() and companion.stat().st_size > 0:
            raise QualdeskError(
                f"{companion} is there (left by another database, or it is in use); "
                "SQLite would read it with the copy: choose another name"
            )
    if not os.access(target.parent, os.W_OK):
        raise QualdeskError(f"{target}: cannot write in {target.parent}")
    return target


def _copy(
    source: Path, partial: Path, progress: Progress | None, step_pages: int
) -> tuple[str | None, int | None, int | None]:
    """Copy the source into the partial file and check it; returns (schema, leads, touches)."""
    src = connect(source)
    try:
        dest = sqlite3.connect(partial, isolation_level=None)
    except sqlite3.Error as exc:
        src.close()
        raise QualdeskError(f"{partial}: cannot write ({reason(exc)}); nothing written") from None
    try:
        # One snapshot for the whole copy (see the module's docstring).
        src.execute("BEGIN")
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()
        page_size = int(src.execute("PRAGMA page_size").fetchone()[0])

        def step(_status: int, remaining: int, total: int) -> None:
            if progress is not None:
                progress((total - remaining) * page_size, total * page_size)

        src.backup(dest, pages=max(1, step_pages), progress=step)
        src.execute("COMMIT")
        dest.execute("PRAGMA journal_mode = WAL").fetchone()
        rows = [str(row[0]) for row in dest.execute("PRAGMA integrity_check(20)")]
        if rows != ["ok"]:
            first = rows[0].splitlines()[-1] if rows else "no answer"
            raise QualdeskError(
                f"{source}: the copy failed its integrity check ({first}); nothing written; "
                "run `qualdesk doctor`"
            )
        tables = table_columns(dest)
        counts = (
            schema_revision(dest, tables),
            _count(dest, tables, "leads"),
            _count(dest, tables, "touches"),
        )
        # Everything into the main file, so the copy needs no -wal beside it.
        dest.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.Error as exc:
        busy = calm(exc)
        if busy:
            raise busy from None
        advice = "; run `qualdesk doctor`" if "damaged" in reason(exc) else ""
        raise QualdeskError(
            f"{source}: cannot copy it ({reason(exc)}); nothing written{advice}"
        ) from None
    finally:
        dest.close()
        src.close()
    return counts


def _count(conn: sqlite3.Connection, tables: dict[str, set[str]], table: str) -> int | None:
    if table not in tables:
        return None
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _flush(path: Path) -> None:
    handle = os.open(path, os.O_RDWR)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _put_in_place(partial: Path, target: Path, force: bool) -> None:
    """Give the copy its name; without force, never over a file that appeared meanwhile."""
    if force:
        os.replace(partial, target)
        return
    appeared = QualdeskError(f"{target}: a file appeared there while backing up; nothing written")
    try:
        # A hard link fails if the name is taken: no window between a check and a rename.
        os.link(partial, target)
    except FileExistsError:
        raise appeared from None
    except OSError:  # a file system without hard links
        if target.exists():
            raise appeared from None
        os.replace(partial, target)


def _flush_folder(folder: Path) -> None:
    """Make the new name itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
