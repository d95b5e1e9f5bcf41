"""Whether a lead may be called: the facts the rules need (qualdesk.core.calling), from the desk.

The calls made to a number are counted over the window of the cap that
applies to it, on the index of numbers dialled; the cap holds across every
lead that shares the number.
"""

from __future__ import annotations

from datetime import datetime

from qualdesk.core.calling import CallBlock, CallFacts, call_block, cap_reached
from qualdesk.core.hours import cap_for
from qualdesk.core.rules import DeskRules
from qualdesk.db import claims
from qualdesk.db.engine import Session
from qualdesk.db.models import Lead


def dialled(lead: Lead) -> str:
    """The E.164 number a call on the lead dials: the alternate number once there is one."""
    return lead.alt_phone_e164 or lead.phone_e164


def call_facts(session: Session, rules: DeskRules, lead: Lead, now: datetime) -> CallFacts:
    """What the rules need to know about a lead to say whether it may be called at `now`."""
    cap = cap_for(rules.calling_hours, lead.jurisdiction)
    calls = (
        tuple(claims.calls_to_number(session, dialled(lead), now - cap.within))
        if cap is not None
        else ()
    )
    return CallFacts(
        zones=tuple(lead.time_zones.split()),
        jurisdiction=lead.jurisdiction,
        stage=lead.stage,
        attempts=lead.attempts,
        last_attempt_at=lead.last_attempt_at,
        callback_at=lead.callback_at,
        calls_to_number=calls,
    )


def blocked(session: Session, rules: DeskRules, lead: Lead, at: datetime) -> CallBlock | None:
    """Why the lead may not be called at `at` (see qualdesk.core.calling), or None."""
    return call_block(rules, call_facts(session, rules, lead, at), at)


def cap_frees(session: Session, rules: DeskRules, lead: Lead, now: datetime) -> datetime | None:
    """When another call to the lead's number is allowed, if a cap stops one now; else None."""
    cap = cap_for(rules.calling_hours, lead.jurisdiction)
    if cap is None:
        return None
    calls = claims.calls_to_number(session, dialled(lead), now - cap.within)
    return cap_reached(rules, lead.jurisdiction, calls, now)


def hold_back_number(
    session: Session, rules: DeskRules, number: str, jurisdiction: str, now: datetime
) -> int:
    """After a call, keep every lead on a number whose cap is now reached out of the queue.

    They come back when the cap lets one more call through. Returns how many
    leads were held back (in the caller's transaction).
    """
    cap = cap_for(rules.calling_hours, jurisdiction)
    if cap is None:
        return 0
    frees = cap_reached(
        rules, jurisdiction, claims.calls_to_number(session, number, now - cap.within), now
    )
    if frees is None:
        return 0
    return claims.hold_back_leads_on(session, number, frees, now)
