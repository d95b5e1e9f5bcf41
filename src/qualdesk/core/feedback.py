"""Sales' verdict files: which column says what, and what a row means.

Sales send whatever their CRM exports: the desk's lead id or the email,
accepted or rejected (in their words), a reason and maybe a date. Headers
match ignoring case and punctuation, with the names CRMs use.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from dateutil import parser

from qualdesk.core.errors import FileRefused
from qualdesk.core.headers import REJECT_COLUMNS, header_key

ACCEPTED = "accepted"
REJECTED = "rejected"

FEEDBACK_ALIASES: dict[str, tuple[str, ...]] = {
    "lead_id": ("leadid", "qualdeskleadid", "qualdeskid", "id", "lead", "deskid", "leadnumber"),
    "email": ("email", "emailaddress", "mail", "contactemail"),
    "verdict": ("verdict", "status", "outcome", "decision", "result", "salesverdict",
                "leadstatus", "accepted", "acceptedrejected"),
    "reason": ("reason", "rejectionreason", "rejectreason", "notes", "note", "comment",
               "comments", "why", "feedback"),
    "date": ("date", "decidedat", "decidedon", "decisiondate", "verdictdate", "when",
             "reviewedon", "datedecided"),
}  # fmt: skip
_ALIAS = {alias: name for name, aliases in FEEDBACK_ALIASES.items() for alias in aliases}
_IGNORED = {header_key(c) for c in REJECT_COLUMNS}

_WORDS = {
    ACCEPTED: ("accepted", "accept", "yes", "y", "approved", "ok", "sal", "converted", "true"),
    REJECTED: ("rejected", "reject", "no", "n", "declined", "denied", "disqualified",
               "unqualified", "returned", "false"),
}  # fmt: skip
_VERDICT = {word: verdict for verdict, words in _WORDS.items() for word in words}


@dataclass(frozen=True)
class FeedbackHeader:
    """The column of each feedback field (-1: not in the file), and the ignored columns."""

    columns: tuple[str, ...]
    fields: dict[str, int]
    ignored: tuple[int, ...]

    def cell(self, cells: list[str], name: str) -> str:
        index = self.fields.get(name, -1)
        return cells[index].strip() if 0 <= index < len(cells) else ""


def map_feedback_header(columns: list[str], where: str) -> FeedbackHeader:
    """Map a verdict file's header row onto the feedback fields.

    Raises:
        FileRefused: no verdict column, or neither a lead id nor an email column.
    """
    fields: dict[str, int] = {}
    ignored = []
    for index, column in enumerate(columns):
        key = header_key(column)
        if key in _IGNORED:
            ignored.append(index)
        elif key in _ALIAS and _ALIAS[key] not in fields:
            fields[_ALIAS[key]] = index
    if "verdict" not in fields:
        raise FileRefused(
            f"{where}: no verdict column (name one Verdict, Status or Outcome; "
            f"the header has {', '.join(repr(c) for c in columns[:6])})"
        )
    if "lead_id" not in fields and "email" not in fields:
        raise FileRefused(f"{where}: no column names the lead (add Lead ID, as exported, or Email)")
    return FeedbackHeader(tuple(columns), fields, tuple(ignored))


def is_feedback_column(name: str) -> bool:
    """Whether a header cell names a feedback field."""
    return header_key(name) in _ALIAS


def read_verdict(text: str) -> str | None:
    """accepted or rejected from sales' word for it, or None if it is neither."""
    return _VERDICT.get(header_key(text))


def read_decided(text: str, now: datetime, zone_name: str) -> datetime:
    """The day or time sales decided, read in the reader's zone.

    Raises:
        ValueError: not a date (or one the desk cannot place), or a date still to come.
    """
    zone = ZoneInfo(zone_name)
    default = datetime.combine(now.astimezone(zone).date(), time(12))
    try:
        with warnings.catch_warnings():
            # A zone name dateutil cannot read (EST) would be dropped with a warning on stderr.
            warnings.simplefilter("error", parser.UnknownTimezoneWarning)
            parsed = parser.parse(text, default=default)
    except (ValueError, OverflowError):
        raise ValueError(f"date {text!r} is not a date") from None
    except parser.UnknownTimezoneWarning:
        raise ValueError(
            f"date {text!r} names a time zone qualdesk cannot read; write an offset (-05:00)"
        ) from None
    decided = parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed
    try:
        day = decided.astimezone(zone).date()
        decided.astimezone(UTC)  # the desk stores it in UTC
    except (ValueError, OverflowError):
        raise ValueError(f"date {text!r} is out of range") from None
    if day > now.astimezone(zone).date():
        raise ValueError(f"date {text!r} is in the future")
    return min(decided, now)


def read_lead_id(text: str) -> int | None:
    """The desk's lead id as sales may write it: 42, #42, 42.0 (a spreadsheet's number)."""
    cleaned = text.strip().lstrip("#")
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    # isdecimal, not isdigit: int() cannot read digits such as "²".
    return int(cleaned) if cleaned.isdecimal() and len(cleaned) < 16 else None
