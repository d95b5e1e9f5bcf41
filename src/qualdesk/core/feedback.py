"""Sales' verdict files: which column says what, and how its cells are read.

Sales send whatever their CRM exports: a Salesforce lead or opportunity
report, a HubSpot contacts or deals export, or a sheet of their own. Headers
match ignoring case and punctuation, with the names those exports use. The
desk's own lead id wins over the CRM's (Lead ID, Record ID); sales' words
for a verdict or an outcome are read with the tables in the rules
([sales.verdicts], [sales.outcomes]).
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from dateutil import parser

from qualdesk.core.crmwords import fold
from qualdesk.core.errors import FileRefused
from qualdesk.core.headers import REJECT_COLUMNS, header_key

# Each field's header names, folded, in order of preference when a file has several.
FEEDBACK_ALIASES: dict[str, tuple[str, ...]] = {
    # The desk's own id, as the desk's exports write it (Salesforce, HubSpot, plain).
    "lead_id": ("qualdeskleadid", "qualdeskid", "qualdesklead", "deskleadid", "deskid"),
    # An id column that may be the desk's or the CRM's own (00Q5g00000AbCdEFGH, 51).
    "crm_id": ("leadid", "id", "lead", "leadnumber"),
    # HubSpot's own record numbers: never the desk's id, whatever the number.
    "crm_record": ("recordid", "hsobjectid", "contactid", "dealid"),
    "email": ("email", "emailaddress", "mail", "contactemail", "workemail"),
    "status": ("verdict", "salesverdict", "leadstatus", "hsleadstatus", "status", "decision",
               "result", "accepted", "acceptedrejected"),
    "lifecycle": ("lifecyclestage", "lifecycle"),
    "stage": ("opportunitystage", "dealstage", "stage", "stagename", "outcome", "salesoutcome"),
    "opportunity_id": ("convertedopportunityid", "convertedopportunity"),
    "amount": ("amount", "opportunityamount", "dealamount", "amountincompanycurrency"),
    "closed": ("closedate", "closeddate", "closedon", "dateclosed"),
    "reason": ("reason", "rejectionreason", "rejectreason", "unqualifiedreason",
               "disqualifiedreason", "disqualificationreason", "leadstatusreason",
               "closedlostreason", "lostreason", "why", "comments", "comment", "notes", "note",
               "feedback"),
    "date": ("date", "decidedat", "decidedon", "decisiondate", "verdictdate", "datedecided",
             "when", "reviewedon", "converteddate"),
}  # fmt: skip
_RANK = {alias: (name, rank) for name, aliases in FEEDBACK_ALIASES.items()
         for rank, alias in enumerate(aliases)}  # fmt: skip
# The plain export's own column: its folded name is the generic "Lead ID"'s.
_DESK_ID_HEADER = "lead_id"
_IGNORED = {header_key(c) for c in REJECT_COLUMNS}
# Columns that say what sales made of the lead: at least one is needed.
WORD_FIELDS = ("status", "lifecycle", "stage")


@dataclass(frozen=True)
class FeedbackHeader:
    """The columns of each feedback field, best first, and the ignored columns."""

    columns: tuple[str, ...]
    fields: dict[str, tuple[int, ...]]
    ignored: tuple[int, ...]

    def cell(self, cells: list[str], name: str) -> str:
        """The field's value: the first of its columns with one in the row."""
        return self.named(cells, name)[1]

    def named(self, cells: list[str], name: str) -> tuple[str, str]:
        """The field's column name and value in the row ("" for both if it has none)."""
        for index in self.fields.get(name, ()):
            value = cells[index].strip() if index < len(cells) else ""
            if value:
                return self.columns[index], value
        return "", ""


def map_feedback_header(columns: list[str], where: str) -> FeedbackHeader:
    """Map a verdict file's header row onto the feedback fields.

    Args:
        columns: the header row's cells.
        where: the file, for the error line.

    Raises:
        FileRefused: no column says a verdict or a stage, or none names the lead.
    """
    found: dict[str, list[tuple[int, int]]] = {}
    ignored = []
    for index, column in enumerate(columns):
        key = header_key(column)
        if key in _IGNORED:
            ignored.append(index)
            continue
        if column.strip().lower() == _DESK_ID_HEADER:
            found.setdefault("lead_id", []).append((-1, index))
        elif key in _RANK:
            name, rank = _RANK[key]
            found.setdefault(name, []).append((rank, index))
    fields = {name: tuple(i for _, i in sorted(places)) for name, places in found.items()}
    if not any(name in fields for name in WORD_FIELDS):
        raise FileRefused(
            f"{where}: no verdict column (name one Verdict, Status, Lead Status or Lifecycle "
            f"Stage, or an opportunity's Stage; the header has "
            f"{', '.join(repr(c) for c in columns[:6])})"
        )
    if not any(name in fields for name in ("lead_id", "crm_id", "email")):
        raise FileRefused(
            f"{where}: no column names the lead (add Qualdesk Lead ID, as exported, or Email)"
        )
    return FeedbackHeader(tuple(columns), fields, tuple(ignored))


def is_feedback_column(name: str) -> bool:
    """Whether a header cell names a feedback field."""
    return header_key(name) in _RANK


def read_verdict(text: str, table: Mapping[str, str]) -> str | None:
    """accepted, rejected or pending from sales' word for it, or None if the table lacks it.

    Args:
        text: the word as sales wrote it (Closed - Converted, BAD_TIMING).
        table: folded word -> meaning, as the rules hold it (rules.sales.verdicts).
    """
    return table.get(fold(text)) if text.strip() else None


def read_outcome(text: str, table: Mapping[str, str]) -> str | None:
    """opportunity, won or lost from sales' word for it, or None if the table lacks it.

    Args:
        text: the word as sales wrote it (Closed Won, closedlost).
        table: folded word -> meaning, as the rules hold it (rules.sales.outcomes).
    """
    return table.get(fold(text)) if text.strip() else None


def _moment(text: str, now: datetime, zone: ZoneInfo, label: str) -> datetime:
    """A day or time as sales wrote it, in the reader's zone unless it names one."""
    default = datetime.combine(now.astimezone(zone).date(), time(12))
    try:
        with warnings.catch_warnings():
            # A zone name dateutil cannot read (EST) would be dropped with a warning on stderr.
            warnings.simplefilter("error", parser.UnknownTimezoneWarning)
            parsed = parser.parse(text, default=default)
    except (ValueError, OverflowError):
        raise ValueError(f"{label} {text!r} is not a date") from None
    except parser.UnknownTimezoneWarning:
        raise ValueError(
            f"{label} {text!r} names a time zone qualdesk cannot read; write an offset (-05:00)"
        ) from None
    moment = parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed
    try:
        moment.astimezone(zone)
        moment.astimezone(UTC)  # the desk stores it in UTC
    except (ValueError, OverflowError):
        raise ValueError(f"{label} {text!r} is out of range") from None
    return moment


def read_decided(text: str, now: datetime, zone_name: str) -> datetime:
    """The day or time sales decided, read in the reader's zone.

    Raises:
        ValueError: not a date (or one the desk cannot place), or a date still to come.
    """
    zone = ZoneInfo(zone_name)
    decided = _moment(text, now, zone, "date")
    if decided.astimezone(zone).date() > now.astimezone(zone).date():
        raise ValueError(f"date {text!r} is in the future")
    return min(decided, now)


def read_close_date(text: str, now: datetime, zone_name: str) -> date:
    """The day an opportunity closed, or is expected to (it may be still to come).

    Raises:
        ValueError: not a date, or one the desk cannot place.
    """
    zone = ZoneInfo(zone_name)
    return _moment(text, now, zone, "close date").astimezone(zone).date()


_SEPARATORS = ",."
# Spaces and apostrophes group thousands (1 234 567, 1'234'567); they never mark decimals.
_GROUPING = re.compile(r"[\s'’\u00a0\u202f]")
_CODE = re.compile(r"^[A-Za-z]{3}(?=[\s\d.,])|(?<=[\s\d.,])[A-Za-z]{3}$")
_MAX_DIGITS = 15


def read_amount(text: str) -> int:
    """An opportunity's amount in cents, as a CRM report or a spreadsheet writes it.

    Reads 12500, 12500.5, 12,500.00, $12,500, USD 12,500.00, 12.500,00 €,
    1 234,56 and 1'234.56: a currency symbol or three-letter code on either
    side is dropped (the desk keeps no currency); spaces and apostrophes group
    thousands; with both a comma and a point, the last one marks decimals;
    with one of them once, it groups thousands if exactly three digits follow
    it and one to three digits stand before it (1,234 and 1.234 are 1234),
    and otherwise marks decimals (12,5 is 12.50). Beyond cents it rounds.

    Raises:
        ValueError: not an amount, a negative one, or one past 15 digits.
    """
    shown = text.strip()
    body = _CODE.sub("", shown).strip()
    body = "".join(c for c in body if unicodedata.category(c) != "Sc").strip()
    if body.startswith(("-", "−", "(")) or body.endswith("-"):
        raise ValueError(f"amount {shown!r} is negative")
    body = _GROUPING.sub("", body)
    if not re.fullmatch(r"[0-9][0-9.,]*", body) or body[-1] in _SEPARATORS:
        raise ValueError(f"amount {shown!r} is not an amount (write 12500.00 or 12,500.00)")
    whole, decimals = body, ""
    last = max(body.rfind(","), body.rfind("."))
    if last >= 0:
        mark, before, after = body[last], body[:last], body[last + 1 :]
        other = "," if mark == "." else "."
        grouped = len(after) == 3 and 1 <= len(before) <= 3 and not before.startswith("0")
        if other in before or (body.count(mark) == 1 and not grouped):
            whole, decimals = before.replace(other, "\n"), after
            if mark in whole:
                raise ValueError(f"amount {shown!r} is not an amount (write 12500.00 or 12,500.00)")
        else:
            whole = body.replace(mark, "\n")
    groups = whole.split("\n")
    if len(groups) > 1 and not (
        1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])
    ):
        raise ValueError(f"amount {shown!r} is not an amount (write 12500.00 or 12,500.00)")
    digits = "".join(groups).lstrip("0") or "0"
    if len(digits) > _MAX_DIGITS:
        raise ValueError(f"amount {shown!r} is too large")
    cents = int(digits) * 100 + int(decimals[:2].ljust(2, "0"))
    return cents + (1 if decimals[2:3] >= "5" else 0)


def read_lead_id(text: str) -> int | None:
    """The desk's lead id as sales may write it: 42, #42, 42.0 (a spreadsheet's number)."""
    cleaned = text.strip().lstrip("#")
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    # isdecimal, not isdigit: int() cannot read digits such as "²".
    return int(cleaned) if cleaned.isdecimal() and len(cleaned) < 16 else None
