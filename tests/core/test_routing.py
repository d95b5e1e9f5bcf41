"""Routing after a call: every outcome, the cadence and overrides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qualdesk.core.routing import override_route, route_after_call
from qualdesk.core.rules import parse_rules
from qualdesk.core.scoring import LeadFacts, judge
from qualdesk.core.stages import Stage
from tests.conftest import REPO

RULES = parse_rules((REPO / "data" / "desk.toml").read_text(encoding="utf-8"))
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
QUALIFIED = judge(RULES, ["vertical", "pains", "budget", "urgency"], LeadFacts())
NOT_QUALIFIED = judge(RULES, ["budget"], LeadFacts())


def route(key: str, verdict=NOT_QUALIFIED, attempts=1, **kwargs):  # type: ignore[no-untyped-def]
    return route_after_call(RULES, RULES.disposition(key), verdict, attempts, NOW, **kwargs)


def test_connected_and_qualified_goes_to_sales() -> None:
    result = route("connected", QUALIFIED)
    assert result.stage is Stage.SALES and result.next_due_at is None
    assert result.reason.startswith("qualified: 4 of 10 criteria")


def test_connected_not_qualified_is_nurtured_by_grade() -> None:
    result = route("connected")
    assert result.stage is Stage.NURTURE and result.next_due_at == NOW + timedelta(days=90)
    b_grade = judge(RULES, ["vertical", "budget", "urgency", "process"], LeadFacts())
    assert route("connected", b_grade).next_due_at == NOW + timedelta(days=30)


@pytest.mark.parametrize(
    ("attempts", "wait"),
    [
        (1, timedelta(hours=2)),
        (2, timedelta(days=1)),
        (3, timedelta(days=2)),
        (5, timedelta(days=5)),
    ],
)
def test_unanswered_calls_follow_the_cadence(attempts: int, wait: timedelta) -> None:
    result = route("no_answer", attempts=attempts)
    assert result.stage is Stage.WORKING and result.next_due_at == NOW + wait
    assert f"attempt {attempts} of 6" in result.reason


def test_the_last_attempt_goes_to_nurture_unreachable() -> None:
    result = route("voicemail", attempts=6)
    assert result.stage is Stage.NURTURE and result.reason.startswith("unreachable after 6")


def test_the_other_outcomes() -> None:
    assert route("wrong_number").stage is Stage.DISQUALIFIED
    assert route("not_interested").stage is Stage.NURTURE
    dnc = route("do_not_call")
    assert dnc.stage is Stage.DISQUALIFIED and dnc.do_not_call
    assert route("gatekeeper").stage is Stage.WORKING


def test_callbacks_reach_other_reps_after_the_grace_time() -> None:
    at = NOW + timedelta(hours=3)
    mine = route("callback", callback_at=at, owner_only=True)
    assert mine.stage is Stage.WORKING and mine.callback_at == at
    assert mine.next_due_at == at + timedelta(minutes=30)
    anyone = route("callback", callback_at=at, owner_only=False)
    assert anyone.next_due_at == at and not anyone.owner_only
    with pytest.raises(ValueError, match="needs a time"):
        route("callback")


def test_overrides_need_a_reason() -> None:
    chosen = override_route(RULES, Stage.SALES, "DM with budget next year", "D", NOW)
    assert chosen.stage is Stage.SALES and chosen.reason == "DM with budget next year"
    assert override_route(
        RULES, Stage.WORKING, "try again", "D", NOW
    ).next_due_at == NOW + timedelta(hours=1)
    with pytest.raises(ValueError, match="reason"):
        override_route(RULES, Stage.NURTURE, "  ", "D", NOW)
    with pytest.raises(ValueError, match="cannot be sent"):
        override_route(RULES, Stage.HANDED_OFF, "x", "D", NOW)
