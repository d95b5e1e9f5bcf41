"""Drafts of call notes: what a rep types on a card, kept in the database as they type.

A crash, a closed terminal or a lost claim then costs seconds of typing, not
the call. The draft belongs to the rep and the lead: it comes back when that
rep opens the lead again (unless the lead has been called since), and goes
when their call on it ends, in the same transaction as the touch that
carries the notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from qualdesk.db import claims
from qualdesk.db.engine import Session
from qualdesk.db.models import NoteDraft
from qualdesk.services.calling.lease import Claim
from qualdesk.services.desk import Desk


@dataclass(frozen=True)
class Draft:
    """A rep's unsaved notes on a lead, and when they were last kept."""

    text: str
    saved_at: datetime


def save_draft(desk: Desk, claim: Claim, text: str) -> bool:
    """Keep what the rep has typed so far on the card they hold; empty text drops the draft.

    Kept only while the claim is the lead's current one (its lease may have
    run out unnoticed): once the call has ended, or another rep has the
    lead, a late save must not bring back notes already saved with a call.

    Returns:
        Whether the draft was kept (False: the rep no longer holds the lead).
    """
    now = desk.clock()
    with desk.db.writing() as session:
        # The lead's row, taken: a call ending at this moment either comes first (and the
        # token is gone) or waits for this draft, which it then drops.
        lead = claims.lead_held_for_writing(session, claim.lead_id)
        if lead is None or lead.claim_token != claim.token:
            return False
        write_draft(session, claim.lead_id, claim.rep_id, text, now)
    return True


def write_draft(session: Session, lead_id: int, rep_id: int, text: str, now: datetime) -> None:
    """Keep a draft in the caller's transaction (which has checked the claim)."""
    if not text.strip():
        drop_draft(session, lead_id, rep_id)
        return
    draft = session.get(NoteDraft, (lead_id, rep_id))
    if draft is None:
        draft = NoteDraft(lead_id=lead_id, rep_id=rep_id, text=text, saved_at=now)
    else:
        draft.text, draft.saved_at = text, now
    session.add(draft)


def load_draft(desk: Desk, lead_id: int, rep_id: int) -> Draft | None:
    """The rep's unsaved notes on a lead, if any."""
    with desk.db.reading() as session:
        draft = session.get(NoteDraft, (lead_id, rep_id))
        return Draft(draft.text, draft.saved_at) if draft else None


def drop_draft(session: Session, lead_id: int, rep_id: int) -> None:
    """Forget the draft, in the caller's transaction (the notes were saved with a call)."""
    claims.delete_draft(session, lead_id, rep_id)
