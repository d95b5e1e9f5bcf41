"""The rules file: the default parses, and every mistake names its key."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from qualdesk.core.errors import RulesError
from qualdesk.core.rules import CallCap, ClosedDate, HoursRule, parse_rules
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


CLOSED_SUNDAY = 'days = "sun"\nclosed = true'
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
    (
        _with(CLOSED_SUNDAY, CLOSED_SUNDAY + '\nstart = "10:00"'),
        "calling_hours.rules[4].start",
        "closed = true",
    ),
    (
        _with(CLOSED_SUNDAY, CLOSED_SUNDAY + '\nend = "18:00"'),
        "calling_hours.rules[4].end",
        "closed = true",
    ),
    (
        _with(CLOSED_SUNDAY, 'days = "sun"\nclosed = "yes"'),
        "calling_hours.rules[4].closed",
        "true or false",
    ),
    (
        _with('"2026-11-26 Thanksgiving Day"', '"2026-11-31 Thanksgiving Day"'),
        "calling_hours.closed_dates.US[10]",
        "not a date",
    ),
    (
        _with('"2026-11-26 Thanksgiving Day"', '"26/11/2026 Thanksgiving Day"'),
        "calling_hours.closed_dates.US[10]",
        "YYYY-MM-DD",
    ),
    (
        _with('"2026-11-26 Thanksgiving Day"', '"2026-11-26"'),
        "calling_hours.closed_dates.US[10]",
        "has no name",
    ),
    (
        _with('"2026-11-26 Thanksgiving Day"', "2026-11-26"),
        "calling_hours.closed_dates.US[10]",
        "expected text",
    ),
    (
        _with('"2026-11-11 Veterans Day"', '"2026-11-26 Veterans Day"'),
        "calling_hours.closed_dates.US[10]",
        "listed twice for US",
    ),
    (
        _with("US = [", '"US-ZZ" = []\nUS = ['),
        "calling_hours.closed_dates.US-ZZ",
        "not a US state",
    ),
    (
        _with("US = [", '"Florida" = []\nUS = ['),
        "calling_hours.closed_dates.Florida",
        "expected a country",
    ),
    (
        _with("US = [", "us = []\nUS = ["),
        "calling_hours.closed_dates.US",
        "listed twice",
    ),
    (
        _with("US = [", '"US-FL" = "2026-11-27 Friday after Thanksgiving"\nUS = ['),
        "calling_hours.closed_dates.US-FL",
        "expected a list",
    ),
    (_with("calls = 3", "calls = 0"), "calling_hours.caps[1].calls", "at least 1"),
    (_with('within = "24h"', 'within = "0m"'), "calling_hours.caps[1].within", "longer than 0"),
    (_with('within = "24h"', 'within = "400d"'), "calling_hours.caps[1].within", "at most 366d"),
    (_with('within = "24h"', 'within = "a day"'), "calling_hours.caps[1].within", "duration"),
    (
        _with('calls = 3\nwithin = "24h"', "calls = 3"),
        "calling_hours.caps[1].within",
        "is missing",
    ),
    (
        DEFAULT.replace('where = "US-FL"\ncalls', 'where = "Miami"\ncalls'),
        "calling_hours.caps[1].where",
        "expected a country",
    ),
    (
        DEFAULT + '\n[[calling_hours.caps]]\nwhere = "us-fl"\ncalls = 5\nwithin = "7d"\n',
        "calling_hours.caps[2].where",
        "has a cap already",
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


def test_default_rules_close_us_sundays_and_list_the_federal_holidays() -> None:
    hours = parse_rules(DEFAULT).calling_hours
    assert HoursRule("US", frozenset({6}), closed=True) in hours.rules
    florida = next(r for r in hours.rules if r.where == "US-FL")
    assert 6 not in florida.days, "a Florida rule on Sundays would open them"
    assert hours.caps == (CallCap("US-FL", 3, timedelta(hours=24)),)
    listed = {d.day: d.name for d in hours.closed_dates if d.where == "US"}
    assert listed[date(2026, 7, 3)] == "Independence Day (observed)"  # 4 July 2026 is a Saturday
    assert listed[date(2026, 11, 26)] == "Thanksgiving Day"
    assert listed[date(2027, 12, 24)] == "Christmas Day (observed)"
    assert all(day.weekday() < 5 for day in listed), "an observed holiday is a weekday"
    for year in (2026, 2027):
        names = sorted(
            name.removesuffix(" (observed)")
            for day, name in listed.items()
            if day.year == year and not (day.month == 12 and day.day == 31)
        )
        assert len(names) == len(set(names)) == 11, names


def test_closed_days_holidays_and_caps_are_read() -> None:
    text = _with(
        "[calling_hours.closed_dates]",
        '[calling_hours.closed_dates]\n"us-fl" = ["2026-11-27   Friday after Thanksgiving "]',
    )
    hours = parse_rules(text).calling_hours
    assert (
        ClosedDate("US-FL", date(2026, 11, 27), "Friday after Thanksgiving") in hours.closed_dates
    )
    assert ClosedDate("US", date(2026, 12, 25), "Christmas Day") in hours.closed_dates


def test_rules_written_before_closed_days_still_parse() -> None:
    # Texts stored by earlier versions have no closed rules, dates or caps.
    earlier = DEFAULT[: DEFAULT.index("\n# closed = true")]
    hours = parse_rules(earlier).calling_hours
    assert hours.closed_dates == () and hours.caps == ()
    assert not any(rule.closed for rule in hours.rules)


@pytest.mark.parametrize("key", ["r", "f"])
def test_the_desks_own_keys_stay_the_dispositions_on_a_version_stored_before(key: str) -> None:
    text = _with('hotkey = "b"', f'hotkey = "{key}"')
    with pytest.raises(RulesError, match=r"dispositions\[2\].hotkey.*taken by the desk"):
        parse_rules(text)  # a file loaded now
    stored = parse_rules(text, stored=True)  # a version loaded before the desk took the key
    assert stored.disposition("busy").hotkey == key


def test_the_shipped_rules_list_the_crm_words_a_desk_gets_without_them() -> None:
    """data/desk.toml shows the tables in force when a rules file gives none."""
    from qualdesk.core.crmwords import DEFAULT_OUTCOMES, DEFAULT_VERDICTS
    from qualdesk.core.rules import DEFAULT_FOLLOW_UP

    shipped = parse_rules((REPO / "data" / "desk.toml").read_text(encoding="utf-8"))
    assert shipped.sales.verdicts == DEFAULT_VERDICTS
    assert shipped.sales.outcomes == DEFAULT_OUTCOMES
    assert shipped.follow_up == DEFAULT_FOLLOW_UP
    assert shipped.speed_to_lead_channels == ("phone",)


def test_a_word_with_two_meanings_is_refused_naming_it() -> None:
    text = (REPO / "data" / "desk.toml").read_text(encoding="utf-8")
    text = text.replace(
        'pending = [\n    "pending",', 'pending = [\n    "pending", "Closed - Converted",'
    )
    with pytest.raises(RulesError, match=r"sales\.verdicts.*'Closed - Converted' means both"):
        parse_rules(text)


def test_speed_to_lead_counts_only_the_desks_channels() -> None:
    text = (REPO / "data" / "desk.toml").read_text(encoding="utf-8")
    text = text.replace('speed_to_lead_channels = ["phone"]', 'speed_to_lead_channels = ["fax"]')
    with pytest.raises(RulesError, match=r"desk\.speed_to_lead_channels.*'fax'"):
        parse_rules(text)


def test_a_follow_up_target_on_more_channels_than_the_desk_has_is_refused() -> None:
    text = DEFAULT.replace(
        "A = { touches = 6, days = 14, channels = 2 }",
        "A = { touches = 6, days = 14, channels = 5 }",
    )
    with pytest.raises(RulesError, match=r"follow_up\.A\.channels.*asks for 5 channels.*has 4"):
        parse_rules(text)
