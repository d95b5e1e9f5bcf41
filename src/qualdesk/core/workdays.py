"""Sales' time to give a verdict, in working days.

A lead handed off on a day has until the end of the `n`th working day after
it: handed off on a Monday with 5 working days, sales have until the end
of the next Monday; on the Tuesday it is overdue. Days are counted in one
zone (the team lead's), on the weekdays the rules call working days.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

MAX_DAYS = 366 * 20  # no lead waits longer; a bound on the walk over days


def working_days_after(start: date, end: date, working: Collection[int]) -> int:
    """How many working days after `start` have begun by `end` (0 on the day itself)."""
    if end <= start or not working:
        return 0
    span = min((end - start).days, MAX_DAYS)
    weeks, rest = divmod(span, 7)
    count = weeks * len(working)
    first = start + timedelta(days=weeks * 7)
    for offset in range(1, rest + 1):
        count += (first + timedelta(days=offset)).weekday() in working
    return count


def due_day(start: date, days: int, working: Collection[int]) -> date:
    """The last day sales have for a verdict on a lead handed off on `start`."""
    if not working:
        return start
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        left -= day.weekday() in working
    return day


def age_bands(allowed: int) -> tuple[str, ...]:
    """The bands waiting leads are grouped in, youngest first, then "overdue"."""
    middle = max(2, (allowed + 1) // 2)
    bands = ["0-1"]
    for low, high in ((2, min(middle, allowed)), (middle + 1, allowed)):
        if low <= high:
            bands.append(str(low) if low == high else f"{low}-{high}")
    return (*bands, "overdue")


def age_band(age: int, allowed: int) -> str:
    """The band of a waiting lead `age` working days old, when sales have `allowed`."""
    if age > allowed:
        return "overdue"
    for band in age_bands(allowed)[:-1]:
        low, _, high = band.partition("-")
        if int(low) <= age <= int(high or low):
            return band
    return "overdue"  # pragma: no cover - every age up to `allowed` has a band
