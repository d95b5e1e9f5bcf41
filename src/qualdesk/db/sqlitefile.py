"""A desk's SQLite file opened as it is: never created, never upgraded, never switched to WAL.

`doctor` and `backup` look at the file itself, so they go around the desk's
engine (which upgrades the schema on open and sets WAL on every connection).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from qualdesk.core.errors import DatabaseBusy, QualdeskError
from qualdesk.db.engine import shown_location

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 15.0
BUSY_MESSAGE = (
    "the database is busy (another qualdesk is writing to it); nothing was changed, "
    "try again in a moment"
)


def database_file(location: str) -> Path:
    """The SQLite file at a database location; it must already be there.

    Args:
        location: a file path or a `sqlite:///` URL, as chosen by --db and the config.

    Returns:
        The file's absolute path.

    Raises:
        QualdeskError: the location is not a SQLite file, or nothing is there.
    """
    if location.startswith("sqlite:///"):
        text = location.removeprefix("sqlite:///")
    elif "://" in location:
        raise QualdeskError(
            f"{shown_location(location)}: not a SQLite file; "
            "use that database's own tools to check or copy it"
        )
    else:
        text = location
    if text in ("", ":memory:"):
        raise QualdeskError(f"{location!r}: not a database file")
    path = Path(text).expanduser().absolute()
    if path.is_dir():
        raise QualdeskError(f"{path} is a folder, not a database file")
    if not path.exists():
        raise QualdeskError(
            f"{path}: no database there (check --db or `qualdesk locate`); nothing was created"
        )
    return path


def not_sqlite(path: Path) -> str | None:
    """Why the file cannot be a SQLite database, from its first bytes; None if it may be one."""
    try:
        with path.open("rb") as handle:
            head = handle.read(100)
    except OSError as exc:
        raise QualdeskError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if not head:
        return None  # SQLite treats an empty file as an empty database.
    if len(head) < 100 or not head.startswith(SQLITE_HEADER):
        return "it is not a SQLite database (its first bytes are not SQLite's header)"
    return None


def connect(path: Path, *, write: bool = False) -> sqlite3.Connection:
    """A plain connection to an existing file: read-only unless asked, never creating it.

    Transactions are explicit (autocommit otherwise); nothing else is set, so
    the journal mode read through it is the file's own.
    """
    mode = "rw" if write else "ro"
    try:
        return sqlite3.connect(
            f"{path.as_uri()}?mode={mode}", uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None
        )
    except sqlite3.Error as exc:
        raise QualdeskError(f"{path}: cannot open it ({reason(exc)})") from None


# SQLITE_READONLY_ROLLBACK: a write was cut off mid-transaction and its rollback
# journal waits beside the file; a read-only connection cannot roll it back.
_READONLY_ROLLBACK = 776
INTERRUPTED = (
    "a write was cut off mid-transaction (its rollback journal is beside the file); any "
    "qualdesk that opens the database rolls it back: run `qualdesk db upgrade`, then try "
    "again, and do not delete the -journal file"
)


def interrupted_write(exc: sqlite3.Error) -> bool:
    """The file has a rollback journal to play back before it can be read read-only."""
    return getattr(exc, "sqlite_errorcode", None) == _READONLY_ROLLBACK


def reason(exc: sqlite3.Error) -> str:
    """A SQLite error in words a user can act on."""
    if interrupted_write(exc):
        return INTERRUPTED
    message = str(exc) or type(exc).__name__
    if "file is not a database" in message:
        return "it is not a SQLite database"
    if "malformed" in message:
        return "the file is damaged: database disk image is malformed"
    return message.splitlines()[0]


def is_busy(exc: sqlite3.Error) -> bool:
    """The database stayed locked by another connection for the whole busy timeout."""
    message = str(exc)
    return "locked" in message or "busy" in message


def calm(exc: sqlite3.Error) -> DatabaseBusy | None:
    """The one-line busy error for a lock that outlasted the timeout, else None."""
    return DatabaseBusy(BUSY_MESSAGE) if is_busy(exc) else None


def stored_time(moment: datetime) -> str:
    """A moment as the desk stores it in SQLite (UTC, no offset), for comparisons in SQL."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def read_time(value: object) -> datetime | None:
    """A stored timestamp as an aware UTC datetime; None if missing or unreadable."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def table_columns(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """Every table in the file and its columns."""
    tables = [
        str(name) for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    ]
    return {
        table: {str(row[1]) for row in conn.execute(f"PRAGMA table_info({_quoted(table)})")}
        for table in tables
    }


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def schema_revision(conn: sqlite3.Connection, tables: dict[str, set[str]]) -> str | None:
    """The schema revision stamped in the file, or None for an unversioned one."""
    if "alembic_version" not in tables:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row and row[0] else None


# (bytes copied, bytes in all)
PageProgress = Callable[[int, int], None]


def copy_file(source: Path, partial: Path, progress: PageProgress | None, step_pages: int) -> None:
    """Copy a database file page by page into `partial`, from one snapshot of the source.

    The copy holds one read transaction on the source for its whole length: in
    WAL mode a reader never blocks a writer, and a rep's write does not make
    the copy start over (a paged backup that let go between steps would).

    Raises:
        DatabaseBusy: the source stayed locked for the whole busy timeout.
        QualdeskError: the source cannot be read or the copy cannot be written.
    """
    src = connect(source)
    try:
        dest = sqlite3.connect(partial, isolation_level=None)
    except sqlite3.Error as exc:
        src.close()
        raise QualdeskError(f"{partial}: cannot write ({reason(exc)}); nothing written") from None
    try:
        src.execute("BEGIN")
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()
        page_size = int(src.execute("PRAGMA page_size").fetchone()[0])

        def step(_status: int, remaining: int, total: int) -> None:
            if progress is not None:
                progress((total - remaining) * page_size, total * page_size)

        src.backup(dest, pages=max(1, step_pages), progress=step)
        src.execute("COMMIT")
    except sqlite3.Error as exc:
        raise _copy_failed(source, exc) from None
    finally:
        dest.close()
        src.close()


def finish_copy(source: str, copy: Path) -> tuple[str | None, int | None, int | None]:
    """Check a copy and make it stand alone; returns its (schema, leads, touches).

    The copy is checked with PRAGMA integrity_check, switched to WAL and
    checkpointed, so it needs no -wal file beside it.

    Raises:
        QualdeskError: the copy failed its check or could not be read.
    """
    try:
        dest = sqlite3.connect(copy, isolation_level=None)
    except sqlite3.Error as exc:
        raise QualdeskError(f"{copy}: cannot write ({reason(exc)}); nothing written") from None
    try:
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
        dest.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.Error as exc:
        raise _copy_failed(source, exc) from None
    finally:
        dest.close()
    return counts


def _copy_failed(source: object, exc: sqlite3.Error) -> QualdeskError:
    busy = calm(exc)
    if busy:
        return busy
    advice = "; run `qualdesk doctor`" if "damaged" in reason(exc) else ""
    return QualdeskError(f"{source}: cannot copy it ({reason(exc)}); nothing written{advice}")


def _count(conn: sqlite3.Connection, tables: dict[str, set[str]], table: str) -> int | None:
    if table not in tables:
        return None
    return int(conn.execute(f"SELECT count(*) FROM {_quoted(table)}").fetchone()[0])
