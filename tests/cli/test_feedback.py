"""`qualdesk feedback` on the command line: the summary, JSON, re-reading, exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from qualdesk.db.models import Lead
from qualdesk.services.access import Actor
from qualdesk.services.desk import Desk, open_desk
from qualdesk.services.handoff.export import export_leads
from qualdesk.services.intake.importer import ImportOptions, import_file
from qualdesk.services.reps import add_rep
from tests.cli.conftest import Run
from tests.conftest import FrozenClock, WriteCsv
from tests.services.test_handoff import _work


@pytest.fixture
def desk(run: Run, db_location: str | Path, clock: FrozenClock) -> Iterator[Desk]:
    """The desk the commands read, created by the first command (as `qualdesk db init`
    would) and then opened for the test to work on."""
    assert run("db", "upgrade").code == 0
    opened = open_desk(db_location, clock=clock)
    yield opened
    opened.close()


@pytest.fixture
def with_sales(desk: Desk, write_csv: WriteCsv) -> list[int]:
    """Three leads sales has (handed off), lead n at lead<n>@example.com."""
    rows = [[f"Lead {n}", "Acme", "CTO", "", f"+1 212 555 01{n:02d}", "US"] for n in (1, 2, 3)]
    import_file(desk, write_csv(rows), ImportOptions(imported_by="test"))
    with desk.db.writing() as session:
        leads = list(session.scalars(select(Lead).order_by(Lead.id)))  # type: ignore[arg-type]
        for lead in leads:
            lead.stage, lead.email = "handed_off", f"lead{lead.id}@example.com"
            session.add(lead)
        return [lead.id for lead in leads if lead.id is not None]


def test_the_summary_counts_pending_and_outcomes(
    run: Run, with_sales: list[int], tmp_path: Path
) -> None:
    a, b, c = with_sales
    path = tmp_path / "hubspot.csv"
    path.write_text(
        "Record ID,Email,Lifecycle Stage,Lead Status\n"
        f"901,lead{a}@example.com,Customer,\n902,lead{b}@example.com,Lead,In Progress\n"
        f"903,lead{c}@example.com,Lead,Maybe Later\n",
        encoding="utf-8",
    )
    result = run("feedback", str(path))
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "Read as feedback batch 1: hubspot.csv"
    assert "  pending    1  (still open in sales' system)" in lines
    assert "  outcomes   1  (opportunities, wins and losses recorded)" in lines
    assert "  accepted   1" in lines
    assert any("line 4: Lead Status 'Maybe Later' is not one of sales' words" in x for x in lines)

    again = run("feedback", str(path), "--json")
    assert again.code == 0, again.err
    data = json.loads(again.out)
    assert (data["pending"], data["outcomes"], data["unchanged"], data["batch_id"]) == (
        1,
        0,
        1,
        None,
    )
    assert data["already_read"]["batch_id"] == 1 and data["rejects_file"] is None
    human = run("feedback", str(path))
    assert human.out.splitlines()[0].startswith("hubspot.csv: already read as feedback batch 1 on ")
    assert human.out.splitlines()[0].endswith("; nothing changed")
    assert sorted(p.name for p in tmp_path.glob("hubspot*")) == [
        "hubspot.csv",
        "hubspot.rejects.csv",
    ]


def test_a_file_whose_every_row_is_refused_is_one_line_and_exit_1(
    run: Run, with_sales: list[int], tmp_path: Path
) -> None:
    path = tmp_path / "sf.csv"
    path.write_text(
        "Lead ID,Lead Status\n00Q5g00000AbCdEFGH,Closed - Converted\n999,Closed - Converted\n",
        encoding="utf-8",
    )
    result = run("feedback", str(path))
    assert result.code == 1 and result.out == ""
    assert result.err.count("\n") == 1 and result.err.startswith("qualdesk: sf.csv: ")
    assert "every row was refused (2 rows; line 2: Lead ID '00Q5g00000AbCdEFGH' is not a " in (
        result.err
    )
    assert "nothing applied; the rows and reasons are in " in result.err
    assert "sf.rejects.csv" in result.err
    dry = run("feedback", str(path), "--dry-run", "--json")
    assert dry.code == 1 and json.loads(dry.out)["refused"] == 2
    assert "every row was refused" in dry.err


def test_export_overdue_lists_the_leads_past_sales_time(
    run: Run, desk: Desk, write_csv: WriteCsv, tmp_path: Path
) -> None:
    """Handed off on the frozen Monday 2026-11-23: past 5 working days on any later clock."""

    ana = add_rep(desk, "ana", "Ana Reyes", "rep", "America/New_York")
    import_file(desk, write_csv([["Zoe Park", "Acme", "CTO", "", "+1 212 555 0100", "US"]]),
                ImportOptions(imported_by="test"))  # fmt: skip

    lead_id = _work(desk, ana, FrozenClock(), qualify=True)
    assert export_leads(desk, out=tmp_path / "handoff.csv", by=Actor("lee", "lead")).exported == 1
    listed = run("export", "--overdue", "--out", str(tmp_path / "overdue.csv"), "--zone", "UTC")
    assert listed.code == 0, listed.err
    assert listed.out.startswith("1 lead past sales' 5 working days for a verdict (oldest ")
    assert str(tmp_path / "overdue.csv") in listed.out
    assert (
        (tmp_path / "overdue.csv")
        .read_text(encoding="utf-8")
        .splitlines()[1]
        .startswith(f"{lead_id},Zoe Park,Acme,")
    )
    data = json.loads(run("export", "--overdue", "--json", "--out", str(tmp_path)).out)
    assert data["overdue"] == 1 and data["leads"][0]["qualified_by"] == "ana"
    assert data["leads"][0]["working_days_waiting"] > 5
    wrong = run("export", "--overdue", "--profile", "hubspot")
    assert (
        wrong.code == 2 and "--overdue lists leads waiting for sales; drop --profile" in wrong.err
    )


def test_a_file_naming_no_lead_on_the_desk_is_one_line_and_exit_1(
    run: Run, with_sales: list[int], tmp_path: Path
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("Email,Lead Status\nx@other.example,Open\n", encoding="utf-8")
    result = run("feedback", str(path))
    assert result.code == 1 and result.out == ""
    assert result.err.strip().splitlines() == [
        "qualdesk: contacts.csv: no row names a lead with sales (1 row by an email no lead "
        "has, 0 handed back to marketing); nothing applied: is it the right file?"
    ]
    a = with_sales[0]
    path.write_text(
        f"Email,Lead Status\nlead{a}@example.com,Closed - Converted\nx@other.example,Open\n",
        encoding="utf-8",
    )
    mixed = run("feedback", str(path))
    assert mixed.code == 0, mixed.err
    assert "  skipped    1  (emails no lead on the desk has: contacts the desk never had)" in (
        mixed.out.splitlines()
    )
