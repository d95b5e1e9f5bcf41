"""The live floor: who is at the desk, what each rep is doing, and a team lead's two remedies.

Each desk (a terminal or a browser tab) opens a session when its rep signs
in, beats every few seconds with what the rep is doing, and ends it on
sign-out. The floor reads the open sessions and the held leads: one row per
rep at a desk or holding a lead, live or gone. A team lead may release a
lead a rep holds (their notes stay as their draft) and hand a rep's
callbacks to another rep; both are recorded with who did it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from qualdesk.core.errors import QualdeskError
from qualdesk.core.floor import FORGET_AFTER, LIVE_FOR, SOURCES, STATES, is_live, seconds_since
from qualdesk.core.periods import named_period
from qualdesk.db import claims, reps
from qualdesk.db import figures as counted
from qualdesk.db import floor as sql
from qualdesk.db.engine import Session
from qualdesk.db.floor import HELD_BY, HeldRow, SessionRow
from qualdesk.db.models import LeadChange, Rep
from qualdesk.services.access import Actor, require_lead
from qualdesk.services.desk import Desk


@dataclass(frozen=True)
class HeldLead:
    """The lead a rep holds: who it is, and until when the lease keeps it theirs."""

    id: int
    name: str
    company: str
    # When the rep took it, if the desk said (None until its session reports it).
    since: datetime | None
    # The lease: unless renewed, the lead goes back to the queue by itself then.
    until: datetime

    @property
    def who(self) -> str:
        """The lead as a person reads it: the name, and the company if there is one."""
        if self.name and self.company:
            return f"{self.name}, {self.company}"
        return self.name or self.company or f"lead #{self.id}"


@dataclass(frozen=True)
class FloorRow:
    """One rep on the floor: at a desk now, gone from it, or holding a lead without one."""

    handle: str
    name: str
    role: str
    # The desk the row reads (the newest heard from, preferring one that is there).
    session_id: int | None
    source: str
    place: str
    live: bool
    seen_at: datetime | None
    state: str
    state_since: datetime | None
    idle_seconds: int | None
    lead: HeldLead | None
    touches_today: int
    callbacks: int
    # Desks of this rep that are there now (a terminal and a browser tab make two).
    desks: int

    @property
    def state_words(self) -> str:
        """What the rep is doing, in words ('' when no desk of theirs has said)."""
        return STATES.get(self.state, self.state)

    def as_json(self, now: datetime) -> dict[str, Any]:
        lead = self.lead
        return {
            "handle": self.handle,
            "name": self.name,
            "role": self.role,
            "live": self.live,
            "source": self.source or None,
            "place": self.place or None,
            "session_id": self.session_id,
            "desks": self.desks,
            "seen_at": _iso(self.seen_at),
            "seen_seconds_ago": seconds_since(self.seen_at, now),
            "state": self.state or None,
            "state_since": _iso(self.state_since),
            "state_seconds": seconds_since(self.state_since, now),
            "idle_seconds": self.idle_seconds,
            "lead": None
            if lead is None
            else {
                "id": lead.id,
                "name": lead.name,
                "company": lead.company,
                "held_since": _iso(lead.since),
                "held_seconds": seconds_since(lead.since, now),
                "lease_until": _iso(lead.until),
            },
            "touches_today": self.touches_today,
            "callbacks": self.callbacks,
        }


@dataclass(frozen=True)
class Floor:
    """The floor as read at one moment, today counted in one zone."""

    now: datetime
    zone: str
    rows: list[FloorRow]

    def row(self, handle: str) -> FloorRow | None:
        return next((row for row in self.rows if row.handle == handle), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "now": _iso(self.now),
            "zone": self.zone,
            "live_within_seconds": int(LIVE_FOR.total_seconds()),
            "reps": [row.as_json(self.now) for row in self.rows],
        }


def _iso(moment: datetime | None) -> str | None:
    """An instant as ISO 8601 in UTC, or None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def open_session(
    desk: Desk, rep: Rep, *, source: str, place: str, last_key_at: datetime | None = None
) -> int:
    """Record the rep signing in at a desk; returns the session's id for its beats.

    A session of theirs not heard from for a few beats (its process died
    without ending it) ends here, as of when it was last heard from. A desk
    that was in fact still there, only slow, finds its session ended at its
    next beat and opens another. Two desks of one rep that are both there
    (a terminal and a browser tab, two tabs) keep a session each.

    Raises:
        QualdeskError: an unknown source.
    """
    if source not in SOURCES:
        raise QualdeskError(f"source {source!r}: expected {' or '.join(SOURCES)}")
    assert rep.id is not None
    now = desk.clock()
    with desk.db.writing() as session:
        opened = sql.open_session(
            session, rep_id=rep.id, source=source, place=place[:200], now=now,
            last_key_at=last_key_at or now,
        )  # fmt: skip
        sql.end_left_behind(
            session, rep_id=rep.id, gone_before=now - LIVE_FOR, keep=opened, why="gone"
        )
    return opened


@dataclass(frozen=True)
class Heard:
    """What a beat found: whether the session is still open, and the lead still the rep's."""

    open: bool
    holding: bool


def beat(
    desk: Desk, session_id: int, *, state: str, lead_id: int | None, last_key_at: datetime
) -> Heard:
    """Say the desk is there and what its rep is doing: one UPDATE of the session's row.

    With a lead on the card, one more read by the lead's key says whether the
    rep still holds it (a team lead may have released it), so the desk can
    close the card at once rather than at its next renewal.

    Args:
        desk: the open desk.
        session_id: from open_session.
        state: one of core.floor.STATES.
        lead_id: the lead the rep holds on this desk, if any.
        last_key_at: the rep's last key press on this desk.

    Returns:
        Whether the session is still open (if not, a newer desk of theirs ended
        it: open another), and whether the lead is still the rep's.
    """
    now = desk.clock()
    with desk.db.writing() as session:
        heard = sql.beat(
            session, session_id=session_id, state=state, lead_id=lead_id,
            last_key_at=last_key_at, now=now,
        )  # fmt: skip
        holding = lead_id is None or sql.still_holds(
            session, lead_id=lead_id, session_id=session_id
        )
    return Heard(heard, holding)


def end_session(desk: Desk, session_id: int, why: str) -> None:
    """The rep signed out or closed the desk: the session ends (once)."""
    now = desk.clock()
    with desk.db.writing() as session:
        sql.end_session(session, session_id=session_id, now=now, why=why)


def floor(desk: Desk, zone_name: str, *, by: Actor) -> Floor:
    """Every rep at a desk or holding a lead: what they do, since when, today's touches.

    Args:
        desk: the open desk.
        zone_name: the zone today is counted in (the team lead's, as the team view counts).
        by: who looks: a team lead (the floor names where each rep is, and their leads).

    Raises:
        NotAllowed: a rep asking.
    """
    require_lead(by, "see the live floor")
    now = desk.clock()
    today = named_period("today", now, zone_name)
    with desk.db.reading() as session:
        sessions = sql.open_sessions(session, seen_after=now - FORGET_AFTER)
        held = sql.held_leads(session, now=now)
        callbacks = sql.callbacks_by_owner(session)
        touches: dict[int, int] = {}
        for counts in counted.touches_by_rep_and_channel(session, today, ()):
            touches[counts.rep_id] = touches.get(counts.rep_id, 0) + counts.touches
        reps = sql.reps_with_ids(
            session, ids=[s.rep_id for s in sessions] + [h.rep_id for h in held]
        )
    rows = [
        _row(rep, sessions, held, now, touches.get(rep.id, 0), callbacks.get(rep.id, 0))
        for rep in sorted(reps.values(), key=lambda rep: rep.handle)
    ]
    return Floor(now, zone_name, rows)


def _held_since(desk_session: SessionRow | None, lead_id: int) -> datetime | None:
    """Since when the rep's desk has had the lead on its card (None: held with no desk)."""
    if desk_session is None or desk_session.lead_id != lead_id:
        return None
    return desk_session.lead_since


def _row(
    rep: sql.FloorRep,
    sessions: list[SessionRow],
    held: list[HeldRow],
    now: datetime,
    touches: int,
    callbacks: int,
) -> FloorRow:
    theirs = [s for s in sessions if s.rep_id == rep.id]
    leads = [h for h in held if h.rep_id == rep.id]
    # The newest lease is the lead the rep works now (an older one is left behind).
    lead = leads[-1] if leads else None
    live = [s for s in theirs if is_live(s.seen_at, now)]
    # The desk with the lead, else the newest heard from: a live one before a gone one.
    pool = live or theirs
    on_lead = [s for s in pool if lead is not None and s.lead_id == lead.lead_id]
    chosen = next(iter(on_lead or pool), None)
    return FloorRow(
        handle=rep.handle,
        name=rep.name,
        role=rep.role,
        session_id=chosen.id if chosen else None,
        source=chosen.source if chosen else "",
        place=chosen.place if chosen else "",
        live=chosen is not None and is_live(chosen.seen_at, now),
        seen_at=chosen.seen_at if chosen else None,
        state=chosen.state if chosen else "",
        state_since=chosen.state_since if chosen else None,
        idle_seconds=seconds_since(chosen.last_key_at, now) if chosen else None,
        lead=None
        if lead is None
        else HeldLead(
            lead.lead_id, lead.name, lead.company, _held_since(chosen, lead.lead_id), lead.until
        ),
        touches_today=touches,
        callbacks=callbacks,
        desks=len(live),
    )


def release_lead(
    desk: Desk, actor: Actor, lead_id: int, reason: str = "", *, holder: str | None = None
) -> str:
    """Release the lead a rep holds, so it is back in the queue at once; returns their handle.

    The notes the rep typed are already kept as their draft (written as they
    type) and stay so: they come back when that rep opens the lead again. If
    the rep's desk is still running, its next write on the card finds the
    hold gone and closes the card, saying who released it.

    Args:
        holder: the handle of the rep the team lead saw holding it (the floor's
            confirmation): if another rep holds it by now, nothing changes.

    Raises:
        NotAllowed: a rep asking; nothing changes.
        QualdeskError: no such lead, nobody holds it, or not the rep expected.
    """
    require_lead(actor, "release a rep's lead")
    now = desk.clock()
    with desk.db.writing() as session:
        lead = claims.lead_held_for_writing(session, lead_id)
        if lead is None:
            raise QualdeskError(f"no lead #{lead_id}")
        if lead.claimed_by is None:
            raise QualdeskError(f"lead #{lead_id} is not held by anyone; nothing was changed")
        held_by = session.get(Rep, lead.claimed_by)
        handle = held_by.handle if held_by is not None else f"rep #{lead.claimed_by}"
        if holder is not None and handle != holder:
            raise QualdeskError(
                f"lead #{lead_id} is held by {handle} now, not {holder}; nothing was changed"
            )
        claims.give_back(session, lead_id, updated_at=now)
        sql.record_changes(
            session,
            changes=[
                LeadChange(
                    lead_id=lead_id, field=HELD_BY, old=handle, new="", rep_id=actor.rep_id,
                    changed_by=actor.recorded_as, changed_at=now,
                    reason=reason.strip() or "released from the live floor",
                )
            ],
        )  # fmt: skip
    return handle


def hand_callbacks(
    desk: Desk, actor: Actor, from_handle: str, to_handle: str, reason: str = ""
) -> int:
    """Give every callback one rep owns to another active rep; returns how many moved.

    Each lead keeps its callback time; only its owner changes, recorded with
    who handed it over.

    Raises:
        NotAllowed: a rep asking; nothing changes.
        QualdeskError: an unknown handle, the same rep twice, or a target who
            cannot sign in; nothing changes.
    """
    require_lead(actor, "hand a rep's callbacks to another rep")
    source, target = from_handle.strip().lower(), to_handle.strip().lower()
    if source == target:
        raise QualdeskError(f"{source}'s callbacks would go to {source}: name another rep")
    now = desk.clock()
    with desk.db.writing() as session:
        giver = _rep(session, source)
        taker = _rep(session, target)
        if not taker.active:
            raise QualdeskError(
                f"{taker.handle} is deactivated and cannot take callbacks; name an active rep"
            )
        assert giver.id is not None and taker.id is not None
        lead_ids = sql.callbacks_owned(session, rep_id=giver.id)
        moved = sql.give_callbacks(session, lead_ids=lead_ids, to_rep_id=taker.id, now=now)
        why = reason.strip() or "callbacks handed over from the live floor"
        sql.record_changes(
            session,
            changes=(
                LeadChange(
                    lead_id=lead_id, field=sql.CALLBACK_OWNER, old=giver.handle,
                    new=taker.handle, rep_id=actor.rep_id, changed_by=actor.recorded_as,
                    changed_at=now, reason=why,
                )
                for lead_id in lead_ids
            ),
        )  # fmt: skip
    return moved


def _rep(session: Session, handle: str) -> Rep:
    rep = reps.rep_with_handle(session, handle)
    if rep is None:
        raise QualdeskError(f"no rep with handle {handle!r} (see `qualdesk reps list`)")
    return rep


def released_by(desk: Desk, lead_id: int, rep_handle: str, since: datetime) -> str | None:
    """Who released a rep's hold on a lead from the floor at or after `since`, if anyone."""
    with desk.db.reading() as session:
        return sql.released_by(session, lead_id=lead_id, rep_handle=rep_handle, since=since)
