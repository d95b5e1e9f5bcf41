"""Reading the times reps type for a callback: "14:30", "tomorrow 10am", "tue 9", "+2d"."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil import parser

from qualdesk.core.durations import parse_duration

_DAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}  # fmt: skip
_BARE_HOUR = re.compile(r"^(\d{1,2})$")
_BARE_HHMM = re.compile(r"^(\d{1,2})(\d{2})$")
_YEAR = re.compile(r"\b\d{4}\b")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{2})(am|pm)?$")
_IN = re.compile(r"^in (\d+|an?) ?(m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)$")
_WORDS = {"noon": "12:00", "midday": "12:00", "midnight": "00:00"}


class WhenProblem(ValueError):
    """A callback time that cannot be read, with what to type instead."""


def parse_when(text: str, now: datetime, zone_name: str) -> datetime:
    """Read a callback time typed by a rep, in the rep's zone.

    Args:
        text: what the rep typed: "14:30", "14.30", "tomorrow 10am",
            "10am tomorrow", "tue 9", "noon", "+2d", "+90m", "in 2 hours",
            "2026-12-01 15:00", "dec 1 3pm".
        now: the current instant (aware).
        zone_name: the rep's IANA zone, in which the text is read.

    Returns:
        The instant, aware, in the rep's zone; always after `now`. A time of
        day alone that has passed today means tomorrow.

    Raises:
        WhenProblem: the text is not a time, is in the past, or names a
            local time that does not exist (clocks going forward).
    """
    tz = ZoneInfo(zone_name)
    local_now = now.astimezone(tz)
    typed = _plain(text)
    if not typed:
        raise WhenProblem("type a time, e.g. 14:30, tomorrow 10am, tue 9 or +2d")
    if typed.startswith("+"):
        try:
            wait = parse_duration(typed[1:])
        except ValueError:
            raise WhenProblem(
                f"{text.strip()!r}: after + give a duration such as 2h or 3d"
            ) from None
        if wait % timedelta(days=1) == timedelta(0):
            # Whole days keep the time on the clock, across a change of summer time too.
            return _localise(local_now.replace(tzinfo=None) + wait, tz, text)
        return (now + wait).astimezone(tz)
    words = typed.split(" ")
    today = local_now.replace(tzinfo=None, second=0, microsecond=0)
    if words[0] in ("today", "tomorrow") or words[0] in _DAYS:
        first, rest = words[0], " ".join(words[1:])
        if not rest:
            raise WhenProblem(f"{text.strip()!r}: add a time of day, e.g. {first} 10am")
        if first in _DAYS:
            offset = (_DAYS[first] - today.weekday()) % 7
        else:
            offset = 0 if first == "today" else 1
        day = today + timedelta(days=offset)
        moment = _parse_time(_hour(rest), day, text)
        if _names_a_date(_hour(rest), text):
            raise WhenProblem(f"{text.strip()!r}: give only a time after {first!r}")
        if first in _DAYS and moment <= today:
            moment += timedelta(days=7)
    else:
        moment = _parse_time(_hour(typed), today, text)
        dated = _names_a_date(_hour(typed), text)
        if not dated and moment <= today:
            moment += timedelta(days=1)
        elif dated and moment <= today and not _YEAR.search(typed):
            # "dec 1 3pm" typed on 2 December means next year's.
            moment = moment.replace(year=moment.year + 1)
    aware = _localise(moment, tz, text)
    if aware <= now:
        raise WhenProblem(f"{aware:%a %d %b %H:%M} has already passed")
    return aware


def _plain(text: str) -> str:
    """The ways people type a time, said the one way the reader takes.

    "in 2 hours" is "+2h"; "14.30" is "14:30"; "noon" is "12:00"; a day
    typed after the time ("10am tomorrow") moves in front of it.
    """
    words = text.strip().lower().split()
    # "12 noon" is noon, not noon on the 12th.
    words = [
        _WORDS.get(word, word)
        for index, word in enumerate(words)
        if not (word == "12" and index + 1 < len(words) and words[index + 1] in _WORDS)
    ]
    typed = " ".join(words)
    match = _IN.match(typed)
    if match:
        count = 1 if match.group(1) in ("a", "an") else int(match.group(1))
        unit = match.group(2)[0]
        if unit == "w":
            count, unit = count * 7, "d"
        return f"+{count}{unit}"
    if sum(1 for word in words if any(c.isdigit() for c in word)) == 1:
        # "14.30" alone is a time; beside other numbers ("1.12 3pm") it may be a date.
        words = [_DOTTED.sub(r"\1:\2\3", word) for word in words]
    if len(words) > 1 and (words[-1] in ("today", "tomorrow") or words[-1] in _DAYS):
        words = [words[-1], *words[:-1]]
    return " ".join(words)


def _parse_time(rest: str, base: datetime, text: str) -> datetime:
    try:
        return parser.parse(rest, default=base.replace(hour=0, minute=0, second=0, microsecond=0))
    except (ValueError, OverflowError):
        raise WhenProblem(
            f"{text.strip()!r} is not a time; try 14:30, tomorrow 10am, tue 9, +2d "
            "or 2026-12-01 15:00"
        ) from None


def _hour(rest: str) -> str:
    """A bare hour ("9") or hour and minutes ("930", "1430") as a time of day.

    dateutil would read "9" as a day of the month and "1430" as a year.
    """
    if _BARE_HOUR.match(rest):
        return f"{rest}:00"
    match = _BARE_HHMM.match(rest)
    if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
        return f"{match.group(1)}:{match.group(2)}"
    return rest


def _names_a_date(rest: str, text: str) -> bool:
    """Whether the text gives a date, not just a time of day: parse it on two different days."""
    one = _parse_time(rest, datetime(2001, 1, 1), text)
    two = _parse_time(rest, datetime(2002, 2, 2), text)
    return (one.month, one.day) == (two.month, two.day)


def _localise(moment: datetime, tz: ZoneInfo, text: str) -> datetime:
    aware = moment.replace(tzinfo=tz)
    # A wall time skipped when clocks go forward does not survive a round trip.
    round_trip = aware.astimezone(ZoneInfo("UTC")).astimezone(tz)
    if round_trip.replace(tzinfo=None) != moment:
        raise WhenProblem(
            f"{moment:%H:%M} does not exist on {moment:%d %b} (the clocks go forward)"
        )
    return aware
