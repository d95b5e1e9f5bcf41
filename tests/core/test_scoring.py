"""Score, grade and the qualification verdict."""

from __future__ import annotations

import pytest

from qualdesk.core.cadence import next_attempt_due, retry_wait
from qualdesk.core.durations import format_duration, parse_duration
from qualdesk.core.rules import parse_rules
from qualdesk.core.scoring import LeadFacts, company_size_number, grade, judge
from tests.conftest import NOW, REPO

RULES = parse_rules((REPO / "data" / "desk.toml").read_text(encoding="utf-8"))


def test_four_criteria_with_the_required_one_qualify() -> None:
    verdict = judge(RULES, ["vertical", "pains", "budget", "urgency"], LeadFacts())
    assert verdict.qualified and verdict.score == 45 and verdict.grade == "B"


def test_without_the_required_criterion_a_lead_is_not_qualified() -> None:
    verdict = judge(RULES, ["vertical", "budget", "urgency", "process"], LeadFacts())
    assert not verdict.qualified and "Business pains" in verdict.reason


def test_too_few_criteria_says_how_many_are_needed() -> None:
    verdict = judge(RULES, ["pains"], LeadFacts())
    assert not verdict.qualified and verdict.reason.startswith("1 established, 4 needed")


def test_firmographic_facts_earn_points() -> None:
    facts = LeadFacts(title="VP of Sales", company_size="201-500")
    assert judge(RULES, [], facts).score == 15
    assert judge(RULES, [], LeadFacts(title="Analyst", company_size="51-200")).score == 0


@pytest.mark.parametrize(
    ("points", "letter"), [(0, "D"), (19, "D"), (20, "C"), (40, "B"), (60, "A"), (99, "A")]
)
def test_grades_follow_the_thresholds(points: int, letter: str) -> None:
    assert grade(RULES, points) == letter


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("201-500", 201),
        ("1,000+", 1000),
        ("250", 250),
        ("", None),
        ("n/a", None),
        ("11-50", 11),
        ("1,000-5,000", 1000),
        ("10k+", 10000),
        ("10K", 10000),
        ("1.5k", 1500),
        ("1,5k", 1500),
        ("2.5M", 2_500_000),
        ("500+", 500),
        ("1-10 employees", 1),
        ("10 mitarbeiter", 10),
        ("10 000+", 10000),
        ("1.000-5.000", 1000),
        ("10.5", 10),
        ("unknown", None),
        ("-", None),
    ],
)
def test_company_size_numbers(text: str, number: int | None) -> None:
    assert company_size_number(text) == number


def test_a_range_scores_on_its_lower_bound() -> None:
    assert judge(RULES, [], LeadFacts(title="Analyst", company_size="201-500")).score == 5
    assert judge(RULES, [], LeadFacts(title="Analyst", company_size="51-200")).score == 0
    assert judge(RULES, [], LeadFacts(title="Analyst", company_size="1k+")).score == 5


def test_cadence_spacing_and_maximum() -> None:
    assert retry_wait(RULES, 1) == parse_duration("2h")
    assert retry_wait(RULES, 9) == parse_duration("5d")
    assert next_attempt_due(RULES, 1, NOW) == NOW + parse_duration("2h")
    assert next_attempt_due(RULES, 6, NOW) is None


@pytest.mark.parametrize("text", ["90m", "2h", "1d12h", "2w", "45s"])
def test_durations_round_trip(text: str) -> None:
    assert parse_duration(format_duration(parse_duration(text))) == parse_duration(text)


@pytest.mark.parametrize("text", ["", "soon", "2 hours", "h2"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_a_size_of_absurdly_many_digits_is_no_head_count() -> None:
    from qualdesk.core.scoring import company_size_number

    assert company_size_number("9" * 5000) is None
    assert company_size_number("1,000,000+") == 1_000_000
