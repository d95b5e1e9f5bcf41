"""Reviewing sales' rejections: was the rejection valid under the definition then in force?

A team lead reads the lead as it was handed off (its checklist under the
rules version of that day), its touches and sales' reason, and rules:
valid (the lead goes to nurture, to come back when its grade says) or
invalid (it goes back to sales in the next export batch). Each ruling is
kept with its note; a rejection is ruled on once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from qualdesk.core import queue as order
from qualdesk.core.errors import QualdeskError
from qualdesk.core.routing import recycle
from qualdesk.core.stages import Stage
from qualdesk.db import feedback as sql
from qualdesk.db.engine import Session, serialize
from qualdesk.db.models import HandOff, Lead, Rep, Review, SalesVerdict
from qualdesk.services.access import as_rep, require_lead
from qualdesk.services.calling.calls import TouchLine
from qualdesk.services.calling.leads import number_to_call
from qualdesk.services.desk import Desk


@dataclass(frozen=True)
class Rejection:
    """One rejection in the review list, and its ruling if it has one."""

    verdict_id: int
    lead_id: int
    name: str
    company: str
    campaign: str
    rejected_at: datetime
    reason: str
    ruling: str | None  # "valid", "invalid" or None (to review)


@dataclass(frozen=True)
class ReviewCard:
    """What a reviewer reads before ruling."""

    rejection: Rejection
    title: str
    email: str
    phone: str
    source: str
    batch_id: int | None
    handed_off_at: datetime | None
    rules_version: int | None
    score: int | None
    grade: str | None
    checklist: list[dict[str, Any]]
    touches: list[TouchLine]
    reviewer: str = ""
    note: str = ""


def _line(row: sql.RejectionRow) -> Rejection:
    ruling = None if row.valid is None else ("valid" if row.valid else "invalid")
    return Rejection(row.verdict_id, row.lead_id, row.name, row.company, row.campaign,
                     row.rejected_at, row.reason, ruling)  # fmt: skip


def to_review(desk: Desk) -> list[Rejection]:
    """Every rejection still waiting for a ruling, oldest first.

    Only each lead's newest verdict: an earlier one was overtaken by sales themselves.
    """
    with desk.db.reading() as session:
        return [_line(row) for row in sql.rejections_to_review(session)]


def month_sample(desk: Desk, month: date, size: int, zone_name: str = "UTC") -> list[Rejection]:
    """A random sample of `size` of the rejections sales made in a month, ruled or not.

    Each rejection draws a fixed random key from the month and its own id, and
    the sample is the lowest keys: a past month's sample is the same for every
    reviewer at any time. Ruled rejections stay in it as done, even if sales
    have since changed their verdict.
    """
    here = ZoneInfo(zone_name)
    start = datetime(month.year, month.month, 1, tzinfo=here)
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=here)
    with desk.db.reading() as session:
        found = [_line(row) for row in sql.rejections_between(session, start, end)]

    def draw(rejection: Rejection) -> str:
        return hashlib.sha256(f"{month:%Y-%m}:{rejection.verdict_id}".encode()).hexdigest()

    chosen = sorted(found, key=draw)[:size]
    return sorted(chosen, key=lambda r: (r.rejected_at, r.verdict_id))


def review_card(desk: Desk, rejection: Rejection) -> ReviewCard:
    """The lead as it was handed off, its touches, sales' reason, and any ruling."""
    with desk.db.reading() as session:
        lead = session.get(Lead, rejection.lead_id)
        verdict = session.get(SalesVerdict, rejection.verdict_id)
        if lead is None or verdict is None:
            raise QualdeskError(f"lead #{rejection.lead_id} is no longer on the desk")
        handoff = session.get(HandOff, verdict.handoff_id) if verdict.handoff_id else None
        if handoff is None:
            handoff = sql.last_hand_off(session, rejection.lead_id)
        touches = sql.touches_with_reps(session, rejection.lead_id)
        ruling = sql.ruling_on(session, rejection.verdict_id)
        checklist = _checklist_then(desk, session, rejection.lead_id, handoff) if handoff else []
        labels = {d.key: d.label for d in desk.rules(session).rules.dispositions}
    return ReviewCard(
        rejection=rejection, title=lead.title, email=lead.email or "",
        phone=number_to_call(lead),
        source=lead.source, batch_id=handoff.batch_id if handoff else None,
        handed_off_at=handoff.handed_off_at if handoff else None,
        rules_version=handoff.rules_version_id if handoff else None,
        score=handoff.score if handoff else None, grade=handoff.grade if handoff else None,
        checklist=checklist,
        touches=[TouchLine(t.started_at, t.channel,
                           labels.get(t.disposition or "", t.disposition or ""), handle, t.notes)
                 for t, handle in touches],
        reviewer=ruling[1] if ruling else "", note=ruling[0].note if ruling else "",
    )  # fmt: skip


def _checklist_then(
    desk: Desk, session: Session, lead_id: int, handoff: HandOff
) -> list[dict[str, Any]]:
    """The checklist as it stood at hand-off: the newest answer per criterion up to then,
    read under the rules version in force that day."""
    rules = desk.rules_version(session, handoff.rules_version_id)
    answers = {
        row.criterion: row for row in sql.answers_until(session, lead_id, handoff.handed_off_at)
    }
    return [
        {"key": c.key, "label": c.label, "points": c.points, "required": c.required,
         "established": bool(c.key in answers and answers[c.key].established),
         "note": answers[c.key].note if c.key in answers else ""}
        for c in rules.criteria
    ]  # fmt: skip


def rule(desk: Desk, verdict_id: int, reviewer: Rep, *, valid: bool, note: str) -> Stage:
    """Rule on a rejection: valid sends the lead to nurture, invalid back to sales.

    Returns:
        The stage the lead is now in.

    Raises:
        NotAllowed: the reviewer is a rep.
        QualdeskError: no note, a rejection already ruled on, or a lead no
            longer rejected.
    """
    require_lead(as_rep(reviewer), "rule on sales' rejections")
    note = " ".join(note.split())
    if not note:
        raise QualdeskError("a ruling needs a note: why the rejection was valid or not")
    now = desk.clock()
    with desk.db.writing() as session:
        serialize(session, "sales-feedback")  # as feedback: one ruling or file at a time
        rules = desk.rules(session).rules
        verdict = session.get(SalesVerdict, verdict_id)
        if verdict is None or verdict.verdict != "rejected":
            raise QualdeskError(f"no rejection #{verdict_id}")
        done = sql.ruling_on(session, verdict_id)
        if done is not None:
            ruled = "valid" if done[0].valid else "invalid"
            raise QualdeskError(f"{done[1]} already ruled this rejection {ruled}")
        lead = session.get(Lead, verdict.lead_id)
        newest = sql.newest_verdict_id(session, verdict.lead_id)
        if lead is None or lead.stage != Stage.REJECTED.value or newest != verdict_id:
            where = lead.stage.replace("_", " ") if lead else "gone"
            raise QualdeskError(f"lead #{verdict.lead_id} is no longer rejected (it is {where})")
        session.add(
            Review(lead_id=verdict.lead_id, verdict_id=verdict_id, reviewer_id=reviewer.id or 0,
                   valid=valid, note=note, decided_at=now)
        )  # fmt: skip
        if valid:
            due = recycle(rules, lead.grade, now)
            lead.stage = Stage.NURTURE.value
            days = rules.recycle_days[lead.grade]
            lead.stage_reason = f"sales rejected it, rightly ({note}); back in {days} days"
            lead.next_due_at = due
            lead.queue_bucket = None
            lead.queue_order = order.order_key(order.NURTURE, lead.created_at, due)
            lead.attempts = 0
        else:
            lead.stage = Stage.SALES.value
            lead.stage_reason = f"back to sales after review: {note}"
            lead.next_due_at = None
            lead.queue_bucket = None
        lead.callback_at = None
        lead.claimed_by = lead.claim_token = lead.claim_expires_at = None
        lead.updated_at = now
        session.add(lead)
        return Stage(lead.stage)
