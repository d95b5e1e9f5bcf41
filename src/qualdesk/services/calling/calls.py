"""Working a call: the call card, the checklist, touches, and ending the call with a route.

Every write here checks the rep still holds the lead (lease.hold) inside
its own transaction, so a late write from a lost claim is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from qualdesk.core import queue as order
from qualdesk.core.calling import CallBlock
from qualdesk.core.edits import LABELS
from qualdesk.core.errors import QualdeskError
from qualdesk.core.followup import brought_forward, with_channel
from qualdesk.core.hours import (
    callable_at,
    closed_reason,
    closing,
    day_window,
    next_opening,
    zone,
)
from qualdesk.core.phones import international
from qualdesk.core.routing import Route, override_route, route_after_call
from qualdesk.core.rules import CallingHours, DeskRules, Disposition
from qualdesk.core.scoring import LeadFacts, Verdict, judge
from qualdesk.core.stages import STOPPED_BY_DNC, Outcome, Stage
from qualdesk.db import calls, leads, staging, touchtotals
from qualdesk.db.engine import Session
from qualdesk.db.models import ChecklistAnswer, Lead, LeadChange, Rep, RoutingDecision, Touch
from qualdesk.services.calling.callable import blocked, dialled, hold_back_number
from qualdesk.services.calling.drafts import Draft, drop_draft
from qualdesk.services.calling.leads import number_to_call
from qualdesk.services.calling.lease import Claim, hold
from qualdesk.services.desk import Desk
from qualdesk.services.intake.dnc import put_on_dnc


@dataclass(frozen=True)
class TouchLine:
    """One past touch, as the card lists it."""

    when: datetime
    channel: str
    disposition: str
    rep: str
    notes: str


@dataclass(frozen=True)
class CriterionState:
    """One criterion of the definition and where this lead stands on it."""

    key_label: str
    key: str
    label: str
    prompt: str
    points: int
    required: bool
    established: bool
    note: str


@dataclass(frozen=True)
class CallCard:
    """Everything the rep sees about the lead they hold."""

    lead: Lead
    phone: str
    zones: tuple[str, ...]
    callable_now: bool | None
    opens_at: datetime | None
    closes_at: datetime | None
    window: str
    why: str
    history: list[TouchLine]
    checklist: list[CriterionState]
    verdict: Verdict
    if_connected: Route
    max_attempts: int
    rules_version: int
    # Other leads on the desk with this number: a do-not-call request stops them too.
    others_on_number: int = 0
    # The notes this rep typed on the lead and never saved with a call (their desk closed).
    draft: Draft | None = None
    # The lead's main number, when an alternate number is the one to call.
    main_phone: str = ""
    # Their calling hours today, in words, theirs and in the rep's time (for a callback).
    hours_today: str = ""
    # Why no call may be made now (hours, a closed day, the gap, attempts, a cap).
    blocked: CallBlock | None = None


def facts(lead: Lead) -> LeadFacts:
    """The firmographic facts marketing delivered for a lead."""
    return LeadFacts(lead.title, lead.company_size, lead.industry, lead.company)


def _answers(session: Session, lead_id: int) -> dict[str, ChecklistAnswer]:
    """The newest answer per criterion (older ones are the history)."""
    return {row.criterion: row for row in calls.checklist_answers(session, lead_id)}


def _verdict(rules: DeskRules, lead: Lead, answers: dict[str, ChecklistAnswer]) -> Verdict:
    established = [key for key, answer in answers.items() if answer.established]
    return judge(rules, established, facts(lead))


def load_card(desk: Desk, claim: Claim) -> CallCard:
    """The call card of the lead a rep holds."""
    now = desk.clock()
    with desk.db.reading() as session:
        in_force = desk.rules(session)
        rules = in_force.rules
        lead = session.get(Lead, claim.lead_id)
        if lead is None:
            raise QualdeskError(f"no lead #{claim.lead_id}")
        answers = _answers(session, claim.lead_id)
        rep = session.get(Rep, claim.rep_id)
        rep_zone = rep.time_zone if rep else "UTC"
        touches = calls.touches_with_handles(session, claim.lead_id)
        # The other leads a do-not-call request on the number dialled would stop with it.
        others = leads.other_leads_on_number(session, dialled(lead), claim.lead_id, STOPPED_BY_DNC)
        # Drafts typed before the lead's last call belong to no call now.
        since = lead.last_attempt_at
        drafts = [
            (found, handle)
            for found, handle in calls.drafts_with_handles(session, claim.lead_id)
            if since is None or found.saved_at >= since
        ]
        draft = next((found for found, _ in drafts if found.rep_id == claim.rep_id), None)
        changes = [_change_line(change) for change in leads.lead_changes(session, claim.lead_id)]
        block = blocked(session, rules, lead, now)
        # Another rep's notes, typed on a call their desk never saved (it died): what was
        # said is on the card, so the lead does not get a second first call.
        theirs = [
            TouchLine(found.saved_at, "notes", "not saved", handle, found.text)
            for found, handle in drafts
            if found.rep_id != claim.rep_id
        ]
    verdict = _verdict(rules, lead, answers)
    zones = tuple(lead.time_zones.split())
    hours = rules.calling_hours
    labels = {d.key: d.label for d in rules.dispositions}
    checklist = [
        CriterionState(
            key_label=str((index + 1) % 10),
            key=c.key,
            label=c.label,
            prompt=c.prompt,
            points=c.points,
            required=c.required,
            established=bool(answers.get(c.key) and answers[c.key].established),
            note=answers[c.key].note if c.key in answers else "",
        )
        for index, c in enumerate(rules.criteria)
    ]
    connected = next(d for d in rules.dispositions if d.implies is Outcome.ROUTE)
    span = (
        day_window(hours, lead.jurisdiction, now.astimezone(zone(zones[0])).date())
        if zones
        else (hours.start, hours.end)
    )
    return CallCard(
        lead=lead,
        phone=number_to_call(lead),
        main_phone=international(lead.phone_e164, lead.phone_ext) if lead.alt_phone_e164 else "",
        zones=zones,
        callable_now=callable_at(hours, zones, lead.jurisdiction, now),
        opens_at=next_opening(hours, zones, lead.jurisdiction, now),
        closes_at=closing(hours, zones, lead.jurisdiction, now),
        window=f"{span[0]:%H:%M}-{span[1]:%H:%M}" if span else "closed today",
        hours_today=_hours_today(hours, zones, lead.jurisdiction, now, rep_zone),
        blocked=block,
        why=_why(lead, claim, rules, rep_zone, now),
        history=sorted(
            [
                *theirs,
                *changes,
                *(
                    TouchLine(
                        t.started_at,
                        t.channel,
                        labels.get(t.disposition or "", t.disposition or ""),
                        handle,
                        t.notes,
                    )
                    for t, handle in touches
                ),
            ],
            key=lambda line: line.when,
            reverse=True,
        ),
        checklist=checklist,
        verdict=verdict,
        if_connected=route_after_call(rules, connected, verdict, lead.attempts + 1, now),
        max_attempts=rules.cadence.max_attempts,
        rules_version=in_force.version,
        others_on_number=others,
        draft=Draft(draft.text, draft.saved_at) if draft else None,
    )


def _hours_today(
    hours: CallingHours, zones: tuple[str, ...], jurisdiction: str, now: datetime, rep_zone: str
) -> str:
    """The lead's calling hours today in words, theirs and in the rep's time."""
    if not zones:
        return "Their time zone is unknown: choose a time you know suits them."
    theirs, mine = zone(zones[0]), zone(rep_zone)
    today = now.astimezone(theirs)
    place = zones[0].split("/")[-1].replace("_", " ")
    more = f"; the number may ring in {len(zones)} zones" if len(zones) > 1 else ""
    span = day_window(hours, jurisdiction, today.date())
    if span is None:
        closed = closed_reason(hours, jurisdiction, today.date())
        opens = next_opening(hours, zones, jurisdiction, now)
        when = (
            f"; they may be called from {opens.astimezone(theirs):%a %H:%M} their time "
            f"({opens.astimezone(mine):%a %H:%M} yours)"
            if opens
            else ""
        )
        return f"Closed today in {place} ({closed}){when}{more}."
    opens_at, shuts_at = (
        datetime.combine(today.date(), moment, tzinfo=theirs).astimezone(mine) for moment in span
    )
    return (
        f"Their calling hours today: {span[0]:%H:%M}-{span[1]:%H:%M} their time in {place} "
        f"({opens_at:%H:%M}-{shuts_at:%H:%M} yours){more}."
    )


def _change_line(change: LeadChange) -> TouchLine:
    """A change to the lead's details, as a line of its history."""
    said = f"{change.old or '-'} → {change.new or '-'}"
    if change.reason:
        said += f" ({change.reason})"
    return TouchLine(
        change.changed_at, "change", LABELS.get(change.field, change.field), change.changed_by, said
    )


def _why(lead: Lead, claim: Claim, rules: DeskRules, rep_zone: str, now: datetime) -> str:
    """Why the desk offered this lead (or where it stands, if opened early), in words."""
    here = zone(rep_zone)
    early = lead.next_due_at is not None and lead.next_due_at > now
    if lead.callback_at is not None and lead.stage == Stage.WORKING:
        whose = "your" if lead.owner_id == claim.rep_id else "a"
        return f"{whose} callback, due {lead.callback_at.astimezone(here):%a %d %b %H:%M}"
    if lead.stage == Stage.NEW:
        return "new lead, never called"
    if lead.stage == Stage.NURTURE:
        why = f" ({lead.stage_reason})" if lead.stage_reason else ""
        if early and lead.next_due_at is not None:
            return f"in nurture until {lead.next_due_at.astimezone(here):%d %b %Y}{why}"
        return f"back from nurture{why}"
    last = (
        f", last call ended {lead.last_attempt_at.astimezone(here):%a %d %b %H:%M}"
        if lead.last_attempt_at
        else ""
    )
    if early and lead.next_due_at is not None:
        return f"next try planned {lead.next_due_at.astimezone(here):%a %d %b %H:%M}{last}"
    return f"retry{last}"


def set_criterion(desk: Desk, claim: Claim, key: str, established: bool, note: str = "") -> Verdict:
    """Record a rep's answer to one criterion; the lead's score and grade follow.

    Returns:
        The lead's verdict with the new answer.
    """
    now = desk.clock()
    with desk.db.writing() as session:
        in_force = desk.rules(session)
        if key not in {c.key for c in in_force.rules.criteria}:
            raise QualdeskError(f"no criterion {key!r} in rules version {in_force.version}")
        lead = hold(session, claim, now)
        session.add(
            ChecklistAnswer(
                lead_id=claim.lead_id,
                criterion=key,
                established=established,
                note=note.strip(),
                rep_id=claim.rep_id,
                answered_at=now,
                rules_version_id=in_force.version,
            )
        )
        session.flush()
        verdict = _verdict(in_force.rules, lead, _answers(session, claim.lead_id))
        lead.score, lead.grade, lead.updated_at = verdict.score, verdict.grade, now
        session.add(lead)
    return verdict


def log_touch(desk: Desk, claim: Claim, channel: str, notes: str) -> None:
    """Log a follow-up touch on another channel (email, LinkedIn, SMS) without ending the card."""
    now = desk.clock()
    with desk.db.writing() as session:
        rules = desk.rules(session).rules
        if channel not in rules.channels or channel == "phone":
            others = ", ".join(c for c in rules.channels if c != "phone")
            raise QualdeskError(f"channel {channel!r}: choose one of {others}")
        lead = hold(session, claim, now)
        touch = Touch(
            lead_id=claim.lead_id, rep_id=claim.rep_id, channel=channel, notes=notes.strip(),
            started_at=now, ended_at=now,
        )  # fmt: skip
        session.add(touch)
        touchtotals.count_touch(
            session, rep_id=claim.rep_id, lead_id=claim.lead_id, channel=channel,
            disposition=None, seconds=0,
        )  # fmt: skip
        lead.first_touch_at = lead.first_touch_at or now
        _keep_with_touch(lead, touch, connect=False)
        lead.updated_at = now
        session.add(lead)


def propose(
    desk: Desk, claim: Claim, disposition: str, callback_at: datetime | None = None,
    owner_only: bool = True, inbound: bool = False,
) -> Route:  # fmt: skip
    """The route the desk would take if the call ended now with this disposition.

    An inbound call (the lead called the desk) is not an attempt of the cadence.
    """
    now = desk.clock()
    with desk.db.reading() as session:
        rules = desk.rules(session).rules
        lead = session.get(Lead, claim.lead_id)
        assert lead is not None
        verdict = _verdict(rules, lead, _answers(session, claim.lead_id))
    chosen = _disposition(rules, disposition)
    attempts = lead.attempts + (0 if inbound else 1)
    return route_after_call(rules, chosen, verdict, attempts, now, callback_at, owner_only)


def _disposition(rules: DeskRules, key: str) -> Disposition:
    try:
        return rules.disposition(key)
    except KeyError:
        raise QualdeskError(f"no disposition {key!r} in the rules in force") from None


@dataclass(frozen=True)
class CallEnded:
    """What ending a call did."""

    route: Route
    overridden: bool
    stopped_by_dnc: int = 0


def end_call(
    desk: Desk,
    claim: Claim,
    disposition: str,
    *,
    notes: str = "",
    started_at: datetime | None = None,
    callback_at: datetime | None = None,
    owner_only: bool = True,
    override: tuple[Stage, str] | None = None,
    inbound: bool = False,
) -> CallEnded:
    """Log the call and route the lead, in one transaction.

    Args:
        desk: the open desk.
        claim: the rep's hold on the lead.
        disposition: key of how the call went (no_answer, connected, ...).
        notes: the rep's call notes.
        started_at: when the card was opened (the call's start).
        callback_at: for a callback disposition, when to call back.
        owner_only: for a callback, whether only this rep may take it.
        override: another route the rep chose instead of the proposed one,
            with their reason.
        inbound: the lead called the desk: the rules on calling (hours, gap,
            attempts, caps) do not apply, no number was dialled, and it is
            not an attempt of the cadence.

    Returns:
        The route taken.

    Raises:
        ClaimLost: the rep no longer holds the lead; nothing was written.
        QualdeskError: an unknown disposition, a missing callback time, or
            an override without a reason.
    """
    now = desk.clock()
    with desk.db.writing() as session:
        in_force = desk.rules(session)
        rules = in_force.rules
        chosen = _disposition(rules, disposition)
        if chosen.implies is Outcome.CALLBACK and callback_at is None:
            raise QualdeskError("a callback needs a time")
        if chosen.implies is Outcome.DNC:
            # The number goes on the list: no import may move a lead on it in meanwhile.
            # Taken before the lead's row, in the order an import takes them.
            staging.hold_intake(session)
        lead = hold(session, claim, now)
        dialled_at = started_at or claim.claimed_at
        block = None if inbound else blocked(session, rules, lead, dialled_at)
        if block is not None:
            raise QualdeskError(f"not a call: {block.reason}; nothing was saved")
        verdict = _verdict(rules, lead, _answers(session, claim.lead_id))
        attempts = lead.attempts + (0 if inbound else 1)
        proposed = route_after_call(rules, chosen, verdict, attempts, now, callback_at, owner_only)
        route = proposed
        if override is not None and proposed.do_not_call:
            raise QualdeskError("a request not to be called cannot be routed elsewhere")
        if override is not None and override[0] != proposed.stage:
            try:
                route = override_route(rules, override[0], override[1], verdict.grade, now)
            except ValueError as exc:
                raise QualdeskError(str(exc)) from None
        touch = Touch(
            lead_id=claim.lead_id, rep_id=claim.rep_id, channel="phone", disposition=chosen.key,
            notes=notes.strip(), started_at=dialled_at, ended_at=now,
            phone=None if inbound else dialled(lead), inbound=inbound,
        )  # fmt: skip
        session.add(touch)
        session.flush()
        touchtotals.count_touch(
            session, rep_id=claim.rep_id, lead_id=claim.lead_id, channel="phone",
            disposition=chosen.key, seconds=max(0, round((now - touch.started_at).total_seconds())),
        )  # fmt: skip
        session.add(
            RoutingDecision(
                lead_id=claim.lead_id, touch_id=touch.id, rep_id=claim.rep_id,
                route=route.stage.value, proposed_route=proposed.stage.value, reason=route.reason,
                overridden=route is not proposed, rules_version_id=in_force.version,
                decided_at=now,
            )
        )  # fmt: skip
        _keep_with_touch(lead, touch, connect=chosen.connect)
        _apply(lead, route, verdict, attempts, claim, now, rules)
        session.add(lead)
        session.flush()
        # A cap on calls to the number (Florida: 3 in 24h) now reached keeps every lead
        # on it out of the queue until one more call is allowed.
        if not inbound:
            hold_back_number(session, rules, dialled(lead), lead.jurisdiction, now)
        drop_draft(session, claim.lead_id, claim.rep_id)
        stopped = 0
        if route.do_not_call:
            session.flush()
            rep = session.get(Rep, claim.rep_id)
            _, stopped = put_on_dnc(
                session, desk, dialled(lead), by=rep.handle if rep else "",
                reason=route.reason, source=f"call on lead #{lead.id}",
            )  # fmt: skip
    return CallEnded(route, route is not proposed, stopped)


def _keep_with_touch(lead: Lead, touch: Touch, connect: bool) -> None:
    """Keep the lead's follow-up facts with a touch just written (see Lead's fields)."""
    lead.touch_count += 1
    lead.touch_channels = with_channel(lead.touch_channels, touch.channel)
    lead.last_rep_id = touch.rep_id
    if touch.channel == "phone" and lead.first_call_at is None:
        lead.first_call_at = touch.started_at
    if connect and lead.reached_at is None:
        lead.reached_at = touch.started_at


def _apply(
    lead: Lead,
    route: Route,
    verdict: Verdict,
    attempts: int,
    claim: Claim,
    now: datetime,
    rules: DeskRules,
) -> None:
    """Leave the lead where the route sends it, no longer held, waiting until due."""
    lead.stage = route.stage.value
    lead.stage_reason = route.reason
    if route.stage is Stage.SALES and lead.qualified_at is None:
        lead.qualified_at = now
    # Attempts count within one cycle of the cadence: a lead back from nurture
    # starts a fresh one (every attempt stays in the touch history).
    lead.attempts = 0 if route.stage is Stage.NURTURE else attempts
    lead.last_attempt_at = now
    lead.first_touch_at = lead.first_touch_at or now
    lead.score, lead.grade = verdict.score, verdict.grade
    lead.next_due_at = route.next_due_at
    lead.callback_at = route.callback_at
    lead.callback_owner_only = route.owner_only
    lead.owner_id = claim.rep_id if route.callback_at else lead.owner_id
    lead.queue_bucket = None
    if route.next_due_at is not None:
        bucket = order.bucket_for(route.stage.value, route.callback_at is not None)
        target = rules.follow_up[verdict.grade]
        start = lead.arrived_at or lead.created_at
        forward = brought_forward(
            target, lead.touch_count, lead.touch_channels, start, route.next_due_at
        )
        lead.queue_order = order.order_key(
            bucket or order.RETRY, lead.created_at, route.next_due_at, brought_forward=forward
        )
    lead.claimed_by = lead.claim_token = lead.claim_expires_at = None
    lead.updated_at = now
