"""Sales' working days: age of a waiting lead, its last day, its band."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from qualdesk.core.workdays import age_band, age_bands, due_day, working_days_after

MON_FRI = frozenset(range(5))
MONDAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("end", "age"),
    [
        (MONDAY, 0),
        (MONDAY + timedelta(days=1), 1),  # Tuesday
        (MONDAY + timedelta(days=4), 4),  # Friday
        (MONDAY + timedelta(days=6), 4),  # Sunday: the weekend does not count
        (MONDAY + timedelta(days=7), 5),  # next Monday: the last day
        (MONDAY + timedelta(days=8), 6),  # next Tuesday: overdue
        (MONDAY + timedelta(days=28), 20),
    ],
)
def test_age_counts_working_days_begun_since_the_hand_off(end: date, age: int) -> None:
    assert working_days_after(MONDAY, end, MON_FRI) == age


def test_age_matches_a_day_by_day_count_from_any_weekday() -> None:
    for start_offset in range(7):
        start = MONDAY + timedelta(days=start_offset)
        for span in range(40):
            end = start + timedelta(days=span)
            slow = sum((start + timedelta(days=d)).weekday() < 5 for d in range(1, span + 1))
            assert working_days_after(start, end, MON_FRI) == slow


def test_the_last_day_is_the_nth_working_day_after() -> None:
    assert due_day(MONDAY, 5, MON_FRI) == MONDAY + timedelta(days=7)
    friday = MONDAY + timedelta(days=4)
    assert due_day(friday, 1, MON_FRI) == MONDAY + timedelta(days=7)
    saturday = MONDAY + timedelta(days=5)
    assert due_day(saturday, 1, MON_FRI) == MONDAY + timedelta(days=7)
    # Overdue exactly when the age passes the days allowed.
    for days in range(1, 8):
        due = due_day(MONDAY, days, MON_FRI)
        assert working_days_after(MONDAY, due, MON_FRI) == days
        assert working_days_after(MONDAY, due + timedelta(days=1), MON_FRI) <= days + 1


def test_bands() -> None:
    assert [age_band(a, 5) for a in range(8)] == [
        "0-1", "0-1", "2-3", "2-3", "4-5", "4-5", "overdue", "overdue"
    ]  # fmt: skip
    assert age_bands(1) == ("0-1", "overdue")
    assert age_bands(2) == ("0-1", "2", "overdue")
    assert age_bands(10) == ("0-1", "2-5", "6-10", "overdue")
    for allowed in range(1, 15):
        assert {age_band(a, allowed) for a in range(allowed + 3)} == set(age_bands(allowed))
