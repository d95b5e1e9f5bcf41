"""The hand-off file's layouts (pinned by golden files) and CSV formula injection."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from qualdesk.core.csvsafe import neutralise
from qualdesk.core.handoff import (
    BuyerProfile,
    Criterion,
    columns_for,
    render,
    row_for,
    write_leads,
)

GOLDEN = Path(__file__).parents[1] / "data" / "golden"

CRITERIA = (
    Criterion("pains", "Business pains", 15, True),
    Criterion("budget", "Budget", 10, False),
    Criterion("urgency", "Urgency", 10, False),
)
ANSWERS = {"pains": (True, "Cloud bill doubled"), "budget": (True, '=HYPERLINK("http://x")')}
LEADS = [
    BuyerProfile(
        lead_id=7, name="Ada Lovelace", first_name="Ada", last_name="Lovelace",
        company="Analytical Ltd", title="CTO", email="ada@example.com", phone="+442079460958",
        phone_ext="", source="Webinar", campaign="Spring Expo", industry="Software",
        company_size="250", score=45, grade="B", qualified_because="qualified: 2 of 3",
        qualified_by="ana", qualified_at=datetime(2026, 11, 20, 15, 4, tzinfo=UTC), touches=3,
        calls=2, first_touch=datetime(2026, 11, 18, 9, 0, tzinfo=UTC),
        last_touch=datetime(2026, 11, 20, 15, 0, tzinfo=UTC),
        call_notes=("Asked for pricing", "Budget, \"approved\"; call back"), criteria=CRITERIA,
        answers=ANSWERS,
        rules_version=1, extra={"Booth": "7"},
    ),
    BuyerProfile(
        lead_id=9, name="-Evil Corp", first_name="", last_name="", company="@Switchboard",
        title="+cmd|' /C calc'!A0", email="", phone="+13055550123", phone_ext="12",
        source="", campaign="", industry="", company_size="10-50", score=-5, grade="D",
        qualified_because="override", qualified_by="", qualified_at=None, touches=0, calls=0,
        first_touch=None, last_touch=None, call_notes=(), criteria=CRITERIA, answers=ANSWERS,
        rules_version=1, extra={}, alt_phone="+13055550199", alt_phone_ext="",
        changes=(
            "2026-11-21T10:00:00Z lee alternate number: - -> +1 305-555-0199 (the direct line)",
            "2026-11-21T10:01:00Z lee title: CFO -> +cmd|' /C calc'!A0 (=formula in a reason)",
        ),
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("profile", "fmt"),
    [("plain", "csv"), ("salesforce", "csv"), ("hubspot", "csv"), ("plain", "jsonl")],
)
def test_each_profile_matches_its_golden_file(profile: str, fmt: str) -> None:
    extras = {name for lead in LEADS for name in lead.extra}
    columns = columns_for(profile, CRITERIA, extras)
    written = "".join(write_leads(fmt, profile, columns, LEADS))
    golden = GOLDEN / f"handoff-{profile}.{fmt}"
    if not golden.exists():  # first run after an intended change: write, then review the diff
        golden.write_bytes(written.encode("utf-8"))
    assert written.encode("utf-8") == golden.read_bytes()


def test_the_crm_profiles_use_their_import_headers() -> None:
    salesforce = columns_for("salesforce", CRITERIA, ())
    assert {"First Name", "Last Name", "Company", "Title", "Email", "Phone", "Lead Source",
            "Lead Status", "Rating", "Description"} <= set(salesforce)  # fmt: skip
    hubspot = columns_for("hubspot", CRITERIA, ())
    assert {"firstname", "lastname", "company", "jobtitle", "email", "phone", "hs_lead_status",
            "lifecyclestage"} <= set(hubspot)  # fmt: skip
    plain = columns_for("plain", CRITERIA, {"Booth"})
    assert {"pains", "pains_note", "call_notes", "score", "grade", "extra:Booth"} <= set(plain)


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\n=1", "'\n=1"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("-Evil Corp", "'-Evil Corp"),
        # Real numbers and E.164 phones pass untouched.
        ("+14155550123", "+14155550123"),
        ("+14155550123 ext. 12", "+14155550123 ext. 12"),
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("-1e3", "-1e3"),
        ("", ""),
        ("Ada = CTO", "Ada = CTO"),
        ("a@b.example", "a@b.example"),
    ],
)
def test_formula_cells_are_neutralised(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe


def test_the_csv_neutralises_every_text_cell_and_keeps_numbers() -> None:
    columns = columns_for("plain", CRITERIA, ())
    text = "".join(render("csv", columns, [row_for("plain", columns, LEADS[1])]))
    assert "'-Evil Corp" in text and "'@Switchboard" in text and "'+cmd|" in text
    assert ",+13055550123," in text and ",-5," in text
    jsonl = "".join(render("jsonl", columns, [row_for("plain", columns, LEADS[1])]))
    assert '"name": "-Evil Corp"' in jsonl  # JSON is data, never a formula


@pytest.mark.parametrize("profile", ["plain", "salesforce", "hubspot"])
def test_the_export_makes_every_cell_inert_as_checking_each_would(profile: str) -> None:
    tricky = ["=1+1", "-x", "@home", "\t=1", "\n=1", "+cmd", "-5", "+14155550123", "plain"]
    leads = [
        LEADS[0]._replace(
            name=value,
            first_name=value,
            last_name=value,
            company=value,
            title=value,
            email=value,
            source=value,
            campaign=value,
            industry=value,
            company_size=value,
            qualified_because=value,
            qualified_by=value,
            call_notes=(value,),
            answers={"pains": (True, value)},
            extra={"Booth": value},
            phone_ext=value,
        )
        for value in tricky
    ]
    columns = columns_for(profile, CRITERIA, {"Booth"})
    built = "".join(write_leads("csv", profile, columns, leads))
    checked = "".join(render("csv", columns, [row_for(profile, columns, x) for x in leads]))
    assert built == checked
