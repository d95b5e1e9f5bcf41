"""The do-not-call list: numbers that asked never to be called again."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from qualdesk.core.errors import QualdeskError
from qualdesk.core.headers import FIELD_ALIASES, choose_delimiter, header_key
from qualdesk.core.phones import PhoneProblem, check_region, normalise_phone, region_for_country
from qualdesk.core.records import Record, RecordReader, split_line
from qualdesk.db import dnc as dnc_list
from qualdesk.db import staging
from qualdesk.db.dnc import DNC_REASON, stop_lead, stop_leads
from qualdesk.db.engine import Session
from qualdesk.db.models import DoNotCall
from qualdesk.services.access import Actor, record_change, require_lead
from qualdesk.services.desk import Desk
from qualdesk.services.intake.textfile import TextStream, inspect_file

# Stopping leads is part of the list's rules; callers reach it from here.
__all__ = [
    "DNC_REASON",
    "DncImport",
    "add_number",
    "import_numbers",
    "list_numbers",
    "put_on_dnc",
    "stop_lead",
    "stop_leads",
]

_PHONE_HEADERS = {*FIELD_ALIASES["phone"], *FIELD_ALIASES["mobile"], "number", "e164"}
_COUNTRY_HEADERS = set(FIELD_ALIASES["country"])


@dataclass
class DncImport:
    """What `dnc import` did with a file of numbers."""

    added: int = 0
    already: int = 0
    repeated: int = 0
    leads_stopped: int = 0
    invalid: list[tuple[int, str]] = field(default_factory=list)


def put_on_dnc(
    session: Session, desk: Desk, e164: str, *, by: str, reason: str, source: str
) -> tuple[bool, int]:
    """Add a number to the list and stop every lead on the desk with it.

    Runs inside the caller's transaction. Returns (newly added, leads stopped).
    """
    now = desk.clock()
    added = session.get(DoNotCall, e164) is None
    if added:
        session.add(
            DoNotCall(phone_e164=e164, added_at=now, added_by=by, reason=reason, source=source)
        )
        session.flush()
    return added, dnc_list.stop_leads_on_number(session, e164, now)


def list_numbers(desk: Desk) -> list[DoNotCall]:
    """Every number on the list, newest first."""
    with desk.db.reading() as session:
        return dnc_list.numbers_newest_first(session)


def _cells(
    record: Record, column: int, country: int | None, width: int
) -> tuple[int, str | None, str, str]:
    """(line, number or None if unreadable, problem, country) of one row of a number list."""
    cells = record.cells
    if cells is None or len(cells) != width:
        got = len(cells or [])
        return record.line, None, record.problem or f"has {got} fields, the header has {width}", ""
    where = cells[country].strip() if country is not None else ""
    return record.line, cells[column].strip(), "", where


def _region(desk: Desk, region: str | None) -> str:
    try:
        return check_region(region) if region else desk.rules().rules.default_region
    except PhoneProblem as exc:
        raise QualdeskError(f"--region: {exc}") from None


def add_number(
    desk: Desk, raw: str, *, region: str | None, by: str, reason: str = ""
) -> tuple[str, bool, int]:
    """Put one number on the list; returns (E.164, newly added, leads stopped)."""
    e164 = _one_number(desk, raw, region)
    with desk.db.writing() as session:
        # An import under way adds its leads first, or sees the number: never neither.
        staging.hold_intake(session)
        added, stopped = put_on_dnc(
            session, desk, e164, by=by, reason=reason, source="qualdesk dnc add"
        )
    return e164, added, stopped


def _one_number(desk: Desk, raw: str, region: str | None) -> str:
    """A number typed on the command line, in E.164, or one line saying what is wrong."""
    try:
        return normalise_phone(raw, _region(desk, region)).e164
    except PhoneProblem as exc:
        raise QualdeskError(str(exc)) from None


def remove_number(desk: Desk, raw: str, *, region: str | None, by: Actor, reason: str) -> str:
    """Take one number off the list: only a team lead may, and says why; returns its E.164.

    The leads it stopped stay out: they were told the desk would not call.

    Raises:
        NotAllowed: a rep asking; nothing changes.
        QualdeskError: a number that cannot be read, one not on the list, or no reason.
    """
    require_lead(by, "take a number off the do-not-call list")
    if not reason.strip():
        raise QualdeskError("--reason: say why the number may be called again (it is kept)")
    e164 = _one_number(desk, raw, region)
    with desk.db.writing() as session:
        staging.hold_intake(session)
        listed = session.get(DoNotCall, e164)
        if listed is None:
            raise QualdeskError(f"{e164} is not on the do-not-call list")
        was = f"added {listed.added_at:%Y-%m-%d} by {listed.added_by}"
        was += f" ({listed.reason})" if listed.reason else ""
        session.delete(listed)
        record_change(
            session, desk.clock(), by, "do-not-call removed", e164,
            f"{reason.strip()}; it was {was}",
        )  # fmt: skip
    return e164


def import_numbers(desk: Desk, path: Path, *, region: str | None, by: str) -> DncImport:
    """Add every number in a file: one per line, or a CSV with a phone column.

    The CSV is read as strictly as a lead file (an unclosed quote costs its
    own line, never the lines after it). Invalid numbers are reported with
    their line and skipped; the valid ones are added in one transaction.
    """
    source = inspect_file(path)
    region = _region(desk, region)
    result = DncImport()
    numbers: dict[str, int] = {}
    with TextStream(source) as stream:
        lines = iter(stream.text)
        first = next(lines, "")
        delimiter = choose_delimiter(first)
        header = [header_key(h) for h in split_line(first, delimiter)]
        column = next((i for i, h in enumerate(header) if h in _PHONE_HEADERS), None)
        country = next((i for i, h in enumerate(header) if h in _COUNTRY_HEADERS), None)
        found: Iterator[tuple[int, str | None, str, str]]
        if column is None:
            found = (
                (line, text.strip(), "", "")
                for line, text in enumerate(itertools.chain([first], lines), 1)
            )
        else:
            found = (
                _cells(record, column, country, len(header))
                for record in RecordReader(lines, delimiter, len(header), first_line=2)
                if record.cells is None or any(c.strip() for c in record.cells)
            )
        for line, value, problem, where in found:
            if value is None:
                result.invalid.append((line, problem))
                continue
            if not value:
                continue
            try:
                e164 = normalise_phone(value, region_for_country(where) or region).e164
            except PhoneProblem as exc:
                result.invalid.append((line, str(exc)))
                continue
            if e164 in numbers:
                result.repeated += 1
            numbers.setdefault(e164, line)
    with desk.db.writing() as session:
        staging.hold_intake(session)
        for e164 in numbers:
            added, stopped = put_on_dnc(
                session, desk, e164, by=by, reason="", source=f"qualdesk dnc import {path.name}"
            )
            result.added += added
            result.already += not added
            result.leads_stopped += stopped
    return result
