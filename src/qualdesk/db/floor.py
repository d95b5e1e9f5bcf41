"""The live floor in SQL: desk sessions opened, beaten and ended; who holds which lead; callbacks.

A desk beats every few seconds, so `beat` is one UPDATE of one row by its
key. Reading the floor walks two small partial indexes: open sessions
(ix_desk_sessions_open) and held leads (ix_leads_claims), and the
callbacks per owner (ix_leads_callbacks). Functions never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, case, select, update
from sqlmodel import Session, col, func

from qualdesk.core.stages import Stage
from qualdesk.db.models import DeskSession, Lead, LeadChange, Rep

# The field a team lead's release of a rep's lead is recorded under (lead_changes).
HELD_BY = "held_by"
# The field a callback handed to another rep is recorded under.
CALLBACK_OWNER = "callback_owner"


def open_session(
    session: Session, *, rep_id: int, source: str, place: str, now: datetime, last_key_at: datetime
) -> int:
    """Record a rep signing in at a desk; returns the session's id."""
    row = DeskSession(
        rep_id=rep_id, source=source, place=place, started_at=now, seen_at=now,
        last_key_at=last_key_at, state="", state_since=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def end_left_behind(
    session: Session, *, rep_id: int, gone_before: datetime, keep: int, why: str
) -> int:
    """End the rep's open sessions not heard from since `gone_before` (ix_desk_sessions_open).

    They end when they were last seen. Returns how many were ended.
    """
    ended = session.execute(
        update(DeskSession)
        .where(col(DeskSession.ended_at).is_(None), col(DeskSession.rep_id) == rep_id)
        .where(col(DeskSession.id) != keep, col(DeskSession.seen_at) < gone_before)
        .values(ended_at=DeskSession.seen_at, ended_why=why)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(ended, "rowcount", 0) or 0)


def beat(
    session: Session, *, session_id: int, state: str, lead_id: int | None, last_key_at: datetime,
    now: datetime,
) -> bool:  # fmt: skip
    """Say the desk is there and what its rep is doing; False if the session has ended.

    `state_since` moves only when the state, or the lead it is on, changes;
    `lead_since` only when the lead does.
    """
    same_lead = col(DeskSession.lead_id).is_not_distinct_from(lead_id)
    same = (col(DeskSession.state) == state) & same_lead
    done = session.execute(
        update(DeskSession)
        .where(col(DeskSession.id) == session_id, col(DeskSession.ended_at).is_(None))
        .values(
            seen_at=now,
            last_key_at=last_key_at,
            state=state,
            lead_id=lead_id,
            state_since=case((same, col(DeskSession.state_since)), else_=now),
            lead_since=None
            if lead_id is None
            else case((same_lead, col(DeskSession.lead_since)), else_=now),
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(done, "rowcount", 0) or 0) == 1


def still_holds(session: Session, *, lead_id: int, session_id: int) -> bool:
    """Whether the session's rep still holds the lead (both read by their keys)."""
    found = session.scalar(
        select(col(Lead.id))
        .join(DeskSession, col(DeskSession.rep_id) == col(Lead.claimed_by))
        .where(col(Lead.id) == lead_id, col(DeskSession.id) == session_id)
    )
    return found is not None


def end_session(session: Session, *, session_id: int, now: datetime, why: str) -> bool:
    """End a session that is still open; False if it had ended already."""
    done = session.execute(
        update(DeskSession)
        .where(col(DeskSession.id) == session_id, col(DeskSession.ended_at).is_(None))
        .values(ended_at=now, ended_why=why[:40], lead_id=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(done, "rowcount", 0) or 0) == 1


class SessionRow(NamedTuple):
    """An open desk session as the floor reads it."""

    id: int
    rep_id: int
    source: str
    place: str
    started_at: datetime
    seen_at: datetime
    last_key_at: datetime
    state: str
    state_since: datetime
    lead_id: int | None
    lead_since: datetime | None


def open_sessions(session: Session, *, seen_after: datetime) -> list[SessionRow]:
    """Sessions not ended and heard from since `seen_after`, newest heard first."""
    found = session.execute(
        select(
            col(DeskSession.id), col(DeskSession.rep_id), col(DeskSession.source),
            col(DeskSession.place), col(DeskSession.started_at), col(DeskSession.seen_at),
            col(DeskSession.last_key_at), col(DeskSession.state), col(DeskSession.state_since),
            col(DeskSession.lead_id), col(DeskSession.lead_since),
        )
        .where(col(DeskSession.ended_at).is_(None), col(DeskSession.seen_at) > seen_after)
        .order_by(col(DeskSession.seen_at).desc(), col(DeskSession.id).desc())
    )  # fmt: skip
    return [SessionRow(*row) for row in found]


class HeldRow(NamedTuple):
    """A lead a rep holds under a lease that has not run out."""

    lead_id: int
    rep_id: int
    name: str
    company: str
    until: datetime


def held_leads(session: Session, *, now: datetime) -> list[HeldRow]:
    """Every lead held under an unexpired lease (ix_leads_claims), oldest lease first."""
    found = session.execute(
        select(col(Lead.id), col(Lead.claimed_by), col(Lead.name), col(Lead.company),
               col(Lead.claim_expires_at))
        .where(col(Lead.claimed_by).is_not(None), col(Lead.claim_expires_at) > now)
        .order_by(col(Lead.claim_expires_at), col(Lead.id))
    )  # fmt: skip
    return [
        HeldRow(int(i), int(rep), name, company, until) for i, rep, name, company, until in found
    ]


class FloorRep(NamedTuple):
    id: int
    handle: str
    name: str
    role: str
    active: bool


def reps_with_ids(session: Session, *, ids: Iterable[int]) -> dict[int, FloorRep]:
    """The reps with these ids, by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    found = session.execute(
        select(col(Rep.id), col(Rep.handle), col(Rep.name), col(Rep.role), col(Rep.active)).where(
            col(Rep.id).in_(wanted)
        )
    )
    return {int(i): FloorRep(int(i), h, n, r, bool(a)) for i, h, n, r, a in found}


def _callbacks_of(rep_id: int) -> tuple[ColumnElement[bool], ...]:
    return (
        col(Lead.owner_id) == rep_id,
        col(Lead.callback_at).is_not(None),
        col(Lead.stage) == Stage.WORKING.value,
    )


def callbacks_by_owner(session: Session) -> dict[int, int]:
    """How many callbacks each rep owns, from ix_leads_callbacks alone.

    A callback time is cleared whenever a lead leaves the working stage (its
    call routes it on, or its number goes on the do-not-call list), so the
    index needs no look at the stage (which would walk every working lead).
    """
    found = session.execute(
        select(col(Lead.owner_id), func.count())
        .where(col(Lead.callback_at).is_not(None), col(Lead.owner_id).is_not(None))
        .group_by(col(Lead.owner_id))
    )
    return {int(owner): int(count) for owner, count in found}


def callbacks_owned(session: Session, *, rep_id: int) -> list[int]:
    """The ids of the callbacks a rep owns, their rows taken for this transaction."""
    found = session.scalars(
        select(col(Lead.id))
        .where(*_callbacks_of(rep_id))
        .order_by(col(Lead.callback_at), col(Lead.id))
        .with_for_update()
    )
    return [int(lead_id or 0) for lead_id in found]


def give_callbacks(session: Session, *, lead_ids: list[int], to_rep_id: int, now: datetime) -> int:
    """Make another rep the owner of these callbacks; returns how many moved."""
    if not lead_ids:
        return 0
    moved = session.execute(
        update(Lead)
        .where(col(Lead.id).in_(lead_ids))
        .values(owner_id=to_rep_id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(moved, "rowcount", 0) or 0)


def record_changes(session: Session, *, changes: Iterable[LeadChange]) -> None:
    """Keep changes to leads made from the floor, with who made them."""
    session.add_all(list(changes))


def released_by(session: Session, *, lead_id: int, rep_handle: str, since: datetime) -> str | None:
    """Who released this rep's hold on the lead from the floor at or after `since`, if anyone."""
    found = session.scalar(
        select(col(LeadChange.changed_by))
        .where(col(LeadChange.lead_id) == lead_id, col(LeadChange.field) == HELD_BY)
        .where(col(LeadChange.old) == rep_handle, col(LeadChange.changed_at) >= since)
        .order_by(col(LeadChange.id).desc())
        .limit(1)
    )
    return None if found is None else str(found)
