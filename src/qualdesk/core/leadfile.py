"""Checking one row of a lead file and turning it into a lead draft.

Everything here works on records already split (qualdesk.core.records)
under a header already mapped (qualdesk.core.headers); opening files,
hashing and writing belong to the import service. The importer's promise
is that every record read ends up counted as exactly one of imported,
duplicate, rejected or blank, so each function here returns one of those
verdicts and never raises on a bad row.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from qualdesk.core.arrival import read_created
from qualdesk.core.headers import FIELD_ALIASES, HeaderMap
from qualdesk.core.names import display_name, split_name
from qualdesk.core.phones import Phone, PhoneProblem, normalise_phone, region_for_country
from qualdesk.core.records import Record

KEY_FIELD_LIMIT = 255
FIELD_LIMIT = 10_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
FIELD_SLOTS = {name: index for index, name in enumerate(FIELD_ALIASES)}


@dataclass(slots=True)
class LeadDraft:
    """A row that passed its checks; with its phone normalised, ready to be a lead.

    `check_row` leaves `phone` empty so that the phone work, most of an
    import's time, can be done apart (in bulk, in a helper process);
    `build_lead` does both steps at once.
    """

    line: int
    name: str
    first_name: str
    last_name: str
    company: str
    title: str
    email: str | None
    phone_raw: str
    region: str
    extension: str | None
    source: str
    campaign: str
    industry: str
    company_size: str
    extra: dict[str, str] = field(default_factory=dict)
    email_invalid: bool = False
    phone: Phone | None = None
    # When marketing's system created the lead, if the file said and it could be read;
    # a creation date that could not be is kept in `extra` and flagged.
    arrived_at: datetime | None = None
    arrival_unread: bool = False

    @property
    def identity(self) -> str:
        """Who the row is, for duplicate checks: the person's name, else the company."""
        return identity(self.name, self.company)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row that cannot be imported, and why."""

    line: int
    reason: str


BLANK = "blank"


@dataclass(frozen=True)
class RowDefaults:
    """What an import supplies for cells a row leaves empty."""

    region: str
    source: str = ""
    campaign: str = ""
    # The zone of creation times written without an offset, and the import's time.
    zone: str = "UTC"
    now: datetime | None = None


def identity(name: str, company: str) -> str:
    """The key two rows share when they are the same person (or, without a name, company)."""
    if name:
        return "n:" + " ".join(name.split()).casefold()
    return "c:" + " ".join(company.split()).casefold()


def clean_text(value: str) -> str:
    """NFC-normalised text with runs of whitespace collapsed."""
    if not value:
        return value
    if (
        value.isprintable()
        and "  " not in value
        and value[0] != " "
        and value[-1] != " "
        and (value.isascii() or unicodedata.is_normalized("NFC", value))
    ):
        return value
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def build_lead(
    record: Record, header: HeaderMap, defaults: RowDefaults
) -> LeadDraft | Rejection | str:
    """Check one record and normalise its phone: `check_row`, then `normalise_phone`.

    Args:
        record: a record from RecordReader.
        header: the file's header mapping.
        defaults: the import's region, source and campaign.

    Returns:
        A LeadDraft with its phone, a Rejection with its reason, or BLANK.
    """
    checked = check_row(record, header, defaults)
    if not isinstance(checked, LeadDraft):
        return checked
    try:
        checked.phone = normalise_phone(checked.phone_raw, checked.region, checked.extension)
    except PhoneProblem as exc:
        return Rejection(checked.line, str(exc))
    return checked


def check_row(
    record: Record, header: HeaderMap, defaults: RowDefaults
) -> LeadDraft | Rejection | str:
    """Every check of one record except normalising its phone.

    Args:
        record: a record from RecordReader.
        header: the file's header mapping.
        defaults: the import's region, source and campaign.

    Returns:
        A LeadDraft without its phone, a Rejection with its reason, or BLANK.
    """
    if record.cells is None:
        return Rejection(record.line, record.problem or "unreadable row")
    cells = record.cells
    values = [cell.strip() for cell in cells]
    if not any(values):
        return BLANK
    if len(cells) != header.width:
        if len(cells) > header.width and not any(values[header.width :]):
            cells, values = cells[: header.width], values[: header.width]
        else:
            return Rejection(record.line, f"has {len(cells)} fields, the header has {header.width}")
    problem = _cell_problem(values, header)
    if problem:
        return Rejection(record.line, problem)
    extra = {label: values[i] for i, label in header.extras if values[i]}
    values.append("")  # what column -1, a field the file lacks, reads as
    picked = header.pick(values)
    if header.alternates:
        picked = _with_alternates(picked, values, header, extra)
    (full, first, last, company, title, email, phone, mobile, extension, country, source,
     campaign, industry, size, created) = picked  # fmt: skip
    if not _all_clean(full, first, last, company, title, source, campaign, industry, size):
        full, first, last, company, title, source, campaign, industry, size = map(
            clean_text, (full, first, last, company, title, source, campaign, industry, size)
        )
    name, first, last = person_names(full, first, last)
    if not name and not company:
        return Rejection(record.line, "no name and no company")
    columns, fields = header.columns, header.fields
    phone_raw = phone or mobile
    if phone and mobile:
        extra[columns[fields["mobile"]]] = mobile
    if not phone_raw:
        return Rejection(record.line, "no phone number")
    region = defaults.region
    if country:
        found = region_for_country(country)
        if found:
            region = found
        elif not phone_raw.startswith(("+", "00")):
            return Rejection(
                record.line, f"country {country!r} is unknown and the phone has no +country code"
            )
        extra.setdefault(columns[fields["country"]], country)
    address: str | None = email.lower() or None
    email_invalid = False
    if address and not _EMAIL.match(address):
        extra[columns[fields["email"]]] = email
        address, email_invalid = None, True
    arrived_at, arrival_unread = None, False
    if created:
        try:
            arrived_at = read_created(created, defaults.zone, defaults.now)
        except ValueError:
            extra[columns[fields["created"]]] = created
            arrival_unread = True
    return LeadDraft(
        line=record.line,
        name=name,
        first_name=first,
        last_name=last,
        company=company,
        title=title,
        email=address,
        phone_raw=phone_raw,
        region=region,
        extension=extension or None,
        source=source or defaults.source,
        campaign=campaign or defaults.campaign,
        industry=industry,
        company_size=size,
        extra=extra,
        email_invalid=email_invalid,
        arrived_at=arrived_at,
        arrival_unread=arrival_unread,
    )


def _with_alternates(
    picked: tuple[str, ...], values: list[str], header: HeaderMap, extra: dict[str, str]
) -> tuple[str, ...]:
    """Fill empty fields from their other columns; keep the values not used as extras."""
    chosen = list(picked)
    for name, more in header.alternates.items():
        slot = FIELD_SLOTS[name]
        for index in more:
            if not values[index]:
                continue
            if chosen[slot]:
                extra[header.columns[index]] = values[index]
            else:
                chosen[slot] = values[index]
    return tuple(chosen)


def _cell_problem(values: list[str], header: HeaderMap) -> str | None:
    """Why a row's (stripped) values cannot be a lead: a NUL, a control character, a giant."""
    cells = values
    everything = "".join(cells)
    if len(everything) <= KEY_FIELD_LIMIT and not _CONTROL.search(everything):
        return None
    key_columns = set(header.key_columns)
    for index, cell in enumerate(cells):
        column = header.columns[index] or f"column {index + 1}"
        if "\x00" in cell:
            return f"NUL character in {column!r}"
        if index in key_columns:
            if _CONTROL.search(cell):
                return f"control character in {column!r}"
            if len(cell) > KEY_FIELD_LIMIT:
                return f"{column!r} is {len(cell):,} characters long (limit {KEY_FIELD_LIMIT})"
        elif len(cell) > FIELD_LIMIT:
            return f"{column!r} is {len(cell):,} characters long (limit {FIELD_LIMIT:,})"
    return None


def _all_clean(*values: str) -> bool:
    """Whether stripped values are already clean text (the common case, checked at once)."""
    joined = "|".join(values)
    return joined.isascii() and joined.isprintable() and "  " not in joined


def person_names(full: str, first: str, last: str) -> tuple[str, str, str]:
    """(display name, first, last) from a full name or first and last, all clean.

    The file's own first and last names are kept when it gives either; only
    a row with a full name alone has it split (qualdesk.core.names).
    """
    if full and not (first or last):
        first, last = split_name(full)
    name = display_name(full) if full else " ".join(p for p in (first, last) if p)
    return name, first, last
