"""Callbacks: the facts a callback time is checked against, read once for a claimed lead.

The checks themselves are pure (core.callbacks): the callback dialog reads
the facts when it opens and checks every keystroke against them.
"""

from __future__ import annotations

from datetime import datetime

from qualdesk.core import callbacks
from qualdesk.core.callbacks import CallbackFacts, CallbackPlan
from qualdesk.core.errors import QualdeskError
from qualdesk.core.hours import cap_for
from qualdesk.db import claims
from qualdesk.db.models import Lead, Rep
from qualdesk.services.calling.callable import dialled
from qualdesk.services.calling.lease import Claim
from qualdesk.services.desk import Desk


def callback_facts(desk: Desk, claim: Claim, rep: Rep, now: datetime) -> CallbackFacts:
    """The lead's zones and jurisdiction, the calling hours, and the calls a cap counts."""
    with desk.db.reading() as session:
        hours = desk.rules(session).rules.calling_hours
        lead = session.get(Lead, claim.lead_id)
        if lead is None:
            raise QualdeskError(f"no lead #{claim.lead_id}")
        cap = cap_for(hours, lead.jurisdiction)
        calls = claims.calls_to_number(session, dialled(lead), now - cap.within) if cap else []
    zones = tuple(lead.time_zones.split())
    return CallbackFacts(hours, zones, lead.jurisdiction, rep.time_zone, (*calls, now))


def plan_callback(desk: Desk, claim: Claim, rep: Rep, typed: str) -> CallbackPlan:
    """Read a callback time typed by the rep and check the lead may be called then.

    Raises:
        QualdeskError: as core.callbacks.plan_callback.
    """
    now = desk.clock()
    return callbacks.plan_callback(callback_facts(desk, claim, rep, now), typed, now)


def suggest_callback(desk: Desk, claim: Claim, rep: Rep) -> CallbackPlan | None:
    """A good time to call back: in the lead's hours and caps, and in the rep's working day."""
    now = desk.clock()
    return callbacks.suggest_callback(callback_facts(desk, claim, rep, now), now)
