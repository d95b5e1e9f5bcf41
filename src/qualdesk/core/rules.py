"""The desk's rules: the universal lead definition and the policy around it.

A rules file is TOML (see data/desk.toml). `parse_rules` turns its text into
a frozen `DeskRules` or raises `RulesError` naming the key and the problem;
nothing here reads files or knows about the database.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import partial
from typing import Any, TypeVar

import phonenumbers

from qualdesk.core.crmwords import (
    DEFAULT_OUTCOMES,
    DEFAULT_VERDICTS,
    OUTCOMES,
    VERDICTS,
    word_table,
)
from qualdesk.core.durations import parse_duration
from qualdesk.core.errors import RulesError
from qualdesk.core.nanp_areas import AREA_SUBDIVISIONS
from qualdesk.core.stages import Outcome

GRADES = ("A", "B", "C", "D")
# Jurisdictions below a country are told from NANP area codes only.
KNOWN_SUBDIVISIONS = frozenset(AREA_SUBDIVISIONS.values())
# Large enough for any count, point total or number of days a desk means.
MAX_WHOLE = 100_000
# Keys the desk uses itself: next, end, touch, notes, queue, answer, fix the lead,
# search, help, and the criteria.
RESERVED_KEYS = frozenset("netiqrf/?0123456789")
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# \Z, not $: "email\n" is no key ($ matches before a final line break).
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*\Z")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_WHERE = re.compile(r"^([A-Z]{2})(?:-([A-Z0-9]{1,3}))?\Z")
_DATED = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ \t]+(.*))?\Z", re.DOTALL)
# Time enough for any cap a law or a desk sets, and small enough to subtract from any date.
MAX_CAP_WINDOW = timedelta(days=366)

T = TypeVar("T")


@dataclass(frozen=True)
class Criterion:
    """One attribute of the universal lead definition."""

    key: str
    label: str
    prompt: str
    points: int
    required: bool = False


@dataclass(frozen=True)
class FirmographicPoints:
    """Points for a fact marketing delivered (a title word, a company size)."""

    field: str
    points: int
    contains: tuple[str, ...] = ()
    at_least: int | None = None


@dataclass(frozen=True)
class Qualification:
    """When a lead counts as qualified."""

    min_established: int
    min_score: int = 0
    combine: str = "and"


@dataclass(frozen=True)
class Disposition:
    """An outcome of a call attempt, logged with one key."""

    key: str
    label: str
    hotkey: str
    implies: Outcome
    connect: bool = False
    reason: str = ""


@dataclass(frozen=True)
class Cadence:
    """How often and how long the desk retries a lead it cannot reach."""

    retry_after: tuple[timedelta, ...]
    max_attempts: int
    min_gap: timedelta
    callback_grace: timedelta


@dataclass(frozen=True)
class HoursRule:
    """Calling hours for one jurisdiction on some days of the week.

    A closed rule (closed=True) allows no calls on its days; its window is
    empty (00:00-00:00).
    """

    where: str
    days: frozenset[int]
    start: time = time(0)
    end: time = time(0)
    closed: bool = False


@dataclass(frozen=True)
class ClosedDate:
    """A date on which a jurisdiction is not called (a public holiday), in its local time."""

    where: str
    day: date
    name: str


@dataclass(frozen=True)
class CallCap:
    """At most `calls` calls to one number within any `within`, for a jurisdiction."""

    where: str
    calls: int
    within: timedelta


@dataclass(frozen=True)
class CallingHours:
    """When a lead may be called, in the lead's own local time, and how often."""

    start: time
    end: time
    unknown_zone: str = "confirm"
    rules: tuple[HoursRule, ...] = ()
    closed_dates: tuple[ClosedDate, ...] = ()
    caps: tuple[CallCap, ...] = ()


@dataclass(frozen=True)
class SalesTerms:
    """Sales' side of the agreement: the time to give a verdict, and sales' words.

    `verdicts` and `outcomes` map a folded word (see qualdesk.core.crmwords.fold)
    to accepted, rejected or pending, and to opportunity, won or lost.
    """

    verdict_days: int = 5
    working_days: frozenset[int] = frozenset(range(5))
    verdicts: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_VERDICTS), hash=False)
    outcomes: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_OUTCOMES), hash=False)


@dataclass(frozen=True)
class FollowUpTarget:
    """How persistently the desk follows up a lead of one grade before letting it go.

    At least `touches` touches within `days` days of the lead's arrival, on at
    least `channels` channels.
    """

    touches: int
    days: int
    channels: int = 1


DEFAULT_FOLLOW_UP = {
    "A": FollowUpTarget(6, 14, 2),
    "B": FollowUpTarget(6, 14, 2),
    "C": FollowUpTarget(3, 14, 1),
    "D": FollowUpTarget(3, 14, 1),
}


@dataclass(frozen=True)
class DeskRules:
    """Everything the desk is configured to do, as one immutable value."""

    name: str
    default_region: str
    speed_to_lead: timedelta
    channels: tuple[str, ...]
    criteria: tuple[Criterion, ...]
    firmographic_points: tuple[FirmographicPoints, ...]
    qualification: Qualification
    grades: tuple[tuple[str, int], ...]
    dispositions: tuple[Disposition, ...]
    cadence: Cadence
    recycle_days: dict[str, int] = field(hash=False)
    calling_hours: CallingHours = field(default_factory=lambda: CallingHours(time(8), time(21)))
    # The channels whose touch meets speed to lead (a call attempt, by default).
    speed_to_lead_channels: tuple[str, ...] = ("phone",)
    sales: SalesTerms = field(default_factory=SalesTerms)
    follow_up: dict[str, FollowUpTarget] = field(
        default_factory=lambda: dict(DEFAULT_FOLLOW_UP), hash=False
    )
    # "password": every desk and command signs in; "none": a single-host desk that trusts
    # whoever can open its database.
    sign_in: str = "none"
    # A desk left without a key press this long signs out and gives back its lead.
    idle_sign_out: timedelta = timedelta(minutes=30)

    def disposition(self, key: str) -> Disposition:
        """The disposition with this key."""
        for item in self.dispositions:
            if item.key == key:
                return item
        raise KeyError(key)


def parse_rules(text: str, *, stored: bool = False) -> DeskRules:
    """Parse and validate a rules file's text.

    Args:
        text: the TOML text of a rules file.
        stored: the text of a version stored when it was loaded, checked then
            against the desk's keys of that day: a key the desk has taken
            since stays the disposition's on that version.

    Returns:
        The rules, validated.

    Raises:
        RulesError: the text is not valid TOML or breaks a rule; the error
            names the key and the problem.
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError("", f"not valid TOML: {exc}") from None
    rules = _Reader(doc, "").desk_rules()
    if not stored:
        _check_hotkeys(rules)
    return rules


def _check_hotkeys(rules: DeskRules) -> None:
    """No disposition may take a key the desk uses itself."""
    for index, item in enumerate(rules.dispositions):
        if item.hotkey in RESERVED_KEYS:
            raise RulesError(
                f"dispositions[{index + 1}].hotkey",
                f"{item.hotkey!r} is taken by the desk (n e t i q r f / ? and digits)",
            )


class _Reader:
    """Reads one table of the rules document, tracking the key path for errors."""

    def __init__(self, table: dict[str, Any], path: str) -> None:
        self.table = table
        self.path = path
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str, problem: str) -> RulesError:
        return RulesError(self.key(name), problem)

    def raw(self, name: str, default: Any = ...) -> Any:
        self.used.add(name)
        if name in self.table:
            return self.table[name]
        if default is ...:
            raise self.fail(name, "is missing")
        return default

    def typed(self, name: str, kind: type[T], what: str, default: Any = ...) -> T:
        value = self.raw(name, default)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(name, f"expected {what}, got {value!r}")
        return value

    def text(self, name: str, default: Any = ...) -> str:
        value = self.typed(name, str, "text", default).strip()
        if not value:
            raise self.fail(name, "must not be empty")
        return value

    def whole(self, name: str, default: Any = ..., minimum: int = 0) -> int:
        value = self.typed(name, int, "a whole number", default)
        if value < minimum:
            raise self.fail(name, f"must be at least {minimum}, got {value}")
        if value > MAX_WHOLE:
            raise self.fail(name, f"must be at most {MAX_WHOLE:,}, got {value:,}")
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        return self.typed(name, bool, "true or false", default)

    def choice(self, name: str, options: tuple[str, ...], default: Any = ...) -> str:
        value = self.text(name, default)
        if value not in options:
            raise self.fail(name, f"expected one of {', '.join(options)}, got {value!r}")
        return value

    def duration(self, name: str, default: Any = ...) -> timedelta:
        value = self.text(name, default)
        try:
            return parse_duration(value)
        except ValueError as exc:
            raise self.fail(name, str(exc)) from None

    def clock(self, name: str, default: Any = ...) -> time:
        value = self.text(name, default)
        match = _HHMM.match(value)
        if not match or (match.group(1) == "24" and match.group(2) != "00"):
            raise self.fail(name, f"expected a time of day as HH:MM, got {value!r}")
        hour, minute = int(match.group(1)), int(match.group(2))
        return time(23, 59, 59) if hour == 24 else time(hour, minute)

    def sub(self, name: str, default: Any = ...) -> _Reader:
        value = self.typed(name, dict, "a table", default)
        return _Reader(value, self.key(name))

    def items(self, name: str, build: Callable[[_Reader], T], required: bool = True) -> list[T]:
        value = self.raw(name, ... if required else [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(name, "expected a list of tables ([[" + self.key(name) + "]])")
        if required and not value:
            raise self.fail(name, "needs at least one entry")
        out = []
        for index, table in enumerate(value):
            reader = _Reader(table, f"{self.key(name)}[{index + 1}]")
            out.append(build(reader))
            reader.done()
        return out

    def done(self) -> None:
        unknown = sorted(set(self.table) - self.used)
        if unknown:
            # A quoted TOML key may hold anything, a line break too: quote it to keep one line.
            name = unknown[0] if _BARE_KEY.fullmatch(unknown[0]) else repr(unknown[0])
            raise self.fail(name, "unknown key (a typo?)")

    # -- the document ---------------------------------------------------

    def desk_rules(self) -> DeskRules:
        desk = self.sub("desk")
        region = desk.text("default_region").upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise desk.fail("default_region", f"unknown region code {region!r} (use e.g. US, GB)")
        channels = desk.typed("channels", list, "a list of channel names", ["phone", "email"])
        if not all(isinstance(c, str) and _KEY_RE.match(c) for c in channels):
            raise desk.fail("channels", "each channel is a lower-case word such as email")
        if "phone" not in channels:
            channels = ["phone", *channels]
        rules = DeskRules(
            name=desk.text("name", "Qualification desk"),
            default_region=region,
            speed_to_lead=timedelta(hours=desk.whole("speed_to_lead_hours", 4, minimum=1)),
            channels=tuple(dict.fromkeys(channels)),
            criteria=tuple(self.items("criteria", _criterion)),
            firmographic_points=tuple(
                self.items("firmographic_points", _firmographic, required=False)
            ),
            qualification=_qualification(self.sub("qualification")),
            grades=_grades(self.sub("grades")),
            dispositions=tuple(self.items("dispositions", _disposition)),
            cadence=_cadence(self.sub("cadence")),
            recycle_days=_recycle(self.sub("nurture")),
            calling_hours=_calling_hours(self.sub("calling_hours")),
            speed_to_lead_channels=_speed_channels(desk, channels),
            sales=_sales(self.sub("sales", {})),
            follow_up=_follow_up(self.sub("follow_up", {}), len(dict.fromkeys(channels))),
            sign_in=desk.choice("sign_in", SIGN_IN, "none"),
            idle_sign_out=timedelta(minutes=desk.whole("idle_sign_out_minutes", 30, minimum=1)),
        )
        desk.done()
        self.done()
        _check_whole(rules)
        return rules


SIGN_IN = ("none", "password")


def _speed_channels(desk: _Reader, channels: list[str]) -> tuple[str, ...]:
    wanted = desk.typed("speed_to_lead_channels", list, "a list of channel names", ["phone"])
    if not wanted:
        raise desk.fail("speed_to_lead_channels", "needs at least one channel")
    for name in wanted:
        if name not in channels:
            raise desk.fail(
                "speed_to_lead_channels",
                f"{name!r} is not one of the desk's channels ({', '.join(channels)})",
            )
    return tuple(dict.fromkeys(wanted))


def _words(
    r: _Reader, name: str, meanings: tuple[str, ...], default: dict[str, str]
) -> dict[str, str]:
    if name not in r.table:
        r.used.add(name)
        return dict(default)
    table = r.sub(name)
    lists: dict[str, list[str]] = {}
    for meaning in meanings:
        words = table.typed(meaning, list, "a list of words", [])
        if not all(isinstance(w, str) for w in words):
            raise table.fail(meaning, "expected a list of words")
        lists[meaning] = words
    table.done()
    try:
        return word_table(lists)
    except ValueError as exc:
        raise r.fail(name, str(exc)) from None


def _sales(r: _Reader) -> SalesTerms:
    terms = SalesTerms(
        verdict_days=r.whole("verdict_days", 5, minimum=1),
        working_days=_days(r, "working_days", "mon-fri"),
        verdicts=_words(r, "verdicts", VERDICTS, DEFAULT_VERDICTS),
        outcomes=_words(r, "outcomes", OUTCOMES, DEFAULT_OUTCOMES),
    )
    r.done()
    if not terms.working_days:
        raise r.fail("working_days", "needs at least one day")
    return terms


def _follow_up(r: _Reader, channels: int) -> dict[str, FollowUpTarget]:
    targets = dict(DEFAULT_FOLLOW_UP)
    for grade in GRADES:
        if grade not in r.table:
            continue
        target = r.sub(grade)
        targets[grade] = FollowUpTarget(
            touches=target.whole("touches", minimum=1),
            days=target.whole("days", minimum=1),
            channels=target.whole("channels", 1, minimum=1),
        )
        if targets[grade].channels > channels:
            raise target.fail(
                "channels",
                f"asks for {targets[grade].channels} channels, but the desk has {channels} "
                "([desk] channels): no lead could ever reach it",
            )
        target.done()
    r.done()
    return targets


def _criterion(r: _Reader) -> Criterion:
    key = r.text("key")
    if not _KEY_RE.match(key):
        raise r.fail("key", f"expected a lower-case key such as budget, got {key!r}")
    return Criterion(
        key=key,
        label=r.text("label"),
        prompt=r.text("prompt"),
        points=r.whole("points", 0),
        required=r.flag("required"),
    )


def _firmographic(r: _Reader) -> FirmographicPoints:
    fact = r.choice("field", ("title", "company_size", "industry", "company"))
    contains = r.typed("contains", list, "a list of words", [])
    if not all(isinstance(word, str) and word.strip() for word in contains):
        raise r.fail("contains", "expected a list of words")
    at_least = r.raw("at_least", None)
    if at_least is not None:
        at_least = r.whole("at_least")
    if bool(contains) == (at_least is not None):
        raise r.fail("field", "give exactly one of contains = [...] or at_least = N")
    return FirmographicPoints(
        field=fact,
        points=r.whole("points"),
        contains=tuple(word.strip().lower() for word in contains),
        at_least=at_least,
    )


def _qualification(r: _Reader) -> Qualification:
    result = Qualification(
        min_established=r.whole("min_established", minimum=0),
        min_score=r.whole("min_score", 0),
        combine=r.choice("combine", ("and", "or"), "and"),
    )
    r.done()
    return result


def _grades(r: _Reader) -> tuple[tuple[str, int], ...]:
    thresholds = [(grade, r.whole(grade)) for grade in GRADES]
    r.done()
    for (upper, high), (lower, low) in itertools.pairwise(thresholds):
        if high <= low:
            raise r.fail(upper, f"must be above {lower} ({low}), got {high}")
    if thresholds[-1][1] != 0:
        raise r.fail("D", "must be 0, so that every lead has a grade")
    return tuple(thresholds)


def _disposition(r: _Reader) -> Disposition:
    key = r.text("key")
    if not _KEY_RE.match(key):
        raise r.fail("key", f"expected a lower-case key such as no_answer, got {key!r}")
    hotkey = r.text("hotkey")
    if len(hotkey) != 1 or not hotkey.isprintable():
        raise r.fail("hotkey", f"expected one key such as a, got {hotkey!r}")
    implies = r.choice("implies", tuple(o.value for o in Outcome))
    return Disposition(
        key=key,
        label=r.text("label"),
        hotkey=hotkey,
        implies=Outcome(implies),
        connect=r.flag("connect"),
        reason=r.typed("reason", str, "text", "").strip(),
    )


def _cadence(r: _Reader) -> Cadence:
    spacing = r.typed("retry_after", list, 'a list of durations such as ["2h", "1d"]')
    if not spacing:
        raise r.fail("retry_after", "needs at least one duration")
    waits = []
    for index, item in enumerate(spacing):
        try:
            waits.append(parse_duration(str(item)))
        except ValueError as exc:
            raise r.fail(f"retry_after[{index + 1}]", str(exc)) from None
    result = Cadence(
        retry_after=tuple(waits),
        max_attempts=r.whole("max_attempts", minimum=1),
        min_gap=r.duration("min_gap", "1h"),
        callback_grace=r.duration("callback_grace", "30m"),
    )
    r.done()
    return result


def _recycle(r: _Reader) -> dict[str, int]:
    days = r.sub("recycle_days")
    result = {grade: days.whole(grade, minimum=1) for grade in GRADES}
    days.done()
    r.done()
    return result


def _days(r: _Reader, name: str = "days", default: str = "all") -> frozenset[int]:
    text = r.text(name, default).lower()
    if text in ("all", "daily", "mon-sun"):
        return frozenset(range(7))
    picked: set[int] = set()
    for part in text.replace(" ", "").split(","):
        ends = part.split("-")
        if len(ends) > 2 or not all(end in DAY_NAMES for end in ends):
            raise r.fail(name, f"expected days such as mon-fri or sat,sun, got {text!r}")
        first, last = DAY_NAMES.index(ends[0]), DAY_NAMES.index(ends[-1])
        if last < first:
            raise r.fail(name, f"range {part!r} runs backwards; write e.g. fri-sun")
        picked.update(range(first, last + 1))
    return frozenset(picked)


def _window(r: _Reader) -> tuple[time, time]:
    start, end = r.clock("start"), r.clock("end")
    if end <= start:
        raise r.fail("end", f"must be after start ({start:%H:%M})")
    return start, end


def _jurisdiction(where: str, fail: Callable[[str], RulesError]) -> str:
    """A country (CA) or a state or province the desk can tell from a number (US-FL)."""
    match = _WHERE.match(where)
    if not match or match.group(1) not in phonenumbers.SUPPORTED_REGIONS:
        raise fail(f"expected a country (CA) or state (US-FL) code, got {where!r}")
    if match.group(2) and where not in KNOWN_SUBDIVISIONS:
        raise fail(
            f"{where!r} is not a US state or Canadian province the desk can tell from a number"
        )
    return where


def _where(r: _Reader) -> str:
    return _jurisdiction(r.text("where").upper(), partial(r.fail, "where"))


def _hours_rule(r: _Reader) -> HoursRule:
    where = _where(r)
    days = _days(r)
    if r.flag("closed"):
        for name in ("start", "end"):
            if name in r.table:
                raise r.fail(name, "not allowed beside closed = true (a closed day has no hours)")
        return HoursRule(where=where, days=days, closed=True)
    start, end = _window(r)
    return HoursRule(where=where, days=days, start=start, end=end)


def _closed_dates(r: _Reader) -> tuple[ClosedDate, ...]:
    found: list[ClosedDate] = []
    seen: dict[str, str] = {}
    for key, listed in r.table.items():
        r.used.add(key)
        name = key if _BARE_KEY.fullmatch(key) else repr(key)
        where = _jurisdiction(key.upper(), partial(r.fail, name))
        if where in seen:
            raise r.fail(name, f"{where!r} is listed twice (also as {seen[where]})")
        seen[where] = name
        if not isinstance(listed, list):
            raise r.fail(name, 'expected a list of dates such as ["2026-12-25 Christmas Day"]')
        days: set[date] = set()
        for index, entry in enumerate(listed):
            item = f"{name}[{index + 1}]"
            day, label = _closed_date(entry, partial(r.fail, item))
            if day in days:
                raise r.fail(item, f"{day.isoformat()} is listed twice for {where}")
            days.add(day)
            found.append(ClosedDate(where=where, day=day, name=label))
    return tuple(found)


def _closed_date(entry: object, fail: Callable[[str], RulesError]) -> tuple[date, str]:
    example = 'write e.g. "2026-12-25 Christmas Day"'
    if not isinstance(entry, str):
        raise fail(f'expected text such as "2026-12-25 Christmas Day", got {entry!r}')
    match = _DATED.match(entry.strip())
    if not match:
        raise fail(f"expected a date as YYYY-MM-DD and a name, got {entry!r}; {example}")
    try:
        day = date.fromisoformat(match.group(1))
    except ValueError:
        raise fail(f"{match.group(1)!r} is not a date (YYYY-MM-DD)") from None
    label = (match.group(2) or "").strip()
    if not label:
        raise fail(f"{entry!r} has no name; {example}")
    if not label.isprintable():
        raise fail(f"the name must be one line of plain text, got {label!r}")
    return day, label


def _cap(r: _Reader) -> CallCap:
    where = _where(r)
    calls = r.whole("calls", minimum=1)
    within = r.duration("within")
    if within <= timedelta(0):
        raise r.fail("within", "must be longer than 0")
    if within > MAX_CAP_WINDOW:
        raise r.fail("within", f"must be at most {MAX_CAP_WINDOW.days}d")
    return CallCap(where=where, calls=calls, within=within)


def _calling_hours(r: _Reader) -> CallingHours:
    start, end = _window(r)
    closed_dates = r.sub("closed_dates", {})
    result = CallingHours(
        start=start,
        end=end,
        unknown_zone=r.choice("unknown_zone", ("confirm", "never"), "confirm"),
        rules=tuple(r.items("rules", _hours_rule, required=False)),
        closed_dates=_closed_dates(closed_dates),
        caps=tuple(r.items("caps", _cap, required=False)),
    )
    closed_dates.done()
    r.done()
    firsts: dict[str, int] = {}
    for index, cap in enumerate(result.caps, start=1):
        if cap.where in firsts:
            raise r.fail(
                f"caps[{index}].where",
                f"{cap.where!r} has a cap already (caps[{firsts[cap.where]}]); keep one",
            )
        firsts[cap.where] = index
    return result


def _check_whole(rules: DeskRules) -> None:
    """Checks across sections, once every section parsed on its own."""
    if len(rules.criteria) > 10:
        raise RulesError("criteria", "at most 10 criteria (keys 1-9 and 0 toggle them)")
    _unique("criteria", [c.key for c in rules.criteria], "key")
    _unique("dispositions", [d.key for d in rules.dispositions], "key")
    _unique("dispositions", [d.hotkey for d in rules.dispositions], "hotkey")
    if rules.qualification.min_established > len(rules.criteria):
        raise RulesError(
            "qualification.min_established",
            f"asks for {rules.qualification.min_established} criteria, "
            f"but only {len(rules.criteria)} are defined",
        )
    if not any(d.implies is Outcome.ROUTE for d in rules.dispositions):
        raise RulesError("dispositions", 'needs one with implies = "route" (a connected call)')


def _unique(section: str, values: list[str], what: str) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise RulesError(f"{section}[{index + 1}].{what}", f"{value!r} is used twice")
        seen.add(value)
