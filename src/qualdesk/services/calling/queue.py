"""The call queue: claiming the next lead, giving it back, and what is coming.

The claim itself, a lease the open card renews, is services/calling/lease.py; its SQL
is db/claims.py.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from qualdesk.core.errors import QualdeskError
from qualdesk.core.hours import callable_at, closed_reason, next_opening, zone
from qualdesk.core.queue import (
    BUCKET_NAMES,
    OWN_CALLBACK,
    QUEUED_STAGES,
    RETRY,
    SHARED_CALLBACK,
)
from qualdesk.core.rules import CallingHours, DeskRules
from qualdesk.core.stages import Stage
from qualdesk.db import claims
from qualdesk.db.engine import Session
from qualdesk.db.models import Lead, Rep
from qualdesk.services.calling.callable import cap_frees, dialled, hold_back_number
from qualdesk.services.calling.drafts import write_draft
from qualdesk.services.calling.lease import LEASE, Claim, ClaimLost, hold
from qualdesk.services.desk import Desk
from qualdesk.services.figures.stats import start_of_day

# A claim passes over at most this many leads whose number reached a cap on calls
# (Florida: 3 in 24h) before saying the queue has nothing now.
CAPPED_TRIES = 5
# A lead skipped because its local time is unknown comes back after this.
SKIP_FOR = timedelta(hours=1)


@dataclass
class HoursClasses:
    """The desk's calling-hours classes, and which may be called in a given minute."""

    rows: list[tuple[int, tuple[str, ...], str]]
    newest: int
    _minute: tuple[int, datetime] | None = None
    _open: list[int] = field(default_factory=list)

    @classmethod
    def load(cls, session: Session) -> HoursClasses:
        found = claims.hours_class_rows(session)
        rows = sorted((class_id, tuple(z.split()), j) for class_id, z, j in found)
        return cls(rows, rows[-1][0] if rows else 0)

    def callable_now(self, hours: CallingHours, version: int, now: datetime) -> list[int]:
        """Classes every one of whose zones is within hours (worked out once a minute)."""
        minute = now.replace(second=0, microsecond=0)
        if self._minute != (version, minute):
            self._open = [
                class_id
                for class_id, zones, jurisdiction in self.rows
                if callable_at(hours, zones, jurisdiction, now)
            ]
            self._minute = (version, minute)
        return self._open

    def unknown(self) -> list[int]:
        """Classes of numbers whose zone cannot be told."""
        return [class_id for class_id, zones, _ in self.rows if not zones]


def hours_classes(desk: Desk, session: Session) -> HoursClasses:
    """The classes, loaded again only when an import added new ones."""
    newest = claims.newest_hours_class(session)
    cached = desk.cache.get("hours_classes")
    if not isinstance(cached, HoursClasses) or cached.newest != newest:
        cached = HoursClasses.load(session)
        desk.cache["hours_classes"] = cached
    return cached


def claim_next(desk: Desk, rep: Rep, *, resume: bool = False) -> Claim | None:
    """Claim the next lead this rep may call now; None if there is none.

    In one write transaction: give back expired claims, move newly due
    leads into the queue, then claim with one UPDATE ... RETURNING. A lead
    whose zone is unknown comes only when nothing else is callable, and
    only if the rules let the rep confirm such calls.

    With `resume` (a desk's first claim after the rep signs in), a callable
    lead the rep still holds from a desk that went away (the app was killed,
    the laptop died) comes back to them first, under a new token: the call
    goes on where it stopped, and the other desk, if it is in fact still
    open, is told the lead is open in another window.
    """
    assert rep.id is not None
    now = desk.clock()
    token = secrets.token_hex(8)
    with desk.db.writing() as session:
        in_force = desk.rules(session)
        claims.release_expired(session, now)
        claims.promote_due(session, now)
        classes = hours_classes(desk, session)
        callable_classes = classes.callable_now(in_force.rules.calling_hours, in_force.version, now)
        lead_id = None
        if resume:
            lead_id = claims.claim_next(
                session, rep.id, token, now, now + LEASE, callable_classes, resume=True
            )
        resumed = lead_id is not None
        for _ in range(CAPPED_TRIES):
            if lead_id is not None:
                break
            lead_id = claims.claim_next(session, rep.id, token, now, now + LEASE, callable_classes)
            if lead_id is not None and _capped(session, in_force.rules, lead_id, now):
                lead_id = None  # held back until its number may be called again; the next one
        unknown = False
        if lead_id is None and in_force.rules.calling_hours.unknown_zone == "confirm":
            lead_id = claims.claim_next(session, rep.id, token, now, now + LEASE, classes.unknown())
            unknown = lead_id is not None
    if lead_id is None:
        return None
    return Claim(lead_id, rep.id, token, now, unknown, resumed=resumed)


def _capped(session: Session, rules: DeskRules, lead_id: int, now: datetime) -> bool:
    """Whether the lead just claimed may not be called for a cap on its number; if so,
    it and every lead on the number are held back until one more call is allowed."""
    if not rules.calling_hours.caps:
        return False
    lead = session.get(Lead, lead_id)
    assert lead is not None
    frees = cap_frees(session, rules, lead, now)
    if frees is None:
        return False
    hold_back_number(session, rules, dialled(lead), lead.jurisdiction, now)
    # This lead leaves the queue whatever its due time said, so the next try takes another.
    later = max(lead.callback_at, frees) if lead.callback_at else None
    claims.take_out_of_queue(session, lead_id, max(lead.next_due_at or frees, frees), later)
    return True


@dataclass(frozen=True)
class HeldLead:
    """A lead the rep holds from another desk of theirs (open there, or it closed mid-call)."""

    lead_id: int
    name: str
    # When its lease runs out, if no desk of the rep's renews it: then it is anyone's.
    until: datetime


def held_elsewhere(desk: Desk, rep: Rep) -> HeldLead | None:
    """The lead this rep still holds from a desk before this one, if any (unexpired lease)."""
    now = desk.clock()
    assert rep.id is not None
    with desk.db.reading() as session:
        row = claims.held_by(session, rep.id, now)
    if row is None:
        return None
    return HeldLead(row.lead_id, row.name or row.company, row.until or now)


def claim_lead(
    desk: Desk,
    rep: Rep,
    lead_id: int,
    *,
    instead_of: Claim | None = None,
    notes: str | None = None,
) -> Claim:
    """Claim one particular lead (found by search), if it is on the desk and free.

    Args:
        desk: the open desk.
        rep: the rep opening the lead.
        lead_id: the lead found.
        instead_of: the rep's claim on the card in hand, given back as it was
            (no touch) in the same transaction, so the rep never holds two
            leads and never loses the card in hand if the found one cannot be had.
        notes: the call notes of the card in hand, kept as the rep's draft.

    Raises:
        QualdeskError: it is with sales or out, or another rep holds it.
    """
    assert rep.id is not None
    now = desk.clock()
    token = secrets.token_hex(8)
    with desk.db.writing() as session:
        claims.release_expired(session, now)
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise QualdeskError(f"no lead #{lead_id}")
        _refuse_off_desk(lead)
        _refuse_others_callback(desk, session, lead, rep, now)
        if not claims.claim_lead(session, lead_id, rep.id, token, now + LEASE):
            session.refresh(lead)  # it changed since it was read: say how
            _refuse_off_desk(lead)
            holder = session.get(Rep, lead.claimed_by) if lead.claimed_by else None
            raise QualdeskError(f"{holder.name if holder else 'another rep'} has this lead open")
        unknown = not lead.time_zones
        if instead_of is not None:
            _give_back(session, instead_of, now, notes=notes)
    return Claim(lead_id, rep.id, token, now, unknown, chosen=True)


def _refuse_off_desk(lead: Lead) -> None:
    if lead.stage not in QUEUED_STAGES:
        raise QualdeskError(
            f"lead #{lead.id} is {_where(lead)}, not on the desk: only new, working and "
            f"nurtured leads open here (qualdesk leads show {lead.id} tells its story)"
        )


def _where(lead: Lead) -> str:
    """Where a lead that is not on the desk stands, in words."""
    if lead.stage == Stage.SALES:
        return "qualified, waiting to be handed to sales"
    if lead.stage == Stage.HANDED_OFF:
        return "with sales"
    reason = f" ({lead.stage_reason})" if lead.stage_reason else ""
    return f"{lead.stage.replace('_', ' ')}{reason}"


def _refuse_others_callback(
    desk: Desk, session: Session, lead: Lead, rep: Rep, now: datetime
) -> None:
    """Another rep's own callback stays theirs until it is overdue by the grace time."""
    if not (lead.callback_at and lead.callback_owner_only and lead.owner_id not in (None, rep.id)):
        return
    shared_from = lead.callback_at + desk.rules(session).rules.cadence.callback_grace
    if now >= shared_from:
        return
    owner = session.get(Rep, lead.owner_id)
    here = zone(rep.time_zone)
    raise QualdeskError(
        f"{owner.name if owner else 'another rep'}'s callback "
        f"({lead.callback_at.astimezone(here):%a %H:%M}): only they may take it "
        f"until {shared_from.astimezone(here):%a %H:%M}"
    )


def release(desk: Desk, claim: Claim, *, skip: bool = False, notes: str | None = None) -> None:
    """Give the lead back without a call; `skip` keeps it away for a while.

    A lead given back as it was goes straight back to the queue; a skipped
    one (its local time unknown and the rep chose not to call) waits first.
    `notes`, the rep's call notes as they stand, are kept as their draft in
    the same transaction, so no later save of older notes can overtake them.
    """
    with desk.db.writing() as session:
        _give_back(session, claim, desk.clock(), skip=skip, notes=notes)


def _give_back(
    session: Session, claim: Claim, now: datetime, *, skip: bool = False, notes: str | None = None
) -> None:
    """Release a claim in the caller's transaction; a claim already lost needs nothing."""
    try:
        lead = hold(session, claim, now)
    except ClaimLost:
        return
    if notes is not None:
        write_draft(session, claim.lead_id, claim.rep_id, notes, now)
    values: dict[str, object] = {}
    if skip:
        # Later, never sooner than it was due: a skip must not pull a nurtured lead
        # forward, nor hand an owner's callback to the others early.
        back = now + SKIP_FOR
        values |= {
            "queue_bucket": None,
            "next_due_at": max(lead.next_due_at or back, back),
            "updated_at": now,
        }
        if lead.callback_at is not None:
            values["callback_at"] = max(lead.callback_at, back)
    claims.give_back(session, claim.lead_id, **values)


@dataclass(frozen=True)
class QueueEntry:
    """A lead the queue will offer, and why and when."""

    lead_id: int
    name: str
    company: str
    grade: str
    why: str
    due_at: datetime | None
    zones: tuple[str, ...]
    callable_now: bool | None
    opens_at: datetime | None
    # The rep's own callback booked for later today: not offered before its time.
    later: bool = False


@dataclass(frozen=True)
class Outlook:
    """What is coming for a rep: the next leads, and why the queue may be empty."""

    entries: list[QueueEntry]
    callable_now: int
    waiting_for_hours: int
    next_opening: datetime | None
    own_callbacks_later: list[datetime]
    due_later_today: int
    unknown_zone: int
    callbacks_later: list[QueueEntry] = field(default_factory=list)
    # Why some of the leads waiting may not be called today at all ("Sunday in US-NY").
    closed_today: list[str] = field(default_factory=list)

    @property
    def ready(self) -> int:
        """Leads in the queue now, callable or not."""
        return self.callable_now + self.waiting_for_hours + self.unknown_zone

    def explain(self, rep_zone: str) -> str:
        """One line on what is waiting, for an empty queue or the queue view's header."""
        tz = zone(rep_zone)
        parts = []
        if self.callable_now:
            parts.append(f"{self.callable_now:,} ready to call now")
        if self.waiting_for_hours:
            when = (
                f" until {self.next_opening.astimezone(tz):%a %H:%M} your time"
                if self.next_opening
                else ""
            )
            closed = f" (closed: {', '.join(self.closed_today)})" if self.closed_today else ""
            parts.append(f"{self.waiting_for_hours:,} waiting: outside calling hours{when}{closed}")
        if self.own_callbacks_later:
            first = min(self.own_callbacks_later).astimezone(tz)
            count = len(self.own_callbacks_later)
            parts.append(
                f"{count} callback{'s' if count > 1 else ''} later today (first {first:%H:%M})"
            )
        if self.due_later_today:
            parts.append(f"{self.due_later_today:,} due later today")
        if self.unknown_zone:
            parts.append(f"{self.unknown_zone:,} with an unknown time zone")
        return "; ".join(parts) if parts else "nothing waiting: every lead is worked for now"


def outlook(desk: Desk, rep: Rep, limit: int = 40) -> Outlook:
    """What the queue holds for a rep: the next leads in claim order, and what waits."""
    now = desk.clock()
    end_of_day = start_of_day(now, rep.time_zone) + timedelta(days=1)
    with desk.db.reading() as session:
        in_force = desk.rules(session)
        hours = in_force.rules.calling_hours
        classes = hours_classes(desk, session)
        open_now = set(classes.callable_now(hours, in_force.version, now))
        unknown = set(classes.unknown())
        assert rep.id is not None
        ready = claims.ready_by_class(session)
        own = claims.own_callbacks_between(session, rep.id, now, end_of_day)
        due_later = claims.due_between(session, now, end_of_day)
        heads = _heads(
            session, rep, now, [c for c, n in ready.items() if n and c is not None], limit
        )
    rows = {class_id: (zones, place) for class_id, zones, place in classes.rows}
    openings = []
    entries = []
    for lead, bucket in heads:
        zones, place = rows.get(lead.hours_class_id or 0, ((), lead.jurisdiction))
        can = callable_at(hours, zones, place, now)
        opens = None if can else next_opening(hours, zones, place, now)
        entries.append(
            QueueEntry(
                lead_id=lead.id or 0, name=lead.name, company=lead.company, grade=lead.grade,
                why=_entry_reason(lead, bucket, in_force.rules.cadence.max_attempts),
                due_at=lead.callback_at or lead.next_due_at, zones=zones, callable_now=can,
                opens_at=opens,
            )
        )  # fmt: skip
    closed: set[str] = set()
    for class_id, count in ready.items():
        if class_id in open_now or class_id in unknown or not count:
            continue
        zones, place = rows.get(class_id or 0, ((), ""))
        opening = next_opening(hours, zones, place, now)
        if opening:
            openings.append(opening)
        if zones:
            reason = closed_reason(hours, place, now.astimezone(zone(zones[0])).date())
            if reason:
                closed.add(reason)
    entries.sort(key=lambda e: (e.callable_now is not True, e.opens_at or now))
    return Outlook(
        entries=entries[:limit],
        callable_now=sum(n for c, n in ready.items() if c in open_now),
        waiting_for_hours=sum(
            n for c, n in ready.items() if c not in open_now and c not in unknown
        ),
        next_opening=min(openings) if openings else None,
        own_callbacks_later=[lead.callback_at for lead in own if lead.callback_at is not None],
        callbacks_later=[
            QueueEntry(
                lead_id=lead.id or 0,
                name=lead.name,
                company=lead.company,
                grade=lead.grade,
                why="your callback, later today",
                due_at=lead.callback_at,
                zones=tuple(lead.time_zones.split()),
                callable_now=False,
                opens_at=None,
                later=True,
            )
            for lead in own
        ],
        due_later_today=due_later,
        unknown_zone=sum(n for c, n in ready.items() if c in unknown),
        closed_today=sorted(closed),
    )


def _heads(
    session: Session, rep: Rep, now: datetime, classes: list[int], limit: int
) -> list[tuple[Lead, int]]:
    """The first leads of each class's ready queue, in claim order, with their bucket."""
    assert rep.id is not None
    found: list[tuple[tuple[int, str, int, int], Lead, int]] = []
    for own in claims.own_callbacks_due(session, rep.id, now, limit):
        found.append(((OWN_CALLBACK, "", 0, own.id or 0), own, OWN_CALLBACK))
    seen = {lead.id for _, lead, _ in found}
    for class_id in classes:
        for lead in claims.queue_head(session, class_id, limit):
            if lead.id in seen:
                continue
            bucket = lead.queue_bucket if lead.queue_bucket is not None else RETRY
            found.append(((bucket, lead.grade, lead.queue_order, lead.id or 0), lead, bucket))
    found.sort(key=lambda item: item[0])
    return [(lead, bucket) for _, lead, bucket in found[: limit * 2]]


def _entry_reason(lead: Lead, bucket: int, max_attempts: int) -> str:
    if bucket == OWN_CALLBACK:
        return "your callback"
    if bucket == SHARED_CALLBACK:
        return "callback (anyone)" if not lead.callback_owner_only else "overdue callback"
    if bucket == RETRY:
        return f"retry {lead.attempts + 1} of {max_attempts}"
    return BUCKET_NAMES[bucket]
