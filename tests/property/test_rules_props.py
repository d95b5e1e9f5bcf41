"""Whatever a desk writes in its rules file, loading it succeeds or says which key is wrong.

Documents are random text, or the real data/desk.toml with keys dropped,
values of the wrong type, numbers out of range, unknown keys, bad times,
durations, regions and hot keys. Loading either gives rules that keep the
desk's invariants, or raises RulesError: one line, naming the key.
"""

from __future__ import annotations

import codecs
import copy
import itertools
import math
import re
import tomllib
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st

from qualdesk.core.errors import QualdeskError, RulesError
from qualdesk.core.rules import DeskRules, parse_rules
from qualdesk.core.stages import Outcome
from qualdesk.services.rules import read_rules_file
from tests.conftest import REPO
from tests.property.files import assert_one_line, nasty_text

DEFAULT_TEXT = (REPO / "data" / "desk.toml").read_text(encoding="utf-8")
DEFAULT = tomllib.loads(DEFAULT_TEXT)
_BARE = re.compile(r"[A-Za-z0-9_-]+")
_KEY = re.compile(r"[a-z][a-z0-9_]*")


def toml_key(key: str) -> str:
    return key if _BARE.fullmatch(key) else toml_value(key)


def toml_value(value: Any) -> str:
    """A value as TOML: tables and arrays inline, so a document is one `key = value` a line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        escaped = "".join(
            f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F else c
            for c in value.replace("\\", "\\\\").replace('"', '\\"')
        )
        return f'"{escaped}"'
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    raise TypeError(value)


def toml_document(doc: dict[str, Any]) -> str:
    return "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in doc.items())


# Values a desk might plausibly get wrong, for the keys that take them.
TARGETED = [
    "08:00", "8:00", "24:00", "24:01", "23:59", "25:00", "07:60", "٠٨:٠٠", "1٩:00", "20:00\n",
    "1h", "0m", "90m", "2w", "1d12h", "-1h", "1.5h", "h", "99999999999999999999d", "1" * 5000 + "d",
    "US", "us", "GB", "ZZ", "", " ", "ß", "America/New_York", "Mars/Olympus", "US-FL", "us-fl",
    "US-XX", "CA", "CA-ON", "U1-FL", "mon-fri", "fri-mon", "sat,sun", "all", "mon-", "tue-tue",
    "a", "n", "0", "é", "ab", "\t", "budget", "Budget", "budget\n", "email\n", "1st", "a b",
    "retry", "route", "callback", "nurture", "disqualify", "dnc", "Route", "title",
    "company_size", "phone", "and", "or", "xor", "confirm", "never",
    -(2**63), -1, 0, 1, 10, 11, 59, 60, 99_999, 100_000, 100_001, 2**63 - 1, 1.5, True,
    ["2h", "1d"], [], ["phone", "email\n"], {}, {"A": 14, "B": 30, "C": 60, "D": 90},
]  # fmt: skip
scalars = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.booleans(),
    st.text(max_size=12),
    nasty_text,
    # TOML has no fold: a time written and read back has fold=0.
    st.datetimes(timezones=st.sampled_from([None, UTC])).map(lambda t: t.replace(fold=0)),
    st.dates(),
    st.times().map(lambda t: t.replace(fold=0)),
)
toml_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
new_keys = st.sampled_from(["extra", "Name", "criteria", "desk", "a.b", "a\nb", ""]) | st.text(
    max_size=8
)

KeyPath = tuple[str | int, ...]


def _paths(node: Any, prefix: KeyPath = ()) -> list[KeyPath]:
    """The path to every value below this node, tables and arrays included."""
    if isinstance(node, dict):
        items: Any = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return []
    found = []
    for key, value in items:
        found.append((*prefix, key))
        found += _paths(value, (*prefix, key))
    return found


def _at(doc: Any, path: KeyPath) -> Any:
    for part in path:
        doc = doc[part]
    return doc


@st.composite
def mutated_rules(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    """data/desk.toml with one to three things changed, and what was changed."""
    doc = copy.deepcopy(DEFAULT)
    changes = []
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, last = _at(doc, path[:-1]), path[-1]
        action = draw(st.sampled_from(["drop", "value", "targeted", "targeted", "add", "repeat"]))
        if action == "drop":
            del parent[last]
        elif action == "value":
            parent[last] = draw(toml_values)
        elif action == "targeted":
            parent[last] = copy.deepcopy(draw(st.sampled_from(TARGETED)))
        elif action == "add" and isinstance(parent, dict):
            parent[draw(new_keys)] = draw(toml_values | st.sampled_from(TARGETED))
        elif isinstance(parent, list):
            parent.insert(draw(st.integers(0, len(parent))), copy.deepcopy(parent[last]))
        else:
            action = "none"
        changes.append(f"{action} {'.'.join(map(str, path))}")
    return doc, changes


def _check_invariants(rules: DeskRules) -> None:
    """What the rest of the desk counts on from rules that loaded."""
    assert 1 <= len(rules.criteria) <= 10
    for keys in ([c.key for c in rules.criteria], [d.key for d in rules.dispositions]):
        assert len(set(keys)) == len(keys) and all(_KEY.fullmatch(key) for key in keys), keys
    assert all(_KEY.fullmatch(channel) for channel in rules.channels), rules.channels
    hotkeys = [d.hotkey for d in rules.dispositions]
    assert len(set(hotkeys)) == len(hotkeys) and all(len(k) == 1 for k in hotkeys)
    assert any(d.implies is Outcome.ROUTE for d in rules.dispositions)
    thresholds = [points for _, points in rules.grades]
    assert all(a > b for a, b in itertools.pairwise(thresholds)) and thresholds[-1] == 0
    assert rules.qualification.min_established <= len(rules.criteria)
    assert rules.cadence.retry_after and rules.cadence.max_attempts >= 1
    assert min(rules.recycle_days.values()) >= 1
    hours = rules.calling_hours
    assert hours.start < hours.end
    assert all(w.start < w.end for w in hours.rules if not w.closed)
    assert all(w.start == w.end for w in hours.rules if w.closed)
    listed = [(d.where, d.day) for d in hours.closed_dates]
    assert len(set(listed)) == len(listed)
    assert all(d.name.strip() and d.name.isprintable() for d in hours.closed_dates)
    assert len({c.where for c in hours.caps}) == len(hours.caps)
    assert all(c.calls >= 1 and c.within.total_seconds() > 0 for c in hours.caps)


def _check_refusal(exc: RulesError) -> None:
    assert_one_line(str(exc))
    assert exc.key, f"names no key: {exc}"
    assert str(exc).startswith(f"{exc.key}: ")


@settings(max_examples=400, deadline=None, print_blob=True)
@given(mutated_rules())
@example((DEFAULT, []))
@example(({**DEFAULT, "a\nb": 1}, ["add a\nb"]))
@example(({**DEFAULT, "desk": {**DEFAULT["desk"], "channels": ["phone", "email\n"]}}, ["channel"]))
def test_a_changed_rules_file_loads_or_names_the_key(
    change: tuple[dict[str, Any], list[str]],
) -> None:
    doc, changes = change
    note(f"changed: {changes}")
    text = toml_document(doc)
    assert repr(tomllib.loads(text)) == repr(doc), "the test wrote the TOML wrongly"
    try:
        rules = parse_rules(text)
    except RulesError as exc:
        event(f"refused: {re.split(r'[.[]', exc.key)[0]}")
        _check_refusal(exc)
        return
    event("loaded")
    _check_invariants(rules)


@settings(max_examples=300, deadline=None, print_blob=True)
@given(
    st.text()
    | st.lists(st.sampled_from(DEFAULT_TEXT.splitlines(keepends=True))).map("".join)
    | st.integers(0, len(DEFAULT_TEXT)).map(lambda n: DEFAULT_TEXT[:n])
)
def test_any_text_loads_or_raises_a_one_line_rules_error(text: str) -> None:
    try:
        rules = parse_rules(text)
    except RulesError as exc:
        assert_one_line(str(exc))
        return
    _check_invariants(rules)


@settings(
    max_examples=100,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.tuples(
        mutated_rules().map(lambda change: toml_document(change[0])),
        st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    ).map(lambda pair: codecs.encode(pair[0], pair[1], errors="replace"))
    | st.binary(max_size=100)
)
def test_a_rules_file_of_any_bytes_is_read_or_refused_in_one_line(
    scratch: Path, data: bytes
) -> None:
    path = scratch / "rules.toml"
    path.write_bytes(data)
    try:
        read_rules_file(path)
    except RulesError as exc:
        assert_one_line(str(exc))
        assert str(exc).startswith(f"{path}: ")
    except QualdeskError as exc:
        assert_one_line(str(exc))
    finally:
        path.unlink()
