"""What sales receives for a qualified lead: the buyer profile, laid out per CRM.

Three profiles: `plain` carries everything the desk knows; `salesforce`
uses the Salesforce Lead import headers; `hubspot` uses HubSpot contact
property names. Both CRM profiles put the checklist, the calls and the
notes in one description field, and the desk's lead id in a column of its
own so sales' verdicts can name the lead. A row is a list of strings and
whole numbers; rendering it is deterministic, so a batch written again
from its stored rows is the same file, byte for byte.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import NamedTuple

from qualdesk.core.csvsafe import neutralise
from qualdesk.core.names import split_name
from qualdesk.core.scoring import company_size_number

PROFILES = ("plain", "salesforce", "hubspot")
_UNANSWERED = (False, "")
FORMATS = ("csv", "jsonl")
Cell = str | int


class Criterion(NamedTuple):
    """One criterion of the definition, as the hand-off shows it."""

    key: str
    label: str
    points: int
    required: bool


class BuyerProfile(NamedTuple):
    """Everything the desk hands to sales about one qualified lead.

    A named tuple: an export makes one per lead, and it is the cheapest to make.
    """

    lead_id: int
    name: str
    first_name: str
    last_name: str
    company: str
    title: str
    email: str
    phone: str
    phone_ext: str
    source: str
    campaign: str
    industry: str
    company_size: str
    score: int
    grade: str
    qualified_because: str
    qualified_by: str
    qualified_at: datetime | str | None
    touches: int
    calls: int
    first_touch: datetime | str | None
    last_touch: datetime | str | None
    call_notes: tuple[str, ...]
    # The definition's criteria (shared by every lead of an export) and this lead's
    # answers by criterion key: (established, note).
    criteria: tuple[Criterion, ...]
    answers: dict[str, tuple[bool, str]]
    rules_version: int
    extra: dict[str, str]
    # The number to call, when the desk was given one besides the lead's own (a direct line).
    alt_phone: str = ""
    alt_phone_ext: str = ""
    # Changes the desk made to the lead's details, one line each, oldest first.
    changes: tuple[str, ...] = ()
    # Set only when the lead goes back to marketing (the nurture hand-back): its stage
    # (nurture or disqualified) and why, when it comes back to the desk, who sent it
    # there and when, and whether its number is on the do-not-call list.
    stage: str = ""
    nurture_reason: str = ""
    recycle_at: datetime | str | None = None
    routed_by: str = ""
    routed_at: datetime | str | None = None
    do_not_call: bool = False

    @property
    def dial(self) -> str:
        """The number sales should call, with its extension, as people read it."""
        if self.alt_phone:
            return self.alt_phone + (f" ext. {self.alt_phone_ext}" if self.alt_phone_ext else "")
        return self.phone + (f" ext. {self.phone_ext}" if self.phone_ext else "")


def stamp(moment: datetime | str | None) -> str:
    """An instant as sales' tools read it: ISO 8601 in UTC, to the second.

    Also takes the database's own text for a UTC instant ("2026-11-20 15:04:00.000000").
    """
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        return f"{moment[:10]}T{moment[11:19]}Z"
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def day(moment: datetime | str | None) -> str:
    """The UTC day of an instant, as CRMs import a date: 2026-12-23."""
    return stamp(moment)[:10]


def change_line(
    at: datetime | str, by: str, label: str, old: str, new: str, reason: str = ""
) -> str:
    """One change the desk made to a lead's details, as the hand-off lists it."""
    line = f"{stamp(at)} {by} {label}: {old or '-'} -> {new or '-'}"
    return f"{line} ({reason})" if reason else line


def describe(lead: BuyerProfile) -> str:
    """The buyer profile in words, for a CRM's description field."""
    answers = lead.answers
    have = sum(1 for c in lead.criteria if answers.get(c.key, _UNANSWERED)[0])
    who = ", ".join(part for part in (lead.qualified_by, stamp(lead.qualified_at)) if part)
    lines = _back_to_marketing(lead) if lead.stage else []
    if lead.qualified_because or not lead.stage:
        lines.append(f"Qualified by the desk{f' ({who})' if who else ''}: {lead.qualified_because}")
    lines.append(
        f"Score {lead.score}, grade {lead.grade}; {have} of {len(lead.criteria)} criteria "
        f"established (rules version {lead.rules_version})."
    )
    for criterion in lead.criteria:
        established, note = answers.get(criterion.key, _UNANSWERED)
        mark = "[x]" if established else "[ ]"
        lines.append(f"{mark} {criterion.label}: {note}" if note else f"{mark} {criterion.label}")
    if lead.touches:
        lines.append(
            f"Touches: {lead.touches} ({lead.calls} calls), first {stamp(lead.first_touch)}, "
            f"last {stamp(lead.last_touch)}."
        )
    else:
        lines.append("Touches: none recorded.")
    if lead.source or lead.campaign:
        lines.append(f"Source: {lead.source or '-'}; campaign: {lead.campaign or '-'}.")
    if lead.company_size:
        lines.append(f"Company size: {lead.company_size}.")
    if lead.alt_phone:
        ext = f" ext. {lead.phone_ext}" if lead.phone_ext else ""
        lines.append(f"Main line: {lead.phone}{ext} (the phone given is their direct line).")
    for note in lead.call_notes:
        lines.append(f"Call note: {note}")
    return "\n".join(lines)


def _back_to_marketing(lead: BuyerProfile) -> list[str]:
    """The first lines of a profile handed back to marketing: why, and when the desk tries again."""
    who = ", ".join(part for part in (lead.routed_by, stamp(lead.routed_at)) if part)
    by = f" ({who})" if who else ""
    lines = []
    if lead.do_not_call:
        lines.append("DO NOT CALL: the number is on the desk's do-not-call list.")
    if lead.stage == "nurture":
        lines.append(f"To nurture{by}: {lead.nurture_reason}")
        if lead.recycle_at:
            lines.append(f"Back on the desk from {day(lead.recycle_at)}.")
    else:
        lines.append(f"Disqualified{by}: {lead.nurture_reason}")
    return lines


def columns_for(profile: str, criteria: Sequence[Criterion], extras: Iterable[str]) -> list[str]:
    """The header of a hand-off file in this profile.

    Args:
        profile: plain, salesforce or hubspot.
        criteria: the definition's criteria (from any lead: the same for all
            leads in force at one export).
        extras: names of marketing's extra columns found on the leads (plain only).
    """
    if profile == "salesforce":
        return list(SALESFORCE)
    if profile == "hubspot":
        return list(HUBSPOT)
    if profile != "plain":
        raise ValueError(f"unknown profile {profile!r}: use {', '.join(PROFILES)}")
    checklist = [name for c in criteria for name in (c.key, f"{c.key}_note")]
    return [*PLAIN_HEAD, *checklist, *PLAIN_TAIL, *(f"extra:{name}" for name in sorted(extras))]


Clean = Callable[[str], str]


def _keep(text: str) -> str:
    return text


def row_for(
    profile: str, columns: Sequence[str], lead: BuyerProfile, clean: Clean = _keep
) -> list[Cell]:
    """The lead's row under `columns` (as columns_for made them).

    `clean` is applied to every cell whose text came from people (marketing's
    fields, reps' notes and reasons); the desk's own values (ids, numbers,
    times, yes and no, the E.164 phone) cannot start a formula.
    """
    if profile == "salesforce":
        values = _salesforce(lead, clean)
    elif profile == "hubspot":
        values = _hubspot(lead, clean)
    else:
        return _plain_row(columns, lead, clean)
    return [values.get(name, "") for name in columns]


def _plain_row(columns: Sequence[str], lead: BuyerProfile, clean: Clean) -> list[Cell]:
    """The plain row, built in column order (an export writes one per lead: it must be quick)."""
    c = clean
    row: list[Cell] = [
        lead.lead_id, c(lead.first_name), c(lead.last_name), c(lead.name), c(lead.company),
        c(lead.title), c(lead.email), lead.phone, c(lead.phone_ext), lead.alt_phone,
        c(lead.alt_phone_ext), c(lead.source), c(lead.campaign), c(lead.industry),
        c(lead.company_size), lead.score, lead.grade, c(lead.qualified_by),
        stamp(lead.qualified_at), c(lead.qualified_because), lead.touches, lead.calls,
        stamp(lead.first_touch), stamp(lead.last_touch),
    ]  # fmt: skip
    answers = lead.answers
    for criterion in lead.criteria:
        established, note = answers.get(criterion.key, _UNANSWERED)
        row.append("yes" if established else "no")
        row.append(c(note))
    row.append(c("\n".join(lead.call_notes)))
    row.append(c("\n".join(lead.changes)))
    row.append(lead.rules_version)
    extras = len(columns) - len(row)
    if extras:
        extra = lead.extra
        row.extend(c(extra.get(name[6:], "")) for name in columns[-extras:])
    return row


PLAIN_HEAD = (
    "lead_id", "first_name", "last_name", "name", "company", "title", "email", "phone",
    "phone_ext", "alt_phone", "alt_phone_ext", "source", "campaign", "industry", "company_size",
    "score", "grade", "qualified_by", "qualified_at", "qualified_because", "touches",
    "call_attempts", "first_touch", "last_touch",
)  # fmt: skip
PLAIN_TAIL = ("call_notes", "changes", "rules_version")


SALESFORCE = (
    "Qualdesk Lead ID", "First Name", "Last Name", "Company", "Title", "Email", "Phone",
    "Lead Source", "Lead Status", "Rating", "Industry", "No. of Employees", "Description",
)  # fmt: skip
_RATING = {"A": "Hot", "B": "Warm"}


def _person(lead: BuyerProfile) -> tuple[str, str]:
    """The lead's own first and last names, else its name split as CRMs expect."""
    if lead.first_name or lead.last_name:
        return lead.first_name, lead.last_name
    return split_name(lead.name)


def _salesforce(lead: BuyerProfile, c: Clean) -> dict[str, Cell]:
    first, last = _person(lead)
    # NumberOfEmployees is a whole number: a range gives its lower bound (the
    # range as written is in the description).
    employees = company_size_number(lead.company_size)
    return {
        "Qualdesk Lead ID": lead.lead_id, "First Name": c(first),
        # Salesforce requires a last name; its own convention for a missing one.
        "Last Name": c(last) or "[not provided]", "Company": c(lead.company) or "[not provided]",
        "Title": c(lead.title), "Email": c(lead.email), "Phone": c(lead.dial),
        "Lead Source": c(lead.source), "Lead Status": "Working - Contacted",
        "Rating": _RATING.get(lead.grade, "Cold"), "Industry": c(lead.industry),
        "No. of Employees": "" if employees is None else employees,
        "Description": c(describe(lead)),
    }  # fmt: skip


HUBSPOT = (
    "qualdesk_lead_id", "firstname", "lastname", "company", "jobtitle", "email", "phone",
    "hs_lead_status", "lifecyclestage", "industry", "numemployees", "qualdesk_source",
    "qualdesk_campaign", "qualdesk_score", "qualdesk_grade", "qualdesk_profile",
)  # fmt: skip


def _hubspot(lead: BuyerProfile, c: Clean) -> dict[str, Cell]:
    first, last = _person(lead)
    # numemployees is a dropdown in HubSpot: the size goes as written, to be
    # matched to the portal's options when the file is imported.
    return {
        "qualdesk_lead_id": lead.lead_id, "firstname": c(first), "lastname": c(last),
        "company": c(lead.company), "jobtitle": c(lead.title), "email": c(lead.email),
        "phone": c(lead.dial), "hs_lead_status": "OPEN",
        "lifecyclestage": "salesqualifiedlead", "industry": c(lead.industry),
        "numemployees": c(lead.company_size), "qualdesk_source": c(lead.source),
        "qualdesk_campaign": c(lead.campaign), "qualdesk_score": lead.score,
        "qualdesk_grade": lead.grade, "qualdesk_profile": c(describe(lead)),
    }  # fmt: skip


RowFor = Callable[[str, Sequence[str], BuyerProfile, Clean], list[Cell]]


def write_leads(
    fmt: str,
    profile: str,
    columns: Sequence[str],
    leads: Iterable[BuyerProfile],
    row: RowFor = row_for,
) -> Iterator[str]:
    """The hand-off file's text for these leads, a few hundred rows at a time.

    CSV is RFC 4180 (comma, CRLF, quotes where needed), every cell of
    people's text made inert as it is built; JSON Lines is one object per
    lead, keys in column order, values as they are. `row` lays a lead out
    (the nurture hand-back brings its own).
    """
    if fmt != "csv":
        yield from render(fmt, columns, (row(profile, columns, lead, _keep) for lead in leads))
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(name) for name in columns])
    for count, lead in enumerate(leads, start=1):
        writer.writerow(row(profile, columns, lead, neutralise))
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def render(fmt: str, columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """Any rows as a file's text, a piece at a time, every text cell checked (CSV).

    CSV is RFC 4180 with formula cells made inert; JSON Lines is one object
    per row, keys in column order.
    """
    if fmt == "jsonl":
        for row in rows:
            yield json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False) + "\n"
        return
    if fmt != "csv":
        raise ValueError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(name) for name in columns])
    for count, row in enumerate(rows, start=1):
        writer.writerow([neutralise(c) if isinstance(c, str) else c for c in row])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
