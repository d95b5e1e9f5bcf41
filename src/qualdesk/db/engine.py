"""The engine: SQLite set up for several reps on one file, or a PostgreSQL server.

SQLite: every write transaction begins with BEGIN IMMEDIATE, so it takes
the write lock up front: pysqlite's default deferred BEGIN lets two processes
read the same row and then both update it, and a deferred transaction that
later needs to write fails with "database is locked" whatever the timeout.
Reads that will never write ask for a deferred BEGIN through `reading()`,
which under WAL sees one snapshot from its first read to its end.

PostgreSQL: writes run at READ COMMITTED. That is enough because every write
the desk makes on a lead first takes the lead's row (the claim, or renewing
the claim's lease in `hold`) and keeps it to the end of its transaction, so
two writes on one lead run one after the other; the claim picks leads with
FOR UPDATE SKIP LOCKED (db/claims.py); writes that must not run side by side
(an import's duplicate checks, a rules load) take a transaction lock of their
own (`serialize`). Reads run at REPEATABLE READ, READ ONLY: a report sees one
snapshot from its first statement to its last, as on SQLite. A statement that
waits on a row lock longer than the busy timeout gives up (lock_timeout) as
SQLite's busy timeout does.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlmodel import Session

# Services name the session they are handed by this, never by the SQL toolkit's.
__all__ = [
    "Database",
    "Session",
    "calm_error",
    "database_url",
    "make_engine",
    "serialize",
    "shown_location",
]

from qualdesk.core.errors import DatabaseBusy, DatabaseUnreachable, QualdeskError

BUSY_TIMEOUT_MS = 15_000
_BEGIN_OPTION = "qualdesk_begin"


# The schemes a PostgreSQL location may be written with, all served by psycopg 3.
_POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
POSTGRES_DRIVER = "PostgreSQL needs its driver: pip install 'qualdesk[postgres]'"


def database_url(location: str | Path) -> str:
    """A SQLAlchemy URL for a location: a path becomes a SQLite URL, PostgreSQL psycopg's."""
    text = str(location)
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser()}"
    scheme, rest = text.split("://", 1)
    if scheme.lower() in _POSTGRES_SCHEMES:
        return f"postgresql+psycopg://{rest}"
    return text


def shown_location(location: str | Path) -> str:
    """A location as it may be printed: a URL's password is never shown."""
    text = str(location)
    if "://" not in text:
        return text
    try:
        url = make_url(text)
        if "password" in url.query:  # libpq also takes it as ?password=...
            url = url.update_query_dict({"password": "***"})
        return url.render_as_string(hide_password=True).replace("=%2A%2A%2A", "=***")
    except ArgumentError:
        return text.split("://", 1)[0] + "://…"


def is_postgres(location: str | Path) -> bool:
    return database_url(location).startswith("postgresql+psycopg://")


def make_engine(url: str) -> Engine:
    """Create the engine for a database URL, with SQLite set up for many writers.

    Raises:
        QualdeskError: the URL is for PostgreSQL and its driver is not installed.
    """
    if url.startswith("postgresql+psycopg://"):
        if importlib.util.find_spec("psycopg") is None:
            raise QualdeskError(POSTGRES_DRIVER)
        return create_engine(
            url,
            pool_pre_ping=True,
            connect_args={
                "connect_timeout": 10,
                "application_name": "qualdesk",
                "options": f"-c lock_timeout={BUSY_TIMEOUT_MS} -c TimeZone=UTC",
            },
        )
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's begin event, not pysqlite, issue BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = FULL")
    finally:
        cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get(_BEGIN_OPTION, "IMMEDIATE")
    conn.exec_driver_sql(f"BEGIN {mode}")


BUSY_MESSAGE = (
    "the database is busy (another qualdesk is writing to it); nothing was changed, "
    "try again in a moment"
)


# What PostgreSQL (through psycopg) says when the server cannot be reached or refuses.
_UNREACHABLE = (
    "connection refused",
    "could not connect",
    "could not translate host name",
    "timeout expired",
    "server closed the connection",
    "connection is bad",
    "no route to host",
    "the database system is starting up",
    "the database system is shutting down",
)
_REFUSED = ("password authentication failed", "authentication failed", "no pg_hba.conf entry")


def calm_error(exc: Exception, where: str) -> QualdeskError | None:
    """A database failure users can act on, as one line; None for anything else.

    Args:
        exc: the driver's error (as SQLAlchemy wraps it, or bare).
        where: the location as it may be printed (no password).
    """
    cause = getattr(exc, "orig", None) or exc
    # Only the engine's operational failures (a lock, a server, a sign-in): a refused
    # row (say a unique key whose value is 'busy') is not the database being busy.
    if not any(kind.__name__ == "OperationalError" for kind in type(cause).__mro__):
        return None
    text = str(cause)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered or "lock timeout" in lowered:
        return DatabaseBusy(BUSY_MESSAGE)
    if "deadlock detected" in lowered:
        return DatabaseBusy(BUSY_MESSAGE)
    if "invalid port" in lowered or "invalid connection option" in lowered:
        return QualdeskError(f"{where}: {_plain(first)}; check the URL")
    if any(words in lowered for words in _UNREACHABLE):
        return DatabaseUnreachable(
            f"{where}: the database server did not answer ({_plain(first)}); "
            "nothing was changed, try again when it is back"
        )
    if any(words in lowered for words in _REFUSED):
        return QualdeskError(
            f"{where}: the server refused the sign-in ({_plain(first)}); check the user "
            "and password in the URL, or the server's pg_hba.conf"
        )
    if "does not exist" in lowered and ("database" in lowered or "role" in lowered):
        return QualdeskError(f"{where}: {_plain(first)}; create it on the server first")
    return None


def _plain(line: str) -> str:
    """A driver's message without the address the location already names, nor its level."""
    line = line.removeprefix("connection failed: ")
    line = re.sub(r'^connection to server at "[^"]*"(?: \([^)]*\))?, port \d+ failed: ', "", line)
    line = re.sub(r"^(?:FATAL|ERROR):\s+", "", line)
    return line if len(line) <= 160 else line[:157] + "..."


@contextmanager
def _calm(where: str) -> Iterator[None]:
    """A database still locked after the busy timeout, or a server gone, as one calm error."""
    try:
        yield
    except (OperationalError, DBAPIError) as exc:
        calm = calm_error(exc, where)
        if calm is None:
            raise
        raise calm from exc


class Database:
    """An engine plus the two kinds of session the services use."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)
        self._read_engine = engine.execution_options(**{_BEGIN_OPTION: "DEFERRED"})
        self._snapshot_engine = (
            self._read_engine
            if self.is_sqlite
            else engine.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        )

    @property
    def engine_name(self) -> str:
        """'sqlite' or 'postgresql'."""
        return str(self.engine.dialect.name)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def path(self) -> Path | None:
        """The database file, for SQLite."""
        database = self.engine.url.database
        return Path(database) if self.is_sqlite and database else None

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session in one write transaction, committed on success.

        Raises:
            DatabaseBusy: the write lock stayed taken for the whole busy timeout.
        """
        write = Session(self.engine, expire_on_commit=False)
        with _calm(self.url), write as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only, on one snapshot; it never takes the write lock."""
        read = Session(self._snapshot_engine, expire_on_commit=False)
        with _calm(self.url), read as session, session.begin():
            yield session

    def read_connection(self) -> Connection:
        """A raw connection whose transactions begin deferred (for staging work)."""
        return self._read_engine.connect()

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def driver_errors(bind: Session | Connection) -> Iterator[None]:
    """A driver's own error, raised past SQLAlchemy, as the one line the desk gives for it."""
    try:
        yield
    except Exception as exc:
        engine = bind.get_bind().engine if isinstance(bind, Session) else bind.engine
        calm = calm_error(exc, engine.url.render_as_string(hide_password=True))
        if calm is None:
            raise
        raise calm from exc


def serialize(bind: Session | Connection, name: str) -> None:
    """Run the rest of this write transaction one at a time with others of the same name.

    SQLite's write transactions already run one at a time; on PostgreSQL this
    takes a transaction-level advisory lock on the name.
    """
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    if engine.dialect.name == "postgresql":
        bind.execute(sql_text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})
