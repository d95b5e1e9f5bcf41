"""The rules file: the default parses, and every mistake names its key."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from qualdesk.core.errors import RulesError
from qualdesk.core.rules import parse_rules
from qualdesk.core.stages import Outcome
from tests.conftest import REPO

DEFAULT = (REPO / "data" / "desk.toml").read_text(encoding="utf-8")


def test_default_rules_hold_the_ten_attributes_and_the_desk_policy() -> None:
    rules = parse_rules(DEFAULT)
    assert [c.key for c in rules.criteria] == [
        "vertical",
        "firmographics",
        "decision_makers",
        "environment",
        "engagement",
        "pains",
        "process",
        "budget",
        "competition",
        "urgency",
    ]
    assert rules.qualification.min_established == 4
    assert [g for g, _ in rules.grades] == ["A", "B", "C", "D"]
    assert rules.cadence.max_attempts == 6
    assert rules.cadence.retry_after[:2] == (timedelta(hours=2), timedelta(days=1))
    assert rules.calling_hours.start == time(8) and rules.calling_hours.end == time(21)
    florida = [r for r in rules.calling_hours.rules if r.where == "US-FL"]
    assert florida and florida[0].end == time(20)
    canada = {
        tuple(sorted(r.days)): (r.start, r.end)
        for r in rules.calling_hours.rules
        if r.where == "CA"
    }
    assert canada[(0, 1, 2, 3, 4)] == (time(9), time(21, 30))
    assert canada[(5, 6)] == (time(10), time(18))
    assert rules.disposition("no_answer").hotkey == "a"
    assert rules.disposition("do_not_call").implies is Outcome.DNC
    assert rules.default_region == "US"
    assert rules.speed_to_lead == timedelta(hours=4)


def _with(old: str, new: str) -> str:
    assert old in DEFAULT, old
    return DEFAULT.replace(old, new, 1)


BAD = [
    (
        _with("min_established = 4", "min_established = 11"),
        "qualification.min_established",
        "only 10",
    ),
    (
        _with("min_established = 4", 'min_established = "four"'),
        "qualification.min_established",
        "whole number",
    ),
    (
        _with('default_region = "US"', 'default_region = "XX"'),
        "desk.default_region",
        "unknown region",
    ),
    (_with("A = 60", "A = 30"), "grades.A", "must be above B"),
    (_with('hotkey = "b"', 'hotkey = "a"'), "dispositions[2].hotkey", "used twice"),
    (_with('hotkey = "b"', 'hotkey = "n"'), "dispositions[2].hotkey", "taken by the desk"),
    (_with('implies = "retry"', 'implies = "maybe"'), "dispositions[1].implies", "expected one of"),
    (_with('min_gap = "1h"', 'min_gap = "soon"'), "cadence.min_gap", "duration"),
    (
        _with('retry_after = ["2h",', 'retry_after = ["2 parsecs",'),
        "cadence.retry_after[1]",
        "duration",
    ),
    (_with('end = "21:00"', 'end = "07:00"'), "calling_hours.end", "after start"),
    (
        _with('start = "08:00"\nend = "21:00"', 'start = "8am"\nend = "21:00"'),
        "calling_hours.start",
        "HH:MM",
    ),
    (_with('where = "US-FL"', 'where = "Florida"'), "calling_hours.rules[1].where", "state"),
    (_with('where = "US-FL"', 'where = "US-ZZ"'), "calling_hours.rules[1].where", "not a US state"),
    (_with('hotkey = "b"', 'hotkey = "i"'), "dispositions[2].hotkey", "taken by the desk"),
    (_with('days = "mon-fri"', 'days = "fri-mon"'), "calling_hours.rules[2].days", "backwards"),
    (_with('key = "pains"', 'key = "vertical"'), "criteria[6].key", "used twice"),
    (_with('label = "Budget"', 'lable = "Budget"'), "criteria[8].label", "is missing"),
    (_with("[desk]", '[desk]\ncolour = "blue"'), "desk.colour", "unknown key"),
    (
        _with("recycle_days = { A = 14,", "recycle_days = { A = 0,"),
        "nurture.recycle_days.A",
        "at least 1",
    ),
    (_with("D = 0\n", "D = 5\n"), "grades.D", "must be 0"),
    ("[desk\n", "", "not valid TOML"),
    (_with('min_gap = "1h"', 'min_gap = "99999999999999d"'), "cadence.min_gap", "far too long"),
    (
        _with("speed_to_lead_hours = 4", "speed_to_lead_hours = 99999999999999"),
        "desk.speed_to_lead_hours",
        "at most",
    ),
]


@pytest.mark.parametrize(("text", "key", "problem"), BAD, ids=[b[1] or "toml" for b in BAD])
def test_a_bad_rules_file_names_the_key_and_the_problem(text: str, key: str, problem: str) -> None:
    with pytest.raises(RulesError) as caught:
        parse_rules(text)
    assert caught.value.key == key
    assert problem in caught.value.problem
    assert "\n" not in str(caught.value).strip()


def test_rules_need_a_connected_disposition() -> None:
    text = DEFAULT.replace('implies = "route"', 'implies = "retry"')
    with pytest.raises(RulesError, match='implies = "route"'):
        parse_rules(text)


def test_more_than_ten_criteria_is_refused() -> None:
    extra = '\n[[criteria]]\nkey = "x{n}"\nlabel = "X"\nprompt = "x?"\npoints = 1\n'
    text = DEFAULT + "".join(extra.format(n=n) for n in range(2))
    with pytest.raises(RulesError, match="at most 10"):
        parse_rules(text)


def test_error_names_the_file_when_asked() -> None:
    error = RulesError("cadence.min_gap", "bad").in_file("desk.toml")
    assert str(error) == "desk.toml: cadence.min_gap: bad"
