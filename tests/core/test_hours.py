"""Calling hours in the called person's local time: DST, split area codes, toll-free numbers."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from qualdesk.core.hours import callable_at, closing, next_opening, window
from qualdesk.core.phones import normalise_phone
from qualdesk.core.rules import parse_rules
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
    # The morning the clocks go forward (8 March 2026) 08:00 local is 12:00 UTC.
    assert not callable_at(HOURS, zones, place, at("2026-03-08T11:59"))
    assert callable_at(HOURS, zones, place, at("2026-03-08T12:00"))
    opening = next_opening(HOURS, zones, place, at("2026-03-08T06:00"))
    assert opening is not None and opening.astimezone(UTC) == at("2026-03-08T12:00")


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
