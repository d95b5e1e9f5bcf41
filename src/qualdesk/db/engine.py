"""The engine: SQLite set up for several reps on one file, PostgreSQL as-is.

Every write transaction on SQLite begins with BEGIN IMMEDIATE, so it takes
the write lock up front: pysqlite's default deferred BEGIN lets two processes
read the same row and then both update it, and a deferred transaction that
later needs to write fails with "database is locked" whatever the timeout.
Reads that will never write can ask for a deferred BEGIN through `reading()`.
"""

from __future__ import annotations

from collections.abc import Iterator
import importlib.util
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlmodel import Session

# Services name the session they are handed by this, never by the SQL toolkit's.
__all__ = ["Database", "Session", "database_url", "make_engine", "shown_location"]

from qualdesk.core.errors import DatabaseBusy, QualdeskError

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
        return make_url(text).render_as_string(hide_password=True)
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
        return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
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


@contextmanager
def _calm() -> Iterator[None]:
    """A database still locked after the busy timeout, as one calm error."""
    try:
        yield
    except OperationalError as exc:
        text = str(exc.orig) if exc.orig is not None else str(exc)
        if "locked" in text or "busy" in text:
            raise DatabaseBusy(BUSY_MESSAGE) from exc
        raise


class Database:
    """An engine plus the two kinds of session the services use."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)
        self._read_engine = engine.execution_options(**{_BEGIN_OPTION: "DEFERRED"})

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
        with _calm(), Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only; it never takes the write lock."""
        read = Session(self._read_engine, expire_on_commit=False)
        with _calm(), read as session, session.begin():
            yield session

    def read_connection(self) -> Connection:
        """A raw connection whose transactions begin deferred (for staging work)."""
        return self._read_engine.connect()

    def dispose(self) -> None:
        self.engine.dispose()
