"""The whole loop with sales and marketing, end to end, every count checked.

Marketing's file is imported; a rep works every lead (four qualify, one is
not interested, one does not answer); the qualified go to sales in
Salesforce's layout; sales answer with their Lead Status report as
Salesforce exports it, then with two Opportunity reports; the nurtured lead
goes back to marketing; and the figures count each step.
"""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

from sqlmodel import col, select

from qualdesk.core.periods import named_period
from qualdesk.db.models import Lead, NurtureHandOff, Rep, SalesOutcome
from qualdesk.services.access import Actor
from qualdesk.services.calling.calls import end_call, set_criterion
from qualdesk.services.calling.queue import claim_next
from qualdesk.services.desk import Desk
from qualdesk.services.figures.team import team_figures
from qualdesk.services.handoff.awaiting import export_overdue
from qualdesk.services.handoff.export import export_leads
from qualdesk.services.handoff.feedback import read_feedback
from qualdesk.services.intake.importer import ImportOptions, import_file
from tests.conftest import FrozenClock

ZONE = "America/New_York"
LEADS = """Full Name,Company,Title,Phone,Email,Employees,Campaign,Lead Source
Tess de Vries,Acme,VP Sales,+1 212 555 0101,tess@acme.test,11-50,Spring Expo,Trade show
Tess van den Berg,Globex,Director,+1 212 555 0102,tess@globex.test,"1,000-5,000",Spring Expo,Trade show
Ada Lovelace,Analytical,CTO,+1 212 555 0103,ada@analytical.test,250,Webinar Q4,Webinar
Bob Stone,Initech,Owner,+1 212 555 0104,bob@initech.test,10k+,Webinar Q4,Webinar
Carol Diaz,Umbrella,Analyst,+1 212 555 0105,carol@umbrella.test,50,Webinar Q4,Webinar
Dan Brown,Hooli,,+1 212 555 0106,dan@hooli.test,,Spring Expo,Trade show
"""  # fmt: skip
QUALIFYING = ("vertical", "pains", "budget", "urgency")
# What the rep makes of each lead's call, by surname.
CALLS = {"de Vries": "qualify", "van den Berg": "qualify", "Lovelace": "qualify",
         "Stone": "qualify", "Diaz": "not_interested", "Brown": "no_answer"}  # fmt: skip


def _ids(desk: Desk) -> dict[str, int]:
    with desk.db.reading() as session:
        return {lead.last_name: lead.id for lead in session.scalars(select(Lead))}  # type: ignore[misc]


def _figures(desk: Desk, clock: FrozenClock) -> dict:  # type: ignore[type-arg]
    return team_figures(desk, named_period("all", clock(), ZONE), ZONE).as_json()


def test_the_loop_with_sales_and_marketing(desk: Desk, clock: FrozenClock, tmp_path: Path) -> None:
    from qualdesk.services.reps import add_rep

    ana: Rep = add_rep(desk, "ana", "Ana Reyes", "rep", ZONE)
    marketing = tmp_path / "leads.csv"
    marketing.write_text(LEADS, encoding="utf-8")
    assert import_file(desk, marketing, ImportOptions(imported_by="ops")).imported == 6
    ids = _ids(desk)
    assert set(ids) == set(CALLS)  # the particles stay with the surname

    for _ in CALLS:
        claim = claim_next(desk, ana)
        assert claim is not None
        surname = next(name for name, lead_id in ids.items() if lead_id == claim.lead_id)
        if CALLS[surname] == "qualify":
            for key in QUALIFYING:
                set_criterion(desk, claim, key, True, note=f"{key} confirmed")
            end_call(desk, claim, "connected", notes="good call")
        else:
            set_criterion(desk, claim, "vertical", True, note="retail")
            end_call(desk, claim, CALLS[surname], notes="not now")
        clock.now += timedelta(minutes=7)

    # To sales, in Salesforce's layout: names split as Salesforce expects, sizes as numbers.
    handoff = export_leads(
        desk, out=tmp_path / "to-sales.csv", profile="salesforce", by=Actor("lee", "lead")
    )
    assert handoff.exported == 4
    with (tmp_path / "to-sales.csv").open(encoding="utf-8", newline="") as stream:
        sent = {row["Qualdesk Lead ID"]: row for row in csv.DictReader(stream)}
    tess = sent[str(ids["de Vries"])]
    assert (tess["First Name"], tess["Last Name"], tess["No. of Employees"]) == (
        "Tess", "de Vries", "11"
    )  # fmt: skip
    assert sent[str(ids["van den Berg"])]["Last Name"] == "van den Berg"
    assert sent[str(ids["van den Berg"])]["No. of Employees"] == "1000"
    assert "Company size: 1,000-5,000." in sent[str(ids["van den Berg"])]["Description"]

    # Sales' Lead report, as Salesforce exports it: its own Lead ID beside ours.
    clock.now += timedelta(days=1)
    statuses = tmp_path / "sf-leads.csv"
    statuses.write_text(
        '"Lead ID","Qualdesk Lead ID","First Name","Last Name","Company","Lead Status",'
        '"Unqualified Reason"\r\n'
        f'"00Q5g00000AbCdEAA1","{ids["de Vries"]}","Tess","de Vries","Acme",'
        '"Closed - Converted",""\r\n'
        f'"00Q5g00000AbCdEAA2","{ids["van den Berg"]}","Tess","van den Berg","Globex",'
        '"Closed - Converted",""\r\n'
        f'"00Q5g00000AbCdEAA3","{ids["Lovelace"]}","Ada","Lovelace","Analytical",'
        '"Closed - Not Converted","no budget this year"\r\n'
        f'"00Q5g00000AbCdEAA4","{ids["Stone"]}","Bob","Stone","Initech",'
        '"Working - Contacted",""\r\n',
        encoding="utf-8",
    )
    read = read_feedback(desk, statuses, by=Actor("lee", "lead"), zone_name=ZONE)
    assert (read.accepted, read.rejected, read.pending, read.refused) == (2, 1, 1, 0)
    with desk.db.reading() as session:
        stages = {n: session.get(Lead, i).stage for n, i in ids.items()}  # type: ignore[union-attr]
    assert stages == {
        "de Vries": "accepted", "van den Berg": "accepted", "Lovelace": "rejected",
        "Stone": "handed_off", "Diaz": "nurture", "Brown": "working",
    }  # fmt: skip

    # Sales' Opportunity reports: one opens, one is won; later the open one is lost.
    clock.now += timedelta(days=2)
    opportunities = tmp_path / "sf-opportunities.csv"
    opportunities.write_text(
        "Opportunity Name,Qualdesk Lead ID,Stage,Amount,Close Date\n"
        f'Acme expansion,{ids["de Vries"]},Prospecting,"$40,000.00",2027-01-31\n'
        f'Globex rollout,{ids["van den Berg"]},Closed Won,"$25,000.00",2026-11-25\n',
        encoding="utf-8",
    )
    assert read_feedback(desk, opportunities, by=Actor("lee", "lead"), zone_name=ZONE).outcomes == 2
    clock.now += timedelta(days=3)
    closing = tmp_path / "sf-opportunities-2.csv"
    closing.write_text(
        "Opportunity Name,Qualdesk Lead ID,Stage,Amount,Close Date\n"
        f'Acme expansion,{ids["de Vries"]},Closed Lost,"$40,000.00",2026-11-28\n'
        f'Globex rollout,{ids["van den Berg"]},Closed Won,"$25,000.00",2026-11-25\n',
        encoding="utf-8",
    )
    again = read_feedback(desk, closing, by=Actor("lee", "lead"), zone_name=ZONE)
    # Both verdicts were known already; one outcome is new.
    assert (again.outcomes, again.unchanged, again.accepted) == (1, 2, 0)
    with desk.db.reading() as session:
        history = [
            (o.outcome, o.word, o.amount_cents)
            for o in session.scalars(
                select(SalesOutcome)
                .where(SalesOutcome.lead_id == ids["de Vries"])
                .order_by(col(SalesOutcome.id))
            )
        ]
    assert history == [
        ("opportunity", "Prospecting", 4_000_000),
        ("lost", "Closed Lost", 4_000_000),
    ]

    # The nurtured lead goes back to marketing, and stays on the desk.
    nurture = export_leads(
        desk, out=tmp_path / "to-nurture.csv", to="nurture", by=Actor("lee", "lead")
    )
    assert nurture.exported == 1
    with (tmp_path / "to-nurture.csv").open(encoding="utf-8", newline="") as stream:
        (back,) = list(csv.DictReader(stream))
    assert back["lead_id"] == str(ids["Diaz"]) and back["vertical"] == "yes"
    with desk.db.reading() as session:
        assert session.get(Lead, ids["Diaz"]).stage == "nurture"  # type: ignore[union-attr]
        assert len(list(session.scalars(select(NurtureHandOff)))) == 1
    assert (
        export_leads(
            desk, out=tmp_path / "none.csv", to="nurture", by=Actor("lee", "lead")
        ).exported
        == 0
    )

    # Every step counted: raw -> qualified -> accepted -> opportunity -> won.
    figures = _figures(desk, clock)
    conversion = figures["desk"]["conversion"]
    assert {k: conversion[k] for k in ("raw", "qualified", "handed_off", "accepted", "rejected",
            "awaiting_verdict", "opportunities", "won", "lost", "won_amount")} == {
        "raw": 6, "qualified": 4, "handed_off": 4, "accepted": 2, "rejected": 1,
        "awaiting_verdict": 1, "opportunities": 2, "won": 1, "lost": 1, "won_amount": 25000.0,
    }  # fmt: skip
    assert conversion["accepted_to_opportunity"] == 1.0 and conversion["win_rate"] == 0.5
    (rep,) = [r for r in figures["reps"] if r["rep"] == "ana"]
    assert (rep["qualified"], rep["nurtured"], rep["handed_off"], rep["accepted"]) == (4, 1, 4, 2)
    assert (rep["opportunities"], rep["won"], rep["lost"], rep["won_amount"]) == (2, 1, 1, 25000.0)
    campaigns = {g["name"]: g for g in figures["desk"]["by_campaign"]}
    assert {n: (g["leads"], g["qualified"], g["accepted"], g["won"], g["won_amount"])
            for n, g in campaigns.items()} == {
        "Spring Expo": (3, 2, 2, 1, 25000.0), "Webinar Q4": (3, 2, 0, 0, 0.0),
    }  # fmt: skip
    sources = {
        g["name"]: (g["handed_off"], g["opportunities"]) for g in figures["desk"]["by_source"]
    }
    assert sources == {"Trade show": (2, 2), "Webinar": (2, 0)}

    # Sales' side: Bob, still open in their system, waits; past 5 working days, overdue.
    sla = figures["desk"]["sales_sla"]
    assert (sla["waiting"], sla["overdue"]) == (1, 0)
    clock.now += timedelta(days=3)
    overdue = export_overdue(desk, ZONE, out=tmp_path / "overdue.csv", by=Actor("lee", "lead"))
    assert [lead.lead_id for lead in overdue.leads] == [ids["Stone"]]
    assert _figures(desk, clock)["desk"]["sales_sla"]["overdue"] == 1
