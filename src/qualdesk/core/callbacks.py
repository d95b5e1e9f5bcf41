"""Callbacks: a time as the rep types it, checked against the lead's hours, caps and the rep's day.

A callback is a promise to call at a time the prospect chose: it must fall
in the lead's calling hours (not on a closed day), keep within a cap on
calls to the number (counting the call being made now), and the time the
desk suggests must also fall in the rep's working day, never at night.

Pure: the facts are read once (services.calling.callbacks), and every time typed is
checked against them without touching the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from qualdesk.core.durations import format_duration
from qualdesk.core.errors import QualdeskError
from qualdesk.core.hours import (
    REP_DAY,
    callable_at,
    cap_for,
    cap_frees_at,
    closed_reason,
    suggest_time,
    zone,
)
from qualdesk.core.rules import CallingHours
from qualdesk.core.when import WhenProblem, parse_when

# A suggested callback is at least this far off: "later" rarely means in ten minutes.
SUGGEST_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class CallbackPlan:
    """A callback time as typed, read in the rep's zone and checked in the lead's."""

    at: datetime
    rep_local: datetime
    lead_local: datetime | None

    @property
    def in_rep_day(self) -> bool:
        """Whether it falls in the rep's working day (a time outside it is allowed, but asked)."""
        start, end = REP_DAY
        return start <= self.rep_local.time() < end


@dataclass(frozen=True)
class CallbackFacts:
    """What a callback time is checked against, for one lead and one rep."""

    hours: CallingHours
    zones: tuple[str, ...]
    jurisdiction: str
    rep_zone: str
    # Calls to the number within the cap's window, the one being made included.
    calls: tuple[datetime, ...]


def plan_callback(facts: CallbackFacts, typed: str, now: datetime) -> CallbackPlan:
    """Read a callback time typed by the rep and check the lead may be called then.

    Raises:
        QualdeskError: the text is not a time, it has passed, or the lead may
            not be called then: outside their hours, a closed day, or a cap on
            calls to the number (the reason names their local time, and the
            next good time is suggested).
    """
    try:
        at = parse_when(typed, now, facts.rep_zone)
    except WhenProblem as exc:
        raise QualdeskError(str(exc)) from None
    hours, zones, where = facts.hours, facts.zones, facts.jurisdiction
    lead_local = at.astimezone(zone(zones[0])) if zones else None
    when = f"{lead_local:%a %H:%M} their time" if lead_local else "then"
    problem, after = "", at
    if callable_at(hours, zones, where, at) is False:
        closed = closed_reason(hours, where, lead_local.date()) if lead_local else None
        problem = (
            f"closed: {closed} ({when})" if closed else f"outside the lead's calling hours ({when})"
        )
    else:
        cap = cap_for(hours, where)
        frees = cap_frees_at(cap, facts.calls, at) if cap else None
        if cap and frees:
            problem = (
                f"{cap.calls} calls to this number within {format_duration(cap.within)} "
                f"({cap.where}) with this one"
            )
            after = frees
    if problem:
        better = suggest_time(hours, zones, where, facts.rep_zone, after)
        if better is not None:
            problem += (
                f"; the next good time is {better.astimezone(zone(facts.rep_zone)):%a %H:%M} yours"
            )
        raise QualdeskError(problem)
    return CallbackPlan(at, at.astimezone(zone(facts.rep_zone)), lead_local)


def suggest_callback(facts: CallbackFacts, now: datetime) -> CallbackPlan | None:
    """A good time to call back: in the lead's hours and caps, and in the rep's working day."""
    hours, zones, where = facts.hours, facts.zones, facts.jurisdiction
    after = now + SUGGEST_AFTER
    cap = cap_for(hours, where)
    frees = cap_frees_at(cap, facts.calls, after) if cap else None
    if frees is not None:
        after = max(after, frees)
    at = suggest_time(hours, zones, where, facts.rep_zone, after)
    if at is None:
        return None
    lead_local = at.astimezone(zone(zones[0])) if zones else None
    return CallbackPlan(at, at.astimezone(zone(facts.rep_zone)), lead_local)
