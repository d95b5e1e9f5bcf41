"""The hand-back to marketing's nurture on a real database: which leads, once each, and the guarantees.

The guarantees (written whole before recorded, nothing recorded on a failed
write or commit, a file that appears meanwhile, leads that change meanwhile,
byte for byte again) are tried on both destinations: they share one path.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import col, func, select

from qualdesk.core.errors import QualdeskError
from qualdesk.core.stages import Stage
from qualdesk.db.models import ExportBatch, HandOff, Lead, NurtureHandOff, Rep, RoutingDecision
from qualdesk.services.access import Actor
from qualdesk.services.calling.calls import end_call, set_criterion
from qualdesk.services.calling.queue import claim_lead, claim_next
from qualdesk.services.desk import Desk
from qualdesk.services.handoff import review
from qualdesk.services.handoff.export import export_again, export_leads
from qualdesk.services.handoff.feedback import read_feedback
from qualdesk.services.handoff.nurture import nurture_waiting
from qualdesk.services.intake.dnc import add_number
from qualdesk.services.reps import add_rep
from tests.conftest import FrozenClock
from tests.services.conftest import Make

QUALIFYING = ("vertical", "pains", "budget", "urgency")
BACK = timedelta(days=91)  # past every grade's recycle days; a Monday again, 10:00 in New York


def _call(
    desk: Desk,
    rep: Rep,
    clock: FrozenClock,
    disposition: str,
    *,
    lead_id: int | None = None,
    ticks: tuple[str, ...] = (),
) -> int:
    """One call that ends with `disposition`: on this lead, else the next in the queue."""
    claim = claim_next(desk, rep) if lead_id is None else claim_lead(desk, rep, lead_id)
    assert claim is not None
    for key in ticks:
        set_criterion(desk, claim, key, True, note=f"{key} noted")
    end_call(desk, claim, disposition, notes=f"{disposition} call")
    clock.now += timedelta(minutes=5)
    return claim.lead_id


def _lead(desk: Desk, lead_id: int) -> Lead:
    with desk.db.reading() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return lead


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _count(desk: Desk, table: Any) -> int:
    with desk.db.reading() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


@pytest.fixture
def worked(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> dict[str, int]:
    """Five leads called once: two nurtured, one qualified, one wrong number, one do-not-call.

    The four New Yorkers share a number; the Londoner asks not to be called.
    """
    ids = make_leads("ny:a", "ny:b", "ny:c", "ny:d", "uk")
    ana = reps["ana"]
    return {
        "nurtured": _call(desk, ana, clock, "connected", lead_id=ids["ny:a"], ticks=("pains",)),
        "not_interested": _call(desk, ana, clock, "not_interested", lead_id=ids["ny:b"]),
        "qualified": _call(desk, ana, clock, "connected", lead_id=ids["ny:c"], ticks=QUALIFYING),
        "wrong": _call(desk, ana, clock, "wrong_number", lead_id=ids["ny:d"]),
        "dnc": _call(desk, ana, clock, "do_not_call", lead_id=ids["uk"]),
    }


def test_nurtured_leads_go_back_once_and_stay_on_the_desk(
    desk: Desk, reps: dict[str, Rep], worked: dict[str, int], clock: FrozenClock, tmp_path: Path
) -> None:
    nurtured = [worked["nurtured"], worked["not_interested"]]
    before = {i: _lead(desk, i) for i in nurtured}
    assert nurture_waiting(desk) == (2, 2)
    out = tmp_path / "nurture.csv"
    first = export_leads(desk, out=out, to="nurture", by=Actor("lee", "lead"))
    assert (first.exported, first.batch_id, first.out, first.do_not_call) == (2, 1, 0, 0)
    rows = _rows(out)
    assert [int(r["lead_id"]) for r in rows] == nurtured
    assert {r["stage"] for r in rows} == {"nurture"} and {r["do_not_call"] for r in rows} == {"no"}
    assert rows[0]["nurture_reason"] == before[nurtured[0]].stage_reason
    assert rows[0]["pains"] == "yes" and rows[0]["pains_note"] == "pains noted"
    assert rows[0]["routed_by"] == "ana" and rows[0]["call_notes"] == "connected call"
    due = before[nurtured[0]].next_due_at
    assert due is not None and rows[0]["recycle_on"] == f"{due:%Y-%m-%d}"
    # Nothing about the leads changed: same stage, same recycle date, same last change.
    for lead_id, was in before.items():
        now = _lead(desk, lead_id)
        assert (now.stage, now.next_due_at, now.updated_at, now.stage_reason) == (
            was.stage, was.next_due_at, was.updated_at, was.stage_reason,
        )  # fmt: skip
    assert _lead(desk, worked["qualified"]).stage == Stage.SALES.value
    with desk.db.reading() as session:
        batch = session.get(ExportBatch, 1)
        assert batch is not None and batch.destination == "nurture"
        sent = session.scalars(select(NurtureHandOff).order_by(col(NurtureHandOff.id))).all()
        decisions = {
            r.lead_id: r.id
            for r in session.scalars(select(RoutingDecision).order_by(col(RoutingDecision.id)))
        }
    assert [(s.lead_id, s.decision_id, s.stage) for s in sent] == [
        (i, decisions[i], "nurture") for i in nurtured
    ]
    with desk.db.reading() as session:
        # Stored as the ORM stores a moment: compared in SQL with do-not-call's added_at.
        same = col(NurtureHandOff.handed_off_at) == clock()
        assert session.scalar(select(func.count()).where(same)) == len(nurtured)
    assert _count(desk, HandOff) == 0

    # Since the last batch: nothing new, so nothing written.
    again = export_leads(desk, out=tmp_path / "none.csv", to="nurture", by=Actor("lee", "lead"))
    assert (again.exported, again.file) == (0, None) and not (tmp_path / "none.csv").exists()
    assert nurture_waiting(desk) == (0, 2)
    # The sales export is today's, untouched by the nurture batches.
    sales = export_leads(desk, out=tmp_path / "sales.csv", by=Actor("lee", "lead"))
    assert sales.exported == 1 and _rows(tmp_path / "sales.csv")[0]["lead_id"] == str(
        worked["qualified"]
    )

    # Both come back on their recycle date; one is nurtured again, the other kept working.
    clock.now += BACK
    back = [_call(desk, reps["ben"], clock, d) for d in ("not_interested", "no_answer")]
    assert sorted(back) == sorted(nurtured)
    later = export_leads(
        desk, out=tmp_path / "later.jsonl", fmt="jsonl", to="nurture", by=Actor("lee", "lead")
    )
    rows = [json.loads(line) for line in (tmp_path / "later.jsonl").read_text().splitlines()]
    assert later.exported == 1 and [r["lead_id"] for r in rows] == [back[0]]
    assert rows[0]["routed_by"] == "ben" and rows[0]["touches"] == 2
    assert (
        export_leads(
            desk, out=tmp_path / "none.csv", to="nurture", by=Actor("lee", "lead")
        ).exported
        == 0
    )


def test_include_out_adds_the_disqualified_marked_do_not_call(
    desk: Desk, worked: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "all.csv"
    result = export_leads(
        desk, out=out, to="nurture", profile="hubspot", include_out=True, by=Actor("lee", "lead")
    )
    assert (result.exported, result.out, result.do_not_call) == (4, 2, 1)
    rows = {int(r["qualdesk_lead_id"]): r for r in _rows(out)}
    assert set(rows) == {worked[k] for k in ("nurtured", "not_interested", "wrong", "dnc")}
    dnc, wrong = rows[worked["dnc"]], rows[worked["wrong"]]
    assert (dnc["hs_lead_status"], dnc["qualdesk_do_not_call"]) == ("UNQUALIFIED", "true")
    assert dnc["qualdesk_profile"].startswith("DO NOT CALL")
    assert (wrong["hs_lead_status"], wrong["qualdesk_do_not_call"]) == ("UNQUALIFIED", "false")
    assert rows[worked["nurtured"]]["hs_lead_status"] == "BAD_TIMING"
    assert result.as_json() == {
        "exported": 4, "batch_id": 1, "file": str(out), "destination": "nurture", "out": 2,
        "do_not_call": 1,
    }  # fmt: skip
    assert _lead(desk, worked["dnc"]).stage == Stage.DISQUALIFIED.value
    assert (
        export_leads(
            desk, out=tmp_path / "x.csv", to="nurture", include_out=True, by=Actor("lee", "lead")
        ).exported
        == 0
    )


def test_without_include_out_the_out_leads_wait_and_go_later(
    desk: Desk, worked: dict[str, int], tmp_path: Path
) -> None:
    export_leads(desk, out=tmp_path / "one.csv", to="nurture", by=Actor("lee", "lead"))
    later = export_leads(
        desk, out=tmp_path / "two.csv", to="nurture", include_out=True, by=Actor("lee", "lead")
    )
    assert later.exported == 2
    assert {int(r["lead_id"]) for r in _rows(tmp_path / "two.csv")} == {
        worked["wrong"],
        worked["dnc"],
    }


def test_a_nurtured_lead_put_on_do_not_call_goes_again_as_out(
    desk: Desk, worked: dict[str, int], clock: FrozenClock, tmp_path: Path
) -> None:
    export_leads(
        desk, out=tmp_path / "one.csv", to="nurture", include_out=True, by=Actor("lee", "lead")
    )
    clock.now += timedelta(hours=1)
    lead = _lead(desk, worked["nurtured"])
    add_number(desk, lead.phone_e164, region=None, by="lee", reason="asked by email")
    # Every lead of the number goes (the fixture's New Yorkers share one): those stopped by
    # it, and the one already out for a wrong number, now marked do-not-call.
    result = export_leads(
        desk, out=tmp_path / "two.csv", to="nurture", include_out=True, by=Actor("lee", "lead")
    )
    rows = {int(r["lead_id"]): r for r in _rows(tmp_path / "two.csv")}
    assert set(rows) == {worked[k] for k in ("nurtured", "not_interested", "qualified", "wrong")}
    assert result.do_not_call == result.exported == 4
    assert rows[worked["wrong"]]["nurture_reason"].endswith("wrong number")
    assert (
        export_leads(
            desk, out=tmp_path / "x.csv", to="nurture", include_out=True, by=Actor("lee", "lead")
        ).exported
        == 0
    )
    row = rows[worked["nurtured"]]
    assert (row["stage"], row["do_not_call"], row["routed_by"]) == ("disqualified", "yes", "lee")
    assert row["nurture_reason"] == "number is on the do-not-call list"


def test_a_rejection_ruled_valid_goes_to_nurture_and_back_to_marketing(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock, tmp_path: Path
) -> None:
    lee = add_rep(desk, "lee", "Lee Morgan", "lead", "America/New_York")
    make_leads("ny:a")
    lead_id = _call(desk, reps["ana"], clock, "connected", ticks=QUALIFYING)
    export_leads(desk, out=tmp_path / "sales.csv", by=Actor("lee", "lead"))
    verdicts = tmp_path / "verdicts.csv"
    verdicts.write_text(f"Lead ID,Status,Reason\n{lead_id},rejected,no budget\n", encoding="utf-8")
    read_feedback(desk, verdicts, by=Actor("lee", "lead"))
    rejection = review.to_review(desk)[0]
    clock.now += timedelta(hours=1)
    review.rule(desk, rejection.verdict_id, lee, valid=True, note="no budget indeed")
    result = export_leads(desk, out=tmp_path / "nurture.csv", to="nurture", by=Actor("lee", "lead"))
    row = _rows(tmp_path / "nurture.csv")[0]
    assert result.exported == 1 and int(row["lead_id"]) == lead_id
    assert row["routed_by"] == "lee" and row["routed_at"] == f"{clock():%Y-%m-%dT%H:%M:%SZ}"
    assert row["qualified_by"] == "ana" and row["nurture_reason"].startswith("sales rejected it")
    assert (
        export_leads(
            desk, out=tmp_path / "again.csv", to="nurture", by=Actor("lee", "lead")
        ).exported
        == 0
    )


@pytest.mark.parametrize("profile", ["plain", "salesforce", "hubspot"])
def test_a_nurture_batch_is_written_again_byte_for_byte(
    desk: Desk, worked: dict[str, int], tmp_path: Path, profile: str
) -> None:
    first = export_leads(
        desk,
        out=tmp_path / "first.csv",
        to="nurture",
        profile=profile,
        include_out=True,
        by=Actor("lee", "lead"),
    )
    assert first.batch_id is not None
    again = export_again(desk, first.batch_id, out=tmp_path, by=Actor("lee", "lead"))
    assert again.file == tmp_path / f"qualdesk-nurture-batch-{first.batch_id}.csv"
    assert again.file.read_bytes() == (tmp_path / "first.csv").read_bytes()
    assert (again.exported, again.destination, again.again) == (4, "nurture", True)


def test_include_out_is_for_nurture_only(
    desk: Desk, worked: dict[str, int], tmp_path: Path
) -> None:
    with pytest.raises(QualdeskError, match="--include-out goes with --to nurture"):
        export_leads(desk, out=tmp_path / "x.csv", include_out=True, by=Actor("lee", "lead"))
    with pytest.raises(QualdeskError, match="--to 'marketing'"):
        export_leads(desk, out=tmp_path / "x.csv", to="marketing", by=Actor("lee", "lead"))
    assert not (tmp_path / "x.csv").exists() and _count(desk, ExportBatch) == 0


# The guarantees, on both destinations.
TO = pytest.mark.parametrize("to", ["sales", "nurture"])


def _nothing_recorded(desk: Desk, tmp_path: Path) -> None:
    assert _count(desk, ExportBatch) == _count(desk, HandOff) == _count(desk, NurtureHandOff) == 0
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]


@TO
def test_leads_changed_while_exporting_record_nothing(
    desk: Desk, worked: dict[str, int], tmp_path: Path, to: str
) -> None:
    target = tmp_path / "out.csv"
    lead_id = worked["qualified" if to == "sales" else "nurtured"]
    before = _lead(desk, lead_id).stage

    def meanwhile(done: int, total: int) -> None:
        # While the file is written, a team lead puts the lead's number on do-not-call.
        add_number(desk, _lead(desk, lead_id).phone_e164, region=None, by="lee")

    with pytest.raises(QualdeskError, match="changed on the desk while exporting") as caught:
        export_leads(desk, out=target, to=to, progress=meanwhile, by=Actor("lee", "lead"))
    assert "\n" not in str(caught.value)
    assert not target.exists()
    _nothing_recorded(desk, tmp_path)
    assert before != _lead(desk, lead_id).stage == Stage.DISQUALIFIED.value


@TO
def test_a_file_that_appears_while_exporting_is_kept_and_nothing_recorded(
    desk: Desk, worked: dict[str, int], tmp_path: Path, to: str
) -> None:
    target = tmp_path / "out.csv"

    def meanwhile(done: int, total: int) -> None:
        target.write_text("someone else's file", encoding="utf-8")

    with pytest.raises(QualdeskError, match="a file appeared there while exporting"):
        export_leads(desk, out=target, to=to, progress=meanwhile, by=Actor("lee", "lead"))
    assert target.read_text(encoding="utf-8") == "someone else's file"
    _nothing_recorded(desk, tmp_path)


@TO
def test_a_failed_commit_removes_the_file_and_records_nothing(
    desk: Desk, worked: dict[str, int], tmp_path: Path, to: str
) -> None:
    target = tmp_path / "out.csv"

    def fail(connection: Any) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    event.listen(desk.db.engine, "commit", fail)
    try:
        with pytest.raises(Exception, match="disk I/O error"):
            export_leads(desk, out=target, to=to, by=Actor("lee", "lead"))
    finally:
        event.remove(desk.db.engine, "commit", fail)
    assert not target.exists()
    _nothing_recorded(desk, tmp_path)
    waiting = export_leads(
        desk, out=target, to=to, by=Actor("lee", "lead")
    )  # and it all goes on the next try
    assert waiting.exported == (1 if to == "sales" else 2) and target.exists()


@TO
def test_an_existing_file_is_never_overwritten(
    desk: Desk, worked: dict[str, int], tmp_path: Path, to: str
) -> None:
    taken = tmp_path / "taken.csv"
    taken.write_text("marketing's own file", encoding="utf-8")
    with pytest.raises(QualdeskError, match="already there"):
        export_leads(desk, out=taken, to=to, by=Actor("lee", "lead"))
    assert taken.read_text(encoding="utf-8") == "marketing's own file"
    _nothing_recorded(desk, tmp_path)
    folder = export_leads(desk, out=tmp_path, to=to, by=Actor("lee", "lead"))
    assert folder.file is not None and folder.file.parent == tmp_path
    kind = "nurture" if to == "nurture" else "handoff"
    assert folder.file.name.startswith(f"qualdesk-{kind}-20261123-")


@TO
def test_progress_counts_every_lead(
    desk: Desk, worked: dict[str, int], tmp_path: Path, to: str
) -> None:
    seen: list[tuple[int, int]] = []
    result = export_leads(
        desk,
        out=tmp_path / "out.csv",
        to=to,
        progress=lambda *p: seen.append(p),
        by=Actor("lee", "lead"),
    )
    assert seen and seen[-1] == (result.exported, result.exported)


def test_undoing_an_import_keeps_a_lead_handed_back_to_marketing(
    desk: Desk, tmp_path: Path
) -> None:
    """A lead out at import (its number on do-not-call) went back to marketing: it stays."""
    from qualdesk.services.intake.batches import undo_batch
    from qualdesk.services.intake.importer import ImportOptions, import_file

    add_number(desk, "+1 212 555 0199", region="US", by="lee")
    path = tmp_path / "two.csv"
    path.write_text(
        "Name,Phone\nDee Ncee,+1 212 555 0199\nEve Open,+1 212 555 0198\n", encoding="utf-8"
    )
    batch = import_file(desk, path, ImportOptions(imported_by="ops")).batch_id
    assert batch is not None
    assert export_leads(
        desk, out=tmp_path / "back.csv", to="nurture", include_out=True, by=Actor("lee", "lead")
    ).exported
    undone = undo_batch(desk, batch, by=Actor("lee", "lead"))
    assert (undone.removed, undone.kept) == (1, 1)


def test_sales_lead_report_listing_a_lead_handed_back_to_marketing_skips_it(
    desk: Desk, tmp_path: Path
) -> None:
    """The Salesforce hand-back says Closed - Not Converted: sales' next report lists it too."""
    from qualdesk.services.handoff.feedback import read_feedback
    from qualdesk.services.intake.importer import ImportOptions, import_file

    path = tmp_path / "one.csv"
    path.write_text("Name,Phone\nNia Later,+1 212 555 0198\n", encoding="utf-8")
    import_file(desk, path, ImportOptions(imported_by="ops"))
    add_number(desk, "+1 212 555 0198", region="US", by="lee")  # out, on do-not-call
    back = export_leads(
        desk,
        out=tmp_path / "back.csv",
        profile="salesforce",
        to="nurture",
        include_out=True,
        by=Actor("lee", "lead"),
    )
    assert back.exported == 1
    with (tmp_path / "back.csv").open(encoding="utf-8", newline="") as stream:
        (row,) = csv.DictReader(stream)
    report = tmp_path / "sf-leads.csv"
    report.write_text(
        f"Qualdesk Lead ID,Lead Status\n{row['Qualdesk Lead ID']},{row['Lead Status']}\n",
        encoding="utf-8",
    )
    read = read_feedback(desk, report, zone_name="UTC", by=Actor("lee", "lead"))
    assert (read.handed_back, read.refused, read.rejected) == (1, 0, 0)
