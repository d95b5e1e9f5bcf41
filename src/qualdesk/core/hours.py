"""Calling hours: when a lead may be called, in the lead's own local time.

Telemarketing law counts hours in the called person's local time, so a
number that may ring in several zones (toll-free numbers, area codes that
straddle a zone line) is callable only while every one of its zones is
within hours. A number whose zone cannot be told is never "callable" here:
the desk offers it only after the rep confirms (rules: unknown_zone).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from qualdesk.core.rules import CallingHours

SEARCH_DAYS = 8


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """A time zone by IANA name (cached)."""
    return ZoneInfo(name)


def window(hours: CallingHours, jurisdiction: str, weekday: int) -> tuple[time, time]:
    """Start and end of calling hours for a jurisdiction on a weekday (0 = Monday).

    The most specific rule for the day wins: a state or province (US-FL)
    over its country (US), a country over the default.
    """
    best = None
    for rule in hours.rules:
        if weekday not in rule.days or not _covers(rule.where, jurisdiction):
            continue
        specificity = 2 if "-" in rule.where else 1
        if best is None or specificity > best[0]:
            best = (specificity, rule.start, rule.end)
    return (best[1], best[2]) if best else (hours.start, hours.end)


def _covers(where: str, jurisdiction: str) -> bool:
    return jurisdiction == where or jurisdiction.startswith(where + "-")


def within(hours: CallingHours, jurisdiction: str, local: datetime) -> bool:
    """Whether a local time (aware, in the lead's zone) is inside calling hours."""
    start, end = window(hours, jurisdiction, local.weekday())
    moment = local.time().replace(tzinfo=None)
    return start <= moment < end if end != time(23, 59, 59) else start <= moment


def callable_at(
    hours: CallingHours, zones: Iterable[str], jurisdiction: str, moment: datetime
) -> bool | None:
    """Whether a lead may be called at an instant: True, False, or None if its zone is unknown.

    Args:
        hours: the calling hours in force.
        zones: the lead's candidate IANA zones.
        jurisdiction: the lead's country or state/province (US-FL).
        moment: an aware instant.
    """
    names = tuple(zones)
    if not names:
        return None
    return all(within(hours, jurisdiction, moment.astimezone(zone(n))) for n in names)


def next_opening(
    hours: CallingHours, zones: Iterable[str], jurisdiction: str, moment: datetime
) -> datetime | None:
    """The first instant at or after `moment` when the lead may be called.

    None if its zone is unknown or no such instant falls in the next week
    (candidate zones whose hours never overlap).
    """
    names = tuple(zones)
    if not names:
        return None
    if callable_at(hours, names, jurisdiction, moment):
        return moment
    # Callability can only begin when some zone's window opens.
    candidates = []
    for name in names:
        local = moment.astimezone(zone(name))
        for offset in range(SEARCH_DAYS):
            day = (local + timedelta(days=offset)).date()
            start, _ = window(hours, jurisdiction, day.weekday())
            opening = datetime.combine(day, start, tzinfo=zone(name))
            if opening > moment:
                candidates.append(opening)
    for candidate in sorted(candidates):
        if callable_at(hours, names, jurisdiction, candidate):
            return candidate
    return None


def closing(
    hours: CallingHours, zones: Iterable[str], jurisdiction: str, moment: datetime
) -> datetime | None:
    """When the current calling window ends (the first zone to close), if it is open now."""
    names = tuple(zones)
    if not names or not callable_at(hours, names, jurisdiction, moment):
        return None
    ends = []
    for name in names:
        local = moment.astimezone(zone(name))
        _, end = window(hours, jurisdiction, local.weekday())
        ends.append(datetime.combine(local.date(), end, tzinfo=zone(name)))
    return min(ends)
