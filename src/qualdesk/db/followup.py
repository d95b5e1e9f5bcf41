"""The promises' SQL: follow-up states and speed-to-lead deadlines of the leads that arrived.

Both read the facts a lead keeps with every touch (its touch count and
channels, first call, latest touch's rep, first conversation) through the
covering index ix_leads_follow_up, not the touches themselves. A period
walks that index by created_at; all time reads it through.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import and_, case, literal, null, or_, select, type_coerce
from sqlmodel import Session, col, func

from qualdesk.core.followup import WORKED_STAGES, FollowUp
from qualdesk.core.periods import Period
from qualdesk.core.queue import QUEUED_STAGES
from qualdesk.core.rules import FollowUpTarget
from qualdesk.core.stages import Stage
from qualdesk.db.dialect import plus_seconds, text_position
from qualdesk.db.models import Lead, Touch
from qualdesk.db.types import UTCDateTime

_WHEN = UTCDateTime()


def _arrived(period: Period) -> list[Any]:
    # All time reads the table through; a period walks ix_leads_intake or ix_leads_follow_up.
    if period.whole:
        return []
    return [col(Lead.created_at) >= period.start, col(Lead.created_at) < period.end]


# When speed to lead's clock starts: the lead's own creation time, else its import.
_START = type_coerce(func.coalesce(col(Lead.arrived_at), col(Lead.created_at)), _WHEN)

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


def _follow_up_state(targets: Mapping[str, FollowUpTarget], now: datetime) -> Any:
    """A lead's follow-up state (qualdesk.core.followup.follow_up_state) as SQL: _ON,
    _UNDER, _BEHIND (under target past its window), _CLOSED or _NOT_OWED."""
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
            case((window_from > _START, _BEHIND), else_=_UNDER),
        ),
        (col(Lead.reached_at).is_not(None), _ON),
        (col(Lead.stage) == Stage.DISQUALIFIED.value, _NOT_OWED),
        else_=_CLOSED,
    )


class FollowUpGroup(NamedTuple):
    """Leads of one follow-up state whose latest touch was one rep's (None: never touched)."""

    rep_id: int | None
    state: FollowUp
    behind: bool
    leads: int


def follow_up_by_rep(
    session: Session, targets: Mapping[str, FollowUpTarget], period: Period, now: datetime
) -> list[FollowUpGroup]:
    """The leads that arrived in a period, by the rep of their latest touch and follow-up state.

    `behind` marks the leads under target whose grade's window had passed by `now`.
    """
    code = (
        func.coalesce(col(Lead.last_rep_id), 0) * _SLOTS + _follow_up_state(targets, now)
    ).label("code")
    # Grouped by the column's name: PostgreSQL would not see a repeated expression with
    # bound values as the same one.
    found = session.execute(select(code, func.count()).where(*_arrived(period)).group_by(code.name))
    groups = []
    for number, count in found:
        rep_id, state = divmod(int(number), _SLOTS)
        groups.append(FollowUpGroup(rep_id or None, _STATES[state], state == _BEHIND, int(count)))
    return groups


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
    touched = or_(*(text_position(wrapped, f",{name},") > 0 for name in others))
    first = (
        select(func.min(col(Touch.started_at)))
        .where(col(Touch.lead_id) == Lead.id, col(Touch.channel).in_(channels))
        .scalar_subquery()
    )
    return type_coerce(case((touched, first), else_=base), _WHEN)


class SpeedCandidate(NamedTuple):
    """A lead whose speed to lead needs its calendar deadline: when its clock started, and
    its first touch on the channels (None: still untouched)."""

    hours_class_id: int | None
    started: datetime
    first_touch: datetime | None


def speed_to_lead_candidates(
    session: Session, channels: tuple[str, ...], span: timedelta, period: Period, now: datetime
) -> list[SpeedCandidate]:
    """The leads that arrived in a period that may have missed speed to lead.

    A deadline is never sooner than `span` of wall-clock time after the
    lead's start, so a first touch within that is on time, and a lead still
    untouched that long is not late yet: neither is fetched. The rest are:
    first touched later than that, or still untouched, on the desk, past it.
    """
    first = _speed_touch(channels)
    # On SQLite the same span of wall-clock time is written in whole seconds, rounded down,
    # so a few more leads are fetched, never fewer.
    soonest = plus_seconds(_START, int(span / timedelta(seconds=1)))
    found = session.execute(
        select(col(Lead.hours_class_id), _START, first).where(
            *_arrived(period),
            or_(
                and_(
                    first.is_(None),
                    col(Lead.stage).in_([s.value for s in QUEUED_STAGES]),
                    literal(now - span, _WHEN) >= _START,
                ),
                first > soonest,
            ),
        )
    )
    return [SpeedCandidate(class_id, started, at) for class_id, started, at in found]
