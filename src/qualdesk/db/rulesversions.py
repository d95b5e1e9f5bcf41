"""The stored versions of the desk's rules: the newest is in force."""

from __future__ import annotations

from sqlmodel import Session, col, select

from qualdesk.db.models import RulesVersion


def newest(session: Session) -> RulesVersion | None:
    """The rules version loaded last (the one in force), or None on an empty desk."""
    return session.exec(select(RulesVersion).order_by(col(RulesVersion.id).desc())).first()


def any_stored(session: Session) -> bool:
    """Whether the desk holds any rules version yet."""
    return session.exec(select(RulesVersion.id).limit(1)).first() is not None
