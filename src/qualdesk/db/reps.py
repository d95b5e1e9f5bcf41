"""The desk's people in SQL.

A handle is unique on the desk; adding a rep whose handle is taken leaves the
transaction usable on both engines (INSERT ... ON CONFLICT DO NOTHING), where
a failed insert would abort it on PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from qualdesk.db.dialect import engine_name
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


def lead_with_password(session: Session) -> bool:
    """Whether an active team lead has a password (so someone can sign in to run the desk)."""
    found = session.exec(
        select(Rep.id)
        .where(col(Rep.role) == "lead", col(Rep.active), col(Rep.password_hash).is_not(None))
        .limit(1)
    ).first()
    return found is not None


def handles(session: Session) -> dict[int | None, str]:
    """Every rep's handle by id."""
    return {rep_id: handle for rep_id, handle in session.execute(select(Rep.id, Rep.handle))}
