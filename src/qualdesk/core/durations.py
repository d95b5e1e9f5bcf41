"""Durations as desks write them in their rules: "90m", "2h", "1d", "1d12h", "2w"."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)\s*([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """Parse a compact duration such as "2h" or "1d12h".

    Args:
        text: digits followed by a unit (s, m, h, d, w), repeated.

    Returns:
        The duration.

    Raises:
        ValueError: the text is not a duration.
    """
    cleaned = text.strip().lower().replace(" ", "")
    if not cleaned or _PART.sub("", cleaned):
        raise ValueError(f"expected a duration such as 30m, 2h or 1d, got {text!r}")
    total = timedelta()
    try:
        for amount, unit in _PART.findall(cleaned):
            total += timedelta(**{_UNITS[unit]: int(amount)})
    except OverflowError:
        raise ValueError(f"{text!r} is far too long a duration") from None
    return total


def format_duration(value: timedelta) -> str:
    """The compact form of a duration, the inverse of parse_duration."""
    seconds = int(value.total_seconds())
    if seconds == 0:
        return "0m"
    parts = []
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts)
