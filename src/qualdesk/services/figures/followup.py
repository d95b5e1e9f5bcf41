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
covering index ix_leads_follow_up, not the touches themselves (the SQL is in
qualdesk.db.followup).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from qualdesk.core.followup import FollowUp
from qualdesk.core.hours import calling_deadlines
from qualdesk.core.periods import Period
from qualdesk.core.rules import DeskRules
from qualdesk.db.engine import Session
from qualdesk.db.figures import rep_handles
from qualdesk.db.followup import follow_up_by_rep, speed_to_lead_candidates
from qualdesk.services.calling.queue import HoursClasses, hours_classes
from qualdesk.services.desk import Desk

COUNTED_IN = "calling hours"


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
    handles = rep_handles(session)
    for group in follow_up_by_rep(session, rules.follow_up, period, now):
        behind = group.leads if group.behind else 0
        promised.follow_up.add(group.state, group.leads, behind)
        if group.rep_id in handles:
            mine = promised.by_rep.setdefault(handles[group.rep_id], FollowUpCounts())
            mine.add(group.state, group.leads, behind)
    waiting: dict[int | None, Counter[datetime]] = defaultdict(Counter)
    firsts: dict[int | None, list[tuple[datetime, datetime]]] = defaultdict(list)
    channels = rules.speed_to_lead_channels
    for lead in speed_to_lead_candidates(session, channels, span, period, now):
        if lead.first_touch is None:
            waiting[lead.hours_class_id][lead.started] += 1
        else:
            firsts[lead.hours_class_id].append((lead.started, lead.first_touch))
    speed = promised.speed
    rows = {class_id: (zones, place) for class_id, zones, place in classes.rows}
    for class_id in waiting.keys() | firsts.keys():
        zones, place = rows.get(class_id or 0, ((), ""))
        starts = [*waiting[class_id], *(s for s, _ in firsts[class_id])]
        due = calling_deadlines(rules.calling_hours, zones, place, span, starts)
        speed.untouched_overdue += sum(n for s, n in waiting[class_id].items() if due[s] < now)
        speed.touched_late += sum(1 for s, at in firsts[class_id] if at > due[s])
    return promised
