"""Callback times checked against facts read once: pure, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qualdesk.core.callbacks import CallbackFacts, plan_callback, suggest_callback
from qualdesk.core.errors import QualdeskError
from qualdesk.core.rules import parse_rules
from tests.conftest import REPO

HOURS = parse_rules((REPO / "data" / "desk.toml").read_text(encoding="utf-8")).calling_hours
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tue 10:00 in New York and Miami


def facts(
    jurisdiction: str, zone: str, rep_zone: str, calls_hours_ago: tuple[int, ...] = ()
) -> CallbackFacts:
    calls = (*(NOW - timedelta(hours=h) for h in calls_hours_ago), NOW)
    return CallbackFacts(HOURS, (zone,), jurisdiction, rep_zone, calls)


def test_a_time_in_hours_is_read_in_the_reps_zone_and_shown_in_both() -> None:
    plan = plan_callback(facts("US-NY", "America/New_York", "Europe/London"), "17:30", NOW)
    assert f"{plan.rep_local:%a %H:%M}" == "Tue 17:30"
    assert plan.lead_local is not None and f"{plan.lead_local:%a %H:%M}" == "Tue 12:30"
    assert plan.in_rep_day


def test_a_time_outside_the_reps_day_is_allowed_but_marked() -> None:
    # 21:30 in London is 16:30 in New York: fine for the lead, late for the rep.
    plan = plan_callback(facts("US-NY", "America/New_York", "Europe/London"), "21:30", NOW)
    assert not plan.in_rep_day


def test_a_sunday_is_refused_with_the_next_good_time() -> None:
    with pytest.raises(
        QualdeskError, match=r"^closed: Sunday in US-NY .*next good time is Mon 08:00 yours$"
    ):
        plan_callback(facts("US-NY", "America/New_York", "America/New_York"), "sun 10am", NOW)


def test_a_cap_on_calls_to_the_number_counts_the_call_being_made() -> None:
    capped = facts("US-FL", "America/New_York", "America/New_York", calls_hours_ago=(5, 3))
    with pytest.raises(
        QualdeskError, match=r"^3 calls to this number within 1d \(US-FL\) with this one"
    ):
        plan_callback(capped, "in 2 hours", NOW)
    suggested = suggest_callback(capped, NOW)
    assert suggested is not None and suggested.at >= NOW - timedelta(hours=5) + timedelta(hours=24)
