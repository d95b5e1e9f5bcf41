"""Calling hours in the called person's local time: DST, split area codes, toll-free numbers,
closed days and holidays, caps on calls to one number, and a time to call back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

import pytest

from qualdesk.core.hours import (
    CLOSED_WINDOW,
    callable_at,
    cap_for,
    cap_frees_at,
    closed_reason,
    closing,
    day_window,
    next_opening,
    suggest_time,
    window,
)
from qualdesk.core.hours import zone as zone_of
from qualdesk.core.phones import normalise_phone
from qualdesk.core.rules import CallCap, CallingHours, ClosedDate, HoursRule, parse_rules
from tests.conftest import REPO

RULES = parse_rules((REPO / "data" / "desk.toml").read_text(encoding="utf-8"))
HOURS = RULES.calling_hours


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_the_most_specific_rule_for_the_day_wins() -> None:
    assert window(HOURS, "US-NY", 0) == (time(8), time(21))
    assert window(HOURS, "US-FL", 0) == (time(8), time(20))
    assert window(HOURS, "CA-ON", 2) == (time(9), time(21, 30))
    assert window(HOURS, "CA-ON", 6) == (time(10), time(18))
    assert window(HOURS, "GB", 6) == (time(8), time(21))


@pytest.mark.parametrize(
    ("phone", "moment", "allowed"),
    [
        ("+1 212 555 0100", "2026-11-23T13:00", True),   # 08:00 New York: opens
        ("+1 212 555 0100", "2026-11-23T12:59", False),  # 07:59
        ("+1 212 555 0100", "2026-11-24T01:59", True),   # 20:59
        ("+1 212 555 0100", "2026-11-24T02:00", False),  # 21:00: closed
        ("+1 305 555 0100", "2026-11-24T01:00", False),  # 20:00 Miami: Florida closes at 20:00
        ("+1 416 555 0100", "2026-11-28T14:30", False),  # Saturday 09:30 Toronto: weekends open 10:00
        ("+1 416 555 0100", "2026-11-27T14:30", True),   # Friday 09:30 Toronto
    ],
)  # fmt: skip
def test_hours_are_local_to_the_lead(phone: str, moment: str, allowed: bool) -> None:
    number = normalise_phone(phone, "US")
    assert callable_at(HOURS, number.time_zones, number.jurisdiction, at(moment)) is allowed


def test_daylight_saving_moves_the_window_in_utc() -> None:
    zones, place = ("America/New_York",), "US-NY"
    # Summer: 08:00 New York is 12:00 UTC; winter: 13:00 UTC.
    assert callable_at(HOURS, zones, place, at("2026-07-01T12:00"))
    assert not callable_at(HOURS, zones, place, at("2026-12-01T12:00"))
    # The clocks go forward on a Sunday (8 March 2026), when the desk calls no one in
    # the US: Toronto, open 10:00-18:00 on weekends, shows the change: 10:00 is 14:00 UTC.
    toronto, ontario = ("America/Toronto",), "CA-ON"
    assert not callable_at(HOURS, toronto, ontario, at("2026-03-08T13:59"))
    assert callable_at(HOURS, toronto, ontario, at("2026-03-08T14:00"))
    opening = next_opening(HOURS, toronto, ontario, at("2026-03-08T06:00"))
    assert opening is not None and opening.astimezone(UTC) == at("2026-03-08T14:00")
    # New York opens on the Monday, 08:00 summer time: 12:00 UTC.
    opening = next_opening(HOURS, zones, place, at("2026-03-08T06:00"))
    assert opening is not None and opening.astimezone(UTC) == at("2026-03-09T12:00")


def test_a_split_area_code_waits_for_its_later_zone() -> None:
    idaho = normalise_phone("+1 208 555 0100", "US")
    assert set(idaho.time_zones) == {"America/Boise", "America/Los_Angeles"}
    # 08:30 in Boise is 07:30 in Los Angeles: not yet.
    assert not callable_at(HOURS, idaho.time_zones, idaho.jurisdiction, at("2026-11-23T15:30"))
    opening = next_opening(HOURS, idaho.time_zones, idaho.jurisdiction, at("2026-11-23T15:30"))
    assert opening is not None and opening.astimezone(UTC) == at("2026-11-23T16:00")


def test_a_toll_free_number_needs_every_zone_in_hours() -> None:
    free = normalise_phone("+1 800 555 0199", "US")
    assert "Pacific/Guam" in free.time_zones and "Pacific/Honolulu" in free.time_zones
    noon_new_york = at("2026-11-23T17:00")  # Guam 03:00 next day
    assert not callable_at(HOURS, free.time_zones, free.jurisdiction, noon_new_york)
    opening = next_opening(HOURS, free.time_zones, free.jurisdiction, noon_new_york)
    assert opening is not None and opening.astimezone(UTC) == at("2026-11-23T22:00")
    end = closing(HOURS, free.time_zones, free.jurisdiction, at("2026-11-23T23:00"))
    assert end is not None and end.astimezone(UTC) == at("2026-11-24T00:30")  # St John's 21:00


def test_an_unknown_zone_is_neither_callable_nor_not() -> None:
    assert callable_at(HOURS, (), "001", at("2026-11-23T17:00")) is None
    assert next_opening(HOURS, (), "001", at("2026-11-23T17:00")) is None


# -- closed days and holidays -------------------------------------------------

SUNDAY = frozenset({6})
NEW_YORK, LOS_ANGELES = ("America/New_York",), ("America/Los_Angeles",)


def closed_on(where: str, day: str, name: str) -> ClosedDate:
    return ClosedDate(where, date.fromisoformat(day), name)


# The US closes Sundays, Florida opens them at noon; a holiday for the whole US, one
# for Florida only (its state holiday the day after Thanksgiving), one on a Sunday.
LAYERED = CallingHours(
    time(8),
    time(21),
    rules=(
        HoursRule("US", SUNDAY, closed=True),
        HoursRule("US-FL", SUNDAY, time(12), time(18)),
        HoursRule("US-FL", frozenset(range(6)), time(8), time(20)),
    ),
    closed_dates=(
        closed_on("US", "2026-12-25", "Christmas Day"),
        closed_on("US-FL", "2026-11-27", "Friday after Thanksgiving"),
        closed_on("US", "2026-11-29", "Desk outing"),
    ),
)


@pytest.mark.parametrize(
    ("place", "day", "expected"),
    [
        ("US-NY", "2026-11-22", None),  # Sunday: the US rule closes it
        ("US", "2026-11-22", None),
        ("US-FL", "2026-11-22", (time(12), time(18))),  # the state rule opens it
        ("GB", "2026-11-22", (time(8), time(21))),  # the default: open
        ("US-NY", "2026-11-23", (time(8), time(21))),
        ("US-FL", "2026-11-23", (time(8), time(20))),
        ("US-NY", "2026-12-25", None),  # a US holiday closes every state
        ("US-FL", "2026-12-25", None),
        ("CA-ON", "2026-12-25", (time(8), time(21))),  # not in Canada
        ("US-FL", "2026-11-27", None),  # a Florida holiday closes Florida ...
        ("US-NY", "2026-11-27", (time(8), time(21))),  # ... only
        ("US-FL", "2026-11-29", None),  # a holiday beats a rule that opens the weekday
    ],
)
def test_day_window_closes_weekdays_and_holidays(
    place: str, day: str, expected: tuple[time, time] | None
) -> None:
    assert day_window(LAYERED, place, date.fromisoformat(day)) == expected


@pytest.mark.parametrize(
    ("place", "weekday", "expected"),
    [
        ("US-NY", 6, CLOSED_WINDOW),
        ("US-FL", 6, (time(12), time(18))),
        ("US-NY", 4, (time(8), time(21))),  # a weekday knows no holidays
    ],
)
def test_window_of_a_closed_weekday_is_empty(
    place: str, weekday: int, expected: tuple[time, time]
) -> None:
    assert window(LAYERED, place, weekday) == expected


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        ("2026-11-29T17:00", False),  # Sunday noon in New York: the desk closes US Sundays
        ("2026-11-26T17:00", False),  # Thanksgiving noon
        ("2026-11-25T17:00", True),  # the day before
        ("2026-11-27T17:00", True),  # the day after
        ("2026-12-25T17:00", False),  # Christmas
        ("2026-07-03T16:00", False),  # Independence Day, observed on the Friday
        ("2026-07-04T16:00", True),  # the Saturday itself is an ordinary Saturday
    ],
)
def test_the_shipped_rules_close_us_sundays_and_federal_holidays(
    moment: str, allowed: bool
) -> None:
    assert callable_at(HOURS, NEW_YORK, "US-NY", at(moment)) is allowed


def test_a_closed_date_follows_the_leads_local_date() -> None:
    # 02:00 UTC on Christmas Day is still Christmas Eve, 18:00, in Los Angeles.
    assert callable_at(HOURS, LOS_ANGELES, "US-CA", at("2026-12-25T02:00"))
    assert not callable_at(HOURS, NEW_YORK, "US-NY", at("2026-12-25T02:00"))


@pytest.mark.parametrize(
    ("zones", "place", "moment", "expected"),
    [
        # Saturday night before Memorial Day: Sunday and Monday closed, Tuesday 08:00 EDT.
        (NEW_YORK, "US-NY", "2026-05-24T01:30", "2026-05-26T12:00"),
        # Christmas Eve evening: Christmas (Friday) closed, Saturday open.
        (NEW_YORK, "US-NY", "2026-12-25T02:30", "2026-12-26T13:00"),
        # Thanksgiving morning in Los Angeles: the Friday, 08:00 PST.
        (LOS_ANGELES, "US-CA", "2026-11-26T15:00", "2026-11-27T16:00"),
        # Toronto has no US holidays: open on Thanksgiving.
        (("America/Toronto",), "CA-ON", "2026-11-26T12:00", "2026-11-26T14:00"),
    ],
)
def test_next_opening_skips_closed_days(
    zones: tuple[str, ...], place: str, moment: str, expected: str
) -> None:
    opening = next_opening(HOURS, zones, place, at(moment))
    assert opening is not None and opening.astimezone(UTC) == at(expected)


def test_next_opening_finds_the_end_of_a_long_closure() -> None:
    # Saturday 21:30: two weeks closed over the year's end, then a Sunday; Monday 4 January opens.
    shutdown = CallingHours(
        time(8),
        time(21),
        rules=(HoursRule("US", SUNDAY, closed=True),),
        closed_dates=tuple(
            ClosedDate("US", date(2026, 12, 20) + timedelta(days=n), "Year-end shutdown")
            for n in range(14)
        ),
    )
    opening = next_opening(shutdown, NEW_YORK, "US-NY", at("2026-12-20T02:30"))
    assert opening is not None and opening.astimezone(UTC) == at("2027-01-04T13:00")


def test_a_jurisdiction_never_open_has_no_next_opening() -> None:
    never = CallingHours(
        time(8), time(21), rules=(HoursRule("US", frozenset(range(7)), closed=True),)
    )
    assert next_opening(never, NEW_YORK, "US-NY", at("2026-11-23T12:00")) is None
    assert callable_at(never, NEW_YORK, "US-NY", at("2026-11-23T17:00")) is False


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-11-25T17:00", "2026-11-26T02:00"),  # the day before Thanksgiving: 21:00 that evening
        ("2026-11-28T17:00", "2026-11-29T02:00"),  # Saturday before a closed Sunday
        ("2026-11-26T17:00", None),  # Thanksgiving: closed, nothing to close
        ("2026-11-29T17:00", None),  # Sunday
    ],
)
def test_closing_on_days_next_to_a_closure(moment: str, expected: str | None) -> None:
    end = closing(HOURS, NEW_YORK, "US-NY", at(moment))
    assert (end and end.astimezone(UTC)) == (at(expected) if expected else None)


@pytest.mark.parametrize(
    ("hours", "place", "day", "reason"),
    [
        (HOURS, "US-FL", "2026-11-29", "Sunday in US-FL"),
        (HOURS, "US-NY", "2026-12-25", "Christmas Day in US-NY"),
        (HOURS, "US-TX", "2026-07-03", "Independence Day (observed) in US-TX"),
        (HOURS, "US-NY", "2026-11-23", None),  # open, if only from 08:00
        (HOURS, "CA-ON", "2026-12-25", None),
        (HOURS, "CA-ON", "2026-11-29", None),
        (LAYERED, "US-FL", "2026-11-22", None),  # Florida opens its Sundays
        (LAYERED, "US-FL", "2026-11-27", "Friday after Thanksgiving in US-FL"),
        (LAYERED, "US-FL", "2026-11-29", "Desk outing in US-FL"),  # the holiday, not Sunday
    ],
)
def test_closed_reason_names_the_day_and_the_leads_jurisdiction(
    hours: CallingHours, place: str, day: str, reason: str | None
) -> None:
    assert closed_reason(hours, place, date.fromisoformat(day)) == reason


# -- caps on calls to one number ----------------------------------------------

FLORIDA_CAP = CallCap("US-FL", 3, timedelta(hours=24))
US_CAP = CallCap("US", 5, timedelta(days=7))
CAPPED = CallingHours(time(8), time(21), caps=(FLORIDA_CAP, US_CAP))


@pytest.mark.parametrize(
    ("hours", "place", "cap"),
    [
        (HOURS, "US-FL", FLORIDA_CAP),
        (HOURS, "US-NY", None),
        (CAPPED, "US-FL", FLORIDA_CAP),  # the state's cap over the country's
        (CAPPED, "US-TX", US_CAP),
        (CAPPED, "US", US_CAP),
        (CAPPED, "CA-ON", None),
    ],
)
def test_cap_for_picks_the_most_specific(
    hours: CallingHours, place: str, cap: CallCap | None
) -> None:
    assert cap_for(hours, place) == cap


NOW = at("2026-11-23T15:00")


@pytest.mark.parametrize(
    ("hours_ago", "frees_in"),
    [
        ((), None),
        ((20, 1), None),  # under the cap
        ((20, 10, 1), 4),  # at the cap: the oldest ages out 24h after it was made
        ((23, 20, 10, 1), 4),  # over the cap: two must age out
        ((5, 2, 0), 19),  # a call made this instant counts
        ((24, 10, 1), None),  # a call exactly 24h ago no longer counts
        ((30, 25, 2), None),  # calls outside the window
        ((30, 25, 2, 1, -3), None),  # a call "after now" has not been made
    ],
)
def test_cap_frees_at(hours_ago: Sequence[int], frees_in: int | None) -> None:
    calls = [NOW - timedelta(hours=h) for h in hours_ago]
    frees = cap_frees_at(FLORIDA_CAP, calls, NOW)
    assert frees == (None if frees_in is None else NOW + timedelta(hours=frees_in))
    if frees is not None:
        # The freed instant really is within the cap, and the one before it is not.
        assert cap_frees_at(FLORIDA_CAP, calls, frees) is None
        assert cap_frees_at(FLORIDA_CAP, calls, frees - timedelta(microseconds=1)) is not None


# -- a time to call back ------------------------------------------------------

LONDON = "Europe/London"


@pytest.mark.parametrize(
    ("zones", "place", "after", "expected"),
    [
        # 09:00 in London is 01:00 in Los Angeles: wait for 08:00 there, 16:00 London.
        (LOS_ANGELES, "US-CA", "2026-11-23T09:00", "2026-11-23T16:00"),
        # Both open: now, on the next quarter hour.
        (LOS_ANGELES, "US-CA", "2026-11-23T16:01", "2026-11-23T16:15"),
        (LOS_ANGELES, "US-CA", "2026-11-23T19:45", "2026-11-23T19:45"),
        # 20:00 ends the rep's day; the next morning Los Angeles is asleep until 16:00.
        (LOS_ANGELES, "US-CA", "2026-11-23T19:50", "2026-11-24T16:00"),
        # Saturday evening: Sunday is closed for the US, Monday 08:00 Los Angeles.
        (LOS_ANGELES, "US-CA", "2026-11-28T20:00", "2026-11-30T16:00"),
        # Wednesday evening: Thanksgiving is closed, the Friday.
        (LOS_ANGELES, "US-CA", "2026-11-25T20:00", "2026-11-27T16:00"),
        # An unknown zone: only the rep's day counts, Sunday or not.
        ((), "US", "2026-11-29T03:07", "2026-11-29T08:00"),
        ((), "US", "2026-11-29T12:00", "2026-11-29T12:00"),
    ],
)
def test_suggest_time_fits_the_lead_and_the_rep(
    zones: tuple[str, ...], place: str, after: str, expected: str
) -> None:
    suggested = suggest_time(HOURS, zones, place, LONDON, at(after))
    assert suggested is not None and suggested.astimezone(UTC) == at(expected)


def test_suggest_time_is_never_at_night_for_the_rep_nor_outside_the_leads_hours() -> None:
    start = at("2026-11-21T00:00")
    for step in range(0, 14 * 24 * 60, 37):  # every 37 minutes over two weeks
        after = start + timedelta(minutes=step)
        suggested = suggest_time(HOURS, LOS_ANGELES, "US-CA", LONDON, after)
        assert suggested is not None and suggested >= after
        assert suggested - after < timedelta(days=4), after
        assert suggested.minute % 15 == 0 and suggested.second == suggested.microsecond == 0
        assert time(8) <= suggested.astimezone(zone_of(LONDON)).time() < time(20), after
        assert callable_at(HOURS, LOS_ANGELES, "US-CA", suggested), after
        lead_day = suggested.astimezone(zone_of(LOS_ANGELES[0])).date()
        assert closed_reason(HOURS, "US-CA", lead_day) is None


def test_suggest_time_honours_the_reps_own_day() -> None:
    suggested = suggest_time(
        HOURS, LOS_ANGELES, "US-CA", LONDON, at("2026-11-23T09:00"), (time(9), time(17))
    )
    # Los Angeles opens at 16:00 London; the rep works until 17:00.
    assert suggested is not None and suggested.astimezone(UTC) == at("2026-11-23T16:00")
    late_rep = suggest_time(
        HOURS, LOS_ANGELES, "US-CA", LONDON, at("2026-11-23T09:00"), (time(9), time(15, 30))
    )
    # The rep's day never meets Los Angeles's hours: nothing within three weeks.
    assert late_rep is None


def test_suggest_time_gives_up_when_the_lead_never_opens() -> None:
    never = CallingHours(
        time(8), time(21), rules=(HoursRule("US", frozenset(range(7)), closed=True),)
    )
    assert suggest_time(never, NEW_YORK, "US-NY", LONDON, at("2026-11-23T09:00")) is None


def test_suggest_time_needs_a_rep_day_that_starts_before_it_ends() -> None:
    with pytest.raises(ValueError, match="start before"):
        suggest_time(HOURS, NEW_YORK, "US-NY", LONDON, NOW, (time(20), time(8)))
