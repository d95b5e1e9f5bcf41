"""`qualdesk leads`: find, show and edit a lead from the shell, on a real database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import col, select

from qualdesk.db.models import Lead, LeadChange
from qualdesk.services.access import Actor
from qualdesk.services.desk import open_desk
from qualdesk.services.handoff.export import export_leads
from qualdesk.services.handoff.feedback import read_feedback
from qualdesk.services.intake.importer import ImportOptions, import_file
from qualdesk.services.reps import find_rep
from tests.cli.conftest import Run
from tests.conftest import FrozenClock, WriteCsv
from tests.services.test_handoff import _work

ROWS = [
    ["Ada Lovelace", "Analytical", "CTO", "ada@example.com", "+44 20 7946 0958", "UK"],
    ["Grace Hopper", "Navy", "", "", "+1 212 555 0100", "US"],
]
ADA, GRACE = 1, 2


@pytest.fixture
def leads(run: Run, write_csv: WriteCsv) -> Run:
    """A desk with Ada (London) and Grace (New York) on it."""
    assert run("import", str(write_csv(ROWS))).code == 0
    return run


def _stored(db_location: str | Path) -> tuple[dict[int, Lead], list[LeadChange]]:
    desk = open_desk(db_location)
    try:
        with desk.db.reading() as session:
            found = {lead.id or 0: lead for lead in session.scalars(select(Lead))}
            changes = list(session.scalars(select(LeadChange).order_by(col(LeadChange.id))))
    finally:
        desk.close()
    return found, changes


def test_find_prints_a_table_of_matching_leads(leads: Run) -> None:
    result = leads("leads", "find", "grace")
    assert result.code == 0, result.err
    header, *rows = result.out.splitlines()
    assert header.split() == ["#", "Name", "Company", "Number", "to", "call", "Stage", "Grade"]
    assert len(rows) == 1
    assert rows[0].split()[:3] == ["2", "Grace", "Hopper"]
    assert "+1 212-555-0100" in rows[0] and "new" in rows[0]


def test_find_by_number_and_as_json(leads: Run) -> None:
    result = leads("leads", "find", "0958", "--json")
    assert result.code == 0, result.err
    found = json.loads(result.out)
    assert [line["id"] for line in found] == [ADA]
    assert {"id", "name", "company", "phone", "stage"} <= set(found[0])
    assert (found[0]["name"], found[0]["company"], found[0]["phone"], found[0]["stage"]) == (
        "Ada Lovelace",
        "Analytical",
        "+44 20 7946 0958",
        "new",
    )
    everyone = json.loads(leads("leads", "find", "a", "--json").out)
    assert [line["id"] for line in everyone] == [GRACE, ADA]  # newest first


def test_find_nothing_says_so(leads: Run) -> None:
    result = leads("leads", "find", "nobody")
    assert (result.code, result.out) == (0, "")
    assert "No lead matches 'nobody'." in result.err
    assert json.loads(leads("leads", "find", "nobody", "--json").out) == []


def test_find_finds_the_alternate_number(leads: Run) -> None:
    edited = leads("leads", "edit", str(GRACE), "--alt-phone", "+1 415 555 0123", "--reason", "dl")
    assert edited.code == 0, edited.err
    found = json.loads(leads("leads", "find", "415 555 0123", "--json").out)
    assert [(line["id"], line["phone"]) for line in found] == [(GRACE, "+1 415-555-0123")]


def test_show_json_has_the_story_and_its_changes(leads: Run) -> None:
    assert leads("leads", "edit", str(ADA), "--title", "Countess", "--reason", "x").code == 0
    result = leads("leads", "show", str(ADA), "--json")
    assert result.code == 0, result.err
    story = json.loads(result.out)
    assert list(story) == [
        "lead", "touches", "answers", "decisions", "changes", "handoffs", "verdicts",
        "outcomes", "reviews", "nurture_handoffs",
    ]  # fmt: skip
    assert (story["lead"]["id"], story["lead"]["title"]) == (ADA, "Countess")
    assert (story["touches"], story["answers"], story["decisions"]) == ([], [], [])
    [change] = story["changes"]
    assert {"field", "old", "new", "by", "at"} <= set(change)
    assert (change["field"], change["old"], change["new"], change["reason"]) == (
        "title",
        "CTO",
        "Countess",
        "x",
    )


def test_show_prints_the_lead_for_people(leads: Run) -> None:
    leads("leads", "edit", str(ADA), "--alt-phone", "+44 20 7946 0123 x5", "--reason", "direct")
    result = leads("leads", "show", str(ADA), "--zone", "Europe/London")
    assert result.code == 0, result.err
    assert result.out.startswith("#1 Ada Lovelace\n")
    assert "alternate number:  +44 20 7946 0123 ext. 5" in result.out
    assert "Touches: none" in result.out and "Changes:" in result.out
    assert "direct" in result.out


def test_show_no_such_lead_is_one_line(leads: Run) -> None:
    result = leads("leads", "show", "999")
    assert result.code == 1
    assert result.err.startswith("qualdesk: no lead #999") and result.err.count("\n") == 1
    assert result.out == ""


def test_edit_prints_each_change_and_records_it_by_the_user(
    leads: Run, db_location: str | Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOGNAME", "casey")
    result = leads(
        "leads", "edit", str(GRACE), "--title", "Rear Admiral", "--email", "Grace@Navy.MIL",
        "--alt-phone", "+44 20 7946 0123", "--reason", "on the call",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "Lead #2: title: - -> Rear Admiral",
        "Lead #2: email: - -> grace@navy.mil",
        "Lead #2: alternate number: - -> +44 20 7946 0123",
    ]
    found, changes = _stored(db_location)
    assert [(c.lead_id, c.field, c.old, c.new) for c in changes] == [
        (GRACE, "title", "", "Rear Admiral"),
        (GRACE, "email", "", "grace@navy.mil"),
        (GRACE, "alt_phone", "", "+44 20 7946 0123"),
    ]
    assert {(c.changed_by, c.rep_id, c.reason) for c in changes} == {("casey", None, "on the call")}
    grace = found[GRACE]
    assert (grace.alt_phone_e164, grace.time_zones) == ("+442079460123", "Europe/London")
    again = leads("leads", "edit", str(GRACE), "--title", "Rear Admiral", "--reason", "again")
    assert again.code == 0 and "nothing to change" in again.out
    assert len(_stored(db_location)[1]) == 3


def test_edit_records_the_config_files_rep(
    leads: Run, db_location: str | Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert leads("reps", "add", "ana", "--name", "Ana Reyes", "--tz", "UTC").code == 0
    config = tmp_path / "config.toml"
    config.write_text('rep = "ana"\n', encoding="utf-8")
    monkeypatch.setenv("QUALDESK_CONFIG", str(config))
    monkeypatch.setenv("LOGNAME", "casey")
    result = leads("leads", "edit", str(ADA), "--name", "Ada King", "--reason", "married name")
    assert result.code == 0, result.err
    assert result.out == "Lead #1: name: Ada Lovelace -> Ada King\n"
    found, [change] = _stored(db_location)
    assert (change.changed_by, change.rep_id, change.reason) == ("ana", 1, "married name")
    assert (found[ADA].first_name, found[ADA].last_name) == ("Ada", "King")


def test_edit_says_when_the_lead_is_stopped(leads: Run, db_location: str | Path) -> None:
    assert leads("dnc", "add", "+1 415 555 0123").code == 0
    result = leads("leads", "edit", str(GRACE), "--alt-phone", "415 555 0123", "--reason", "dl")
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == (
        "Lead #2 is stopped: a number it has is on the do-not-call list."
    )
    assert _stored(db_location)[0][GRACE].stage == "disqualified"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--email", "ada.example.com"], "email: 'ada.example.com' is not an email address"),
        (["--phone", "555"], "phone: '555' is not a valid number"),
        (["--alt-phone", "12"], "alternate number: '12' is not a valid number"),
        (["--ext", "x1"], "extension: 'x1' is not an extension"),
        (["--title", "Boss", "--name", "", "--company", ""], "name: a lead needs a name"),
        (["--name", "Eve\x1b[2J"], "name: control characters are not allowed"),
    ],
)
def test_a_bad_value_is_one_line_and_changes_nothing(
    leads: Run, db_location: str | Path, args: list[str], words: str
) -> None:
    before = _stored(db_location)[0][ADA].model_dump()
    result = leads("leads", "edit", str(ADA), *args, "--reason", "typo")
    assert result.code == 1
    assert result.err.startswith("qualdesk: ") and result.err.count("\n") == 1
    assert words in result.err and "Traceback" not in result.err
    assert "\x1b" not in result.err
    assert result.out == ""
    found, changes = _stored(db_location)
    assert changes == [] and found[ADA].model_dump() == before


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--reason", "why"], 2, "give at least one of --name"),
        (["--title", "CTO"], 2, "Missing option '--reason'"),
        (["--title", "CTO", "--reason", ""], 1, "--reason: say why"),
        (["--title", "CTO", "--reason", "   "], 1, "--reason: say why"),
    ],
)
def test_edit_needs_a_field_and_a_reason(
    leads: Run, db_location: str | Path, args: list[str], code: int, words: str
) -> None:
    result = leads("leads", "edit", str(ADA), *args)
    assert result.code == code
    assert words in result.err
    assert _stored(db_location)[1] == []
    if code == 1:
        assert result.err.startswith("qualdesk: ") and result.err.count("\n") == 1


def test_edit_no_such_lead_is_one_line(leads: Run) -> None:
    result = leads("leads", "edit", "999", "--title", "CTO", "--reason", "x")
    assert result.code == 1 and result.err == "qualdesk: no lead #999\n"


@pytest.mark.parametrize("path", [(), ("find",), ("show",), ("edit",)])
def test_every_leads_command_has_help(run: Run, path: tuple[str, ...]) -> None:
    result = run("leads", *path, "--help", db=None)
    assert result.code == 0
    assert "Usage: qualdesk " + " ".join(("leads", *path)) in result.out


def test_show_tells_what_went_between_the_desk_and_sales(
    run: Run, db_location: str | Path, clock: FrozenClock, write_csv: WriteCsv, tmp_path: Path
) -> None:
    """The hand-off, sales' verdict and each outcome, oldest first, as the CRM said them."""
    added = run("reps", "add", "ana", "--name", "Ana Reyes", "--tz", "America/New_York")
    assert added.code == 0, added.err
    desk = open_desk(db_location, clock=clock)
    try:
        zoe = write_csv([["Zoe Park", "Acme", "CTO", "", "+1 212 555 0100", "US"]])
        import_file(desk, zoe, ImportOptions(imported_by="test"))
        lead_id = _work(desk, find_rep(desk, "ana"), clock, qualify=True)
        export_leads(desk, out=tmp_path / "handoff.csv", by=Actor("lee", "lead"))
        report = tmp_path / "opps.csv"
        report.write_text(
            "Qualdesk Lead ID,Stage,Amount,Close Date\n"
            f'{lead_id},Closed Won,"12,500.00",2026-11-23\n',
            encoding="utf-8",
        )
        read_feedback(desk, report, zone_name="UTC", by=Actor("lee", "lead"))
    finally:
        desk.close()
    shown = run("leads", "show", str(lead_id), "--zone", "UTC")
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    assert "  with sales:        won, 12,500.00, close date 2026-11-23" in lines
    loop = lines[lines.index("With sales and marketing:") + 2 :]
    assert [line.split("  ")[1].strip() for line in loop] == [
        "handed off to sales", "sales accepted", "sales: won"
    ]  # fmt: skip
    assert "Closed Won, amount 12,500.00, close date 2026-11-23" in loop[2]
    data = json.loads(run("leads", "show", str(lead_id), "--json").out)
    assert [v["verdict"] for v in data["verdicts"]] == ["accepted"]
    assert [(o["outcome"], o["word"], o["amount"]) for o in data["outcomes"]] == [
        ("won", "Closed Won", 12500.0)
    ]
    assert data["lead"]["outcome"] == "won" and len(data["handoffs"]) == 1
    assert data["reviews"] == [] and data["nurture_handoffs"] == []


def test_show_gives_the_creation_time_marketings_file_said(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "dated.csv"
    path.write_text(
        "Name,Phone,Created Date\nZoe Park,+1 212 555 0100,2026-11-20 18:30\n", encoding="utf-8"
    )
    assert run("import", str(path), "--zone", "UTC").code == 0
    shown = run("leads", "show", "1", "--zone", "UTC")
    assert "  created (their file): 2026-11-20 18:30" in shown.out.splitlines()
    data = json.loads(run("leads", "show", "1", "--json").out)
    assert data["lead"]["arrived_at"].startswith("2026-11-20")
