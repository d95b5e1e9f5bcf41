"""The do-not-call list's SQL: the numbers, and stopping the leads that have one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, update
from sqlmodel import Session, col, select

from qualdesk.core.stages import STOPPED_BY_DNC, Stage
from qualdesk.db.models import DoNotCall, Lead

DNC_REASON = "number is on the do-not-call list"


def numbers_newest_first(session: Session) -> list[DoNotCall]:
    """Every number on the list, newest first (numbers added at one moment by number)."""
    query = select(DoNotCall).order_by(col(DoNotCall.added_at).desc(), col(DoNotCall.phone_e164))
    return list(session.scalars(query))


def stop_leads_on_number(session: Session, e164: str, now: datetime) -> int:
    """Stop every lead whose number, or number to call instead, is this one. Returns how many."""
    on_number = (col(Lead.phone_e164) == e164) | (col(Lead.alt_phone_e164) == e164)
    return stop_leads(session, on_number, now)


def stop_lead(session: Session, lead_id: int, now: datetime) -> bool:
    """Stop one lead, if its stage is one a do-not-call number stops; whether it was."""
    return stop_leads(session, col(Lead.id) == lead_id, now) > 0


def stop_leads(session: Session, which: ColumnElement[bool], now: datetime) -> int:
    """Stop the leads that match: their number may not be called. Returns how many."""
    result = session.execute(
        update(Lead)
        .where(which, col(Lead.stage).in_(list(STOPPED_BY_DNC)))
        .values(
            stage=Stage.DISQUALIFIED.value,
            stage_reason=DNC_REASON,
            next_due_at=None,
            queue_bucket=None,
            callback_at=None,
            # A rep holding one of these leads loses it: their next write is refused.
            claimed_by=None,
            claim_token=None,
            claim_expires_at=None,
            updated_at=now,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
