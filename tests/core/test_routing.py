"""Routing after a call: every outcome, the cadence and overrides."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from qualdesk.core.routing import grade_note, override_route, route_after_call
from qualdesk.core.rules import Qualification, parse_rules
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


# Six criteria without the required one (65 points): grade A by score, not qualified.
A_WITHOUT_PAINS = [
    "vertical",
    "firmographics",
    "decision_makers",
    "engagement",
    "process",
    "budget",
]
# Four low-point criteria with the required one (35 points): grade C, qualified.
C_WITH_PAINS = ["vertical", "environment", "competition", "pains"]
NO_FACTS = LeadFacts()


def note(established: list[str], rules=RULES, facts=NO_FACTS):  # type: ignore[no-untyped-def]
    return grade_note(rules, judge(rules, established, facts))


def test_an_a_lead_without_the_required_criterion_says_why_it_is_nurtured() -> None:
    assert note(A_WITHOUT_PAINS) == (
        "Grade A on score 65, but nurture: Business pains is required, not established"
    )
    assert note(["decision_makers", "pains", "budget"]) == (
        "Grade B on score 40, but nurture: 3 criteria established, 4 needed"
    )
    both = note(["decision_makers", "engagement", "budget"], facts=LeadFacts(title="VP"))
    assert both == (
        "Grade B on score 45, but nurture: 3 criteria established, 4 needed; "
        "Business pains is required, not established"
    )


def test_a_c_lead_meeting_the_definition_says_why_it_goes_to_sales() -> None:
    assert note(C_WITH_PAINS) == (
        "Grade C on score 35, yet sales: 4 criteria incl. Business pains, at any score"
    )


@pytest.mark.parametrize(
    "established",
    [
        ["vertical", "pains", "budget", "urgency"],  # B, qualified
        [*A_WITHOUT_PAINS, "pains"],  # A, qualified
        ["budget"],  # D, not qualified
        ["vertical", "pains", "budget"],  # C, not qualified
    ],
)
def test_grade_and_route_that_agree_need_no_note(established: list[str]) -> None:
    assert note(established) is None


def test_with_combine_or_the_count_or_the_score_is_enough() -> None:
    either = replace(RULES, qualification=Qualification(4, 30, "or"))
    assert note(["decision_makers", "pains"], either) == (
        "Grade C on score 30, yet sales: a score of 30 is enough on its own"
    )
    assert note(C_WITH_PAINS, either) == (
        "Grade C on score 35, yet sales: 4 criteria incl. Business pains, at any score"
    )
    high = replace(RULES, qualification=Qualification(4, 80, "or"))
    assert note(A_WITHOUT_PAINS, high) == (
        "Grade A on score 65, but nurture: Business pains is required, not established, "
        "or a score of 80"
    )


def test_min_score_is_named_when_it_decides() -> None:
    floor = replace(RULES, qualification=Qualification(4, 30, "and"))
    assert note(C_WITH_PAINS, floor) == (
        "Grade C on score 35, yet sales: 4 criteria incl. Business pains, score ≥ 30"
    )
    high = replace(RULES, qualification=Qualification(4, 70, "and"))
    assert note([*A_WITHOUT_PAINS, "pains"], high) is None  # 80 points: A and qualified
    assert note(["vertical", "firmographics", "decision_makers", "engagement", "pains"], high) == (
        "Grade A on score 60, but nurture: a score of 70 needed"
    )


def test_the_notes_fit_an_80_column_card() -> None:
    for established in (A_WITHOUT_PAINS, C_WITH_PAINS, ["decision_makers", "pains", "budget"]):
        assert len(note(established)) <= 78


def test_a_route_the_checklist_decided_carries_the_note() -> None:
    graded_a = judge(RULES, A_WITHOUT_PAINS, LeadFacts())
    connected = route("connected", graded_a)
    assert connected.stage is Stage.NURTURE and connected.grade_note == note(A_WITHOUT_PAINS)
    assert route("connected", judge(RULES, C_WITH_PAINS, LeadFacts())).stage is Stage.SALES
    # Other outcomes say why in their reason; the grade has no part in them.
    assert route("not_interested", graded_a).grade_note is None
    assert route("voicemail", graded_a, attempts=6).grade_note is None
    assert route("connected", QUALIFIED).grade_note is None
