"""Callbacks: a time as the rep types it, checked against the lead's hours, caps and the rep's day.

A callback is a promise to call at a time the prospect chose: it must fall
in the lead's calling hours (not on a closed day), keep within a cap on
calls to the number (counting the call being made now), and the time the
desk suggests must also fall in the rep's working day, never at night.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from qualdesk.core.durations import format_duration
from qualdesk.core.errors import QualdeskError
from qualdesk.core.hours import (
    callable_at,
    cap_for,
    cap_frees_at,
    closed_reason,
    suggest_time,
    zone,
)
from qualdesk.core.rules import DeskRules
from qualdesk.core.when import WhenProblem, parse_when
from qualdesk.db import queries
from qualdesk.db.models import Lead, Rep
from qualdesk.services.callable import dialled
from qualdesk.services.desk import Desk
from qualdesk.services.queue import Claim

# A suggested callback is at least this far off: "later" rarely means in ten minutes.
SUGGEST_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class CallbackPlan:
    """A callback time as typed, read in the rep's zone and checked in the lead's."""

    at: datetime
    rep_local: datetime
    lead_local: datetime | None


@dataclass(frozen=True)
class _Lead:
    zones: tuple[str, ...]
    jurisdiction: str
    # Calls to the number within the cap's window before now, and the one being made.
    calls: tuple[datetime, ...]


def _read(desk: Desk, claim: Claim, now: datetime) -> tuple[DeskRules, _Lead]:
    with desk.db.reading() as session:
        rules = desk.rules(session).rules
        lead = session.get(Lead, claim.lead_id)
        if lead is None:
            raise QualdeskError(f"no lead #{claim.lead_id}")
        cap = cap_for(rules.calling_hours, lead.jurisdiction)
        calls = queries.calls_to_number(session, dialled(lead), now - cap.within) if cap else []
    return rules, _Lead(tuple(lead.time_zones.split()), lead.jurisdiction, (*calls, now))


def plan_callback(desk: Desk, claim: Claim, rep: Rep, typed: str) -> CallbackPlan:
    """Read a callback time typed by the rep and check the lead may be called then.

    Raises:
        QualdeskError: the text is not a time, it has passed, or the lead may
            not be called then: outside their hours, a closed day, or a cap on
            calls to the number (the reason names their local time, and the
            next good time is suggested).
    """
    now = desk.clock()
    rules, lead = _read(desk, claim, now)
    try:
        at = parse_when(typed, now, rep.time_zone)
    except WhenProblem as exc:
        raise QualdeskError(str(exc)) from None
    hours = rules.calling_hours
    lead_local = at.astimezone(zone(lead.zones[0])) if lead.zones else None
    when = f"{lead_local:%a %H:%M} their time" if lead_local else "then"
    problem, after = "", at
    if callable_at(hours, lead.zones, lead.jurisdiction, at) is False:
        closed = closed_reason(hours, lead.jurisdiction, lead_local.date()) if lead_local else None
        problem = (
            f"closed: {closed} ({when})" if closed else f"outside the lead's calling hours ({when})"
        )
    else:
        cap = cap_for(hours, lead.jurisdiction)
        frees = cap_frees_at(cap, lead.calls, at) if cap else None
        if cap and frees:
            problem = (
                f"{cap.calls} calls to this number within {format_duration(cap.within)} "
                f"({cap.where}) with this one"
            )
            after = frees
    if problem:
        better = suggest_time(hours, lead.zones, lead.jurisdiction, rep.time_zone, after)
        if better is not None:
            problem += (
                f"; the next good time is {better.astimezone(zone(rep.time_zone)):%a %H:%M} yours"
            )
        raise QualdeskError(problem)
    return CallbackPlan(at, at.astimezone(zone(rep.time_zone)), lead_local)


def suggest_callback(desk: Desk, claim: Claim, rep: Rep) -> CallbackPlan | None:
    """A good time to call back: in the lead's hours and caps, and in the rep's working day."""
    now = desk.clock()
    rules, lead = _read(desk, claim, now)
    after = now + SUGGEST_AFTER
    cap = cap_for(rules.calling_hours, lead.jurisdiction)
    frees = cap_frees_at(cap, lead.calls, after) if cap else None
    if frees is not None:
        after = max(after, frees)
    at = suggest_time(rules.calling_hours, lead.zones, lead.jurisdiction, rep.time_zone, after)
    if at is None:
        return None
    lead_local = at.astimezone(zone(lead.zones[0])) if lead.zones else None
    return CallbackPlan(at, at.astimezone(zone(rep.time_zone)), lead_local)
