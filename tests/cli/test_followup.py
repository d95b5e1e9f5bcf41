"""`qualdesk stats` on the desk's side of the agreement: speed to lead's terms and follow-up."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import col, select

from qualdesk.db.models import Lead
from qualdesk.services.desk import open_desk
from tests.cli.conftest import Run


def test_stats_name_speed_to_leads_terms_and_count_follow_up(run: Run, tmp_path: Path) -> None:
    run("reps", "add", "lee", "--name", "Lee", "--role", "lead", "--tz", "America/New_York")
    leads = tmp_path / "leads.csv"
    leads.write_text("Name,Phone\nAda Lovelace,+1 212 555 0100\nGrace Hopper,+1 305 555 0123\n")
    assert run("import", str(leads)).code == 0
    data = json.loads(run("stats", "--json").out)
    sla = data["desk"]["sla"]
    assert sla["counted_in"] == "calling hours" and sla["channels"] == ["phone"]
    assert sla["new_leads"] == 2 and {"touched_late", "untouched_overdue", "breaches"} <= set(sla)
    counts = ("on_target", "under_target", "behind", "closed_under_target")
    assert [data["desk"]["follow_up"][k] for k in counts] == [0, 2, 0, 0]
    assert [data["reps"][0]["follow_up"][k] for k in counts] == [0, 0, 0, 0]
    human = run("stats")
    assert human.code == 0
    assert "Speed to lead (4 h of calling hours to a first touch by phone)" in human.out
    assert "Follow-up: 0 of 2 new leads on target, 2 under target" in human.out
    assert "closed under" in human.out.splitlines()[1]


def test_import_reads_creation_dates_in_the_zone_given(
    run: Run, tmp_path: Path, db_location: str | Path
) -> None:
    leads = tmp_path / "dated.csv"
    leads.write_text(
        "Name,Phone,CreatedDate\n"
        "Ada Lovelace,+44 20 7946 0958,2025-07-01 09:00\n"
        "Grace Hopper,+1 212 555 0100,when?\n"
    )
    done = run("import", str(leads), "--zone", "Europe/London", "--json")
    assert done.code == 0, done.err
    data = json.loads(done.out)
    assert (data["imported"], data["dates_unread"]) == (2, 1)
    desk = open_desk(db_location)
    try:
        with desk.db.reading() as session:
            ada, grace = session.scalars(select(Lead).order_by(col(Lead.id))).all()
    finally:
        desk.close()
    # 09:00 in London's summer time is 08:00 UTC.
    assert ada.name == "Ada Lovelace" and ada.arrived_at == datetime(2025, 7, 1, 8, tzinfo=UTC)
    assert grace.arrived_at is None and grace.extra == {"CreatedDate": "when?"}
    said = run("import", str(leads), "--force", "--dry-run")
    assert "note: 1 creation date in 'CreatedDate' could not be read" in said.err
    assert run("import", "--undo", "1", "--zone", "UTC").code == 2
