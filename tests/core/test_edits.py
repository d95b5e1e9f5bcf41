"""Fixing a lead's details: each field's checks, normalisation, what changed, the number to call."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qualdesk.core.edits import FIELDS, EditProblem, LeadDetails, plan_edit

ADA = LeadDetails(
    name="Ada Lovelace",
    title="CTO",
    company="Analytical",
    email="ada@example.com",
    phone="+14155550100",
    ext="",
    alt_phone="",
    alt_ext="",
    region="US",
)
# The same lead with a direct line (New York) besides its main number (San Francisco).
WITH_ALT = replace(ADA, alt_phone="+12125550199", alt_ext="204")


def _problem(current: LeadDetails, asked: dict[str, str]) -> str | None:
    """The one line plan_edit refuses the values with, or None if it takes them."""
    try:
        plan_edit(current, asked)
    except EditProblem as exc:
        return str(exc)
    return None


@pytest.mark.parametrize(
    ("asked", "line"),
    [
        ({"email": "ada.example.com"}, "email: 'ada.example.com' is not an email address (no @)"),
        ({"email": "ada@example"}, "email: 'ada@example' is not an email address"),
        ({"phone": "555"}, "phone: '555' is not a valid number in region US"),
        ({"alt_phone": "555"}, "alternate number: '555' is not a valid number in region US"),
        ({"phone": "not a number"}, "phone: 'not a number' is not a phone number"),
        (
            {"alt_phone": "4.15555E+09"},
            "alternate number: '4.15555E+09' was turned into scientific notation by a spreadsheet",
        ),
        ({"phone": ""}, "phone: no phone number"),
        ({"ext": "12a"}, "extension: '12a' is not an extension (up to 10 digits)"),
        ({"ext": "x204"}, "extension: 'x204' is not an extension (up to 10 digits)"),
        ({"ext": "12345678901"}, "extension: '12345678901' is not an extension (up to 10 digits)"),
        ({"name": "", "company": ""}, "name: a lead needs a name or a company"),
        ({"name": "  ", "company": "\u00a0"}, "name: a lead needs a name or a company"),
        ({"colour": "blue"}, "colour: not a field a rep may change"),
    ],
)
def test_a_bad_value_is_one_line_naming_its_field(asked: dict[str, str], line: str) -> None:
    with pytest.raises(EditProblem) as raised:
        plan_edit(ADA, asked)
    message = str(raised.value)
    assert message.startswith(line)
    assert "\n" not in message
    assert "phone phone" not in message


def test_emptying_the_name_alone_keeps_the_company() -> None:
    edit = plan_edit(ADA, {"name": ""})
    assert (edit.details.name, edit.details.company) == ("", "Analytical")
    only_company = replace(ADA, name="")
    with pytest.raises(EditProblem, match="a lead needs a name or a company"):
        plan_edit(only_company, {"company": ""})


@pytest.mark.parametrize("field", ["name", "title", "company", "email"])
@pytest.mark.parametrize("control", ["\x1b[2J", "\x00", "\x07", "\x9b"])
def test_control_characters_are_refused(field: str, control: str) -> None:
    value = f"ada{control}@example.com" if field == "email" else f"Ada{control}Lovelace"
    problem = _problem(ADA, {field: value})
    assert problem is not None and problem.startswith(f"{field}: "), (
        f"BUG in core/edits.py: a {field} with a control character ({control!r}) was "
        "accepted; an import refuses control characters in every key field, email included"
    )


@pytest.mark.parametrize("field", ["name", "title", "company", "email"])
def test_an_oversize_value_is_refused(field: str) -> None:
    value = "a" * 250 + "@example.com" if field == "email" else "A" * 256
    problem = _problem(ADA, {field: value})
    assert problem is not None and problem.startswith(f"{field}: "), (
        f"BUG in core/edits.py: a {len(value)}-character {field} was accepted; an import "
        "refuses key fields over 255 characters, email included"
    )


def test_an_extension_is_ascii_digits_a_dialler_can_send() -> None:
    problem = _problem(ADA, {"ext": "\u0662\u0660\u0664"})  # Arabic-Indic 204
    assert problem is not None and problem.startswith("extension: "), (
        "BUG in core/edits.py: _EXTENSION's \\d accepts any Unicode digit, so a non-ASCII "
        "extension is stored and handed to sales as typed (use [0-9] or re.ASCII)"
    )


@pytest.mark.parametrize(
    ("asked", "field", "value"),
    [
        ({"email": "  AdA@Example.COM "}, "email", "ada@example.com"),
        ({"email": "Grace@Navy.MIL"}, "email", "grace@navy.mil"),
        ({"email": ""}, "email", ""),
        ({"email": "   "}, "email", ""),
        ({"name": "  Grace   Hopper "}, "name", "Grace Hopper"),
        ({"title": "VP\tSales"}, "title", "VP Sales"),
        ({"phone": "(212) 555-0100"}, "phone", "+12125550100"),
        ({"phone": "0044 20 7946 0958"}, "phone", "+442079460958"),
        ({"phone": "+1 212 555 0100 ext. 12"}, "ext", "12"),
        ({"ext": " 204 "}, "ext", "204"),
        ({"alt_phone": "212 555 0199"}, "alt_phone", "+12125550199"),
        ({"alt_phone": "+1 212 555 0199 x204"}, "alt_phone", "+12125550199"),
        ({"alt_phone": "+1 212 555 0199 x204"}, "alt_ext", "204"),
    ],
)
def test_values_are_normalised(asked: dict[str, str], field: str, value: str) -> None:
    assert getattr(plan_edit(ADA, asked).details, field) == value


def test_a_number_is_read_in_the_leads_region() -> None:
    londoner = replace(ADA, phone="+442079460958", region="GB")
    assert plan_edit(londoner, {"alt_phone": "020 7946 0123"}).details.alt_phone == "+442079460123"
    assert plan_edit(ADA, {"alt_phone": "415 555 0123"}).details.alt_phone == "+14155550123"
    with pytest.raises(EditProblem, match="in region GB"):
        plan_edit(londoner, {"phone": "415 555 0123"})


@pytest.mark.parametrize("field", ["ext", "alt_phone", "email"])
def test_an_empty_value_clears(field: str) -> None:
    full = replace(WITH_ALT, ext="7")
    edit = plan_edit(full, {field: ""})
    assert [change.field for change in edit.changes] == [field]
    assert edit.changes[0].new == ""
    assert getattr(edit.details, field) == ""
    if field == "alt_phone":
        assert edit.details.alt_ext == ""


def test_changes_list_only_fields_whose_value_changes() -> None:
    edit = plan_edit(
        WITH_ALT,
        {
            "name": "Ada Lovelace",
            "title": "Chief Technology Officer",
            "company": " Analytical ",
            "email": "ADA@example.com",
            "phone": "(415) 555-0100",
            "alt_phone": "+1 212 555 0199 ext. 204",
        },
    )
    assert [(c.field, c.old, c.new) for c in edit.changes] == [
        ("title", "CTO", "Chief Technology Officer")
    ]


@pytest.mark.parametrize(
    "asked",
    [
        {},
        {"name": "Ada Lovelace"},
        {"email": " ada@EXAMPLE.com"},
        {"phone": "+1 415 555 0100"},
        {"alt_phone": "(212) 555-0199 x204"},
        {"ext": ""},
    ],
)
def test_a_no_op_edit_has_no_changes_and_no_new_number(asked: dict[str, str]) -> None:
    edit = plan_edit(WITH_ALT, asked)
    assert edit.changes == ()
    assert edit.dial is None
    assert edit.details == WITH_ALT


def test_changes_are_in_field_order_and_read_as_people_do() -> None:
    edit = plan_edit(ADA, {"alt_phone": "+44 20 7946 0958 x9", "name": "Ada King", "ext": "12"})
    assert [c.field for c in edit.changes] == ["name", "ext", "alt_phone"]
    assert [c.field for c in edit.changes] == [
        f for f in FIELDS if f in {"name", "ext", "alt_phone"}
    ]
    alternate = edit.changes[-1]
    assert (alternate.old, alternate.new) == ("", "+44 20 7946 0958 ext. 9")
    assert edit.numbers == ("+14155550100", "+442079460958")


def test_setting_an_alternate_number_changes_the_number_to_call() -> None:
    edit = plan_edit(ADA, {"alt_phone": "+44 20 7946 0958"})
    assert edit.dial is not None
    assert edit.dial.e164 == "+442079460958"
    assert (edit.dial.jurisdiction, edit.dial.time_zones) == ("GB", ("Europe/London",))


def test_clearing_the_alternate_number_calls_the_main_number_again() -> None:
    edit = plan_edit(WITH_ALT, {"alt_phone": ""})
    assert edit.dial is not None
    assert edit.dial.e164 == "+14155550100"
    assert edit.dial.jurisdiction == "US-CA"
    assert edit.dial.time_zones == ("America/Los_Angeles",)


def test_another_alternate_number_changes_the_number_to_call() -> None:
    edit = plan_edit(WITH_ALT, {"alt_phone": "+61 2 9374 4000"})
    assert edit.dial is not None and edit.dial.e164 == "+61293744000"
    assert edit.dial.time_zones == ("Australia/Sydney",)


def test_changing_the_main_number_changes_the_number_to_call_without_an_alternate() -> None:
    edit = plan_edit(ADA, {"phone": "+1 212 555 0100"})
    assert edit.dial is not None and edit.dial.e164 == "+12125550100"
    assert edit.dial.jurisdiction == "US-NY"


@pytest.mark.parametrize(
    "asked",
    [
        {"phone": "+1 212 555 0100"},
        {"ext": "33"},
        {"alt_phone": "+1 212 555 0199 x99"},  # the same line, another extension
        {"name": "Grace Hopper", "email": "grace@example.com"},
    ],
)
def test_the_number_to_call_stays_while_the_alternate_number_does(asked: dict[str, str]) -> None:
    edit = plan_edit(WITH_ALT, asked)
    assert edit.changes
    assert edit.dial is None
