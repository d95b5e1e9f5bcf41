"""Whether a lead may be called now, however its card was opened, and if not why and until when.

Four rules, in the order a rep would want them explained: calling hours in
the lead's local time (closed days and holidays included), the minimum gap
between two calls to one lead, the maximum attempts of a cadence, and a
cap on calls to one number (Florida: three in 24 hours). The queue offers
only leads that pass them; a card opened by search shows why it may not be
called and takes no call; ending a call checks them as of when the card
opened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from qualdesk.core.durations import format_duration
from qualdesk.core.hours import (
    callable_at,
    cap_for,
    cap_frees_at,
    closed_reason,
    next_opening,
    zone,
)
from qualdesk.core.rules import DeskRules
from qualdesk.core.stages import Stage


@dataclass(frozen=True)
class CallFacts:
    """What the rules need to know about a lead to say whether it may be called."""

    zones: tuple[str, ...]
    jurisdiction: str
    stage: str
    attempts: int
    last_attempt_at: datetime | None
    callback_at: datetime | None
    # When calls were made to the number the lead is called on (any lead's).
    calls_to_number: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class CallBlock:
    """Why a call may not be made now, and the first moment it may (None if not known)."""

    reason: str
    until: datetime | None


def call_block(rules: DeskRules, facts: CallFacts, at: datetime) -> CallBlock | None:
    """Why the lead may not be called at `at`, or None if it may.

    A number whose zone cannot be told is not blocked here: the desk asks the
    rep to confirm the time instead. A callback the prospect asked for is
    called at the agreed time, whatever the minimum gap, and the maximum
    attempts count unanswered retries only, so a booked callback is not one.

    Args:
        rules: the desk rules in force.
        facts: the lead's zones, jurisdiction, stage, attempts and calls.
        at: the moment of the call (a card's opening, for a call being logged).

    Returns:
        The first rule that forbids the call, in words, with when it lifts.
    """
    hours = rules.calling_hours
    if callable_at(hours, facts.zones, facts.jurisdiction, at) is False:
        opens = next_opening(hours, facts.zones, facts.jurisdiction, at)
        local = at.astimezone(zone(facts.zones[0]))
        closed = closed_reason(hours, facts.jurisdiction, local.date())
        why = f"closed: {closed}" if closed else "outside their calling hours"
        return CallBlock(why, opens)
    cadence = rules.cadence
    agreed = facts.callback_at is not None and at >= facts.callback_at
    if facts.last_attempt_at is not None and not agreed:
        allowed = facts.last_attempt_at + cadence.min_gap
        if at < allowed:
            gap = format_duration(cadence.min_gap)
            return CallBlock(
                f"called {_ago(at - facts.last_attempt_at)} ago (the gap is {gap})", allowed
            )
    retry = facts.stage == Stage.WORKING and facts.callback_at is None
    if retry and facts.attempts >= cadence.max_attempts:
        return CallBlock(f"it has had its {cadence.max_attempts} attempts", None)
    cap = cap_for(hours, facts.jurisdiction)
    if cap is not None:
        frees = cap_frees_at(cap, facts.calls_to_number, at)
        if frees is not None:
            within = format_duration(cap.within)
            return CallBlock(
                f"{cap.calls} calls to this number within {within} ({cap.where})", frees
            )
    return None


def _ago(span: timedelta) -> str:
    minutes = max(1, int(span.total_seconds() // 60))
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h"


def cap_reached(
    rules: DeskRules, jurisdiction: str, calls: Sequence[datetime], now: datetime
) -> datetime | None:
    """When another call to a number may be made, if its cap is reached now; else None."""
    cap = cap_for(rules.calling_hours, jurisdiction)
    return cap_frees_at(cap, calls, now) if cap is not None else None
