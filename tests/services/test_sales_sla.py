"""Sales' side of the agreement: leads waiting for a verdict, their age, the overdue list."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

import pytest

from qualdesk.core.errors import QualdeskError
from qualdesk.core.periods import named_period
from qualdesk.db.models import Rep
from qualdesk.services.access import Actor
from qualdesk.services.desk import Desk
from qualdesk.services.figures.team import team_figures
from qualdesk.services.handoff.awaiting import OVERDUE_COLUMNS, export_overdue
from qualdesk.services.handoff.export import export_leads
from qualdesk.services.handoff.feedback import read_feedback
from tests.conftest import FrozenClock
from tests.services.conftest import Make
from tests.services.test_handoff import _work

ZONE = "America/New_York"


def _sla(desk: Desk, clock: FrozenClock) -> dict:  # type: ignore[type-arg]
    figures = team_figures(desk, named_period("today", clock(), ZONE), ZONE).as_json()
    return figures["desk"]["sales_sla"]  # type: ignore[no-any-return]


@pytest.fixture
def handed_off(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock, tmp_path: Path
) -> list[int]:
    """Three leads qualified by ana and handed off on Monday 2026-11-23; one more on Wednesday."""
    make_leads("ny:a", "ny:b", "ny:c", "ny:d")
    first = [_work(desk, reps["ana"], clock, qualify=True) for _ in range(3)]
    assert export_leads(desk, out=tmp_path / "monday.csv", by=Actor("lee", "lead")).exported == 3
    clock.now += timedelta(days=2)
    later = _work(desk, reps["ana"], clock, qualify=True)
    assert export_leads(desk, out=tmp_path / "wednesday.csv", by=Actor("lee", "lead")).exported == 1
    return [*first, later]


def test_waiting_leads_age_in_working_days_and_fall_overdue(
    desk: Desk, handed_off: list[int], clock: FrozenClock
) -> None:
    sla = _sla(desk, clock)  # Wednesday: the Monday batch is 2 working days old
    assert (sla["verdict_days"], sla["working_days"]) == (5, "mon-fri")
    assert (sla["waiting"], sla["overdue"]) == (4, 0)
    assert sla["by_age"] == {"0-1": 1, "2-3": 3, "4-5": 0, "overdue": 0}
    clock.now += timedelta(days=5)  # Monday after: 5 working days, the last day
    assert _sla(desk, clock)["overdue"] == 0
    clock.now += timedelta(days=1)  # Tuesday: the Monday batch is past its days
    sla = _sla(desk, clock)
    assert (sla["waiting"], sla["overdue"]) == (4, 3)
    assert sla["by_age"] == {"0-1": 0, "2-3": 0, "4-5": 1, "overdue": 3}
    batches = {g["name"]: (g["waiting"], g["overdue"], g["oldest_working_days"])
               for g in sla["by_batch"]}  # fmt: skip
    assert batches == {
        "export batch 1 (2026-11-23)": (3, 3, 6),
        "export batch 2 (2026-11-25)": (1, 0, 4),
    }
    assert [(g["name"], g["waiting"], g["overdue"]) for g in sla["by_campaign"]] == [
        ("(none)", 4, 3)
    ]


def test_a_verdict_ends_the_wait(
    desk: Desk, handed_off: list[int], clock: FrozenClock, tmp_path: Path
) -> None:
    clock.now += timedelta(days=6)
    verdicts = tmp_path / "verdicts.csv"
    verdicts.write_text(
        f"Lead ID,Status\n{handed_off[0]},accepted\n",
        encoding="utf-8",
    )
    read_feedback(desk, verdicts, by=Actor("lee", "lead"), zone_name=ZONE)
    sla = _sla(desk, clock)
    assert (sla["waiting"], sla["overdue"]) == (3, 2)


def test_the_overdue_list_is_a_file_sales_can_act_on(
    desk: Desk, handed_off: list[int], clock: FrozenClock, tmp_path: Path
) -> None:
    assert (
        export_overdue(desk, ZONE, out=tmp_path / "none.csv", by=Actor("lee", "lead")).file is None
    )
    assert not (tmp_path / "none.csv").exists()
    clock.now += timedelta(days=6)
    listed = export_overdue(desk, ZONE, out=tmp_path / "overdue.csv", by=Actor("lee", "lead"))
    assert listed.file == tmp_path / "overdue.csv"
    with listed.file.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    assert tuple(rows[0]) == OVERDUE_COLUMNS
    assert [int(r[0]) for r in rows[1:]] == sorted(handed_off[:3])
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Batch"] == "1" and first["Verdict Due"] == "2026-11-30"
    assert first["Working Days Waiting"] == "6" and first["Qualified By"] == "ana"
    assert first["Name"] == "New Yorker b" and first["Phone"] == "+12125550100"
    data = listed.as_json()
    assert data["overdue"] == 3 and data["leads"][0]["lead_id"] == min(handed_off[:3])
    json.dumps(data)
    with pytest.raises(QualdeskError, match="already there"):
        export_overdue(desk, ZONE, out=tmp_path / "overdue.csv", by=Actor("lee", "lead"))
    jsonl = export_overdue(
        desk, ZONE, out=tmp_path / "overdue.jsonl", fmt="jsonl", by=Actor("lee", "lead")
    )
    assert jsonl.file is not None
    lines = jsonl.file.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["Qualdesk Lead ID"] for line in lines] == sorted(handed_off[:3])
