"""A lead's own creation time, as marketing's file writes it (a Created Date column).

Speed to lead runs from it, so it is read with care:

- ISO 8601 first (what the Salesforce API's CreatedDate and most exports
  write: 2026-11-20T14:03:00.000+0000), then anything python-dateutil reads
  (11/20/2026 2:03 PM; a day and month that could be either are read month
  first, as US tools write them);
- a time without an offset is read in the import's zone (`qualdesk import
  --zone`, else the importer's own);
- a date without a time says the lead arrived some time that day: it counts
  from the end of that day, so the desk is never held to hours before the
  lead may have existed;
- a time after the import (a clock ahead, a zone mistaken) is the import's.

A value that cannot be read (a zone abbreviation such as EST, which means
different things in different places, or text that is not a date) raises
ValueError; the import keeps the row and the text, and says so.
"""

from __future__ import annotations

import re
import warnings
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil import parser

# Longer than any date a tool writes: not worth reading.
LONGEST = 64
_ISO_DATE = re.compile(r"^\d{4}-?\d{2}-?\d{2}$")
# Two moments that differ in every field of the time of day: a date read the same
# over both has no time of its own.
_MIDNIGHT, _NOON = time(0, 0, 0, 0), time(12, 30, 30, 500000)


def read_created(text: str, zone_name: str, latest: datetime | None = None) -> datetime:
    """When the lead was created, from its file's text.

    Args:
        text: the cell, stripped.
        zone_name: the IANA zone a time without an offset is read in.
        latest: the import's time: a later creation time is taken as this.

    Returns:
        An aware instant (in the zone given, or the text's own offset).

    Raises:
        ValueError: the text is not a date and time the desk can place.
    """
    found = _read(text, zone_name, latest)
    return min(found, latest) if latest is not None else found


@lru_cache(maxsize=4096)
def _read(text: str, zone_name: str, latest: datetime | None) -> datetime:
    if len(text) > LONGEST or not any(c.isdigit() for c in text):
        raise ValueError(f"{text[:LONGEST]!r} is not a date")
    zone = ZoneInfo(zone_name)
    try:
        found = datetime.fromisoformat(text)
        dated_only = bool(_ISO_DATE.match(text))
    except ValueError:
        # A date without its year (Nov 20) takes the import's.
        today = latest.astimezone(zone).date() if latest is not None else date(2000, 1, 1)
        found, dated_only = _free_form(text, today)
    if dated_only:
        found = datetime.combine(found.date() + timedelta(days=1), time(0))
    placed = found.replace(tzinfo=zone) if found.tzinfo is None else found
    try:
        placed.astimezone(ZoneInfo("UTC"))  # the desk stores it in UTC
    except (OverflowError, ValueError):
        raise ValueError(f"{text!r} is out of range") from None
    return placed


def _free_form(text: str, today: date) -> tuple[datetime, bool]:
    """A date python-dateutil reads, and whether it had no time of day."""
    try:
        with warnings.catch_warnings():
            # A zone name dateutil cannot read (EST) would be dropped with a warning.
            warnings.simplefilter("error", parser.UnknownTimezoneWarning)
            found = parser.parse(text, default=datetime.combine(today, _MIDNIGHT))
            if found.timetz().replace(tzinfo=None) != _MIDNIGHT:
                return found, False
            other = parser.parse(text, default=datetime.combine(today, _NOON))
    except (ValueError, OverflowError, parser.UnknownTimezoneWarning):
        raise ValueError(f"{text!r} is not a date") from None
    return found, other != found
