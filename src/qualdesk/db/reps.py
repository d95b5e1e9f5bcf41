"""The desk's people in SQL, and the desk as a whole: its tables and how it commits.

A handle is unique on the desk; adding a rep whose handle is taken leaves the
transaction usable on both engines (INSERT ... ON CONFLICT DO NOTHING), where
a failed insert would abort it on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, col, select

from qualdesk.db.dialect import engine_name
from qualdesk.db.engine import Database
from qualdesk.db.models import Rep


def insert_rep(session: Session, rep: Rep) -> bool:
    """Store a new rep, giving it its id; False (and nothing stored) if the handle is taken."""
    insert = sqlite_insert if engine_name(session.get_bind()) == "sqlite" else postgresql_insert
    made = session.scalar(
        insert(Rep)
        .values(**rep.model_dump(exclude={"id"}))
        .on_conflict_do_nothing(index_elements=["handle"])
        .returning(col(Rep.id))
    )
    if made is None:
        return False
    rep.id = int(made)
    return True


def rep_with_handle(session: Session, handle: str) -> Rep | None:
    """The rep signing in with this handle (as stored: lower case)."""
    return session.exec(select(Rep).where(col(Rep.handle) == handle)).first()


def reps_by_handle(session: Session, *, active_only: bool = False) -> list[Rep]:
    """Everyone on the desk (or only those who may sign in), by handle."""
    query = select(Rep).order_by(col(Rep.handle))
    if active_only:
        query = query.where(col(Rep.active))
    # In code-point order on either engine, whatever a PostgreSQL server's collation.
    return sorted(session.exec(query), key=lambda rep: rep.handle)


def reps_in_role(session: Session, role: str) -> list[Rep]:
    """The reps with this role, in the order they joined."""
    return list(session.exec(select(Rep).where(col(Rep.role) == role).order_by(col(Rep.id))))


def handles(session: Session) -> dict[int | None, str]:
    """Every rep's handle by id."""
    return {rep_id: handle for rep_id, handle in session.execute(select(Rep.id, Rep.handle))}


# -- the desk as a whole ------------------------------------------------------------------


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


# The tables whose newest row tells whether anyone worked a desk since a moment.
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
