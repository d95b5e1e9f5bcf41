"""The desk's side of the agreement on a real database: leads imported, calls ended and touches
logged through the services with a frozen clock, speed to lead and follow-up counted as
`qualdesk stats` counts them, and retries short of their target offered first."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlmodel import select

from qualdesk.core.periods import named_period, typed_period
from qualdesk.core.stages import Stage
from qualdesk.db.models import Lead, Rep
from qualdesk.db.touchtotals import rebuild_touch_totals
from qualdesk.services.access import Actor
from qualdesk.services.calling.calls import end_call, log_touch
from qualdesk.services.calling.queue import claim_lead, claim_next, release
from qualdesk.services.desk import Desk
from qualdesk.services.figures.team import team_figures
from qualdesk.services.intake.importer import ImportOptions, import_file
from qualdesk.services.rules import load_rules
from tests.conftest import REPO, FrozenClock, WriteCsv
from tests.services.conftest import Make

ZONE = "America/New_York"
NEW_YORK = ZoneInfo(ZONE)
LONDON = ZoneInfo("Europe/London")


def at(text: str, tz: ZoneInfo = NEW_YORK) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz).astimezone(UTC)


def _call(
    desk: Desk,
    rep: Rep,
    clock: FrozenClock,
    lead_id: int,
    when: datetime,
    how: str = "no_answer",
    **options: Any,
) -> None:
    clock.now = when
    claim = claim_lead(desk, rep, lead_id)
    end_call(desk, claim, how, **options)


def _figures(desk: Desk, clock: FrozenClock, since: str) -> dict[str, Any]:
    period = typed_period(since, None, clock(), ZONE)
    return team_figures(desk, period, ZONE).as_json()  # type: ignore[no-any-return]


def _lead(desk: Desk, lead_id: int) -> Lead:
    with desk.db.reading() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return lead


def test_speed_to_lead_counts_the_leads_calling_hours(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    # Four New York leads arrive on Wednesday evening at 20:50 their time: due at 11:50.
    clock.now = at("2026-11-18 20:50")
    ids = make_leads("ny:early", "ny:late", "ny:never", "ny:mailed")
    ana = reps["ana"]
    _call(desk, ana, clock, ids["ny:early"], at("2026-11-19 08:30"))
    # An email is a touch, but not a call: the lead still waits for its first call.
    clock.now = at("2026-11-19 09:00")
    mailed = claim_lead(desk, ana, ids["ny:mailed"])
    log_touch(desk, mailed, "email", "intro sent")
    release(desk, mailed)
    clock.now = at("2026-11-19 11:40")
    sla = _figures(desk, clock, "2026-11-18")["desk"]["sla"]
    assert sla["counted_in"] == "calling hours" and sla["channels"] == ["phone"]
    assert sla["speed_to_lead_hours"] == 4 and sla["new_leads"] == 4
    # At 11:40 nothing is late yet, though 14h50 have passed on the wall clock.
    assert (sla["touched_late"], sla["untouched_overdue"]) == (0, 0)
    _call(desk, ana, clock, ids["ny:late"], at("2026-11-19 11:55"))
    clock.now = at("2026-11-19 12:00")
    sla = _figures(desk, clock, "2026-11-18")["desk"]["sla"]
    assert (sla["touched_late"], sla["untouched_overdue"], sla["breaches"]) == (1, 2, 3)
    mailed_lead = _lead(desk, ids["ny:mailed"])
    assert mailed_lead.first_call_at is None and mailed_lead.touch_channels == "email"


def test_speed_to_lead_met_by_another_channel_the_rules_name(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock, tmp_path: Path
) -> None:
    shipped = (REPO / "data" / "desk.toml").read_text(encoding="utf-8")
    assert 'speed_to_lead_channels = ["phone"]' in shipped
    rules = tmp_path / "desk.toml"
    rules.write_text(
        shipped.replace(
            'speed_to_lead_channels = ["phone"]', 'speed_to_lead_channels = ["phone", "email"]'
        ),
        encoding="utf-8",
    )
    load_rules(desk, rules, Actor("lee", "lead"))
    # Due at 11:50 New York time, as in the first test.
    clock.now = at("2026-11-18 20:50")
    ids = make_leads("ny:mailed", "ny:mailed-late", "ny:texted", "ny:called-late")
    ana = reps["ana"]
    for name, when, channel in (
        ("ny:mailed", "2026-11-19 09:00", "email"),
        ("ny:mailed-late", "2026-11-19 12:10", "email"),
        ("ny:texted", "2026-11-19 09:00", "sms"),
    ):
        clock.now = at(when)
        claim = claim_lead(desk, ana, ids[name])
        log_touch(desk, claim, channel, "sent")
        release(desk, claim)
    # An email first, late; the call after it comes later still: the email was the first touch.
    _call(desk, ana, clock, ids["ny:mailed-late"], at("2026-11-19 12:20"))
    _call(desk, ana, clock, ids["ny:called-late"], at("2026-11-19 12:15"))
    clock.now = at("2026-11-19 12:30")
    sla = _figures(desk, clock, "2026-11-18")["desk"]["sla"]
    assert sla["channels"] == ["phone", "email"]
    # mailed-late and called-late were touched late; a text does not count: texted waits.
    assert (sla["touched_late"], sla["untouched_overdue"]) == (2, 1)


def test_a_lead_arriving_before_a_closed_sunday_is_due_monday(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    clock.now = at("2026-11-21 22:00")  # Saturday night; the US is not called on Sundays
    ids = make_leads("ny:first", "ny:second")
    _call(desk, reps["ana"], clock, ids["ny:first"], at("2026-11-23 11:59"))
    _call(desk, reps["ben"], clock, ids["ny:second"], at("2026-11-23 12:01"))
    sla = _figures(desk, clock, "2026-11-21")["desk"]["sla"]
    assert (sla["touched_late"], sla["untouched_overdue"]) == (1, 0)


def test_a_call_the_lead_makes_meets_speed_to_lead(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    clock.now = at("2026-11-23 10:00")
    ids = make_leads("ny")
    back = at("2026-11-24 10:00")
    _call(
        desk,
        reps["ana"],
        clock,
        ids["ny"],
        at("2026-11-23 10:30"),
        "callback",
        callback_at=back,
        inbound=True,
    )
    clock.now = at("2026-11-24 09:00")
    sla = _figures(desk, clock, "2026-11-23")["desk"]["sla"]
    assert (sla["touched_late"], sla["untouched_overdue"]) == (0, 0)


def test_follow_up_states_for_the_desk_and_for_the_rep_of_the_latest_touch(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    # Grade D leads: three touches on one channel is their target.
    clock.now = at("2026-11-23 09:00")
    ids = make_leads("ny:a", "ny:b", "ny:c", "ny:d", "ny:e")
    ana, ben = reps["ana"], reps["ben"]
    for hour in ("09:30", "11:40", "13:50"):
        _call(desk, ben if hour == "09:30" else ana, clock, ids["ny:a"], at(f"2026-11-23 {hour}"))
    _call(desk, ben, clock, ids["ny:b"], at("2026-11-23 10:00"))
    _call(desk, ana, clock, ids["ny:c"], at("2026-11-23 10:05"), "wrong_number")
    _call(desk, ben, clock, ids["ny:d"], at("2026-11-23 10:10"), "not_interested")
    assert _lead(desk, ids["ny:a"]).touch_count == 3
    figures = _figures(desk, clock, "2026-11-23")
    on_under_closed = ("on_target", "under_target", "closed_under_target")
    follow = figures["desk"]["follow_up"]
    # a: three calls; d: said no on a call; b: one call, still worked; e: never touched;
    # c: a wrong number, out without a conversation: no follow-up is owed.
    assert [follow[k] for k in on_under_closed] == [2, 2, 0] and follow["behind"] == 0
    assert follow["not_owed"] == 1
    by_rep = {r["rep"]: r["follow_up"] for r in figures["reps"]}
    assert [by_rep["ana"][k] for k in on_under_closed] == [1, 0, 0]  # a's last call
    assert [by_rep["ben"][k] for k in on_under_closed] == [1, 1, 0]  # d, b
    # Past the grade's fourteen days, the leads still short of the target are behind.
    clock.now = at("2026-12-08 10:00")
    later = _figures(desk, clock, "2026-11-23")
    assert later["desk"]["follow_up"]["behind"] == 2
    whole = team_figures(desk, named_period("all", clock(), ZONE), ZONE).as_json()
    assert whole["desk"]["follow_up"] == later["desk"]["follow_up"]
    # The facts the desk kept with each touch are those its touches give.
    facts = (
        "SELECT id, touch_count, touch_channels, first_call_at, last_rep_id, reached_at FROM leads"
    )
    with desk.db.writing() as session:
        kept = session.execute(text(facts)).all()
        rebuild_touch_totals(session)
        assert session.execute(text(facts)).all() == kept


def test_a_retry_short_of_its_target_is_offered_before_one_that_met_it(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    # London leads (grade D: three touches): no holiday in the week of 23 November.
    clock.now = at("2026-11-23 09:00", LONDON)
    ids = make_leads("uk:met", "uk:short")
    ana = reps["ana"]
    for when in ("2026-11-23 10:00", "2026-11-23 12:00", "2026-11-24 12:00"):
        _call(desk, ana, clock, ids["uk:met"], at(when, LONDON))
    met = _lead(desk, ids["uk:met"])
    assert met.touch_count == 3 and met.next_due_at == at("2026-11-26 12:00", LONDON)
    _call(desk, ana, clock, ids["uk:short"], at("2026-11-26 11:00", LONDON))
    short = _lead(desk, ids["uk:short"])
    assert short.next_due_at == at("2026-11-26 13:00", LONDON)
    # Both due, same grade: the one still short of its target first, though due later.
    assert short.queue_order < met.queue_order
    clock.now = at("2026-11-26 14:00", LONDON)
    first = claim_next(desk, ana)
    assert first is not None and first.lead_id == ids["uk:short"]
    second = claim_next(desk, reps["ben"])
    assert second is not None and second.lead_id == ids["uk:met"]


def test_the_import_reads_the_leads_own_creation_time(
    desk: Desk, reps: dict[str, Rep], clock: FrozenClock, write_csv: WriteCsv
) -> None:
    clock.now = at("2026-11-19 09:00")  # imported the morning after
    rows = [
        ["Ada Lovelace", "+1 212 555 0100", "2026-11-18 20:50"],
        ["Grace Hopper", "+1 212 555 0101", "sometime last week"],
        ["Joan Clarke", "+1 212 555 0102", "2026-11-20T10:00:00Z"],
        ["Alan Turing", "+1 212 555 0103", ""],
    ]
    path = write_csv(rows, header=["Name", "Phone", "Created Date"])
    summary = import_file(desk, path, ImportOptions(zone=ZONE, imported_by="ops"))
    assert (summary.imported, summary.rejected, summary.dates_unread) == (4, 0, 1)
    assert any("1 creation date in 'Created Date' could not be read" in n for n in summary.notices)
    with desk.db.reading() as session:
        leads = {lead.name: lead for lead in session.scalars(select(Lead))}
    assert leads["Ada Lovelace"].arrived_at == at("2026-11-18 20:50")
    grace = leads["Grace Hopper"]
    assert grace.arrived_at is None and grace.extra == {"Created Date": "sometime last week"}
    assert leads["Joan Clarke"].arrived_at == clock.now  # after the import: the import's time
    assert leads["Alan Turing"].arrived_at is None
    # Ada's four hours run from her own creation: due at 11:50. Alan's from 09:00: 13:00.
    for name in ("Ada Lovelace", "Alan Turing"):
        _call(desk, reps["ana"], clock, leads[name].id or 0, at("2026-11-19 11:55"))
    clock.now = at("2026-11-19 12:00")
    sla = _figures(desk, clock, "2026-11-19")["desk"]["sla"]
    assert (sla["new_leads"], sla["touched_late"], sla["untouched_overdue"]) == (4, 1, 0)


def test_a_lead_nurtured_without_a_conversation_short_of_its_target_is_closed_under(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    """Sent to nurture by hand after one unanswered call: the desk let it go too soon."""
    clock.now = at("2026-11-23 09:00")
    ids = make_leads("ny:a")
    ana = reps["ana"]
    claim = claim_next(desk, ana)
    assert claim is not None and claim.lead_id == ids["ny:a"]
    end_call(desk, claim, "no_answer", override=(Stage.NURTURE, "not worth more calls"))
    follow = _figures(desk, clock, "2026-11-23")["desk"]["follow_up"]
    assert (follow["on_target"], follow["under_target"], follow["closed_under_target"]) == (
        0, 0, 1
    )  # fmt: skip
