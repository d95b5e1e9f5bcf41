"""The figures' SQL: a rep's day, the team's period, the queue now, and sales' side.

Most statements name the index they read; the team view and `qualdesk stats`
are measured at a million leads (bench/stats_speed.py), so a change here is
a change to their speed. Counts over touches read the covering index
ix_touches_period only. Sums come back as Python ints on both engines
(PostgreSQL sums a bigint column as numeric).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, case, distinct, exists, literal_column, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func

from qualdesk.core.crmwords import LOST, WON
from qualdesk.core.periods import Period
from qualdesk.core.stages import Stage
from qualdesk.db.dialect import seconds_between
from qualdesk.db.feedback import newest_verdict
from qualdesk.db.models import (
    ExportBatch,
    HandOff,
    Lead,
    Rep,
    RepLeadTotal,
    RepTouchTotal,
    Review,
    RoutingDecision,
    Touch,
)


def _in(column: Any, start: datetime, end: datetime) -> Any:
    return and_(column >= start, column < end)


def _int(value: Any) -> int:
    return int(value or 0)


# A rep's day ------------------------------------------------------------------------------


class TouchCounts(NamedTuple):
    """Touches, call attempts and connects."""

    touches: int
    calls: int
    connects: int


def touches_of_rep(
    session: Session, rep_id: int | None, start: datetime, end: datetime, connects: Sequence[str]
) -> TouchCounts:
    """A rep's touches, calls and connects from `start` to `end` (ix_touches_rep_id_started_at)."""
    touches, calls, connected = session.execute(
        select(
            func.count(),
            func.count().filter(col(Touch.channel) == "phone"),
            func.count().filter(col(Touch.disposition).in_(connects)),
        ).where(col(Touch.rep_id) == rep_id, _in(col(Touch.started_at), start, end))
    ).one()
    return TouchCounts(_int(touches), _int(calls), _int(connected))


def routes_of_rep(
    session: Session, rep_id: int | None, start: datetime, end: datetime
) -> dict[str, int]:
    """How many leads a rep routed where from `start` to `end`, by route."""
    found = session.execute(
        select(col(RoutingDecision.route), func.count())
        .where(
            col(RoutingDecision.rep_id) == rep_id,
            _in(col(RoutingDecision.decided_at), start, end),
        )
        .group_by(col(RoutingDecision.route))
    )
    return {route: _int(count) for route, count in found}


# The team's period, per rep -----------------------------------------------------------------


class RepRow(NamedTuple):
    id: int
    handle: str
    name: str
    active: bool


def reps_by_handle(session: Session, only: str | None = None) -> list[RepRow]:
    """Every rep (or the one with handle `only`), by handle in code-point order."""
    everyone = select(col(Rep.id), col(Rep.handle), col(Rep.name), col(Rep.active))
    if only:
        everyone = everyone.where(col(Rep.handle) == only)
    found = session.execute(everyone.order_by(col(Rep.handle)))
    reps = [RepRow(int(i), handle, name, bool(active)) for i, handle, name, active in found]
    # Sorted again here: a PostgreSQL collation such as en_US puts handles with `.`, `_`
    # or `-` in another order than SQLite's (and Python's) code points.
    return sorted(reps, key=lambda rep: rep.handle)


def rep_handles(session: Session) -> dict[int, str]:
    """Every rep's handle by id."""
    return {int(i): handle for i, handle in session.execute(select(col(Rep.id), col(Rep.handle)))}


class ChannelCounts(NamedTuple):
    """One rep's touches on one channel, and their talk time."""

    rep_id: int
    channel: str
    touches: int
    connects: int
    talk_seconds: int


def touches_by_rep_and_channel(
    session: Session, period: Period, connects: Sequence[str]
) -> list[ChannelCounts]:
    """Per rep and channel: touches, connects and talk time in a period (ix_touches_period).

    Talk time is the card's open time on touches that reached someone.
    """
    connected = col(Touch.disposition).in_(connects)
    talk = func.sum(case((connected, seconds_between(Touch.ended_at, Touch.started_at))))
    found = session.execute(
        select(
            col(Touch.rep_id), col(Touch.channel), func.count(), func.count().filter(connected),
            talk,
        )
        .where(_in(col(Touch.started_at), period.start, period.end))
        .group_by(col(Touch.rep_id), col(Touch.channel))
    )  # fmt: skip
    return [
        ChannelCounts(rep_id, channel, _int(count), _int(reached), round(float(seconds or 0)))
        for rep_id, channel, count, reached, seconds in found
    ]


class LeadCounts(NamedTuple):
    """The distinct leads one rep touched, called, and their (lead, channel) pairs."""

    rep_id: int
    leads: int
    called: int
    lead_channels: int


def leads_by_rep(session: Session, period: Period) -> list[LeadCounts]:
    """Per rep: the leads touched and called in a period, and their channels (ix_touches_period)."""
    per_lead = (
        select(
            col(Touch.rep_id).label("rep_id"),
            func.count(distinct(col(Touch.channel))).label("channels"),
            func.max(case((col(Touch.channel) == "phone", 1), else_=0)).label("called"),
        )
        .where(_in(col(Touch.started_at), period.start, period.end))
        .group_by(col(Touch.rep_id), col(Touch.lead_id))
        .subquery()
    )
    found = session.execute(
        select(
            per_lead.c.rep_id, func.count(), func.sum(per_lead.c.called),
            func.sum(per_lead.c.channels),
        ).group_by(per_lead.c.rep_id)
    )  # fmt: skip
    return [
        LeadCounts(rep_id, _int(leads), _int(called), _int(channels))
        for rep_id, leads, called, channels in found
    ]


class TouchTotal(NamedTuple):
    rep_id: int
    channel: str
    disposition: str
    touches: int
    seconds: int


def touch_totals(session: Session) -> list[TouchTotal]:
    """Every rep's running totals of touches (kept with every touch: all time without a scan)."""
    found = session.execute(
        select(
            col(RepTouchTotal.rep_id), col(RepTouchTotal.channel),
            col(RepTouchTotal.disposition), col(RepTouchTotal.touches),
            col(RepTouchTotal.seconds),
        )
    )  # fmt: skip
    return [TouchTotal(r, c, d, _int(n), _int(s)) for r, c, d, n, s in found]


def lead_totals(session: Session) -> list[tuple[int, str, int]]:
    """Every rep's running count of distinct leads per channel ("*": on any channel)."""
    found = session.execute(
        select(col(RepLeadTotal.rep_id), col(RepLeadTotal.channel), col(RepLeadTotal.leads))
    )
    return [(rep_id, channel, _int(leads)) for rep_id, channel, leads in found]


def routes_by_rep(session: Session, period: Period) -> list[tuple[int | None, str, int]]:
    """Per rep and route, the routing decisions of a period (of all time, from the index
    ix_routing_decisions_rep_routes alone)."""
    routed = select(col(RoutingDecision.rep_id), col(RoutingDecision.route), func.count())
    if not period.whole:
        routed = routed.where(_in(col(RoutingDecision.decided_at), period.start, period.end))
    found = session.execute(
        routed.group_by(col(RoutingDecision.rep_id), col(RoutingDecision.route))
    )
    return [(rep_id, route, _int(count)) for rep_id, route, count in found]


# The queue now ----------------------------------------------------------------------------


def due_by_hours_class(session: Session, now: datetime) -> dict[int | None, int]:
    """Leads due now, queued or not yet queued, per calling-hours class."""
    due: dict[int | None, int] = {}
    queued = (
        select(col(Lead.hours_class_id), func.count())
        .where(col(Lead.queue_bucket).is_not(None), col(Lead.claimed_by).is_(None))
        .group_by(col(Lead.hours_class_id))
    )
    # Exactly ix_leads_waiting's condition, so the count reads the index alone; a waiting
    # lead is always in a queued stage.
    waiting = (
        select(col(Lead.hours_class_id), func.count())
        .where(
            col(Lead.queue_bucket).is_(None), col(Lead.next_due_at).is_not(None),
            col(Lead.next_due_at) <= now,
        )
        .group_by(col(Lead.hours_class_id))
    )  # fmt: skip
    for statement in (queued, waiting):
        for class_id, count in session.execute(statement):
            due[class_id] = due.get(class_id, 0) + _int(count)
    return due


def callbacks_after(session: Session, now: datetime) -> int:
    """Callbacks set for later than now."""
    # Only working leads keep a callback time, so no stage condition: the count then reads
    # ix_leads_callbacks alone instead of every working lead.
    return _int(
        session.scalar(
            select(func.count())
            .select_from(Lead)
            .where(col(Lead.callback_at).is_not(None), col(Lead.callback_at) > now)
        )
    )


def leads_in_calls(session: Session) -> int:
    """Leads a rep holds now (ix_leads_claims)."""
    return _int(
        session.scalar(
            select(func.count()).select_from(Lead).where(col(Lead.claimed_by).is_not(None))
        )
    )


def leads_in_stage(session: Session, stage: Stage) -> int:
    """Leads in one stage now (ix_leads_stage)."""
    return _int(
        session.scalar(select(func.count()).select_from(Lead).where(col(Lead.stage) == stage.value))
    )


# Intake and sales' side, per source and campaign ------------------------------------------


class Arrivals(NamedTuple):
    source: str
    campaign: str
    leads: int
    qualified: int


def arrivals_by_group(session: Session, period: Period) -> list[Arrivals]:
    """Leads that arrived in a period and those qualified since, per source and campaign
    (ix_leads_intake)."""
    qualified = case((col(Lead.qualified_at).is_not(None), 1), else_=0)
    found = session.execute(
        select(col(Lead.source), col(Lead.campaign), func.count(), func.sum(qualified))
        .where(_in(col(Lead.created_at), period.start, period.end))
        .group_by(col(Lead.source), col(Lead.campaign))
    )
    return [Arrivals(s, c, _int(n), _int(q)) for s, c, n, q in found]


class SalesSide(NamedTuple):
    """Leads handed off, and what sales said of them and made of them."""

    handed_off: int
    accepted: int
    rejected: int
    opportunities: int
    won: int
    lost: int
    won_cents: int


# What sales said, and what the leads became in their hands: every outcome was an
# opportunity first.
_SALES_SUMS = (
    func.count(),
    func.sum(case((col(Lead.sales_verdict) == "accepted", 1), else_=0)),
    func.sum(case((col(Lead.sales_verdict) == "rejected", 1), else_=0)),
    func.sum(case((col(Lead.outcome).is_not(None), 1), else_=0)),
    func.sum(case((col(Lead.outcome) == WON, 1), else_=0)),
    func.sum(case((col(Lead.outcome) == LOST, 1), else_=0)),
    func.sum(case((col(Lead.outcome) == WON, col(Lead.outcome_cents)), else_=0)),
)


def _sales_side(counts: Sequence[Any]) -> SalesSide:
    return SalesSide(*(_int(n) for n in counts))


def _first_handed_off_in(period: Period) -> Any:
    """The leads first handed off in the period, from its hand-offs (ix_handoffs_handed_off_at)."""
    handoff, earlier = aliased(HandOff), aliased(HandOff)
    return select(col(handoff.lead_id)).where(
        _in(handoff.handed_off_at, period.start, period.end),
        ~exists().where(
            col(earlier.lead_id) == handoff.lead_id,
            col(earlier.handed_off_at) < handoff.handed_off_at,
        ),
    )


def hand_offs_by_group(session: Session, period: Period) -> list[tuple[str, str, SalesSide]]:
    """Per source and campaign, the leads first handed off in a period and sales' side of them."""
    found = session.execute(
        select(col(Lead.source), col(Lead.campaign), *_SALES_SUMS)
        .where(col(Lead.id).in_(_first_handed_off_in(period)))
        .group_by(col(Lead.source), col(Lead.campaign))
    )
    return [(source, campaign, _sales_side(counts)) for source, campaign, *counts in found]


def hand_offs_by_qualifier(session: Session, period: Period) -> list[tuple[int | None, SalesSide]]:
    """Per rep who qualified them, the leads first handed off in a period and sales' side."""
    # The rep of the lead's latest routing to sales, read per lead
    # (ix_routing_decisions_lead_routes: one seek).
    qualifier = (
        select(col(RoutingDecision.rep_id))
        .where(col(RoutingDecision.lead_id) == Lead.id,
               col(RoutingDecision.route) == Stage.SALES.value)
        .order_by(col(RoutingDecision.id).desc())
        .limit(1)
        .scalar_subquery()
    )  # fmt: skip
    found = session.execute(
        select(qualifier.label("rep_id"), *_SALES_SUMS)
        .where(col(Lead.id).in_(_first_handed_off_in(period)))
        .group_by(literal_column("rep_id"))
    )
    return [(rep_id, _sales_side(counts)) for rep_id, *counts in found]


def reviews_by_group(session: Session, period: Period) -> list[tuple[str, str, int, int]]:
    """Per source and campaign, rejections ruled on in a period and those found valid."""
    found = session.execute(
        select(
            col(Lead.source), col(Lead.campaign), func.count(),
            func.sum(case((col(Review.valid), 1), else_=0)),
        )
        .join(Lead, col(Lead.id) == Review.lead_id)
        .where(_in(col(Review.decided_at), period.start, period.end))
        .group_by(col(Lead.source), col(Lead.campaign))
    )  # fmt: skip
    return [(source, campaign, _int(n), _int(valid)) for source, campaign, n, valid in found]


def rejections_to_review(session: Session) -> int:
    """Rejected leads whose newest verdict has no ruling yet, from the rejected leads
    (ix_leads_stage) one by one."""
    return _int(
        session.scalar(
            select(func.count())
            .select_from(Lead)
            .where(
                col(Lead.stage) == Stage.REJECTED.value,
                ~exists().where(col(Review.verdict_id) == newest_verdict(Lead.id)),
            )
        )
    )


def touches_and_qualified(session: Session, start: datetime, end: datetime) -> tuple[int, int]:
    """Touches made, and leads routed to sales, from `start` to `end`."""
    touches = session.scalar(
        select(func.count()).select_from(Touch).where(_in(col(Touch.started_at), start, end))
    )
    qualified = session.scalar(
        select(func.count())
        .select_from(RoutingDecision)
        .where(
            _in(col(RoutingDecision.decided_at), start, end),
            col(RoutingDecision.route) == Stage.SALES.value,
        )
    )
    return _int(touches), _int(qualified)


# Waiting for sales' verdict ---------------------------------------------------------------


class WaitingRow(NamedTuple):
    """A handed-off lead without a verdict, as its latest hand-off left it."""

    lead_id: int
    name: str
    company: str
    email: str | None
    phone: str
    source: str
    campaign: str
    batch_id: int
    handed_off_at: datetime
    qualified_by: str | None


def _latest_hand_offs() -> Any:
    """Each handed-off lead's latest hand-off (ix_leads_stage, then ix_handoffs_lead_id)."""
    return (
        select(
            col(HandOff.lead_id).label("lead_id"),
            func.max(HandOff.id).label("handoff_id"),
        )
        .join(Lead, col(Lead.id) == HandOff.lead_id)
        .where(col(Lead.stage) == Stage.HANDED_OFF.value)
        .group_by(col(HandOff.lead_id))
        .subquery()
    )


def waiting_for_verdict(session: Session) -> list[WaitingRow]:
    """Every handed-off lead without a verdict, oldest hand-off first, with who qualified it."""
    latest = _latest_hand_offs()
    qualifier = (
        select(col(Rep.handle))
        .join(RoutingDecision, col(RoutingDecision.rep_id) == Rep.id)
        .where(
            col(RoutingDecision.lead_id) == Lead.id,
            col(RoutingDecision.route) == Stage.SALES.value,
        )
        .order_by(col(RoutingDecision.id).desc())
        .limit(1)
        .scalar_subquery()
    )
    found = session.execute(
        select(
            col(Lead.id), col(Lead.name), col(Lead.company), col(Lead.email),
            col(Lead.phone_e164), col(Lead.source), col(Lead.campaign), col(HandOff.batch_id),
            col(HandOff.handed_off_at), qualifier,
        )
        .join(latest, latest.c.lead_id == Lead.id)
        .join(HandOff, col(HandOff.id) == latest.c.handoff_id)
        .order_by(col(HandOff.handed_off_at), col(Lead.id))
    )  # fmt: skip
    return [WaitingRow(*row) for row in found]


def waiting_by_batch_and_campaign(
    session: Session,
) -> list[tuple[int, datetime, str, int]]:
    """Handed-off leads without a verdict per (export batch, its moment, campaign)."""
    # A handed-off lead keeps the batch it last left in, and every lead of a batch left at
    # the batch's moment: the age is worked out once a group, not once a lead.
    found = session.execute(
        select(col(Lead.handoff_batch_id), col(ExportBatch.created_at), col(Lead.campaign),
               func.count())
        .join(ExportBatch, col(ExportBatch.id) == Lead.handoff_batch_id)
        .where(col(Lead.stage) == Stage.HANDED_OFF.value)
        .group_by(col(Lead.handoff_batch_id), col(ExportBatch.created_at), col(Lead.campaign))
    )  # fmt: skip
    return [(batch, at, campaign, _int(count)) for batch, at, campaign, count in found]
