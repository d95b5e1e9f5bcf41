"""The desk as a whole: its tables, how it commits, and how much work it holds.

For the demo, which builds a desk over an earlier one of its own.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, text
from sqlmodel import Session, SQLModel

from qualdesk.db.engine import Database


def commit_without_waiting_for_the_disk(db: Database) -> None:
    """Let every later commit return before the disk has it (for a desk built again anyway).

    SQLite in WAL mode with synchronous NORMAL, PostgreSQL with synchronous_commit
    off: a crash loses at most the last commits, never the database.
    """
    event.listen(db.engine, "connect", _sqlite_relaxed if db.is_sqlite else _postgresql_relaxed)
    db.engine.dispose()  # the connections pooled so far were set up before


def _sqlite_relaxed(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous = NORMAL")


def _postgresql_relaxed(dbapi_connection: Any, _record: Any) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    # A session setting made in a transaction that is rolled back is undone.
    dbapi_connection.commit()


# The tables whose row counts tell whether anyone has worked a desk since a moment.
_WORK_TABLES = (
    "reps", "leads", "touches", "import_batches", "export_batches", "feedback_batches",
    "rules_versions", "lead_changes", "do_not_call",
)  # fmt: skip


def work_marks(session: Session) -> dict[str, int]:
    """How many rows each table of the desk's work holds now."""
    return {
        table: int(session.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
        for table in _WORK_TABLES
    }


def holds_tables(session: Session) -> bool:
    """Whether the database has any table (a new server database has none)."""
    return bool(inspect(session.connection()).get_table_names())


def drop_desk(session: Session) -> None:
    """Drop every table of the desk and its schema version: the database is empty again."""
    SQLModel.metadata.drop_all(session.connection())
    session.execute(text("DROP TABLE IF EXISTS alembic_version"))
