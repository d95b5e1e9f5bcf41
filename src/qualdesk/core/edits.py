"""Fixing a lead's details: what a rep may change, checked and normalised, and what changed.

A rep on a call learns the prospect's right name, a new title, the email
that works, or the direct line the gatekeeper gave. Each value is checked
as an import would check it; a number is normalised to E.164 in the lead's
own region. The alternate number, once set, is the number to call: the
lead's calling hours follow it. Nothing here touches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qualdesk.core.leadfile import KEY_FIELD_LIMIT, clean_text
from qualdesk.core.phones import Phone, PhoneProblem, international, normalise_phone

# What may be changed, in the order a form and the record list them.
FIELDS = ("name", "title", "company", "email", "phone", "ext", "alt_phone")
LABELS = {
    "name": "name",
    "title": "title",
    "company": "company",
    "email": "email",
    "phone": "phone",
    "ext": "extension",
    "alt_phone": "alternate number",
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_EXTENSION = re.compile(r"^[0-9]{1,10}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class EditProblem(ValueError):
    """A value a rep typed that cannot be used, in one line naming the field as people do."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{LABELS.get(field, field)}: {problem}")
        self.field = field


@dataclass(frozen=True)
class LeadDetails:
    """A lead's details as they stand: what a rep may change, and its region for numbers."""

    name: str
    title: str
    company: str
    email: str
    phone: str
    ext: str
    alt_phone: str
    alt_ext: str
    region: str

    def shown(self, field: str) -> str:
        """A field's value as the change record and the form show it."""
        if field == "alt_phone":
            return international(self.alt_phone, self.alt_ext or None) if self.alt_phone else ""
        if field == "phone":
            return international(self.phone) if self.phone else ""
        return str(getattr(self, field))


@dataclass(frozen=True)
class Change:
    """One field changed: its old and new value, as people read them."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Edit:
    """A checked edit: the details after it, what changed, and where the number to call rings."""

    details: LeadDetails
    changes: tuple[Change, ...]
    # The number to call, normalised, when it changed (its zones and jurisdiction
    # are the lead's calling hours from now on); None if it did not.
    dial: Phone | None

    @property
    def numbers(self) -> tuple[str, ...]:
        """The E.164 numbers the lead now has."""
        return tuple(n for n in (self.details.phone, self.details.alt_phone) if n)


def plan_edit(current: LeadDetails, asked: dict[str, str]) -> Edit:
    """Check the values a rep typed and work out what changes.

    Args:
        current: the lead's details now.
        asked: new values by field name (see FIELDS); a field left out is kept.
            An empty email, extension or alternate number clears it.

    Returns:
        The edit; its changes are empty if every value asked for is the
        lead's own already.

    Raises:
        EditProblem: an unknown field, or a value that cannot be used (an
            invalid number, an email without @, a name and company both
            empty, control characters, an oversize value).
    """
    unknown = sorted(set(asked) - set(FIELDS))
    if unknown:
        raise EditProblem(unknown[0], f"not a field a rep may change ({', '.join(FIELDS)})")
    values = {field: getattr(current, field) for field in FIELDS}
    values["alt_ext"] = current.alt_ext
    for field in ("name", "title", "company"):
        if field in asked:
            values[field] = _text(field, asked[field])
    if not values["name"] and not values["company"]:
        raise EditProblem("name", "a lead needs a name or a company")
    if "email" in asked:
        values["email"] = _email(asked["email"])
    if "ext" in asked:
        values["ext"] = _extension(asked["ext"])
    if "phone" in asked:
        phone = _phone("phone", asked["phone"], current.region)
        values["phone"] = phone.e164
        if phone.extension and "ext" not in asked:
            values["ext"] = phone.extension
    if "alt_phone" in asked:
        if asked["alt_phone"].strip():
            alternate = _phone("alt_phone", asked["alt_phone"], current.region)
            values["alt_phone"], values["alt_ext"] = alternate.e164, alternate.extension or ""
        else:
            values["alt_phone"], values["alt_ext"] = "", ""
    details = LeadDetails(**values, region=current.region)
    changes = tuple(
        Change(field, current.shown(field), details.shown(field))
        for field in FIELDS
        if current.shown(field) != details.shown(field)
    )
    dialled_before = current.alt_phone or current.phone
    dialled_now = details.alt_phone or details.phone
    dial = None
    if dialled_now != dialled_before:
        dial = _phone("alt_phone" if details.alt_phone else "phone", dialled_now, current.region)
    return Edit(details, changes, dial)


def _text(field: str, value: str) -> str:
    text = clean_text(value.strip())
    if _CONTROL.search(text):
        raise EditProblem(field, "control characters are not allowed")
    if len(text) > KEY_FIELD_LIMIT:
        raise EditProblem(field, f"{len(text)} characters long (limit {KEY_FIELD_LIMIT})")
    return text


def _email(value: str) -> str:
    address = _text("email", value).lower()
    if not address:
        return ""
    if "@" not in address:
        raise EditProblem("email", f"{value.strip()!r} is not an email address (no @)")
    if not _EMAIL.match(address):
        raise EditProblem("email", f"{value.strip()!r} is not an email address")
    return address


def _extension(value: str) -> str:
    digits = value.strip()
    if digits and not _EXTENSION.match(digits):
        raise EditProblem("ext", f"{digits!r} is not an extension (up to 10 digits)")
    return digits


def _phone(field: str, value: str, region: str) -> Phone:
    try:
        return normalise_phone(value, region)
    except PhoneProblem as exc:
        problem = str(exc).removeprefix("phone ")
        raise EditProblem(field, problem) from None
