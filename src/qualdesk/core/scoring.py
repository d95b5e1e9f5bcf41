"""Lead score, grade and the qualification verdict under the universal lead definition."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from qualdesk.core.rules import DeskRules, FirmographicPoints

# The first number of a size: digits in groups of three ("1,000", "10 000",
# "1.000", "1'000") or with a decimal part ("1.5", "1,5"), then "k" or "m".
_SIZE_NUMBER = re.compile(
    r"(?:(?P<grouped>\d{1,3}(?:[,.' ]\d{3})+(?!\d))|(?P<plain>\d+(?:[.,]\d+)?))"
    r"(?: ?(?P<unit>[kKmM])(?![^\W\d_]))?"
)
_UNITS = {"k": 1_000, "m": 1_000_000}


@dataclass(frozen=True)
class LeadFacts:
    """What marketing delivered that can earn points before anyone calls."""

    title: str = ""
    company_size: str = ""
    industry: str = ""
    company: str = ""


@dataclass(frozen=True)
class Verdict:
    """Whether a lead meets the definition, with its score, grade and the reason in words."""

    qualified: bool
    score: int
    grade: str
    reason: str
    # The criteria it was judged on (those of the definition in force), so an
    # explanation of the verdict counts the same ones.
    established: frozenset[str]


def company_size_number(text: str) -> int | None:
    """The smallest head count a size states, as it was written.

    Args:
        text: the company size: "250", "11-50", "1,000-5,000", "500+",
            "10k+", "1.5k", "1-10 employees".

    Returns:
        The first number, a range's lower bound: 250, 11, 1000, 500, 10000,
        1500, 1; None when the text holds no number.
    """
    match = _SIZE_NUMBER.search(text)
    if not match:
        return None
    if match["grouped"]:
        whole, decimals = re.sub(r"\D", "", match["grouped"]), ""
    else:
        whole, _, decimals = match["plain"].replace(",", ".").partition(".")
    # No head count runs to a dozen digits (and int() refuses thousands of them).
    if len(whole) > 12:
        return None
    scale = _UNITS[match["unit"].lower()] if match["unit"] else 1
    millionths = int(decimals[:6].ljust(6, "0"))
    return int(whole) * scale + millionths * scale // 1_000_000


def fact_points(rule: FirmographicPoints, facts: LeadFacts) -> int:
    """Points one firmographic rule gives these facts."""
    value = getattr(facts, rule.field, "")
    if rule.at_least is not None:
        number = company_size_number(value)
        return rule.points if number is not None and number >= rule.at_least else 0
    words = value.casefold()
    return rule.points if any(word in words for word in rule.contains) else 0


def facts_score(rules: DeskRules, facts: LeadFacts) -> int:
    """Points for the firmographic facts alone (a lead nobody has called yet)."""
    return sum(fact_points(rule, facts) for rule in rules.firmographic_points)


def score(rules: DeskRules, established: Collection[str], facts: LeadFacts) -> int:
    """Points for the established criteria plus the firmographic facts."""
    points = sum(c.points for c in rules.criteria if c.key in established)
    return points + sum(fact_points(rule, facts) for rule in rules.firmographic_points)


def grade(rules: DeskRules, points: int) -> str:
    """The grade (A-D) a score earns."""
    for name, minimum in rules.grades:
        if points >= minimum:
            return name
    return rules.grades[-1][0]


def judge(rules: DeskRules, established: Collection[str], facts: LeadFacts) -> Verdict:
    """Judge a lead against the definition in force.

    Args:
        rules: the desk rules in force.
        established: keys of the criteria established so far.
        facts: the lead's firmographic facts.

    Returns:
        The verdict: qualified or not, score, grade and a one-line reason.
    """
    known = {c.key for c in rules.criteria}
    have = set(established) & known
    points = score(rules, have, facts)
    letter = grade(rules, points)
    q = rules.qualification
    missing = [c.label for c in rules.criteria if c.required and c.key not in have]
    count_ok = len(have) >= q.min_established and not missing
    score_ok = points >= q.min_score if q.min_score else q.combine == "and"
    qualified = (count_ok and score_ok) if q.combine == "and" else (count_ok or score_ok)
    if qualified:
        reason = f"{len(have)} of {len(rules.criteria)} criteria established, score {points}"
    elif missing and len(have) >= q.min_established:
        reason = f"required not yet established: {', '.join(missing)}"
    elif len(have) < q.min_established:
        reason = f"{len(have)} established, {q.min_established} needed"
        if missing:
            reason += f"; required: {', '.join(missing)}"
    else:
        reason = f"score {points}, needs {q.min_score}"
    return Verdict(qualified, points, letter, reason, frozenset(have))
