"""The periods team figures are counted over: today, this week, a typed date range.

Dates are what people type ("2026-11-01", "nov 1", "1 Nov 2026", "yesterday",
"monday"), read with python-dateutil in the team lead's zone. A period is
whole days: from the first day's midnight to the midnight after the last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil import parser
from dateutil.relativedelta import relativedelta

# Days outside these years are typing mistakes, not periods anyone counts.
FIRST_YEAR, LAST_YEAR = 1970, 2199
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class PeriodProblem(ValueError):
    """A date or period that cannot be read, with what to type instead."""


@dataclass(frozen=True)
class Period:
    """Whole days in one zone: start inclusive, end exclusive, both aware."""

    start: datetime
    end: datetime
    label: str
    # All time: figures may come from running totals instead of counting every touch.
    whole: bool = False

    @property
    def days(self) -> int:
        return (self.end.date() - self.start.date()).days


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _span(first: date, last: date, zone: ZoneInfo, label: str) -> Period:
    return Period(_midnight(first, zone), _midnight(last + timedelta(days=1), zone), label)


def named_period(name: str, now: datetime, zone_name: str) -> Period:
    """Today, this week (from Monday), this month, or all time, as of `now`.

    Raises:
        PeriodProblem: an unknown name.
    """
    zone = ZoneInfo(zone_name)
    today = now.astimezone(zone).date()
    match name:
        case "today":
            return _span(today, today, zone, "today")
        case "week":
            monday = today - timedelta(days=today.weekday())
            return _span(monday, today, zone, "this week")
        case "month":
            return _span(today.replace(day=1), today, zone, "this month")
        case "all":
            return Period(
                datetime(1970, 1, 1, tzinfo=zone), _midnight(today + timedelta(days=1), zone),
                "all time", whole=True,
            )  # fmt: skip
    raise PeriodProblem(f"unknown period {name!r}: use today, week, month or all")


def read_day(text: str, now: datetime, zone_name: str, what: str = "date") -> date:
    """A day typed by a person, read in their zone.

    Args:
        text: "2026-11-01", "nov 1", "1/11", "yesterday", "today", "monday"
            (the last one on or before today), "7 days ago".
        now: the current instant.
        zone_name: the reader's IANA zone.
        what: what the day is for, to name it in a problem.

    Raises:
        PeriodProblem: the text is not a day.
    """
    try:
        day = _read_day(text, now, zone_name)
    except (ValueError, OverflowError):
        day = None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise PeriodProblem(
            f"{what} {text!r}: not a date (try 2026-11-01, nov 1, yesterday or monday)"
        )
    return day


def _read_day(text: str, now: datetime, zone_name: str) -> date:
    zone = ZoneInfo(zone_name)
    today = now.astimezone(zone).date()
    typed = " ".join(text.strip().lower().split())
    if typed in ("today", "now"):
        return today
    if typed == "yesterday":
        return today - timedelta(days=1)
    if typed in _WEEKDAYS or (typed[:3] in [d[:3] for d in _WEEKDAYS] and len(typed) <= 4):
        wanted = next(i for i, d in enumerate(_WEEKDAYS) if d.startswith(typed[:3]))
        return today - timedelta(days=(today.weekday() - wanted) % 7)
    ago = typed.removesuffix(" ago").split()
    if typed.endswith(" ago") and len(ago) == 2 and ago[0].isdigit():
        count, unit = int(ago[0]), ago[1].rstrip("s")
        step = {"day": relativedelta(days=count), "week": relativedelta(weeks=count),
                "month": relativedelta(months=count)}.get(unit)  # fmt: skip
        if step is not None:
            return today - step
    default = datetime.combine(today, time(0))
    return parser.parse(typed, default=default, dayfirst=False).date()


def typed_period(
    since: str | None, until: str | None, now: datetime, zone_name: str,
    names: tuple[str, str] = ("--since", "--until"),
) -> Period:  # fmt: skip
    """The days from `since` to `until`, both included; either may be left out.

    Without `since` the period starts on `until`'s day (or today); without
    `until` it runs to today. `names` are how a problem names the two ends.

    Raises:
        PeriodProblem: a date that cannot be read, or an end before the start.
    """
    zone = ZoneInfo(zone_name)
    today = now.astimezone(zone).date()
    first_name, last_name = names
    first = read_day(since, now, zone_name, first_name) if since else None
    last = read_day(until, now, zone_name, last_name) if until else today
    first = first or last
    if last < first:
        raise PeriodProblem(f"{last_name} {last:%Y-%m-%d} is before {first_name} {first:%Y-%m-%d}")
    label = f"{first:%d %b %Y}" if first == last else f"{first:%d %b %Y} to {last:%d %b %Y}"
    return _span(first, last, zone, label)


def trend_days(end: datetime, zone_name: str, count: int) -> list[Period]:
    """The `count` whole days up to the one `end` falls in (or ends at midnight before)."""
    zone = ZoneInfo(zone_name)
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    days = [last - timedelta(days=offset) for offset in range(count - 1, -1, -1)]
    return [_span(day, day, zone, f"{day:%a %d}") for day in days]
