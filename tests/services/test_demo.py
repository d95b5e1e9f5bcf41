"""The demo desk: history made through the desk's own services, as reps would have made it."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from qualdesk.core.hours import callable_at
from qualdesk.db.models import Lead, Touch
from qualdesk.services.demo import build_demo
from qualdesk.services.desk import open_desk
from tests.conftest import FrozenClock


def test_demo_calls_were_made_within_each_leads_calling_hours(tmp_path: Path) -> None:
    clock = FrozenClock()
    report = build_demo(str(tmp_path / "demo.db"), clock=clock)
    assert report.leads > 200 and report.touches > 50
    desk = open_desk(tmp_path / "demo.db", clock=clock)
    try:
        hours = desk.rules().rules.calling_hours
        with desk.db.reading() as session:
            calls = session.execute(
                select(Touch.started_at, Lead.time_zones, Lead.jurisdiction)
                .join(Lead, col(Lead.id) == Touch.lead_id)
                .where(col(Touch.channel) == "phone")
            ).all()
    finally:
        desk.close()
    assert len(calls) > 50
    outside = [
        (started, zones)
        for started, zones, place in calls
        if callable_at(hours, zones.split(), place, started) is False
    ]
    assert outside == []
