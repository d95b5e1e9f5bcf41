"""`qualdesk db copy`: a whole desk moved between engines, ids and all.

SQLite to PostgreSQL to grow, PostgreSQL to SQLite for a copy to carry, or
SQLite to SQLite. The source is read from one snapshot while reps keep
working; the target is written in one transaction, so a failure leaves it
as it was. The target must be empty: a desk is never merged into another.
Afterwards every table's rows are counted on both sides.

A new SQLite file is written under a temporary name beside its name,
checked, and only then given its name (as `qualdesk backup` does).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from qualdesk.core.errors import QualdeskError
from qualdesk.core.words import counted
from qualdesk.db.copy import (
    CopyFailed,
    Filling,
    Snapshot,
    count_rows,
    desk_tables,
    filling,
    open_source,
    read_snapshot,
    revision_of,
    same_database,
)
from qualdesk.db.engine import Database, database_url, is_postgres, shown_location
from qualdesk.db.schema import SCHEMA_HEAD, SchemaError, open_database
from qualdesk.db.sqlitefile import database_file, finish_copy
from qualdesk.services.intake.partfiles import open_partial
from qualdesk.services.resources import data_file

# Rows per executemany: large enough to be quick, small enough to keep memory flat.
BATCH_ROWS = 5_000


@dataclass(frozen=True)
class CopyStep:
    """How far the copy of one table has come, and how many rows the whole desk has."""

    table: str
    done: int
    total: int
    desk_rows: int


Progress = Callable[[CopyStep], None]


@dataclass(frozen=True)
class TableCount:
    """A table's rows on each side after the copy."""

    table: str
    source: int
    target: int


@dataclass(frozen=True)
class CopyReport:
    """What was copied where, and the rows counted on both sides."""

    source: str
    target: str
    schema: str
    tables: tuple[TableCount, ...]

    @property
    def rows(self) -> int:
        return sum(count.source for count in self.tables)

    @property
    def differing(self) -> tuple[TableCount, ...]:
        """Tables whose counts differ (none, after a sound copy)."""
        return tuple(count for count in self.tables if count.source != count.target)


@dataclass(frozen=True)
class FileCopy:
    """A desk written into a new SQLite file: the copy, and the file as checked."""

    report: CopyReport
    path: Path
    size: int
    leads: int | None
    touches: int | None


def copy_desk(
    source: str,
    target: str,
    *,
    progress: Progress | None = None,
    batch: int = BATCH_ROWS,
) -> CopyReport:
    """Copy every table of the desk at `source` into the empty database at `target`.

    Args:
        source: the desk's database (a SQLite file, which must exist, or a URL).
        target: a SQLite file (created if it is not there) or a PostgreSQL URL;
            the desk is created there at this qualdesk's schema.
        progress: called as each table's rows are written.
        batch: rows per write.

    Returns:
        The rows of each table on both sides, counted after the copy.

    Raises:
        QualdeskError: the source is not a desk at this qualdesk's schema, the
            target is the source or already holds a desk, or a table could not be
            copied; the target is left as it was.
    """
    if same_database(source, target):
        raise QualdeskError(
            f"{shown_location(target)} is the desk being copied; name another database"
        )
    if not is_postgres(target):
        path = Path(database_url(target).removeprefix("sqlite:///")).expanduser()
        if not path.exists():
            return copy_to_new_file(source, path, progress=progress, batch=batch).report
    return _copy(source, target, progress, batch)


def copy_to_new_file(
    source: str,
    target: Path,
    *,
    force: bool = False,
    progress: Progress | None = None,
    batch: int = BATCH_ROWS,
    mode: int | None = None,
) -> FileCopy:
    """Copy the desk into a new SQLite file, checked and self-contained.

    Args:
        source: the desk's database.
        target: the file to write; a file already there is refused unless forced.
        force: replace a file already there.
        progress: called as each table's rows are written.
        batch: rows per write.
        mode: the new file's permissions (default: as any new file here).

    Returns:
        The copy's counts, and the file's path, size, leads and touches.

    Raises:
        QualdeskError: as `copy_desk`, or the file cannot be written; nothing is
            left behind.
    """
    target = new_file_target(target, force)
    with new_sqlite_file(target, force) as partial:
        report = _copy(source, str(partial), progress, batch, shown=str(target))
        _, leads, touches = finish_copy(shown_location(source), partial)
        size = partial.stat().st_size
        os.chmod(partial, _new_file_mode() if mode is None else mode)
    return FileCopy(report, target, size, leads, touches)


@contextmanager
def new_sqlite_file(target: Path, force: bool) -> Iterator[Path]:
    """A file beside `target` to write a SQLite desk into, put in its place once written.

    On leaving, the file is flushed to disk and renamed to `target`; on any
    failure it and its journals are removed, and nothing is left behind.

    Raises:
        QualdeskError: the file cannot be written or put in place.
    """
    try:
        handle, partial = open_partial(target)
        os.close(handle)
    except OSError as exc:
        raise QualdeskError(f"{target}: cannot write ({exc.strerror or exc})") from None
    try:
        yield partial
        flush_file(partial)
        put_in_place(partial, target, force)
    except OSError as exc:
        raise QualdeskError(
            f"{target}: cannot write ({exc.strerror or exc}); nothing written"
        ) from None
    finally:
        for leftover in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                Path(f"{partial}{leftover}").unlink(missing_ok=True)
    flush_folder(target.parent)


def _copy(
    source: str, target: str, progress: Progress | None, batch: int, *, shown: str = ""
) -> CopyReport:
    """Copy into the database at `target`, which must hold no desk yet."""
    where = shown or shown_location(target)
    if not is_postgres(source):
        database_file(source)  # a missing file is refused, never created
    src = open_source(source)
    try:
        with read_snapshot(src, shown_location(source)) as snapshot:
            counts = _source_counts(snapshot, shown_location(source))
            db = _open_target(target, where)
            try:
                with filling(db) as fill:
                    _make_room(fill, where)
                    _fill(snapshot, fill, counts, progress, batch, where)
                after = count_rows(db)
                stamped = revision_of(db)
            finally:
                db.dispose()
    finally:
        src.dispose()
    if stamped != SCHEMA_HEAD:
        raise QualdeskError(f"{where}: the copy is stamped {stamped}, not {SCHEMA_HEAD}")
    tables = tuple(TableCount(name, counts[name], after[name]) for name in desk_tables())
    return CopyReport(shown_location(source), where, SCHEMA_HEAD, tables)


def _source_counts(snapshot: Snapshot, shown: str) -> dict[str, int]:
    """Every table's rows in the source, once its schema is known to be this qualdesk's."""
    if not snapshot.table_names():
        raise QualdeskError(f"{shown} is an empty database, not a desk; nothing to copy")
    revision = snapshot.revision()
    if revision is None:
        raise QualdeskError(f"{shown} is not a qualdesk database (no schema version)")
    if revision != SCHEMA_HEAD:
        from qualdesk.services.upkeep.health import schema_revisions

        if revision not in schema_revisions():
            raise QualdeskError(
                f"{shown} was written by a newer qualdesk (schema {revision}); "
                "upgrade qualdesk to copy it"
            )
        raise QualdeskError(
            f"{shown} has schema {revision}, this qualdesk copies {SCHEMA_HEAD}: "
            "run `qualdesk db upgrade` on it first; nothing was written"
        )
    return {name: snapshot.count(name) for name in desk_tables()}


def _open_target(target: str, where: str) -> Database:
    """The target, created (or brought) to this qualdesk's schema."""
    if not is_postgres(target):
        folder = Path(database_url(target).removeprefix("sqlite:///")).expanduser().parent
        if not folder.is_dir():
            raise QualdeskError(f"{where}: the folder {folder} does not exist")
    try:
        return open_database(target)
    except SchemaError as exc:
        # Its message names the location as given, which may carry a password.
        raise SchemaError(str(exc).replace(str(target), where)) from None


def _make_room(fill: Filling, where: str) -> None:
    """Refuse a target that holds a desk; drop the default rules `qualdesk db init` stored."""
    counts = fill.counts()
    texts = fill.rules_texts()
    default = data_file("desk.toml").read_text(encoding="utf-8")
    only_default = len(texts) == 1 and texts[0] == default
    held = {name: n for name, n in counts.items() if n and name != "rules_versions"}
    if texts and not only_default:
        held["rules_versions"] = len(texts)
    if held:
        named = [name for name in _NOUNS if name in held] or sorted(held)[:1]
        shown = ", ".join(_rows_of(name, held[name]) for name in named)
        others = len(held) - len(named)
        more = f" and rows in {counted(others, 'other table')}" if others else ""
        raise QualdeskError(
            f"{where} already holds a desk ({shown}{more}); copy only into an empty "
            "database; nothing was written"
        )
    if texts:
        fill.clear("rules_versions")


_NOUNS = {"leads": "lead", "reps": "rep", "rules_versions": "rules version"}


def _rows_of(table: str, count: int) -> str:
    if table in _NOUNS:
        return counted(count, _NOUNS[table])
    return f"{counted(count, 'row')} in {table}"


def _fill(
    snapshot: Snapshot,
    fill: Filling,
    counts: dict[str, int],
    progress: Progress | None,
    batch: int,
    where: str,
) -> None:
    desk_rows = sum(counts.values())
    for name in desk_tables():
        total, done = counts[name], 0
        if progress is not None:
            progress(CopyStep(name, 0, total, desk_rows))
        try:
            for rows in snapshot.batches(name, max(1, batch)):
                fill.insert(name, rows)
                done += len(rows)
                if progress is not None:
                    progress(CopyStep(name, done, total, desk_rows))
        except CopyFailed as exc:
            raise QualdeskError(
                f"{where}: copying {exc.table} failed ({exc.reason}); nothing was written"
            ) from None
        if progress is not None and done != total:
            progress(CopyStep(name, done, total, desk_rows))
    fill.restart_ids()


def _new_file_mode() -> int:
    """The permissions a new file gets here (the process's umask applied)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def new_file_target(target: Path, force: bool) -> Path:
    """The file to write, refused before any work if it cannot or must not be written."""
    try:
        target = target.expanduser().absolute()
    except RuntimeError:  # ~someone who is not a user here
        raise QualdeskError(f"{target}: cannot tell whose home folder that is") from None
    if target.is_dir():
        raise QualdeskError(f"{target} is a folder; name the file to write")
    if not target.parent.is_dir():
        raise QualdeskError(f"{target}: the folder {target.parent} does not exist")
    if target.exists() and not force:
        raise QualdeskError(
            f"{target}: a file is already there; choose another name (or --force to replace it)"
        )
    for suffix in ("-wal", "-journal"):
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


def flush_file(path: Path) -> None:
    handle = os.open(path, os.O_RDWR)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def put_in_place(partial: Path, target: Path, force: bool) -> None:
    """Give the copy its name; without force, never over a file that appeared meanwhile."""
    if force:
        os.replace(partial, target)
        return
    appeared = QualdeskError(f"{target}: a file appeared there while writing; nothing written")
    try:
        # A hard link fails if the name is taken: no window between a check and a rename.
        os.link(partial, target)
    except FileExistsError:
        raise appeared from None
    except OSError:  # a file system without hard links
        if target.exists():
            raise appeared from None
        os.replace(partial, target)


def flush_folder(folder: Path) -> None:
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
