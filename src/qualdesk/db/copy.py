"""A whole desk read from one snapshot of a database and written into another, table by table.

The tables come in `SQLModel.metadata.sorted_tables` order, so every row's
references are already there when it is written. Rows go through each
column's type both ways (a moment read from SQLite's text is written to
PostgreSQL's timestamptz, booleans, JSON and dates likewise), and keep their
ids; on PostgreSQL the id sequences are then set past them. The schema
stamp (alembic_version) is not copied: the target is created at the head
schema and the source must be at it too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Table, delete, func, insert, inspect, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlmodel import SQLModel

from qualdesk.core.errors import QualdeskError
from qualdesk.db import models  # noqa: F401  (registers the tables)
from qualdesk.db.engine import Database, calm_error, database_url, make_engine
from qualdesk.db.schema import current_revision

Row = dict[str, Any]
# The SQLite page cache while a copy is written, in KiB.
COPY_CACHE_KIB = 64 * 1024


class CopyFailed(QualdeskError):
    """A table could not be read or written: names the table and the database's reason."""

    def __init__(self, table: str, reason: str) -> None:
        super().__init__(f"{table}: {reason}")
        self.table = table
        self.reason = reason


def _reason(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@contextmanager
def _reading(where: str) -> Iterator[None]:
    """A source that cannot be reached or read, as one line naming it."""
    try:
        yield
    except DBAPIError as exc:
        raise calm_error(exc, where) or QualdeskError(
            f"{where}: cannot read it ({_reason(exc)}); nothing was written"
        ) from None


@contextmanager
def _naming(table: str, where: str) -> Iterator[None]:
    """A failure while copying a table, as one line naming it (a lock or a lost server as such)."""
    try:
        yield
    except DBAPIError as exc:
        calm = calm_error(exc, where)
        if calm is not None:
            raise calm from None
        raise CopyFailed(table, _reason(exc)) from None
    except (SQLAlchemyError, ValueError, TypeError) as exc:
        raise CopyFailed(table, _reason(exc)) from None


def desk_tables() -> list[str]:
    """Every table of the desk, each after the tables its rows refer to."""
    return [table.name for table in SQLModel.metadata.sorted_tables]


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def open_source(location: str | Path) -> Database:
    """The database at a location, as it is: neither created, upgraded nor stamped."""
    return Database(make_engine(database_url(location)))


def same_database(one: str | Path, other: str | Path) -> bool:
    """Whether two locations name the same database (the same file, or server and name)."""
    first, second = database_url(one), database_url(other)
    if first.startswith("sqlite:///") and second.startswith("sqlite:///"):
        a = Path(first.removeprefix("sqlite:///")).expanduser()
        b = Path(second.removeprefix("sqlite:///")).expanduser()
        if a.exists() and b.exists():
            return a.samefile(b)
        return a.absolute() == b.absolute()
    try:
        x, y = make_url(first), make_url(second)
    except ArgumentError:
        return first == second
    return (x.drivername, x.host, x.port or 5432, x.database) == (
        y.drivername,
        y.host,
        y.port or 5432,
        y.database,
    )


def _count(conn: Connection, table: str) -> int:
    return int(conn.execute(select(func.count()).select_from(_table(table))).scalar_one())


class Snapshot:
    """One consistent read of a whole database, on one connection."""

    def __init__(self, conn: Connection, where: str) -> None:
        self.conn = conn
        self.where = where

    def table_names(self) -> set[str]:
        with _reading(self.where):
            return set(inspect(self.conn).get_table_names())

    def revision(self) -> str | None:
        """The schema revision stamped in the database, or None."""
        with _reading(self.where):
            return current_revision(self.conn)

    def count(self, table: str) -> int:
        with _naming(table, self.where):
            return _count(self.conn, table)

    def batches(self, table: str, size: int) -> Iterator[list[Row]]:
        """The table's rows in id order, `size` at a time, streamed (never all in memory).

        Raises:
            CopyFailed: a row could not be read (a value its column's type cannot read).
        """
        source = _table(table)
        query = select(source).order_by(*source.primary_key.columns)
        with _naming(table, self.where):
            result = self.conn.execution_options(yield_per=size).execute(query)
            for rows in result.partitions():
                yield [dict(row._mapping) for row in rows]


@contextmanager
def read_snapshot(db: Database, where: str) -> Iterator[Snapshot]:
    """The database as it stands now, for as long as the block runs.

    SQLite: one deferred read transaction on one connection (under WAL, one
    snapshot from its first read to its end, and writers go on). PostgreSQL:
    one REPEATABLE READ, READ ONLY transaction.

    Raises:
        QualdeskError: the database cannot be reached or read (one line, naming `where`).
    """
    with _reading(where):
        if db.is_sqlite:
            conn = db.read_connection()
        else:
            conn = db.engine.connect().execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
    with conn:
        with _reading(where):
            transaction = conn.begin()
        with transaction:
            yield Snapshot(conn, where)


class Filling:
    """Writing a desk's rows into a database, inside the caller's one transaction."""

    def __init__(self, conn: Connection, where: str) -> None:
        self.conn = conn
        self.where = where

    def counts(self) -> dict[str, int]:
        """Rows in every table of the desk."""
        return {name: _count(self.conn, name) for name in desk_tables()}

    def rules_texts(self) -> list[str]:
        """The text of every rules version stored, oldest first."""
        table = _table("rules_versions")
        rows = self.conn.execute(select(table.c.text).order_by(table.c.id))
        return [str(row) for row in rows.scalars()]

    def clear(self, table: str) -> None:
        self.conn.execute(delete(_table(table)))

    def insert(self, table: str, rows: list[Row]) -> None:
        """Write rows as they were read, ids and all, in one executemany.

        Raises:
            CopyFailed: the target refused a row (a text too long for its column,
                a character the engine cannot store).
        """
        if rows:
            with _naming(table, self.where):
                self.conn.execute(insert(_table(table)), rows)

    def restart_ids(self) -> None:
        """On PostgreSQL, set every id sequence past the highest id written (SQLite needs none)."""
        if self.conn.dialect.name != "postgresql":
            return
        for table in SQLModel.metadata.sorted_tables:
            column = table.autoincrement_column
            if column is None:
                continue
            self.conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                    f'coalesce(max("{column.name}"), 0) + 1, false) FROM "{table.name}"'
                ),
                {"table": table.name, "column": column.name},
            )


@contextmanager
def filling(db: Database) -> Iterator[Filling]:
    """One write transaction on the target: committed at the end, rolled back on any failure."""
    with db.writing() as session:
        conn = session.connection()
        if conn.dialect.name == "sqlite":
            # Room for the indexes' pages: a cache that overflows mid-transaction spills
            # pages into the write-ahead log, several times over for a large table.
            conn.exec_driver_sql(f"PRAGMA cache_size = -{COPY_CACHE_KIB}")
        yield Filling(conn, db.url)


def count_rows(db: Database) -> dict[str, int]:
    """Rows in every table of the desk, read afresh."""
    with db.reading() as session:
        return Filling(session.connection(), db.url).counts()


def revision_of(db: Database) -> str | None:
    with db.reading() as session:
        return current_revision(session.connection())
