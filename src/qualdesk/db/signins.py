"""Sign-in events and changes to the desk, in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, select

from qualdesk.db.models import DeskChange, SignInEvent


def record_event(session: Session, event: SignInEvent) -> None:
    """Store one sign-in event."""
    session.add(event)


def last_event(
    session: Session, handle: str, events: tuple[str, ...], since: datetime
) -> SignInEvent | None:
    """The newest of these events for a handle since a time."""
    return session.exec(
        select(SignInEvent)
        .where(col(SignInEvent.handle) == handle, col(SignInEvent.at) >= since)
        .where(col(SignInEvent.event).in_(events))
        .order_by(col(SignInEvent.at).desc(), col(SignInEvent.id).desc())
        .limit(1)
    ).first()


def count_events(
    session: Session,
    handle: str,
    kinds: tuple[str, ...],
    since: datetime,
    *,
    after_id: int | None = None,
) -> int:
    """How many events of these kinds a handle has had after a time (and after an event)."""
    query = (
        select(func.count())
        .select_from(SignInEvent)
        .where(col(SignInEvent.handle) == handle, col(SignInEvent.at) > since)
        .where(col(SignInEvent.event).in_(kinds))
    )
    if after_id is not None:
        query = query.where(col(SignInEvent.id) > after_id)
    return int(session.scalar(query) or 0)


def settle_event(session: Session, event_id: int, event: str, detail: str) -> None:
    """Say what an attempt recorded as being checked turned out to be."""
    row = session.get(SignInEvent, event_id)
    if row is not None:
        row.event, row.detail = event, detail
        session.add(row)


def events(session: Session, handle: str | None, limit: int) -> list[SignInEvent]:
    """The newest events first, for one handle or all."""
    query = select(SignInEvent).order_by(col(SignInEvent.at).desc(), col(SignInEvent.id).desc())
    if handle is not None:
        query = query.where(col(SignInEvent.handle) == handle)
    return list(session.exec(query.limit(limit)))


def record_change(session: Session, change: DeskChange) -> None:
    """Store one change to the desk."""
    session.add(change)


def changes(session: Session, limit: int) -> list[DeskChange]:
    """The newest changes to the desk first."""
    query = select(DeskChange).order_by(col(DeskChange.at).desc(), col(DeskChange.id).desc())
    return list(session.exec(query.limit(limit)))
