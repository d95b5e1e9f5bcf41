"""The nurture hand-back's layouts (pinned by golden files): why, when back, do-not-call."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from qualdesk.core.csvsafe import neutralise
from qualdesk.core.handoff import (
    HUBSPOT,
    SALESFORCE,
    BuyerProfile,
    Criterion,
    columns_for,
    render,
    write_leads,
)
from qualdesk.core.nurture import NURTURE_PLAIN, nurture_columns, nurture_row

GOLDEN = Path(__file__).parents[1] / "data" / "golden"

CRITERIA = (
    Criterion("pains", "Business pains", 15, True),
    Criterion("budget", "Budget", 10, False),
    Criterion("urgency", "Urgency", 10, False),
)
NURTURED = BuyerProfile(
    lead_id=12, name="Grace Hopper", first_name="", last_name="", company="Navy",
    title="Admiral", email="grace@example.com", phone="+12125550102", phone_ext="",
    source="Webinar", campaign="Spring Expo", industry="Defence", company_size="1000+",
    score=25, grade="C", qualified_because="", qualified_by="", qualified_at=None, touches=2,
    calls=2, first_touch=datetime(2026, 11, 18, 14, 0, tzinfo=UTC),
    last_touch=datetime(2026, 11, 23, 15, 0, tzinfo=UTC),
    call_notes=("Budget next fiscal year",), criteria=CRITERIA,
    answers={"pains": (True, "Legacy COBOL"), "budget": (False, "next year")}, rules_version=2,
    extra={"Booth": "12"}, stage="nurture",
    nurture_reason="not qualified yet: 1 of 3 criteria; back in 60 days",
    recycle_at=datetime(2027, 1, 22, 15, 0, tzinfo=UTC), routed_by="ana",
    routed_at=datetime(2026, 11, 23, 15, 0, tzinfo=UTC),
)  # fmt: skip
OUT = BuyerProfile(
    lead_id=9, name="-Evil Corp", first_name="", last_name="", company="@Switchboard",
    title="+cmd|' /C calc'!A0", email="", phone="+13055550123", phone_ext="12",
    source="", campaign="", industry="", company_size="10-50", score=-5, grade="D",
    qualified_because="", qualified_by="", qualified_at=None, touches=1, calls=1,
    first_touch="2026-11-20 15:00:00.000000", last_touch="2026-11-20 15:00:00.000000",
    call_notes=("=HYPERLINK(\"http://x\")",), criteria=CRITERIA, answers={}, rules_version=2,
    extra={}, alt_phone="+13055550199", stage="disqualified",
    nurture_reason="number is on the do-not-call list", routed_by="lee",
    routed_at="2026-11-21 10:00:00.000000", do_not_call=True,
)  # fmt: skip
# Handed to sales once, rejected, and the rejection ruled valid: to nurture without a call.
REVIEWED = BuyerProfile(
    lead_id=7, name="Ada Lovelace", first_name="Ada", last_name="Lovelace",
    company="Analytical Ltd", title="CTO", email="ada@example.com", phone="+442079460958",
    phone_ext="", source="Webinar", campaign="Spring Expo", industry="Software",
    company_size="250", score=45, grade="B", qualified_because="qualified: 2 of 3",
    qualified_by="ben", qualified_at=datetime(2026, 11, 20, 15, 4, tzinfo=UTC), touches=3,
    calls=3, first_touch=datetime(2026, 11, 18, 9, 0, tzinfo=UTC),
    last_touch=datetime(2026, 11, 20, 15, 0, tzinfo=UTC), call_notes=(), criteria=CRITERIA,
    answers={"pains": (True, "Cloud bill doubled"), "urgency": (True, "renewal in March")},
    rules_version=2, extra={"Booth": "7"}, stage="nurture",
    nurture_reason="sales rejected it, rightly (no budget this year); back in 30 days",
    recycle_at="2026-12-30 09:00:00.000000", routed_by="lee",
    routed_at="2026-11-30 09:00:00.000000",
)  # fmt: skip
LEADS = [NURTURED, OUT, REVIEWED]


def _written(profile: str, fmt: str, leads: list[BuyerProfile] = LEADS) -> str:
    extras = {name for lead in leads for name in lead.extra} if profile == "plain" else set()
    columns = nurture_columns(profile, CRITERIA, extras)
    return "".join(write_leads(fmt, profile, columns, leads, nurture_row))


@pytest.mark.parametrize(
    ("profile", "fmt"),
    [("plain", "csv"), ("salesforce", "csv"), ("hubspot", "csv"), ("plain", "jsonl")],
)
def test_each_nurture_profile_matches_its_golden_file(profile: str, fmt: str) -> None:
    written = _written(profile, fmt)
    golden = GOLDEN / f"nurture-{profile}.{fmt}"
    if not golden.exists():  # first run after an intended change: write, then review the diff
        golden.write_bytes(written.encode("utf-8"))
    assert written.encode("utf-8") == golden.read_bytes()


def test_plain_carries_the_sales_columns_and_the_nurture_ones() -> None:
    sales = columns_for("plain", CRITERIA, {"Booth"})
    nurture = nurture_columns("plain", CRITERIA, {"Booth"})
    assert [c for c in nurture if c not in NURTURE_PLAIN] == sales
    rows = [json.loads(line) for line in _written("plain", "jsonl").splitlines()]
    assert [(r["stage"], r["recycle_on"], r["do_not_call"]) for r in rows] == [
        ("nurture", "2027-01-22", "no"),
        ("disqualified", "", "yes"),
        ("nurture", "2026-12-30", "no"),
    ]
    assert rows[0]["routed_by"] == "ana" and rows[0]["routed_at"] == "2026-11-23T15:00:00Z"
    assert rows[0]["pains"] == "yes" and rows[0]["budget_note"] == "next year"
    assert rows[0]["extra:Booth"] == "12" and rows[1]["extra:Booth"] == ""
    assert rows[2]["qualified_by"] == "ben"  # qualified once, then rejected by sales


def test_the_crm_layouts_say_nurture_and_out_in_their_own_words() -> None:
    sf = list(csv.DictReader(io.StringIO(_written("salesforce", "csv"))))
    assert set(SALESFORCE) <= set(sf[0])
    assert [r["Lead Status"] for r in sf] == ["Closed - Not Converted"] * 3
    assert [r["Do Not Call"] for r in sf] == ["false", "true", "false"]
    assert [r["Qualdesk Recycle Date"] for r in sf] == ["2027-01-22", "", "2026-12-30"]
    assert sf[0]["Description"].startswith(
        "To nurture (ana, 2026-11-23T15:00:00Z): not qualified yet: 1 of 3 criteria; back in "
        "60 days\nBack on the desk from 2027-01-22.\nScore 25, grade C; 1 of 3 criteria"
    )
    assert sf[1]["Description"].startswith(
        "DO NOT CALL: the number is on the desk's do-not-call list.\n"
        "Disqualified (lee, 2026-11-21T10:00:00Z): number is on the do-not-call list\n"
    )
    once = "Qualified by the desk (ben, 2026-11-20T15:04:00Z): qualified: 2 of 3"
    assert once in sf[2]["Description"]
    hs = list(csv.DictReader(io.StringIO(_written("hubspot", "csv"))))
    assert set(HUBSPOT) <= set(hs[0])
    assert [r["hs_lead_status"] for r in hs] == ["BAD_TIMING", "UNQUALIFIED", "BAD_TIMING"]
    assert {r["lifecyclestage"] for r in hs} == {"lead"}
    assert [r["qualdesk_do_not_call"] for r in hs] == ["false", "true", "false"]
    assert hs[0]["qualdesk_nurture_reason"].startswith("not qualified yet")


@pytest.mark.parametrize("profile", ["plain", "salesforce", "hubspot"])
def test_every_cell_of_people_s_text_is_inert(profile: str) -> None:
    tricky = ["=1+1", "-x", "@home", "\t=1", "+cmd", "-5", "+14155550123", "plain"]
    leads = [
        NURTURED._replace(
            name=value, company=value, title=value, source=value, nurture_reason=value,
            routed_by=value, call_notes=(value,), answers={"pains": (True, value)},
            extra={"Booth": value},
        )
        for value in tricky
    ]  # fmt: skip
    columns = nurture_columns(profile, CRITERIA, {"Booth"})
    built = _written(profile, "csv", leads)
    checked = "".join(
        render("csv", columns, [nurture_row(profile, columns, x, lambda t: t) for x in leads])
    )
    assert built == checked
    assert "'=1+1" in built and "\n=1+1" not in built and neutralise("-5") == "-5"
