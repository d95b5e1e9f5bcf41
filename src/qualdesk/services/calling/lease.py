"""A rep's hold on a lead: the claim, renewed while the card is open.

A claim is a lease: the open card renews it, and a lead whose lease runs
out (the rep's app died) goes back to the queue. Every write made on a
card checks the claim's token first (`hold`), so a late write from a lost
claim is refused rather than applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from qualdesk.core.errors import QualdeskError
from qualdesk.core.queue import QUEUED_STAGES
from qualdesk.core.stages import Stage
from qualdesk.db import claims, floor
from qualdesk.db.engine import Session
from qualdesk.db.models import Lead, Rep
from qualdesk.services.desk import Desk
from qualdesk.services.intake.dnc import DNC_REASON

LEASE = timedelta(minutes=10)


class ClaimLost(QualdeskError):
    """The rep no longer holds the lead (the lease ran out, or it left the desk)."""


@dataclass(frozen=True)
class Claim:
    """A rep's hold on a lead: what every write on the card must show."""

    lead_id: int
    rep_id: int
    token: str
    claimed_at: datetime
    unknown_zone: bool = False
    # Opened by search rather than offered by the queue: it may be closed without a call.
    chosen: bool = False
    # The rep's own lead, still held by a desk of theirs that went away mid-call.
    resumed: bool = False


def hold(session: Session, claim: Claim, now: datetime, *, saving: bool = True) -> Lead:
    """The claimed lead, in the caller's transaction, with the lease renewed.

    Renewing takes the lead's row for the rest of the transaction, so no other
    write on the lead can come between this check and the caller's changes.

    Raises:
        ClaimLost: the claim expired or the lead was taken off the desk; the
            message says which, so the rep knows what became of it, and, when
            a change was being saved (`saving`), that it was not.
    """
    if not claims.renew_claim(session, claim.lead_id, claim.token, now, now + LEASE):
        lost = _why_lost(session, claim)
        raise ClaimLost(f"{lost}; this last change was not saved" if saving else lost)
    lead = session.get(Lead, claim.lead_id)
    assert lead is not None
    session.refresh(lead)
    return lead


def renew(desk: Desk, claim: Claim) -> None:
    """Keep holding the lead while its card is open."""
    now = desk.clock()
    with desk.db.writing() as session:
        hold(session, claim, now, saving=False)


def _why_lost(session: Session, claim: Claim) -> str:
    """Why a rep no longer holds a lead, in their words."""
    lead = session.get(Lead, claim.lead_id)
    if lead is None:
        return "this lead was removed from the desk (its import was undone)"
    session.refresh(lead)
    if lead.stage_reason == DNC_REASON and lead.stage == Stage.DISQUALIFIED:
        return "its number was put on the do-not-call list while the card was open"
    if lead.stage not in QUEUED_STAGES:
        return f"it left the desk while the card was open (now {lead.stage.replace('_', ' ')})"
    ran_out = (
        f"your hold ran out (the desk could not renew it for {LEASE.seconds // 60} minutes: "
        "the app or the database stalled)"
    )
    if lead.claimed_by == claim.rep_id:
        return "you have this lead open in another window"
    released = _released(session, claim)
    if released is not None:
        return released
    if lead.claimed_by is not None:
        holder = session.get(Rep, lead.claimed_by)
        return f"{ran_out} and {holder.name if holder else 'another rep'} has the lead now"
    return f"{ran_out}; the lead went back to the queue"


def _released(session: Session, claim: Claim) -> str | None:
    """Why, if a team lead released the rep's hold from the live floor since the claim."""
    rep = session.get(Rep, claim.rep_id)
    if rep is None:
        return None
    by = floor.released_by(session, lead_id=claim.lead_id, rep_handle=rep.handle,
                           since=claim.claimed_at)  # fmt: skip
    if by is None:
        return None
    return f"{by} released it from the live floor (your notes are kept as your draft)"
