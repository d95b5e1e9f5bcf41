"""Working a call on a real database: checklist, touches, callbacks and routing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from qualdesk.core.errors import QualdeskError
from qualdesk.core.stages import Stage
from qualdesk.db.models import ChecklistAnswer, DoNotCall, Lead, Rep, RoutingDecision, Touch
from qualdesk.services.calling.callbacks import plan_callback
from qualdesk.services.calling.calls import (
    end_call,
    load_card,
    log_touch,
    propose,
    set_criterion,
)
from qualdesk.services.calling.lease import Claim, ClaimLost
from qualdesk.services.calling.queue import claim_next
from qualdesk.services.desk import Desk
from qualdesk.services.figures.stats import rep_today
from tests.conftest import FrozenClock
from tests.services.conftest import Make


def _claim(desk: Desk, rep: Rep) -> Claim:
    claim = claim_next(desk, rep)
    assert claim is not None
    return claim


def _lead(desk: Desk, lead_id: int) -> Lead:
    with desk.db.reading() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return lead


def _decisions(desk: Desk, lead_id: int) -> list[RoutingDecision]:
    with desk.db.reading() as session:
        query = select(RoutingDecision).where(RoutingDecision.lead_id == lead_id)
        return list(session.scalars(query.order_by(col(RoutingDecision.id))))


QUALIFYING = ("vertical", "pains", "budget", "urgency")


def test_a_qualified_lead_goes_to_sales(desk: Desk, reps: dict[str, Rep], make_leads: Make) -> None:
    ids = make_leads("ny")
    claim = _claim(desk, reps["ana"])
    for key in QUALIFYING:
        verdict = set_criterion(desk, claim, key, True, note=f"{key} noted")
    assert verdict.qualified and verdict.score == 45 and verdict.grade == "B"
    assert propose(desk, claim, "connected").stage is Stage.SALES
    ended = end_call(desk, claim, "connected", notes="Great call")
    assert ended.route.stage is Stage.SALES and not ended.overridden
    lead = _lead(desk, ids["ny"])
    assert (lead.stage, lead.attempts, lead.claimed_by, lead.next_due_at) == (
        "sales",
        1,
        None,
        None,
    )
    decision = _decisions(desk, ids["ny"])[0]
    assert decision.route == "sales" and decision.rules_version_id == 1
    with desk.db.reading() as session:
        touch = session.scalars(select(Touch)).one()
    assert (touch.disposition, touch.notes, touch.channel) == ("connected", "Great call", "phone")


def test_connected_but_not_qualified_goes_to_nurture_for_its_grade(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("ny")
    claim = _claim(desk, reps["ana"])
    set_criterion(desk, claim, "budget", True)
    ended = end_call(desk, claim, "connected")
    assert ended.route.stage is Stage.NURTURE and "back in 90 days" in ended.route.reason
    lead = _lead(desk, ids["ny"])
    assert lead.next_due_at == clock.now + timedelta(days=90)


def test_the_checklist_keeps_its_history(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    ids = make_leads("ny")
    claim = _claim(desk, reps["ana"])
    set_criterion(desk, claim, "budget", True, "Q1")
    set_criterion(desk, claim, "budget", False)
    card = load_card(desk, claim)
    budget = next(c for c in card.checklist if c.key == "budget")
    assert not budget.established and budget.key_label == "8"
    with desk.db.reading() as session:
        answers = session.scalars(
            select(ChecklistAnswer).where(ChecklistAnswer.lead_id == ids["ny"])
        )
        assert [(a.established, a.note) for a in answers] == [(True, "Q1"), (False, "")]
    with pytest.raises(QualdeskError, match="no criterion 'colour'"):
        set_criterion(desk, claim, "colour", True)


def test_no_answer_six_times_is_unreachable(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("ny")
    reasons = []
    for _ in range(6):
        clock.now = clock.now.replace(hour=15)  # 10:00 in New York, inside hours
        claim = _claim(desk, reps["ana"])
        reasons.append(end_call(desk, claim, "no_answer").route)
        lead = _lead(desk, ids["ny"])
        if lead.next_due_at:
            clock.now = max(clock.now, lead.next_due_at)
            if clock.now.hour > 15:
                clock.now += timedelta(days=1)
    assert [r.stage for r in reasons] == [Stage.WORKING] * 5 + [Stage.NURTURE]
    assert reasons[-1].reason.startswith("unreachable after 6 attempts")
    assert _lead(desk, ids["ny"]).attempts == 0  # a fresh cadence when it comes back
    assert len(load_card(desk, claim).history) == 6


def test_wrong_number_is_out_and_not_interested_is_nurtured(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    make_leads("ny:1", "ny:2")
    first, second = _claim(desk, reps["ana"]), _claim(desk, reps["ana"])
    assert end_call(desk, first, "wrong_number").route.stage is Stage.DISQUALIFIED
    assert end_call(desk, second, "not_interested").route.stage is Stage.NURTURE
    assert _lead(desk, first.lead_id).stage_reason == "bad data: wrong number"
    assert _lead(desk, second.lead_id).stage_reason.startswith("not interested now")
    assert _lead(desk, second.lead_id).next_due_at is not None


def test_do_not_call_stops_every_lead_on_that_number(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    ids = make_leads("ny:1")
    # A colleague on the same switchboard, held by another rep right now.
    colleague = make_leads("ny:2")
    ana_claim = claim_next(desk, reps["ana"])
    ben_claim = claim_next(desk, reps["ben"])
    assert ana_claim and ben_claim
    ana_lead = ana_claim.lead_id
    assert load_card(desk, ana_claim).others_on_number == 1  # the rep is told before ending
    ended = end_call(desk, ana_claim, "do_not_call")
    assert ended.route.do_not_call and ended.stopped_by_dnc == 1
    with desk.db.reading() as session:
        assert session.get(DoNotCall, "+12125550100") is not None
    for lead_id in (ids["ny:1"], colleague["ny:2"]):
        assert _lead(desk, lead_id).stage == Stage.DISQUALIFIED.value
    assert ana_lead in (ids["ny:1"], colleague["ny:2"])
    with pytest.raises(ClaimLost):
        end_call(desk, ben_claim, "connected")


def test_a_request_not_to_be_called_cannot_be_overridden(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    make_leads("ny")
    claim = _claim(desk, reps["ana"])
    with pytest.raises(QualdeskError, match="cannot be routed elsewhere"):
        end_call(desk, claim, "do_not_call", override=(Stage.NURTURE, "they were joking"))
    with desk.db.reading() as session:
        assert session.scalars(select(DoNotCall)).first() is None
    assert end_call(desk, claim, "do_not_call").route.do_not_call


def test_another_route_needs_a_reason_and_is_recorded(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    ids = make_leads("ny")
    claim = _claim(desk, reps["ana"])
    with pytest.raises(QualdeskError, match="give a reason"):
        end_call(desk, claim, "connected", override=(Stage.SALES, " "))
    ended = end_call(desk, claim, "connected", override=(Stage.SALES, "DM with a real problem"))
    assert ended.overridden and ended.route.stage is Stage.SALES
    decision = _decisions(desk, ids["ny"])[0]
    assert (decision.route, decision.proposed_route, decision.overridden) == (
        "sales",
        "nurture",
        True,
    )
    assert decision.reason == "DM with a real problem"


def test_follow_up_touches_do_not_end_the_card(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    make_leads("ny")
    claim = _claim(desk, reps["ana"])
    log_touch(desk, claim, "email", "Sent the buyer's guide")
    with pytest.raises(QualdeskError, match="choose one of email, linkedin, sms"):
        log_touch(desk, claim, "carrier pigeon", "")
    card = load_card(desk, claim)
    assert [(t.channel, t.notes) for t in card.history] == [("email", "Sent the buyer's guide")]
    end_call(desk, claim, "busy")
    assert rep_today(desk, reps["ana"]).touches == 2


def test_callbacks_are_read_in_the_reps_zone_and_checked_in_the_leads(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    make_leads("la")
    claim = claim_next(desk, reps["ana"])
    assert claim is None  # Los Angeles is at 07:00
    from qualdesk.services.calling.queue import claim_lead

    clock.now += timedelta(hours=2)  # 09:00 in Los Angeles: the call may be made
    claim = claim_lead(desk, reps["ana"], 1)
    plan = plan_callback(desk, claim, reps["ana"], "tomorrow 14:30")  # 11:30 in LA
    assert f"{plan.rep_local:%H:%M}" == "14:30" and plan.lead_local is not None
    assert f"{plan.lead_local:%H:%M}" == "11:30"
    with pytest.raises(
        QualdeskError, match=r"outside the lead's calling hours \(Tue 06:00 their time\)"
    ):
        plan_callback(desk, claim, reps["ana"], "tomorrow 9am")
    with pytest.raises(QualdeskError, match="not a time"):
        plan_callback(desk, claim, reps["ana"], "soonish")
    ended = end_call(desk, claim, "callback", callback_at=plan.at, owner_only=False)
    assert ended.route.stage is Stage.WORKING and ended.route.callback_at == plan.at
    lead = _lead(desk, 1)
    assert lead.callback_at == plan.at and lead.owner_id == reps["ana"].id
    assert not lead.callback_owner_only and lead.next_due_at == plan.at


def test_a_reps_day_in_counts(desk: Desk, reps: dict[str, Rep], make_leads: Make) -> None:
    make_leads("ny:1", "ny:2", "ny:3")
    one, two, three = (_claim(desk, reps["ana"]) for _ in range(3))
    for key in QUALIFYING:
        set_criterion(desk, one, key, True)
    end_call(desk, one, "connected")
    end_call(desk, two, "connected")
    end_call(desk, three, "no_answer")
    counts = rep_today(desk, reps["ana"])
    assert (counts.touches, counts.calls, counts.connects) == (3, 3, 2)
    assert (counts.qualified, counts.nurtured) == (1, 1)
    assert rep_today(desk, reps["ben"]).touches == 0
