"""The demo desk: history made through the desk's own services, as reps would have made it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from qualdesk.core.hours import callable_at, zone
from qualdesk.core.periods import named_period
from qualdesk.db.models import ChecklistAnswer, ImportBatch, Lead, Rep, RulesVersion, Touch
from qualdesk.services.demo import (
    ARRIVALS,
    ATTEMPT_NOTES,
    CHECKLIST_TALK,
    CLOSINGS,
    REP_PLACES,
    SHIFT,
    build_demo,
)
from qualdesk.services.desk import Desk, open_desk
from qualdesk.services.team import team_figures
from tests.conftest import NOW, FrozenClock

SAID = {key: {note for note, _ in pairs} for key, pairs in CHECKLIST_TALK.items()}
EVERY_SAID = set().union(*SAID.values())
EVERY_CLOSING = {*CLOSINGS[True], *CLOSINGS[False]}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """One demo, built at the frozen NOW, opened read-only by the tests of this module."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(str(path), clock=FrozenClock())
    desk = open_desk(path, clock=FrozenClock())
    yield desk
    desk.close()


def _touches(desk: Desk) -> list[Touch]:
    with desk.db.reading() as session:
        return list(session.scalars(select(Touch).order_by(col(Touch.id))))


def _leads(desk: Desk) -> list[Lead]:
    with desk.db.reading() as session:
        return list(session.scalars(select(Lead).order_by(col(Lead.id))))


def test_demo_calls_were_made_within_each_leads_calling_hours(demo: Desk) -> None:
    hours = demo.rules().rules.calling_hours
    with demo.db.reading() as session:
        calls = session.execute(
            select(Touch.started_at, Lead.time_zones, Lead.jurisdiction)
            .join(Lead, col(Lead.id) == Touch.lead_id)
            .where(col(Touch.channel) == "phone")
        ).all()
    assert len(calls) > 50
    outside = [
        (started, zones)
        for started, zones, place in calls
        if callable_at(hours, zones.split(), place, started) is False
    ]
    assert outside == []


def test_reps_called_in_their_shifts_on_their_working_days(demo: Desk) -> None:
    hours = demo.rules().rules.calling_hours
    with demo.db.reading() as session:
        calls = session.execute(
            select(Touch.started_at, Rep.handle, Rep.time_zone)
            .join(Rep, col(Rep.id) == Touch.rep_id)
            .where(col(Touch.channel) == "phone")
        ).all()
    assert {handle for _, handle, _ in calls} == set(REP_PLACES)
    for started, handle, zone_name in calls:
        local = started.astimezone(zone(zone_name))
        noon = datetime.combine(local.date(), time(12), tzinfo=zone(zone_name))
        assert local.weekday() < 5 and SHIFT[0] <= local.time() < SHIFT[1], (handle, local)
        assert callable_at(hours, [zone_name], REP_PLACES[handle], noon) is not False


def test_every_touch_comes_after_its_lead_arrived_and_before_now(demo: Desk) -> None:
    created = {lead.id: lead.created_at for lead in _leads(demo)}
    touches = _touches(demo)
    assert len(touches) > 300
    early = [t.id for t in touches if t.started_at < created[t.lead_id]]
    future = [t.id for t in touches if t.ended_at is not None and t.ended_at > NOW]
    assert early == [] and future == []
    assert all(t.ended_at is not None and t.started_at <= t.ended_at for t in touches)


def test_first_touch_of_every_lead_is_its_earliest_touch(demo: Desk) -> None:
    earliest: dict[int, datetime] = {}
    for touch in _touches(demo):
        assert touch.ended_at is not None
        if touch.lead_id not in earliest or touch.ended_at < earliest[touch.lead_id]:
            earliest[touch.lead_id] = touch.ended_at
    leads = _leads(demo)
    # The desk stamps the first touch when it is saved: a call when it ends.
    assert {lead.id: lead.first_touch_at for lead in leads if lead.first_touch_at} == earliest
    assert any(lead.first_touch_at is None for lead in leads)


def test_leads_arrived_in_batches_over_three_weeks_and_today(demo: Desk) -> None:
    with demo.db.reading() as session:
        batches = list(session.scalars(select(ImportBatch).order_by(col(ImportBatch.id))))
        opened = session.scalar(select(func.min(RulesVersion.loaded_at)))
        joined = session.scalar(select(func.max(Rep.created_at)))
    leads = _leads(demo)
    assert len(batches) == len(ARRIVALS) and sum(b.imported for b in batches) == len(leads)
    finished = [b.finished_at for b in batches]
    assert finished == sorted(finished) and finished[-1] <= NOW
    when = {b.id: b.finished_at for b in batches}
    assert all(lead.created_at == when[lead.batch_id] for lead in leads)
    assert opened is not None and joined is not None and joined < min(finished)
    created = [lead.created_at for lead in leads]
    assert max(created) - min(created) >= timedelta(days=14)
    today = [lead for lead in leads if lead.created_at.date() == NOW.date()]
    assert 10 <= len(today) < len(leads) // 4
    assert any(lead.first_touch_at is None for lead in today)
    assert any(lead.first_touch_at is not None for lead in today)


def test_most_leads_were_first_touched_within_the_speed_to_lead_hours(demo: Desk) -> None:
    sla = demo.rules().rules.speed_to_lead
    waits = [lead.first_touch_at - lead.created_at for lead in _leads(demo) if lead.first_touch_at]
    late = [wait for wait in waits if wait > sla]
    assert len(waits) > 200
    assert 0 < len(late) < len(waits) * 0.3


def test_a_conversations_notes_mention_only_criteria_established_on_it(demo: Desk) -> None:
    with demo.db.reading() as session:
        answers = list(session.scalars(select(ChecklistAnswer)))
    by_lead: dict[int, list[ChecklistAnswer]] = defaultdict(list)
    for answer in answers:
        by_lead[answer.lead_id].append(answer)
    connected = [t for t in _touches(demo) if t.disposition == "connected"]
    assert len(connected) > 30
    mentioned = 0
    for touch in connected:
        assert touch.ended_at is not None
        ended = touch.ended_at
        on_call = {
            a.criterion
            for a in by_lead[touch.lead_id]
            if a.established and touch.started_at <= a.answered_at <= ended
        }
        assert on_call, touch.notes
        allowed = set().union(*(SAID[key] for key in on_call)) | EVERY_CLOSING
        parts = touch.notes.split(". ")
        assert set(parts) <= allowed, (touch.notes, on_call)
        assert parts[-1] in EVERY_CLOSING
        mentioned += len(parts) > 1
        for key in SAID.keys() - on_call:
            assert not any(note in touch.notes for note in SAID[key]), (touch.notes, key)
    assert mentioned > len(connected) // 2


def test_criterion_answers_are_short_and_filled_in(demo: Desk) -> None:
    with demo.db.reading() as session:
        answers = list(session.scalars(select(ChecklistAnswer)))
    assert answers and all(a.established and 0 < len(a.note) <= 60 for a in answers)
    verticals = {a.note for a in answers if a.criterion == "vertical"}
    assert any(", NAICS " in note or ", SIC " in note for note in verticals)
    assert all(" staff, " in a.note for a in answers if a.criterion == "firmographics")


def test_attempts_that_reached_no_one_never_claim_a_conversation(demo: Desk) -> None:
    touches = [t for t in _touches(demo) if t.channel == "phone"]
    for touch in touches:
        if touch.disposition in ATTEMPT_NOTES:
            assert touch.notes in ATTEMPT_NOTES[touch.disposition], touch.notes
        if touch.disposition in ("no_answer", "busy", "voicemail", "gatekeeper"):
            assert not any(n in touch.notes for n in EVERY_SAID | EVERY_CLOSING), touch.notes
    seen = {t.disposition for t in touches}
    assert {"no_answer", "busy", "voicemail", "gatekeeper", "connected", "callback"} <= seen
    callbacks = [t.notes for t in touches if t.disposition == "callback"]
    assert all("asked for a call back" in notes for notes in callbacks)


def test_the_desk_figures_read_as_a_working_desk(demo: Desk) -> None:
    zone_name = "America/New_York"
    figures = team_figures(demo, named_period("all", NOW, zone_name), zone_name)
    desk = figures.desk
    assert desk.new_leads > 200
    assert desk.qualified > 10
    assert sum(r.nurtured for r in figures.reps) > 10
    assert desk.conversion is not None and 0 < desk.conversion < 0.5
    assert 0 < desk.sla_breaches < desk.new_leads // 3
    assert desk.due_now > 0 and desk.waiting_for_export == desk.qualified
    workers = [r for r in figures.reps if r.rep != "lee"]
    assert all(r.calls > 100 and 0 < (r.connect_rate or 0) < 0.5 for r in workers)
    today = team_figures(demo, named_period("today", NOW, zone_name), zone_name)
    assert today.desk.new_leads > 0 and sum(r.touches for r in today.reps) > 0


def _snapshot(desk: Desk) -> tuple[object, ...]:
    """Counts and rows enough to tell two demos apart."""
    touches = [
        (t.lead_id, t.rep_id, t.channel, t.disposition, t.notes, t.started_at, t.ended_at)
        for t in _touches(desk)
    ]
    leads = [
        (lead.stage, lead.created_at, lead.first_touch_at, lead.score) for lead in _leads(desk)
    ]
    with desk.db.reading() as session:
        answers = session.execute(
            select(
                ChecklistAnswer.lead_id, ChecklistAnswer.criterion, ChecklistAnswer.note
            ).order_by(col(ChecklistAnswer.id))
        ).all()
    return len(touches), len(leads), len(answers), touches, leads, answers


def test_the_same_seed_and_clock_give_the_same_desk_and_a_rebuild_replaces_it(
    demo: Desk, tmp_path: Path
) -> None:
    path = tmp_path / "demo.db"
    folder = tmp_path / "demo-leads"
    for build in ("first", "again"):
        report = build_demo(str(path), clock=FrozenClock())
        desk = open_desk(path, clock=FrozenClock())
        try:
            assert _snapshot(desk) == _snapshot(demo), build
            assert report.touches == len(_touches(desk))
        finally:
            desk.close()
        if build == "first":
            files = sorted(p.name for p in folder.iterdir())
            assert f"{ARRIVALS[0][0]}.csv" in files
            (folder / "mine.txt").write_text("kept")
    # The rebuild replaced the demo's own files and left the folder's other files alone.
    assert sorted(p.name for p in folder.iterdir()) == sorted([*files, "mine.txt"])
