"""Calling hours: when a lead may be called, in the lead's own local time.

Telemarketing law counts hours in the called person's local time, so a
number that may ring in several zones (toll-free numbers, area codes that
straddle a zone line) is callable only while every one of its zones is
within hours. A number whose zone cannot be told is never "callable" here:
the desk offers it only after the rep confirms (rules: unknown_zone).

A jurisdiction may be closed on a weekday (US Sundays) or on a date (a
public holiday): no call then, whatever the hours say. Some laws also cap
how often one number may be called (Florida: three calls in 24 hours).

Speed to lead is counted in the same calling time: a lead's first touch is
due once so many hours of it have passed since the lead arrived
(`calling_deadlines`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from qualdesk.core.rules import CallCap, CallingHours, ClosedDate, HoursRule

# Three weeks: the next opening after a holiday beside a closed weekend, with room to spare.
SEARCH_DAYS = 21
# What `window` gives for a closed weekday: no moment is inside it.
CLOSED_WINDOW = (time(0), time(0))
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# A rep's working day, in the rep's own time: suggestions stay inside it.
REP_DAY = (time(8), time(20))
_QUARTER = timedelta(minutes=15)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MIDNIGHT = time(23, 59, 59)


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """A time zone by IANA name (cached)."""
    return ZoneInfo(name)


def _covers(where: str, jurisdiction: str) -> bool:
    return jurisdiction == where or jurisdiction.startswith(where + "-")


def _specificity(where: str) -> int:
    return 2 if "-" in where else 1


def _weekday_rule(hours: CallingHours, jurisdiction: str, weekday: int) -> HoursRule | None:
    """The most specific rule for the weekday; the first of equals wins."""
    best: HoursRule | None = None
    for rule in hours.rules:
        if weekday not in rule.days or not _covers(rule.where, jurisdiction):
            continue
        if best is None or _specificity(rule.where) > _specificity(best.where):
            best = rule
    return best


def _closed_date(hours: CallingHours, jurisdiction: str, day: date) -> ClosedDate | None:
    """The closed date listed for the jurisdiction or its country, the state's first."""
    best: ClosedDate | None = None
    for closed in hours.closed_dates:
        if closed.day != day or not _covers(closed.where, jurisdiction):
            continue
        if best is None or _specificity(closed.where) > _specificity(best.where):
            best = closed
    return best


def window(hours: CallingHours, jurisdiction: str, weekday: int) -> tuple[time, time]:
    """Start and end of calling hours for a jurisdiction on a weekday (0 = Monday).

    The most specific rule for the day wins: a state or province (US-FL)
    over its country (US), a country over the default. A weekday knows
    nothing of holidays: callers that know the date use `day_window`.

    Args:
        hours: the calling hours in force.
        jurisdiction: the lead's country or state/province (US-FL).
        weekday: the lead's local weekday, 0 = Monday.

    Returns:
        The window; `CLOSED_WINDOW` (00:00-00:00, inside which no moment
        falls) if the jurisdiction is closed on that weekday.
    """
    rule = _weekday_rule(hours, jurisdiction, weekday)
    if rule is None:
        return (hours.start, hours.end)
    return CLOSED_WINDOW if rule.closed else (rule.start, rule.end)


def day_window(hours: CallingHours, jurisdiction: str, day: date) -> tuple[time, time] | None:
    """Start and end of calling hours for a jurisdiction on a local date.

    A closed date closes the day whatever the weekday rules say; one listed
    for a country (US) closes every state in it, one listed for a state
    (US-FL) only that state. Otherwise the most specific weekday rule wins,
    as in `window`: a state rule that opens Sundays beats a country rule
    that closes them.

    Args:
        hours: the calling hours in force.
        jurisdiction: the lead's country or state/province (US-FL).
        day: the date in the lead's local time.

    Returns:
        The window, or None if the jurisdiction is closed that day.
    """
    if _closed_date(hours, jurisdiction, day) is not None:
        return None
    rule = _weekday_rule(hours, jurisdiction, day.weekday())
    if rule is None:
        return (hours.start, hours.end)
    return None if rule.closed else (rule.start, rule.end)


def closed_reason(hours: CallingHours, jurisdiction: str, day: date) -> str | None:
    """Why a jurisdiction is closed on a local date, in words for a rep.

    Args:
        hours: the calling hours in force.
        jurisdiction: the lead's country or state/province (US-FL).
        day: the date in the lead's local time.

    Returns:
        "Christmas Day in US-NY" or "Sunday in US-FL"; None if the
        jurisdiction is open that day, even if only outside its hours.
    """
    closed = _closed_date(hours, jurisdiction, day)
    if closed is not None:
        return f"{closed.name} in {jurisdiction}"
    rule = _weekday_rule(hours, jurisdiction, day.weekday())
    if rule is not None and rule.closed:
        return f"{WEEKDAY_NAMES[day.weekday()]} in {jurisdiction}"
    return None


def within(hours: CallingHours, jurisdiction: str, local: datetime) -> bool:
    """Whether a local time (aware, in the lead's zone) is inside calling hours.

    Args:
        hours: the calling hours in force.
        jurisdiction: the lead's country or state/province (US-FL).
        local: an aware time in the lead's zone; its date decides closed days.
    """
    span = day_window(hours, jurisdiction, local.date())
    if span is None:
        return False
    start, end = span
    moment = local.time().replace(tzinfo=None)
    return start <= moment < end if end != _MIDNIGHT else start <= moment


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

    Closed weekdays and closed dates are skipped, in each zone's local date.

    Args:
        hours: the calling hours in force.
        zones: the lead's candidate IANA zones.
        jurisdiction: the lead's country or state/province (US-FL).
        moment: an aware instant.

    Returns:
        The instant, or None if the zone is unknown or nothing opens within
        `SEARCH_DAYS` days (candidate zones whose hours never overlap).
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
        for offset in range(SEARCH_DAYS + 1):
            day = local.date() + timedelta(days=offset)
            span = day_window(hours, jurisdiction, day)
            if span is None:
                continue
            opening = datetime.combine(day, span[0], tzinfo=zone(name))
            if opening > moment:
                candidates.append(opening)
    for candidate in sorted(candidates):
        if callable_at(hours, names, jurisdiction, candidate):
            return candidate
    return None


def closing(
    hours: CallingHours, zones: Iterable[str], jurisdiction: str, moment: datetime
) -> datetime | None:
    """When the current calling window ends (the first zone to close), if it is open now.

    Args:
        hours: the calling hours in force.
        zones: the lead's candidate IANA zones.
        jurisdiction: the lead's country or state/province (US-FL).
        moment: an aware instant.

    Returns:
        The end of today's window in the zone that closes first; None if
        the lead may not be called at `moment` (or its zone is unknown).
    """
    names = tuple(zones)
    if not names or not callable_at(hours, names, jurisdiction, moment):
        return None
    ends = []
    for name in names:
        local = moment.astimezone(zone(name))
        span = day_window(hours, jurisdiction, local.date())
        if span is None:  # cannot happen while callable; keeps the types honest
            return None
        ends.append(datetime.combine(local.date(), span[1], tzinfo=zone(name)))
    return min(ends)


def cap_for(hours: CallingHours, jurisdiction: str) -> CallCap | None:
    """The cap on calls to one number that applies to a jurisdiction.

    Args:
        hours: the calling hours in force.
        jurisdiction: the lead's country or state/province (US-FL).

    Returns:
        The most specific cap (US-FL over US), or None if none applies.
    """
    best: CallCap | None = None
    for cap in hours.caps:
        if _covers(cap.where, jurisdiction) and (
            best is None or _specificity(cap.where) > _specificity(best.where)
        ):
            best = cap
    return best


def cap_frees_at(cap: CallCap, calls: Sequence[datetime], now: datetime) -> datetime | None:
    """When one more call to a number stays within a cap.

    A call counts against the cap while it lies in (t - cap.within, t]; calls
    after `now` are not counted (they have not been made).

    Args:
        cap: the cap in force for the number.
        calls: the aware instants of calls already made to the number.
        now: an aware instant.

    Returns:
        None if one more call now stays within the cap; else the first
        instant at which it would.
    """
    counted = sorted(call for call in calls if now - cap.within < call <= now)
    if len(counted) < cap.calls:
        return None
    # The oldest calls must age out until one fewer than the cap remain.
    return counted[len(counted) - cap.calls] + cap.within


def suggest_time(
    hours: CallingHours,
    zones: Iterable[str],
    jurisdiction: str,
    rep_zone: str,
    after: datetime,
    rep_day: tuple[time, time] = REP_DAY,
) -> datetime | None:
    """A good time to call a lead back: in the lead's hours and the rep's working day.

    Args:
        hours: the calling hours in force.
        zones: the lead's candidate IANA zones; none if unknown, when only
            the rep's day counts.
        jurisdiction: the lead's country or state/province (US-FL).
        rep_zone: the rep's IANA zone.
        after: an aware instant; the suggestion is at or after it.
        rep_day: the start and end of the rep's working day, in the rep's
            local time (the end excluded).

    Returns:
        The first quarter hour at or after `after`, in UTC, at which the
        lead may be called (every zone in hours, not a closed day) and the
        rep is at work; None if there is none within `SEARCH_DAYS` days.

    Raises:
        ValueError: the rep's day does not start before it ends.
    """
    day_start, day_end = rep_day
    if not day_start < day_end:
        raise ValueError(f"the rep's day must start before it ends, got {rep_day}")
    names = tuple(zones)
    mine = zone(rep_zone)
    deadline = after + timedelta(days=SEARCH_DAYS)
    moment: datetime | None = _quarter(after)
    while moment is not None and moment <= deadline:
        local = moment.astimezone(mine)
        if not day_start <= local.time() < day_end:
            start_day = local.date() + timedelta(days=int(local.time() >= day_start))
            moment = _quarter(datetime.combine(start_day, day_start, tzinfo=mine))
        elif names and not callable_at(hours, names, jurisdiction, moment):
            opening = next_opening(hours, names, jurisdiction, moment)
            moment = None if opening is None else _quarter(opening)
        else:
            return moment
    return None


def _quarter(moment: datetime) -> datetime:
    """The first quarter hour at or after an instant, in UTC (every zone's offset today is
    a whole number of quarter hours, so it is a quarter hour on every clock)."""
    return _EPOCH + -(-(moment - _EPOCH) // _QUARTER) * _QUARTER


_MICROSECOND = timedelta(microseconds=1)


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def _zone_stretches(
    hours: CallingHours, name: str, jurisdiction: str, first: date, last: date
) -> list[tuple[int, int]]:
    """Each local day's calling window in one zone, from `first` to `last`, in microseconds."""
    tz = zone(name)
    found = []
    day = first
    while day <= last:
        span = day_window(hours, jurisdiction, day)
        if span is not None:
            opens = datetime.combine(day, span[0], tzinfo=tz)
            # A window to 24:00 runs on to the next day's midnight, as `within` counts it.
            closes = (
                datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
                if span[1] == _MIDNIGHT
                else datetime.combine(day, span[1], tzinfo=tz)
            )
            if span[0] < span[1]:
                found.append((_micros(opens), _micros(closes)))
        day += timedelta(days=1)
    return found


def _meet(ours: list[tuple[int, int]], theirs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The stretches inside both sorted lists of stretches."""
    both = []
    i = j = 0
    while i < len(ours) and j < len(theirs):
        low, high = max(ours[i][0], theirs[j][0]), min(ours[i][1], theirs[j][1])
        if low < high:
            both.append((low, high))
        if ours[i][1] < theirs[j][1]:
            i += 1
        else:
            j += 1
    return both


@dataclass(frozen=True)
class CallingTime:
    """The stretches in which a lead may be called over a range of days, to count its calling time.

    A stretch is when every candidate zone is inside its window (closed
    weekdays and closed dates skipped), as `callable_at` says. Built once
    for a calling-hours class, it answers "when has this much calling time
    passed since then" with two bisections, so figures over many leads pay
    for the calendar once. Instants are microseconds since the epoch.
    """

    opens: tuple[int, ...]
    closes: tuple[int, ...]
    # The calling time from the first opening to each close.
    counted: tuple[int, ...]

    @classmethod
    def between(
        cls,
        hours: CallingHours,
        zones: Iterable[str],
        jurisdiction: str,
        since: datetime,
        until: datetime,
    ) -> CallingTime:
        """The stretches of the local days from `since` to `until`, in every zone given.

        Args:
            hours: the calling hours in force.
            zones: the lead's candidate IANA zones (at least one).
            jurisdiction: the lead's country or state/province (US-FL).
            since: an aware instant; the stretches start on its local day.
            until: an aware instant; they end with its local day.
        """
        stretches: list[tuple[int, int]] | None = None
        for name in zones:
            tz = zone(name)
            first, last = since.astimezone(tz).date(), until.astimezone(tz).date()
            own = _zone_stretches(hours, name, jurisdiction, first, last)
            stretches = own if stretches is None else _meet(stretches, own)
        counted, total = [], 0
        for opens, closes in stretches or []:
            total += closes - opens
            counted.append(total)
        return cls(
            tuple(s[0] for s in stretches or []), tuple(s[1] for s in stretches or []),
            tuple(counted),
        )  # fmt: skip

    def passed(self, start: datetime, span: timedelta) -> datetime | None:
        """The first instant by which `span` of calling time has passed since `start`.

        Args:
            start: an aware instant, inside calling hours or not.
            span: the calling time to count.

        Returns:
            The instant, in UTC (the end of a window if the span ends
            exactly there); None if it lies beyond the stretches built.
        """
        moment = _micros(start)
        first = bisect_right(self.closes, moment)
        if first == len(self.closes):
            return None
        begin = max(self.opens[first], moment)
        target = self.counted[first] - (self.closes[first] - begin) + span // _MICROSECOND
        last = bisect_left(self.counted, target, lo=first)
        if last == len(self.counted):
            return None
        return _EPOCH + (self.closes[last] - (self.counted[last] - target)) * _MICROSECOND


def calling_deadlines(
    hours: CallingHours,
    zones: Iterable[str],
    jurisdiction: str,
    span: timedelta,
    starts: Iterable[datetime],
) -> dict[datetime, datetime]:
    """When `span` of a lead's calling time has passed since each start: speed to lead's deadlines.

    Calling time is the time the lead may be called: inside its hours in
    every candidate zone, on a day its jurisdiction is open. A lead that
    arrives at 20:50 in New York with four hours to go is due at 11:50 the
    next morning (ten minutes that evening, three hours fifty from 08:00).

    Args:
        hours: the calling hours in force.
        zones: the lead's candidate IANA zones; none if its zone is unknown.
        jurisdiction: the lead's country or state/province (US-FL).
        span: the calling time to count (rules: speed_to_lead_hours).
        starts: aware instants, many leads of one calling-hours class at a time.

    Returns:
        Each start's deadline, in UTC. Where calling time cannot be counted
        (the zone is unknown, or the zones' hours do not meet within
        `SEARCH_DAYS` days plus a day per hour of the span) the span is
        counted in wall-clock time instead.
    """
    names = tuple(zones)
    wanted = sorted(set(starts))
    found: dict[datetime, datetime] = {}
    if names and wanted:
        # A week past the last start nearly always holds the span; else the longest wait.
        for reach in (span + timedelta(days=7), span * 24 + timedelta(days=SEARCH_DAYS)):
            clock = CallingTime.between(hours, names, jurisdiction, wanted[0], wanted[-1] + reach)
            missing = []
            for start in wanted:
                deadline = clock.passed(start, span)
                if deadline is None:
                    missing.append(start)
                else:
                    found[start] = deadline
            wanted = missing
            if not wanted:
                break
    for start in wanted:
        found[start] = start + span
    return found


def calling_deadline(
    hours: CallingHours, zones: Iterable[str], jurisdiction: str, start: datetime, span: timedelta
) -> datetime:
    """When `span` of one lead's calling time has passed since `start` (see `calling_deadlines`)."""
    return calling_deadlines(hours, zones, jurisdiction, span, [start])[start]
