"""Counts in words: "1 lead", "2 leads"."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """The count with the noun in the number it needs, thousands separated."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def amount(cents: int) -> str:
    """An amount sales reported, in their currency's units: 12,500 or 12,500.50."""
    whole, part = divmod(cents, 100)
    return f"{whole:,}.{part:02d}" if part else f"{whole:,}"
