"""The team lead's figures: per rep, for the desk, for a period; one read, no writes.

Per rep: touches by channel, call attempts, connects, leads routed, attempts
per lead, channel variety and talk time. For the desk: queue depth now,
speed-to-lead breaches, raw -> qualified -> accepted conversion, volume and
qualified rate per source and campaign, reviews of rejections, and a trend.
Counts over touches read the covering index ix_touches_period only.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from qualdesk.core.periods import Period, trend_days
from qualdesk.core.stages import Stage
from qualdesk.db import figures as counted
from qualdesk.db.engine import Session
from qualdesk.db.figures import SalesSide
from qualdesk.services.calling.queue import hours_classes
from qualdesk.services.desk import Desk
from qualdesk.services.figures.followup import COUNTED_IN, FollowUpCounts, promises
from qualdesk.services.handoff.awaiting import AwaitingVerdict, awaiting_verdict

TREND_DAYS = 14
# Stages a lead is in once the desk qualified it (it may have moved on since).
QUALIFIED_STAGES = (Stage.SALES, Stage.HANDED_OFF, Stage.ACCEPTED, Stage.REJECTED)


@dataclass
class RepFigures:
    """One rep's work in the period."""

    rep: str
    name: str
    touches: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    calls: int = 0
    connects: int = 0
    qualified: int = 0
    nurtured: int = 0
    disqualified: int = 0
    leads_touched: int = 0
    leads_called: int = 0
    # Distinct (lead, channel) pairs: their share per lead is the channel variety.
    lead_channels: int = 0
    talk_seconds: int = 0
    # Of the leads this rep qualified that were first handed off in the period: what
    # sales said, and what they became.
    handed_off: int = 0
    accepted: int = 0
    opportunities: int = 0
    won: int = 0
    lost: int = 0
    won_cents: int = 0
    # Leads that arrived in the period whose latest touch was theirs, by follow-up state.
    follow_up: FollowUpCounts = field(default_factory=FollowUpCounts)

    @property
    def connect_rate(self) -> float | None:
        return self.connects / self.calls if self.calls else None

    @property
    def attempts_per_lead(self) -> float | None:
        return self.calls / self.leads_called if self.leads_called else None

    @property
    def channel_variety(self) -> float | None:
        return self.lead_channels / self.leads_touched if self.leads_touched else None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("lead_channels")
        data.pop("won_cents")
        data.update(
            by_channel=dict(sorted(self.by_channel.items())),  # the same text on either engine
            connect_rate=_round(self.connect_rate),
            attempts_per_lead=_round(self.attempts_per_lead),
            channel_variety=_round(self.channel_variety),
            won_amount=_amount(self.won_cents),
            **_steps(self.handed_off, self.accepted, self.opportunities, self.won, self.lost),
        )
        return data


@dataclass
class GroupFigures:
    """Leads of one source or campaign that arrived in the period, and what became of them."""

    name: str
    leads: int = 0
    qualified: int = 0
    handed_off: int = 0
    accepted: int = 0
    rejected: int = 0
    reviewed: int = 0
    rejections_valid: int = 0
    opportunities: int = 0
    won: int = 0
    lost: int = 0
    won_cents: int = 0

    @property
    def qualified_rate(self) -> float | None:
        return self.qualified / self.leads if self.leads else None

    @property
    def acceptance_rate(self) -> float | None:
        return self.accepted / self.handed_off if self.handed_off else None

    @property
    def valid_share(self) -> float | None:
        return self.rejections_valid / self.reviewed if self.reviewed else None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("won_cents")
        data.update(
            qualified_rate=_round(self.qualified_rate),
            acceptance_rate=_round(self.acceptance_rate),
            rejections_valid_share=_round(self.valid_share),
            won_amount=_amount(self.won_cents),
            **_steps(self.handed_off, self.accepted, self.opportunities, self.won, self.lost),
        )
        return data


@dataclass
class DeskFigures:
    """The desk as a whole: queue depth now, SLA, conversion, sales' verdicts, reviews."""

    due_now: int = 0
    callable_now: int = 0
    waiting_for_hours: int = 0
    unknown_zone: int = 0
    callbacks_later: int = 0
    in_calls: int = 0
    waiting_for_export: int = 0
    new_leads: int = 0
    speed_to_lead_hours: int = 0
    speed_to_lead_channels: tuple[str, ...] = ()
    touched_late: int = 0
    untouched_overdue: int = 0
    follow_up: FollowUpCounts = field(default_factory=FollowUpCounts)
    qualified: int = 0
    handed_off: int = 0
    accepted: int = 0
    rejected: int = 0
    awaiting_verdict: int = 0
    reviewed: int = 0
    rejections_valid: int = 0
    to_review: int = 0
    opportunities: int = 0
    won: int = 0
    lost: int = 0
    won_cents: int = 0
    # Leads waiting for sales' verdict now (whatever the period), by age, batch and campaign.
    awaiting: AwaitingVerdict | None = None
    by_source: list[GroupFigures] = field(default_factory=list)
    by_campaign: list[GroupFigures] = field(default_factory=list)
    trend: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def sla_breaches(self) -> int:
        return self.touched_late + self.untouched_overdue

    @property
    def conversion(self) -> float | None:
        return self.qualified / self.new_leads if self.new_leads else None

    @property
    def acceptance_rate(self) -> float | None:
        return self.accepted / self.handed_off if self.handed_off else None

    @property
    def valid_share(self) -> float | None:
        return self.rejections_valid / self.reviewed if self.reviewed else None

    def as_json(self) -> dict[str, Any]:
        return {
            "queue": {
                "due_now": self.due_now, "callable_now": self.callable_now,
                "waiting_for_calling_hours": self.waiting_for_hours,
                "unknown_zone": self.unknown_zone, "callbacks_later": self.callbacks_later,
                "in_calls": self.in_calls, "waiting_for_export": self.waiting_for_export,
            },
            "sla": {
                "speed_to_lead_hours": self.speed_to_lead_hours, "new_leads": self.new_leads,
                "breaches": self.sla_breaches, "touched_late": self.touched_late,
                "untouched_overdue": self.untouched_overdue, "counted_in": COUNTED_IN,
                "channels": list(self.speed_to_lead_channels),
            },
            "follow_up": self.follow_up.as_json(),
            "conversion": {
                "raw": self.new_leads, "qualified": self.qualified,
                "raw_to_qualified": _round(self.conversion), "handed_off": self.handed_off,
                "accepted": self.accepted, "rejected": self.rejected,
                "awaiting_verdict": self.awaiting_verdict,
                "acceptance_rate": _round(self.acceptance_rate),
                "opportunities": self.opportunities, "won": self.won, "lost": self.lost,
                "won_amount": _amount(self.won_cents),
                **_steps(self.handed_off, self.accepted, self.opportunities, self.won, self.lost),
            },
            "sales_sla": self.awaiting.as_json() if self.awaiting else None,
            "reviews": {
                "reviewed": self.reviewed, "rejections_valid": self.rejections_valid,
                "rejections_valid_share": _round(self.valid_share), "to_review": self.to_review,
            },
            "by_source": [g.as_json() for g in self.by_source],
            "by_campaign": [g.as_json() for g in self.by_campaign],
            "trend": [{"day": d, "touches": t, "qualified": q} for d, t, q in self.trend],
        }  # fmt: skip


@dataclass
class TeamFigures:
    """Everything the dashboard and `qualdesk stats` show for one period."""

    period: Period
    zone: str
    reps: list[RepFigures]
    desk: DeskFigures

    def as_json(self) -> dict[str, Any]:
        return {
            "range": {
                "label": self.period.label, "since": self.period.start.isoformat(),
                "until": self.period.end.isoformat(), "zone": self.zone,
            },
            "reps": [r.as_json() for r in self.reps],
            "desk": self.desk.as_json(),
        }  # fmt: skip


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _amount(cents: int) -> float:
    """An amount in cents as the currency's units, for JSON (12500.5)."""
    return cents / 100


def _rate(part: int, whole: int) -> float | None:
    return _round(part / whole) if whole else None


def _steps(
    handed_off: int, accepted: int, opportunities: int, won: int, lost: int
) -> dict[str, Any]:
    """The conversion at each step after the hand-off: accepted, opportunity, won."""
    return {
        "handed_off_to_accepted": _rate(accepted, handed_off),
        "accepted_to_opportunity": _rate(opportunities, accepted),
        "opportunity_to_won": _rate(won, opportunities),
        "win_rate": _rate(won, won + lost),
    }


def team_figures(desk: Desk, period: Period, zone_name: str, rep: str | None = None) -> TeamFigures:
    """The figures for a period, for every rep (or one) and for the desk.

    Args:
        desk: the open desk.
        period: the days counted, in the team lead's zone.
        zone_name: that zone, for the trend's days.
        rep: a rep's handle to show only that rep.
    """
    now = desk.clock()
    figures = DeskFigures()
    # The queue counts and the promises (speed to lead, follow-up) read other indexes than
    # the period's figures; SQLite lets go of Python while it counts, so they run side by
    # side on their own connections.
    with ThreadPoolExecutor(max_workers=2) as beside:
        queue = beside.submit(_queue_now, desk, now, figures)
        promised = beside.submit(promises, desk, period, now)
        with desk.db.reading() as session:
            rules = desk.rules(session).rules
            connects = [d.key for d in rules.dispositions if d.connect]
            sla_hours = round(rules.speed_to_lead / timedelta(hours=1))
            reps = _reps(session, period, connects, rep)
            figures.speed_to_lead_hours = sla_hours
            _intake(session, period, figures)
            _verdicts(session, period, figures)
            _outcomes_by_rep(session, period, reps)
            figures.awaiting = awaiting_verdict(session, rules.sales, now, zone_name)
            figures.trend = _trend(session, period, zone_name)
        queue.result()
        kept = promised.result()
    figures.speed_to_lead_channels = kept.speed.channels
    figures.touched_late = kept.speed.touched_late
    figures.untouched_overdue = kept.speed.untouched_overdue
    figures.follow_up = kept.follow_up
    for person in reps:
        person.follow_up = kept.by_rep.get(person.rep, FollowUpCounts())
    return TeamFigures(period, zone_name, reps, figures)


def _queue_now(desk: Desk, now: datetime, figures: DeskFigures) -> None:
    with desk.db.reading() as session:
        _queue(desk, session, now, figures)


def _reps(
    session: Session, period: Period, connects: list[str], only: str | None
) -> list[RepFigures]:
    people: dict[int, RepFigures] = {}
    active: set[int] = set()
    for rep in counted.reps_by_handle(session, only):
        people[rep.id] = RepFigures(rep.handle, rep.name)
        if rep.active or only:
            active.add(rep.id)
    if period.whole:
        _totals_of_all_time(session, people, connects)
    else:
        _touches_in(session, period, people, connects)
    for rep_id, route, count in counted.routes_by_rep(session, period):
        person = people.get(rep_id or 0)
        if person is None:
            continue
        if route == Stage.SALES.value:
            person.qualified += count
        elif route == Stage.NURTURE.value:
            person.nurtured += count
        elif route == Stage.DISQUALIFIED.value:
            person.disqualified += count
    # A rep who has left still shows for a period they worked in.
    return [
        person
        for rep_id, person in people.items()
        if rep_id in active or person.touches or person.qualified + person.nurtured
    ]


def _touches_in(
    session: Session, period: Period, people: dict[int, RepFigures], connects: list[str]
) -> None:
    """Touch figures for a period, counted from the covering index ix_touches_period."""
    for row in counted.touches_by_rep_and_channel(session, period, connects):
        person = people.get(row.rep_id)
        if person is None:
            continue
        person.touches += row.touches
        person.by_channel[row.channel] = row.touches
        if row.channel == "phone":
            person.calls += row.touches
            person.connects += row.connects
            person.talk_seconds += row.talk_seconds
    for leads in counted.leads_by_rep(session, period):
        person = people.get(leads.rep_id)
        if person is not None:
            person.leads_touched, person.leads_called = leads.leads, leads.called
            person.lead_channels = leads.lead_channels


def _totals_of_all_time(
    session: Session, people: dict[int, RepFigures], connects: list[str]
) -> None:
    """Touch figures of all time, from the running totals kept with every touch."""
    for total in counted.touch_totals(session):
        person = people.get(total.rep_id)
        if person is None:
            continue
        person.touches += total.touches
        person.by_channel[total.channel] = person.by_channel.get(total.channel, 0) + total.touches
        if total.channel == "phone":
            person.calls += total.touches
            if total.disposition in connects:
                person.connects += total.touches
                person.talk_seconds += total.seconds
    for rep_id, channel, leads in counted.lead_totals(session):
        person = people.get(rep_id)
        if person is None:
            continue
        if channel == "*":
            person.leads_touched = leads
        else:
            person.lead_channels += leads
            if channel == "phone":
                person.leads_called = leads


def _queue(desk: Desk, session: Session, now: datetime, figures: DeskFigures) -> None:
    """Queue depth now: due (queued, or due and not yet queued), callable, and later."""
    in_force = desk.rules(session)
    classes = hours_classes(desk, session)
    open_now = set(classes.callable_now(in_force.rules.calling_hours, in_force.version, now))
    unknown = set(classes.unknown())
    due = counted.due_by_hours_class(session, now)
    figures.due_now = sum(due.values())
    figures.callable_now = sum(n for c, n in due.items() if c in open_now)
    figures.unknown_zone = sum(n for c, n in due.items() if c in unknown or c is None)
    figures.waiting_for_hours = figures.due_now - figures.callable_now - figures.unknown_zone
    figures.callbacks_later = counted.callbacks_after(session, now)
    figures.in_calls = counted.leads_in_calls(session)
    figures.waiting_for_export = counted.leads_in_stage(session, Stage.SALES)


def _intake(session: Session, period: Period, figures: DeskFigures) -> None:
    """Leads that arrived in the period: conversion, and per source and campaign (speed to
    lead is counted in calling hours by qualdesk.services.figures.followup)."""
    sources: dict[str, GroupFigures] = {}
    campaigns: dict[str, GroupFigures] = {}
    for arrived in counted.arrivals_by_group(session, period):
        figures.new_leads += arrived.leads
        for groups, name in ((sources, arrived.source), (campaigns, arrived.campaign)):
            group = groups.setdefault(name or "(none)", GroupFigures(name or "(none)"))
            group.leads += arrived.leads
            group.qualified += arrived.qualified
    figures.qualified = sum(g.qualified for g in sources.values())
    figures.by_source = sorted(sources.values(), key=lambda g: (-g.leads, g.name))
    figures.by_campaign = sorted(campaigns.values(), key=lambda g: (-g.leads, g.name))


def _verdicts(session: Session, period: Period, figures: DeskFigures) -> None:
    """Leads handed off in the period and what sales said of them; reviews in the period."""
    campaigns = {g.name: g for g in figures.by_campaign}
    sources = {g.name: g for g in figures.by_source}

    def groups(source: str, campaign: str) -> tuple[GroupFigures, GroupFigures]:
        by_source = sources.setdefault(source or "(none)", GroupFigures(source or "(none)"))
        by_campaign = campaigns.setdefault(campaign or "(none)", GroupFigures(campaign or "(none)"))
        return by_source, by_campaign

    for source, campaign, side in counted.hand_offs_by_group(session, period):
        for group in (*groups(source, campaign), figures):
            _add_verdicts(group, side)
    figures.awaiting_verdict = figures.handed_off - figures.accepted - figures.rejected
    for source, campaign, reviewed, valid in counted.reviews_by_group(session, period):
        for group in groups(source, campaign):
            group.reviewed += reviewed
            group.rejections_valid += valid
        figures.reviewed += reviewed
        figures.rejections_valid += valid
    figures.by_source = sorted(sources.values(), key=lambda g: (-g.leads, g.name))
    figures.by_campaign = sorted(campaigns.values(), key=lambda g: (-g.leads, g.name))
    figures.to_review = counted.rejections_to_review(session)


def _add_verdicts(into: GroupFigures | DeskFigures | RepFigures, side: SalesSide) -> None:
    into.handed_off += side.handed_off
    into.accepted += side.accepted
    if not isinstance(into, RepFigures):
        into.rejected += side.rejected
    into.opportunities += side.opportunities
    into.won += side.won
    into.lost += side.lost
    into.won_cents += side.won_cents


def _outcomes_by_rep(session: Session, period: Period, reps: list[RepFigures]) -> None:
    """Per rep, the leads they qualified that were first handed off in the period."""
    people = {r.rep: r for r in reps}
    handles = counted.rep_handles(session)
    for rep_id, side in counted.hand_offs_by_qualifier(session, period):
        person = people.get(handles.get(rep_id or 0, ""))
        if person is not None:
            _add_verdicts(person, side)


def _trend(session: Session, period: Period, zone_name: str) -> list[tuple[str, int, int]]:
    """Touches and leads qualified per day, for the last TREND_DAYS days of the period."""
    trend = []
    for day in trend_days(period.end, zone_name, TREND_DAYS):
        touches, qualified = counted.touches_and_qualified(session, day.start, day.end)
        trend.append((f"{day.start:%Y-%m-%d}", touches, qualified))
    return trend
