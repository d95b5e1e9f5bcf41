"""People's names and company sizes as CRMs expect them; the splits pinned by a golden file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from qualdesk.core.handoff import BuyerProfile, columns_for, row_for
from qualdesk.core.headers import map_header
from qualdesk.core.leadfile import LeadDraft, RowDefaults, check_row
from qualdesk.core.names import display_name, split_name
from qualdesk.core.records import Record

GOLDEN = Path(__file__).parents[1] / "data" / "golden" / "names.csv"
with GOLDEN.open(encoding="utf-8", newline="") as _file:
    NAMES = [(row["full"], row["first"], row["last"]) for row in csv.DictReader(_file)]


def test_the_golden_file_covers_enough_names() -> None:
    assert len(NAMES) >= 40


@pytest.mark.parametrize(("full", "first", "last"), NAMES, ids=[repr(n[0]) for n in NAMES])
def test_full_names_split_as_the_golden_file_says(full: str, first: str, last: str) -> None:
    assert split_name(full) == (first, last)


@pytest.mark.parametrize(
    ("full", "shown"),
    [
        ("Tess  van den Berg ", "Tess van den Berg"),
        ("Lovelace, Ada", "Ada Lovelace"),
        ("Lovelace, Dr. Ada", "Dr. Ada Lovelace"),
        ("King, Martin Luther, Jr.", "Martin Luther King Jr."),
        ("Martin Luther King, Jr.", "Martin Luther King, Jr."),
        ("Lovelace,", "Lovelace"),
        ("", ""),
    ],
)
def test_the_display_name_reads_in_order_and_keeps_honorifics(full: str, shown: str) -> None:
    assert display_name(full) == shown


DEFAULTS = RowDefaults(region="US")


def _draft(header: list[str], cells: list[str]) -> LeadDraft:
    draft = check_row(Record(2, cells, ""), map_header(header), DEFAULTS)
    assert isinstance(draft, LeadDraft)
    return draft


def test_a_lead_file_with_only_a_full_name_has_it_split() -> None:
    draft = _draft(["Name", "Phone"], ["Tess van den Berg", "212 555 0100"])
    assert (draft.name, draft.first_name, draft.last_name) == (
        "Tess van den Berg",
        "Tess",
        "van den Berg",
    )
    draft = _draft(["Name", "Phone"], ["Madonna", "212 555 0100"])
    assert (draft.first_name, draft.last_name) == ("", "Madonna")


def test_a_lead_files_own_first_and_last_names_are_kept() -> None:
    header = ["Name", "First Name", "Last Name", "Phone"]
    draft = _draft(header, ["Tess de Vries", "Tess de", "Vries", "212 555 0100"])
    assert (draft.name, draft.first_name, draft.last_name) == ("Tess de Vries", "Tess de", "Vries")
    draft = _draft(header, ["Maria de la Cruz", "", "de la Cruz", "212 555 0100"])
    assert (draft.first_name, draft.last_name) == ("", "de la Cruz")
    draft = _draft(
        ["First Name", "Last Name", "Phone"], ["Ludwig", "van Beethoven", "212 555 0100"]
    )
    assert draft.name == "Ludwig van Beethoven"


def _profile(name: str, first: str = "", last: str = "") -> BuyerProfile:
    return BuyerProfile(
        lead_id=1,
        name=name,
        first_name=first,
        last_name=last,
        company="Acme",
        title="",
        email="",
        phone="+12125550100",
        phone_ext="",
        source="",
        campaign="",
        industry="",
        company_size="11-50",
        score=0,
        grade="C",
        qualified_because="",
        qualified_by="",
        qualified_at=None,
        touches=0,
        calls=0,
        first_touch=None,
        last_touch=None,
        call_notes=(),
        criteria=(),
        answers={},
        rules_version=1,
        extra={},
    )


@pytest.mark.parametrize(
    ("profile", "first", "last"),
    [("salesforce", "First Name", "Last Name"), ("hubspot", "firstname", "lastname")],
)
def test_the_crm_layouts_split_a_lead_known_by_its_full_name_only(
    profile: str, first: str, last: str
) -> None:
    columns = columns_for(profile, (), ())
    row = dict(zip(columns, row_for(profile, columns, _profile("Tess van den Berg")), strict=True))
    assert (row[first], row[last]) == ("Tess", "van den Berg")
    kept = _profile("Tess de Vries", "Tess de", "Vries")
    row = dict(zip(columns, row_for(profile, columns, kept), strict=True))
    assert (row[first], row[last]) == ("Tess de", "Vries")


@pytest.mark.parametrize(
    ("size", "employees", "numemployees"),
    [
        ("11-50", 11, "11-50"),
        ("1,000-5,000", 1000, "1,000-5,000"),
        ("10k+", 10000, "10k+"),
        ("250", 250, "250"),
        ("", "", ""),
        ("unknown", "", "unknown"),
    ],
)
def test_each_crm_gets_the_size_as_it_imports_it(
    size: str, employees: object, numemployees: str
) -> None:
    lead = _profile("Ada Lovelace")._replace(company_size=size)
    columns = columns_for("salesforce", (), ())
    salesforce = dict(zip(columns, row_for("salesforce", columns, lead), strict=True))
    assert salesforce["No. of Employees"] == employees
    assert (f"Company size: {size}." in str(salesforce["Description"])) == bool(size)
    columns = columns_for("hubspot", (), ())
    hubspot = dict(zip(columns, row_for("hubspot", columns, lead), strict=True))
    assert hubspot["numemployees"] == numemployees
    columns = columns_for("plain", (), ())
    assert dict(zip(columns, row_for("plain", columns, lead), strict=True))["company_size"] == size
