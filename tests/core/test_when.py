"""Callback times as reps type them, read in the rep's zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qualdesk.core.when import WhenProblem, parse_when

NOW = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)  # Monday 16:00 in New York
NY = "America/New_York"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14:30", "2026-11-24 14:30"),  # passed today: tomorrow
        ("17:00", "2026-11-23 17:00"),
        ("tomorrow 10am", "2026-11-24 10:00"),
        ("tue 9", "2026-11-24 09:00"),
        ("mon 9", "2026-11-30 09:00"),
        ("Mon 17", "2026-11-23 17:00"),
        ("+2d", "2026-11-25 16:00"),
        ("+90m", "2026-11-23 17:30"),
        ("2026-12-01 15:00", "2026-12-01 15:00"),
        ("dec 1 3pm", "2026-12-01 15:00"),
        ("Wed  2:15pm", "2026-11-25 14:15"),
        ("14.30", "2026-11-24 14:30"),
        ("2.15pm", "2026-11-24 14:15"),
        ("noon", "2026-11-24 12:00"),
        ("tomorrow noon", "2026-11-24 12:00"),
        ("12 noon", "2026-11-24 12:00"),
        ("tomorrow 12 noon", "2026-11-24 12:00"),
        ("midnight", "2026-11-24 00:00"),
        ("in 2 hours", "2026-11-23 18:00"),
        ("in 45 mins", "2026-11-23 16:45"),
        ("in an hour", "2026-11-23 17:00"),
        ("in 3 days", "2026-11-26 16:00"),
        ("in 1 week", "2026-11-30 16:00"),
        ("10am tomorrow", "2026-11-24 10:00"),
        ("9 tue", "2026-11-24 09:00"),
        ("3pm friday", "2026-11-27 15:00"),
    ],
)
def test_times_people_type(typed: str, expected: str) -> None:
    assert f"{parse_when(typed, NOW, NY):%Y-%m-%d %H:%M}" == expected


def test_a_callback_typed_across_midnight() -> None:
    late = datetime(2026, 11, 24, 4, 50, tzinfo=UTC)  # 23:50 Monday in New York
    assert f"{parse_when('00:10', late, NY):%a %d %H:%M}" == "Tue 24 00:10"
    assert f"{parse_when('tomorrow 9am', late, NY):%a %d %H:%M}" == "Tue 24 09:00"
    assert f"{parse_when('+30m', late, NY):%a %d %H:%M}" == "Tue 24 00:20"


def test_the_reps_zone_decides_what_a_time_means() -> None:
    london = parse_when("tomorrow 9am", NOW, "Europe/London")
    assert london.astimezone(UTC) == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "type a time"),
        ("soon", "not a time"),
        ("tomorrow", "add a time of day"),
        ("today 15:00", "already passed"),
        ("2025-01-01 10:00", "already passed"),
        ("+3 parsecs", "duration"),
        ("tomorrow dec 3 10am", "only a time"),
        ("2026-03-08 02:30", "does not exist"),
    ],
)
def test_what_cannot_be_read_says_why(typed: str, words: str) -> None:
    with pytest.raises(WhenProblem, match=words):
        parse_when(typed, NOW, NY)
