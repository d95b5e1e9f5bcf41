"""The desk's side of its agreement with marketing, counted: speed to lead and follow-up targets.

Both count the leads that arrived on the desk (were imported) in a period.

Speed to lead: a lead's first touch on one of the rules' speed-to-lead
channels (a call attempt by default; a call the lead made to the desk counts
too: it is a phone touch and the desk answered it) is due once the rules'
hours of the lead's calling time have passed since it arrived: its own
creation time when marketing's file gave one, else its import
(qualdesk.core.hours.calling_deadlines). Calling time is counted with the
calling hours in force now; a lead whose zone is unknown counts wall-clock
hours. A lead first touched after its deadline was touched late; one with
no such touch, still on the desk, past its deadline is still untouched.

Follow-up: each lead stands on target, under target or closed under target
against its grade's target (qualdesk.core.followup), and counts for the rep
who made its latest touch; a lead never touched counts for the desk only.

Both read the facts a lead keeps with every touch (its touch count and
channels, first call, latest touch's rep, first conversation) through the
covering index ix_leads_follow_up, not the touches themselves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, literal, null, or_, type_coerce
from sqlalchemy import select as columns_of
from sqlmodel import Session, col, func

from qualdesk.core.followup import WORKED_STAGES, FollowUp
from qualdesk.core.hours import calling_deadlines
from qualdesk.core.periods import Period
from qualdesk.core.queue import QUEUED_STAGES
from qualdesk.core.rules import DeskRules
from qualdesk.core.stages import Stage
from qualdesk.db.models import Lead, Rep, Touch
from qualdesk.db.types import UTCDateTime
from qualdesk.services.desk import Desk
from qualdesk.services.queue import HoursClasses, hours_classes

COUNTED_IN = "calling hours"
_WHEN = UTCDateTime()


@dataclass
class SpeedToLead:
    """Leads that arrived in a period and missed their speed-to-lead deadline."""

    hours: int
    channels: tuple[str, ...]
    touched_late: int = 0
    untouched_overdue: int = 0


@dataclass
class FollowUpCounts:
    """Leads on, under and closed under their follow-up target; `behind` is the share
    of those under target whose window to reach it has passed."""

    on_target: int = 0
    under_target: int = 0
    behind: int = 0
    closed_under_target: int = 0
    # Out without a conversation (do-not-call, a wrong number): owed no follow-up.
    not_owed: int = 0

    def add(self, state: str, count: int, behind: int) -> None:
        """Count `count` leads in a state, `behind` of them past their window."""
        if state == FollowUp.ON_TARGET:
            self.on_target += count
        elif state == FollowUp.UNDER_TARGET:
            self.under_target += count
            self.behind += behind
        elif state == FollowUp.CLOSED_UNDER_TARGET:
            self.closed_under_target += count
        else:
            self.not_owed += count

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Promises:
    """What the desk promised marketing, counted for one period."""

    speed: SpeedToLead
    follow_up: FollowUpCounts = field(default_factory=FollowUpCounts)
    # By the handle of the rep who made each lead's latest touch.
    by_rep: dict[str, FollowUpCounts] = field(default_factory=dict)


def promises(desk: Desk, period: Period, now: datetime) -> Promises:
    """Speed to lead and follow-up for the leads that arrived in a period, on its own read.

    Args:
        desk: the open desk.
        period: the days whose arrivals are counted.
        now: the moment of counting: a deadline after it is not missed yet.
    """
    with desk.db.reading() as session:
        rules = desk.rules(session).rules
        return count_promises(session, rules, hours_classes(desk, session), period, now)


def _speed_touch(channels: tuple[str, ...]) -> Any:
    """A lead's first touch on the speed-to-lead channels, as SQL.

    The lead keeps its first call: with the phone alone (the default) that is
    the answer. A lead also touched on another of the channels has its
    touches read (ix_touches_lead_id).
    """
    base = col(Lead.first_call_at) if "phone" in channels else null()
    others = [name for name in channels if name != "phone"]
    if not others:
        return base
    wrapped = literal(",") + col(Lead.touch_channels) + literal(",")
    touched = or_(*(func.instr(wrapped, f",{name},") > 0 for name in others))
    first = (
        columns_of(func.min(col(Touch.started_at)))
        .where(col(Touch.lead_id) == Lead.id, col(Touch.channel).in_(channels))
        .scalar_subquery()
    )
    return type_coerce(case((touched, first), else_=base), _WHEN)


# A lead's follow-up state as a small number, so the count groups by one integer per lead.
_ON, _UNDER, _BEHIND, _CLOSED, _NOT_OWED = range(5)
_SLOTS = 5
_STATES = {
    _ON: FollowUp.ON_TARGET,
    _UNDER: FollowUp.UNDER_TARGET,
    _BEHIND: FollowUp.UNDER_TARGET,
    _CLOSED: FollowUp.CLOSED_UNDER_TARGET,
    _NOT_OWED: FollowUp.NOT_OWED,
}


def _follow_up_state(rules: DeskRules, start: Any, now: datetime) -> Any:
    """A lead's follow-up state (qualdesk.core.followup.follow_up_state) as SQL: _ON,
    _UNDER, _BEHIND (under target past its window), _CLOSED or _NOT_OWED."""
    targets = rules.follow_up
    grade = col(Lead.grade)
    touches = case({g: t.touches for g, t in targets.items()}, value=grade, else_=0)
    wanted = case({g: t.channels for g, t in targets.items()}, value=grade, else_=0)
    kept = col(Lead.touch_channels)
    channels = case(
        (kept == "", 0), else_=func.length(kept) - func.length(func.replace(kept, ",", "")) + 1
    )
    window_from = case(
        {g: literal(now - timedelta(days=t.days), _WHEN) for g, t in targets.items()}, value=grade
    )
    return case(
        (and_(col(Lead.touch_count) >= touches, channels >= wanted), _ON),
        (
            col(Lead.stage).in_([s.value for s in WORKED_STAGES]),
            case((start < window_from, _BEHIND), else_=_UNDER),
        ),
        (col(Lead.reached_at).is_not(None), _ON),
        (col(Lead.stage) == Stage.DISQUALIFIED.value, _NOT_OWED),
        else_=_CLOSED,
    )


def count_promises(
    session: Session, rules: DeskRules, classes: HoursClasses, period: Period, now: datetime
) -> Promises:
    """Speed to lead and follow-up for the leads that arrived in a period.

    Two reads of the period's leads, each from the facts the lead keeps
    with every touch. The first counts them by (latest rep, follow-up
    state). The second fetches the leads whose speed to lead the SQL cannot
    settle: a deadline is never sooner than the same hours of wall-clock
    time, so a first touch within those needs no calendar, nor does a lead
    still untouched before them. Their deadlines are worked out once per
    calling-hours class and start (the leads of one import share both;
    qualdesk.core.hours.calling_deadlines).

    Args:
        session: a read session.
        rules: the rules in force.
        classes: the desk's calling-hours classes.
        period: the days whose arrivals are counted.
        now: the moment of counting.
    """
    span = rules.speed_to_lead
    promised = Promises(SpeedToLead(round(span / timedelta(hours=1)), rules.speed_to_lead_channels))
    start = type_coerce(func.coalesce(col(Lead.arrived_at), col(Lead.created_at)), _WHEN)
    # All time reads the table through; a period walks ix_leads_intake.
    arrived = (
        []
        if period.whole
        else [col(Lead.created_at) >= period.start, col(Lead.created_at) < period.end]
    )
    code = func.coalesce(col(Lead.last_rep_id), 0) * _SLOTS + _follow_up_state(rules, start, now)
    reps = columns_of(col(Rep.id), col(Rep.handle))
    handles = {rep_id: handle for rep_id, handle in session.execute(reps)}
    for found, count in session.execute(
        columns_of(code, func.count()).where(*arrived).group_by(code)
    ):
        rep_id, state = divmod(found, _SLOTS)
        behind = count if state == _BEHIND else 0
        promised.follow_up.add(_STATES[state], count, behind)
        if rep_id in handles:
            mine = promised.by_rep.setdefault(handles[rep_id], FollowUpCounts())
            mine.add(_STATES[state], count, behind)
    first = _speed_touch(rules.speed_to_lead_channels)
    # The same hours of wall-clock time, in SQLite's text (whole seconds, rounded down).
    soonest = func.datetime(start, f"+{span / timedelta(seconds=1):g} seconds")
    waiting: dict[int | None, dict[datetime, int]] = defaultdict(dict)
    firsts: dict[int | None, list[tuple[datetime, datetime]]] = defaultdict(list)
    for class_id, started, touched_at in session.execute(
        columns_of(col(Lead.hours_class_id), start, first).where(
            *arrived,
            or_(
                and_(
                    first.is_(None),
                    col(Lead.stage).in_([s.value for s in QUEUED_STAGES]),
                    start <= literal(now - span, _WHEN),
                ),
                first > soonest,
            ),
        )
    ):
        if touched_at is None:
            waiting[class_id][started] = waiting[class_id].get(started, 0) + 1
        else:
            firsts[class_id].append((started, touched_at))
    speed = promised.speed
    rows = {class_id: (zones, place) for class_id, zones, place in classes.rows}
    for class_id in waiting.keys() | firsts.keys():
        zones, place = rows.get(class_id or 0, ((), ""))
        starts = [*waiting[class_id], *(s for s, _ in firsts[class_id])]
        due = calling_deadlines(rules.calling_hours, zones, place, span, starts)
        speed.untouched_overdue += sum(n for s, n in waiting[class_id].items() if due[s] < now)
        speed.touched_late += sum(1 for s, at in firsts[class_id] if at > due[s])
    return promised
