"""May this lead be called now? The same answer however its card was opened.

Calling hours with closed days and holidays, the minimum gap between calls,
the maximum attempts and a cap on calls to one number (the shipped rules:
Florida, three in 24 hours) hold for the queue, for a card opened by search,
for a call being logged and for a callback being booked.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from qualdesk.core.errors import QualdeskError
from qualdesk.core.stages import Stage
from qualdesk.db.models import Lead, Rep, Touch
from qualdesk.services.calling.callbacks import plan_callback, suggest_callback
from qualdesk.services.calling.calls import end_call, load_card
from qualdesk.services.calling.queue import claim_lead, claim_next, outlook
from qualdesk.services.desk import Desk
from qualdesk.services.intake.importer import ImportOptions, import_file
from tests.conftest import FrozenClock
from tests.services.conftest import Make

SUNDAY = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)  # 10:00 in New York
THANKSGIVING = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def _lead(desk: Desk, lead_id: int) -> Lead:
    with desk.db.reading() as session:
        found = session.get(Lead, lead_id)
        assert found is not None
        return found


def _florida(desk: Desk, tmp_path: Path, *names: str, phone: str = "+1 305 555 0100") -> list[int]:
    """Leads on one Miami number (a switchboard, when several)."""
    path = tmp_path / f"fl-{'-'.join(names)}.csv"
    path.write_text("Name,Phone\n" + "".join(f"{n},{phone}\n" for n in names), encoding="utf-8")
    import_file(desk, path, ImportOptions(imported_by="test"))
    with desk.db.reading() as session:
        rows = session.scalars(select(Lead).where(Lead.name.in_(names)))  # type: ignore[attr-defined]
        return sorted(int(lead.id or 0) for lead in rows)


def test_a_lead_found_by_search_soon_after_a_call_takes_no_call(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    make_leads("ny")
    claim = claim_next(desk, reps["ana"])
    assert claim is not None
    end_call(desk, claim, "no_answer")
    clock.now += timedelta(minutes=10)
    found = claim_lead(desk, reps["ben"], claim.lead_id)  # the lead calls in, or is looked up
    card = load_card(desk, found)
    assert card.callable_now  # in hours, but called ten minutes ago
    assert card.blocked is not None
    assert card.blocked.reason == "called 10 min ago (the gap is 1h)"
    assert card.blocked.until == clock.now - timedelta(minutes=10) + timedelta(hours=1)
    with pytest.raises(QualdeskError, match="not a call: called 10 min ago"):
        end_call(desk, found, "no_answer")
    assert _lead(desk, claim.lead_id).attempts == 1


def test_a_callback_the_prospect_asked_for_is_called_at_the_agreed_time(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    make_leads("ny")
    claim = claim_next(desk, reps["ana"])
    assert claim is not None
    plan = plan_callback(desk, claim, reps["ana"], "in 20 minutes")
    end_call(desk, claim, "callback", callback_at=plan.at)
    clock.now = plan.at
    again = claim_next(desk, reps["ana"])
    assert again is not None and again.lead_id == claim.lead_id
    assert load_card(desk, again).blocked is None  # sooner than the gap, but agreed
    end_call(desk, again, "connected")


def test_a_sunday_closes_the_us_and_the_desk_says_so(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    clock.now = SUNDAY
    ids = make_leads("ny", "uk")
    claim = claim_next(desk, reps["ana"])
    assert claim is not None and claim.lead_id == ids["uk"]  # London is open on Sundays
    assert claim_next(desk, reps["ben"]) is None
    said = outlook(desk, reps["ben"]).explain("Europe/London")
    assert "1 waiting: outside calling hours until Mon 13:00 your time" in said
    assert "(closed: Sunday in US-NY)" in said
    found = claim_lead(desk, reps["ben"], ids["ny"])
    card = load_card(desk, found)
    assert card.blocked is not None and card.blocked.reason == "closed: Sunday in US-NY"
    assert card.window == "closed today"
    assert card.hours_today.startswith("Closed today in New York (Sunday in US-NY)")
    assert "they may be called from Mon 08:00 their time (Mon 13:00 yours)" in card.hours_today


def test_a_holiday_closes_a_callback_and_the_next_good_time_is_given(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    make_leads("ny")
    claim = claim_next(desk, reps["ana"])
    assert claim is not None
    with pytest.raises(QualdeskError) as refused:
        plan_callback(desk, claim, reps["ana"], "thu 10am")  # Thanksgiving
    said = str(refused.value)
    assert said.startswith("closed: Thanksgiving Day in US-NY (Thu 10:00 their time)")
    assert said.endswith("the next good time is Fri 08:00 yours")


def test_a_suggested_callback_is_never_at_night_for_the_rep_nor_on_a_closed_day(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    from qualdesk.core.hours import callable_at, zone

    make_leads("la")
    clock.now = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # Wed 15:30 in LA, 18:30 in NY
    claim = claim_lead(desk, reps["ben"], 1)  # ben is in London: 23:30 for him
    plan = suggest_callback(desk, claim, reps["ben"])
    assert plan is not None
    mine = plan.at.astimezone(zone("Europe/London"))
    assert 8 <= mine.hour < 20  # his working day
    with desk.db.reading() as session:
        lead = session.get(Lead, 1)
        assert lead is not None
        hours = desk.rules(session).rules.calling_hours
    assert callable_at(hours, lead.time_zones.split(), lead.jurisdiction, plan.at)
    assert plan.at.astimezone(zone("America/Los_Angeles")).date().isoformat() != "2026-11-26"


def test_florida_caps_calls_to_one_number_across_the_leads_on_it(
    desk: Desk, reps: dict[str, Rep], clock: FrozenClock, tmp_path: Path
) -> None:
    clock.now = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 09:00 in Miami
    first, second = _florida(desk, tmp_path, "Pat One", "Pat Two")
    made = []
    for _ in range(3):
        claim = claim_lead(desk, reps["ana"], first)
        end_call(desk, claim, "connected")  # three calls in under an hour
        made.append(clock.now)
        clock.now += timedelta(minutes=2)
        with desk.db.writing() as session:  # as if no gap applied: the cap is the point
            lead = session.get(Lead, first)
            assert lead is not None
            lead.last_attempt_at, lead.stage = None, Stage.WORKING.value
    with desk.db.reading() as session:
        dialled = [t.phone for t in session.scalars(select(Touch))]
    assert dialled == ["+13055550100"] * 3
    # The other lead on the number is not offered: the number has had its three calls;
    # nor is one that arrives on it afterwards (the claim passes over it and holds it back).
    assert claim_next(desk, reps["ben"]) is None
    (third,) = _florida(desk, tmp_path, "Pat Three")
    assert claim_next(desk, reps["ben"]) is None
    held_back = _lead(desk, third)
    assert held_back.queue_bucket is None and held_back.claimed_by is None
    assert held_back.next_due_at == made[0] + timedelta(days=1)
    found = claim_lead(desk, reps["ben"], second)
    card = load_card(desk, found)
    assert card.blocked is not None
    assert card.blocked.reason == "3 calls to this number within 1d (US-FL)"
    assert card.blocked.until == made[0] + timedelta(days=1)
    with pytest.raises(QualdeskError, match="3 calls to this number"):
        end_call(desk, found, "no_answer")
    with pytest.raises(QualdeskError, match="3 calls to this number within 1d"):
        plan_callback(desk, found, reps["ben"], "in 2 hours")
    # A day after the first call, one more call may be made.
    clock.now = made[0] + timedelta(days=1, minutes=1)
    assert load_card(desk, found).blocked is None
