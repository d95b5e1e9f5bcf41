"""The demo desk: history made through the desk's own services, as reps would have made it."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, func, select

from qualdesk.core.errors import QualdeskError
from qualdesk.core.hours import callable_at, zone
from qualdesk.core.periods import named_period
from qualdesk.core.stages import Stage
from qualdesk.db.models import (
    ChecklistAnswer,
    DeskSetting,
    ExportBatch,
    FeedbackBatch,
    HandOff,
    ImportBatch,
    Lead,
    NurtureHandOff,
    Rep,
    Review,
    RulesVersion,
    SalesVerdict,
    Touch,
)
from qualdesk.services.demo import (
    ARRIVALS,
    ATTEMPT_NOTES,
    CHECKLIST_TALK,
    CLOSINGS,
    DEMO_KEY,
    OPPORTUNITY_COLUMNS,
    REP_PLACES,
    SALES_REASONS,
    SHIFT,
    TEAM_LEAD,
    VERDICT_COLUMNS,
    build_demo,
)
from qualdesk.services.demo.files import remember_sales_file
from qualdesk.services.desk import Desk, create_desk, open_desk
from qualdesk.services.figures.team import team_figures
from qualdesk.services.handoff.review import to_review
from qualdesk.services.reps import add_rep
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
    assert desk.due_now > 0 and desk.waiting_for_export < desk.qualified
    workers = [r for r in figures.reps if r.rep != "lee"]
    assert all(r.calls > 100 and 0 < (r.connect_rate or 0) < 0.5 for r in workers)
    today = team_figures(demo, named_period("today", NOW, zone_name), zone_name)
    assert today.desk.new_leads > 0 and sum(r.touches for r in today.reps) > 0


def _sales_folder(desk: Desk) -> Path:
    path: Path | None = desk.db.path
    assert path is not None
    return path.with_name(f"{path.stem}-sales")


def test_hand_offs_carry_only_leads_qualified_before_them(demo: Desk) -> None:
    with demo.db.reading() as session:
        batches = list(
            session.scalars(
                select(ExportBatch)
                .where(ExportBatch.destination == "sales")
                .order_by(col(ExportBatch.id))
            )
        )
        handed = session.execute(
            select(HandOff.batch_id, HandOff.handed_off_at, Lead.id, Lead.qualified_at)
            .join(Lead, col(Lead.id) == HandOff.lead_id)
            .order_by(col(HandOff.id))
        ).all()
    assert len(batches) >= 4 and len(handed) > 20
    made = [b.created_at for b in batches]
    assert made == sorted(made) and made[-1] <= NOW
    # Twice a week, by the team lead, each into its own file beside the database.
    assert len({at.date() for at in made}) == len(made)
    assert all(later - earlier >= timedelta(days=2) for earlier, later in pairwise(made))
    assert {b.created_by for b in batches} == {TEAM_LEAD}
    when = {b.id: b.created_at for b in batches}
    for batch_id, handed_off_at, lead_id, qualified_at in handed:
        assert handed_off_at == when[batch_id]
        assert qualified_at is not None and qualified_at <= handed_off_at, lead_id
    folder = _sales_folder(demo)
    for batch in batches:
        file = Path(batch.file_path)
        assert file.parent == folder and file.is_file()
        with file.open(encoding="utf-8-sig") as handle:
            ids = [int(row["Qualdesk Lead ID"]) for row in csv.DictReader(handle)]
        assert sorted(ids) == sorted(lead for b, _, lead, _ in handed if b == batch.id)
    # The desk stops calling a lead once it has gone to sales.
    first: dict[int, datetime] = {}
    for _, handed_off_at, lead_id, _ in handed:
        first.setdefault(lead_id, handed_off_at)
    assert not [
        t.id for t in _touches(demo) if t.lead_id in first and t.started_at > first[t.lead_id]
    ]


def test_sales_verdicts_come_after_their_hand_off_with_reasons_for_rejections(
    demo: Desk,
) -> None:
    with demo.db.reading() as session:
        files = list(session.scalars(select(FeedbackBatch).order_by(col(FeedbackBatch.id))))
        verdicts = session.execute(
            select(SalesVerdict, HandOff.handed_off_at, FeedbackBatch.received_at)
            .join(HandOff, col(HandOff.id) == SalesVerdict.handoff_id)
            .join(FeedbackBatch, col(FeedbackBatch.id) == SalesVerdict.feedback_batch_id)
            .order_by(col(SalesVerdict.id))
        ).all()
        undecided = session.scalar(
            select(func.count()).select_from(Lead).where(col(Lead.stage) == Stage.HANDED_OFF.value)
        )
    assert len(files) >= 3 and {f.received_by for f in files} == {TEAM_LEAD}
    assert all(f.refused == 0 and f.rejects_file is None for f in files)
    # Sales' Lead reports and Opportunity reports, as Salesforce exports them.
    headers = {
        "sales-verdicts": ",".join(VERDICT_COLUMNS),
        "sales-opportunities": ",".join(OPPORTUNITY_COLUMNS),
    }
    for file in files:
        path = Path(file.file_path)
        assert path.parent == _sales_folder(demo)
        kind = path.name.rsplit("-", 2)[0]
        assert path.read_text(encoding="utf-8").splitlines()[0] == headers[kind]
    assert {Path(f.file_path).name.rsplit("-", 2)[0] for f in files} == set(headers)
    assert sum(f.pending for f in files) > 0 and sum(f.outcomes for f in files) > 5
    for verdict, handed_off_at, received_at in verdicts:
        assert handed_off_at < verdict.decided_at <= received_at == verdict.received_at <= NOW
        if verdict.verdict == "rejected":
            assert verdict.reason in SALES_REASONS
        else:
            assert verdict.verdict == "accepted" and verdict.reason == ""
    kinds = [verdict.verdict for verdict, _, _ in verdicts]
    assert kinds.count("accepted") > 2 * kinds.count("rejected") > 0
    assert undecided is not None and 0 < undecided < len(kinds) // 3


def test_rulings_come_after_their_verdicts_and_are_the_team_leads(demo: Desk) -> None:
    with demo.db.reading() as session:
        rulings = session.execute(
            select(Review, Rep.handle, SalesVerdict.received_at, SalesVerdict.reason)
            .join(Rep, col(Rep.id) == Review.reviewer_id)
            .join(SalesVerdict, col(SalesVerdict.id) == Review.verdict_id)
            .order_by(col(Review.id))
        ).all()
        handed = session.execute(select(HandOff.lead_id, HandOff.handed_off_at)).all()
    stages = {lead.id: lead.stage for lead in _leads(demo)}
    assert len(rulings) == 2
    for review, handle, received_at, reason in rulings:
        stage = stages[review.lead_id]
        assert handle == TEAM_LEAD and received_at < review.decided_at <= NOW
        assert reason in SALES_REASONS
        if review.valid:
            assert review.note.startswith("Valid: ") and stage == Stage.NURTURE.value
        else:
            # Back to sales, and handed to them again in a later export.
            assert review.note.startswith("Invalid: ")
            again = [at for lead, at in handed if lead == review.lead_id and at > review.decided_at]
            assert again or stage == Stage.SALES.value
    assert {review.valid for review, *_ in rulings} == {True, False}
    # Later rejections wait for review.
    waiting = to_review(demo)
    assert waiting and all(r.ruling is None for r in waiting)


def test_the_team_figures_show_the_loop_with_sales(demo: Desk) -> None:
    zone_name = "America/New_York"
    desk = team_figures(demo, named_period("all", NOW, zone_name), zone_name).desk
    assert desk.handed_off > 20 and desk.accepted > 0 and desk.rejected > 0
    assert desk.awaiting_verdict > 0
    assert desk.acceptance_rate is not None and 0 < desk.acceptance_rate < 1
    assert desk.to_review > 0 and desk.reviewed > 0
    with demo.db.reading() as session:
        back = session.scalar(
            select(func.count())
            .select_from(Review)
            .join(Lead, col(Lead.id) == Review.lead_id)
            .where(col(Review.valid).is_(False), col(Lead.stage) == Stage.SALES.value)
        )
    # Every qualified lead went to sales, or waits for the next export.
    assert desk.waiting_for_export == desk.qualified - desk.handed_off + (back or 0)


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
        sales = (
            session.execute(
                select(ExportBatch.created_at, ExportBatch.lead_count, ExportBatch.sha256)
            ).all(),
            session.execute(select(HandOff.batch_id, HandOff.lead_id, HandOff.handed_off_at)).all(),
            session.execute(select(FeedbackBatch.file_name, FeedbackBatch.sha256)).all(),
            session.execute(
                select(
                    SalesVerdict.lead_id,
                    SalesVerdict.verdict,
                    SalesVerdict.reason,
                    SalesVerdict.decided_at,
                )
            ).all(),
            session.execute(select(Review.verdict_id, Review.valid, Review.note)).all(),
        )
    return len(touches), len(leads), len(answers), touches, leads, answers, sales


def test_the_same_seed_and_clock_give_the_same_desk_and_a_rebuild_replaces_it(
    demo: Desk, tmp_path: Path
) -> None:
    path = tmp_path / "demo.db"
    folder = tmp_path / "demo-leads"
    sales = tmp_path / "demo-sales"
    theirs = ("mine.txt", "qualdesk-handoff-mine.csv")
    for build in ("first", "again"):
        report = build_demo(str(path), clock=FrozenClock())
        desk = open_desk(path, clock=FrozenClock())
        try:
            assert _snapshot(desk) == _snapshot(demo), build
            assert report.touches == len(_touches(desk))
            with desk.db.reading() as session:
                written = [
                    Path(p).name
                    for p in [
                        *session.scalars(select(ExportBatch.file_path)),
                        *session.scalars(select(FeedbackBatch.file_path)),
                    ]
                ]
        finally:
            desk.close()
        demos = sorted(p.name for p in sales.iterdir() if p.name not in theirs)
        assert demos == sorted(written)
        if build == "first":
            files = sorted(p.name for p in folder.iterdir())
            handed = sorted(written)
            assert f"{ARRIVALS[0][0]}.csv" in files
            (folder / "mine.txt").write_text("kept")
            # Files of someone else's beside them, one named like the demo's own, stay too.
            for name in theirs:
                (sales / name).write_text("kept")
    # The rebuild replaced the demo's own files and left the folders' other files alone.
    assert sorted(p.name for p in folder.iterdir()) == sorted([*files, "mine.txt"])
    assert sorted(p.name for p in sales.iterdir()) == sorted([*handed, *theirs])


def test_a_demo_someone_has_worked_in_since_is_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    build_demo(str(path), clock=FrozenClock())
    desk = open_desk(path, clock=FrozenClock())
    try:
        add_rep(desk, "dan", "Dan Real", "rep", "America/New_York")  # real work begins here
    finally:
        desk.close()
    with pytest.raises(QualdeskError, match="a demo with work done since it was built"):
        build_demo(str(path), clock=FrozenClock())
    desk = open_desk(path, clock=FrozenClock())
    try:
        with desk.db.reading() as session:
            assert session.scalar(select(func.count()).where(col(Rep.handle) == "dan")) == 1
    finally:
        desk.close()


@pytest.mark.postgresql
def test_the_demo_on_postgresql_is_the_same_desk_and_replaces_only_a_demo(
    demo: Desk, pg_database: str, tmp_path: Path
) -> None:
    from tests import pg

    pg.empty(pg_database)
    create_desk(pg_database).close()
    # A database on the server that is not a demo is never replaced.
    with pytest.raises(QualdeskError, match="is not a demo database; refusing to replace it"):
        build_demo(pg_database, clock=FrozenClock())
    # An earlier demo is: its tables, its reps and its own files go.
    folder = tmp_path / "xdg-data" / "qualdesk" / f"{pg_database.rsplit('/', 1)[1]}-sales"
    folder.mkdir(parents=True)
    (folder / "old-handoff.csv").write_text("old")
    (folder / "mine.txt").write_text("kept")
    earlier = open_desk(pg_database)
    try:
        add_rep(earlier, "zed", "Zed Old", "rep", "UTC")
        with earlier.db.writing() as session:
            session.add(DeskSetting(key=DEMO_KEY, value="1"))
        remember_sales_file(earlier, "old-handoff.csv")
    finally:
        earlier.close()
    report = build_demo(pg_database, clock=FrozenClock())
    desk = open_desk(pg_database, clock=FrozenClock())
    try:
        assert _snapshot(desk) == _snapshot(demo)
        assert report.touches == len(_touches(desk)) and "://" in report.path
        with desk.db.reading() as session:
            written = {Path(p).name for p in session.scalars(select(ExportBatch.file_path))}
            handles = set(session.scalars(select(Rep.handle)))
    finally:
        desk.close()
    assert "zed" not in handles and "ana" in handles
    # The demo's files are in the user data folder, named after the database.
    kept = {p.name for p in folder.iterdir()}
    assert written <= kept and "mine.txt" in kept and "old-handoff.csv" not in kept


def test_the_weeks_nurtured_leads_go_back_to_marketing_on_fridays(demo: Desk) -> None:
    with demo.db.reading() as session:
        batches = list(
            session.scalars(select(ExportBatch).where(ExportBatch.destination == "nurture"))
        )
        handed = session.execute(
            select(NurtureHandOff.batch_id, NurtureHandOff.stage, Lead.stage).join(
                Lead, col(Lead.id) == NurtureHandOff.lead_id
            )
        ).all()
    assert len(batches) >= 2 and {b.created_by for b in batches} == {TEAM_LEAD}
    assert all(b.profile == "hubspot" for b in batches)
    assert {b.created_at.astimezone(ZoneInfo("America/New_York")).weekday() for b in batches} == {4}
    assert sum(b.lead_count for b in batches) == len(handed) > 10
    # Only nurtured leads went, and they stayed on the desk (nurtured, or called again since).
    assert {stage for _, stage, _ in handed} == {"nurture"}
    for batch in batches:
        assert Path(batch.file_path).parent == _sales_folder(demo)
