"""Leads one at a time: finding them, their whole story, and fixing their details.

Search is the desk's (the inbound caller found by any part of a number);
the story is everything the desk holds on a lead, oldest first; an edit
changes a lead's details in one transaction with the record of each change,
and a changed number to call brings its calling hours and do-not-call check
with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from qualdesk.core.edits import Change, EditProblem, LeadDetails, plan_edit
from qualdesk.core.errors import QualdeskError
from qualdesk.core.leadfile import identity, person_names
from qualdesk.core.phones import international
from qualdesk.db import claims, leads, reps, staging
from qualdesk.db.dnc import stop_lead
from qualdesk.db.engine import Session
from qualdesk.db.models import ChecklistAnswer, Lead, LeadChange, RoutingDecision, Touch
from qualdesk.services.access import Actor, require_lead
from qualdesk.services.calling.callable import dialled
from qualdesk.services.calling.lease import Claim, hold
from qualdesk.services.desk import Desk


@dataclass(frozen=True)
class LeadLine:
    """One lead as a line in a list."""

    id: int
    name: str
    company: str
    phone: str
    time_zones: tuple[str, ...]
    stage: str
    grade: str
    source: str
    created_at: datetime


def search_leads(desk: Desk, text: str, limit: int = 50) -> list[LeadLine]:
    """Leads whose name, company or email contains the text, or either number has its digits.

    Letters match in any case, accented ones too, on either engine. Newest first.
    """
    typed = text.strip()
    if not typed:
        return []
    # The digits as typed ("0958", the last four), and without a national trunk
    # prefix ("020 7946 0958") or international one ("0044 …"), which the
    # stored E.164 number does not hold.
    digits = re.sub(r"\D", "", typed)
    forms = sorted(form for form in {digits, digits.lstrip("0")} if len(form) >= 4)
    with desk.db.reading() as session:
        return [_line(lead) for lead in leads.leads_matching(session, typed, forms, limit)]


def _line(lead: Lead) -> LeadLine:
    return LeadLine(
        id=lead.id or 0,
        name=lead.name,
        company=lead.company,
        phone=number_to_call(lead),
        time_zones=tuple(lead.time_zones.split()),
        stage=lead.stage,
        grade=lead.grade,
        source=lead.source,
        created_at=lead.created_at,
    )


def number_to_call(lead: Lead) -> str:
    """The number a rep dials, for people to read: the alternate number once there is one."""
    if lead.alt_phone_e164:
        return international(lead.alt_phone_e164, lead.alt_phone_ext)
    return international(lead.phone_e164, lead.phone_ext)


# -- the whole story of a lead -----------------------------------------------


@dataclass(frozen=True)
class LeadStory:
    """Everything the desk holds on one lead, each list oldest first."""

    lead: dict[str, Any]
    touches: list[dict[str, Any]]
    answers: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    changes: list[dict[str, Any]]
    # What went between the desk, sales and marketing: hand-offs to sales, sales'
    # verdicts and outcomes, rulings on rejections, hand-backs to nurture.
    handoffs: list[dict[str, Any]] = field(default_factory=list)
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    nurture_handoffs: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "lead": self.lead,
            "touches": self.touches,
            "answers": self.answers,
            "decisions": self.decisions,
            "changes": self.changes,
            "handoffs": self.handoffs,
            "verdicts": self.verdicts,
            "outcomes": self.outcomes,
            "reviews": self.reviews,
            "nurture_handoffs": self.nurture_handoffs,
        }


def lead_story(desk: Desk, lead_id: int) -> LeadStory:
    """The lead, its touches, checklist answers, routing decisions and changes.

    Raises:
        QualdeskError: there is no such lead.
    """
    with desk.db.reading() as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise QualdeskError(f"no lead #{lead_id} (qualdesk leads find TEXT finds one)")
        handles = reps.handles(session)
        records = leads.lead_records(session, lead_id)
    return LeadStory(
        lead=_lead_fields(lead, handles),
        touches=[_touch_fields(touch, handles) for touch in records.touches],
        answers=[_answer_fields(answer, handles) for answer in records.answers],
        decisions=[_decision_fields(decision, handles) for decision in records.decisions],
        changes=[
            {
                "field": change.field,
                "old": change.old,
                "new": change.new,
                "by": change.changed_by,
                "at": change.changed_at,
                "reason": change.reason,
            }
            for change in records.changes
        ],
        **_with_sales_and_marketing(records, handles),
    )


def _with_sales_and_marketing(
    records: leads.LeadRecords, handles: dict[int | None, str]
) -> dict[str, list[dict[str, Any]]]:
    """The lead's hand-offs, sales' verdicts and outcomes, rulings and nurture hand-backs."""
    return {
        "handoffs": [
            {"at": h.handed_off_at, "batch_id": h.batch_id, "score": h.score, "grade": h.grade}
            for h in records.handoffs
        ],
        "verdicts": [
            {"decided_at": v.decided_at, "received_at": v.received_at, "verdict": v.verdict,
             "reason": v.reason, "feedback_batch_id": v.feedback_batch_id}
            for v in records.verdicts
        ],
        "outcomes": [
            {"received_at": o.received_at, "outcome": o.outcome, "word": o.word,
             "amount": None if o.amount_cents is None else o.amount_cents / 100,
             "closed_on": o.closed_on, "feedback_batch_id": o.feedback_batch_id}
            for o in records.outcomes
        ],
        "reviews": [
            {"at": r.decided_at, "by": handles.get(r.reviewer_id, ""), "valid": r.valid,
             "note": r.note}
            for r in records.reviews
        ],
        "nurture_handoffs": [
            {"at": n.handed_off_at, "batch_id": n.batch_id, "stage": n.stage}
            for n in records.nurture_handoffs
        ],
    }  # fmt: skip


def _touch_fields(touch: Touch, handles: dict[int | None, str]) -> dict[str, Any]:
    return {
        "at": touch.started_at,
        "ended_at": touch.ended_at,
        "rep": handles.get(touch.rep_id, ""),
        "channel": touch.channel,
        "disposition": touch.disposition,
        "phone": touch.phone,
        "notes": touch.notes,
    }


def _answer_fields(answer: ChecklistAnswer, handles: dict[int | None, str]) -> dict[str, Any]:
    return {
        "at": answer.answered_at,
        "rep": handles.get(answer.rep_id, ""),
        "criterion": answer.criterion,
        "established": answer.established,
        "note": answer.note,
        "rules_version": answer.rules_version_id,
    }


def _decision_fields(decision: RoutingDecision, handles: dict[int | None, str]) -> dict[str, Any]:
    return {
        "at": decision.decided_at,
        "rep": handles.get(decision.rep_id, ""),
        "route": decision.route,
        "proposed": decision.proposed_route,
        "overridden": decision.overridden,
        "reason": decision.reason,
        "rules_version": decision.rules_version_id,
    }


# The lead's own fields a story shows as they are stored, around its numbers.
_WHO = ["id", "name", "first_name", "last_name", "title", "company", "email"]
_WHERE = [
    "source",
    "campaign",
    "industry",
    "company_size",
    "stage",
    "stage_reason",
    "attempts",
    "score",
    "grade",
    "created_at",
    "arrived_at",
    "first_touch_at",
    "last_attempt_at",
    "next_due_at",
    "callback_at",
]


def _lead_fields(lead: Lead, handles: dict[int | None, str]) -> dict[str, Any]:
    numbers = {
        "phone": lead.phone_e164,
        "phone_ext": lead.phone_ext,
        "alt_phone": lead.alt_phone_e164,
        "alt_phone_ext": lead.alt_phone_ext,
        "number_to_call": dialled(lead),
        "jurisdiction": lead.jurisdiction,
        "time_zones": lead.time_zones.split(),
    }
    return {
        **{name: getattr(lead, name) for name in _WHO},
        **numbers,
        **{name: getattr(lead, name) for name in _WHERE},
        "outcome": lead.outcome,
        "outcome_amount": None if lead.outcome_cents is None else lead.outcome_cents / 100,
        "outcome_on": lead.outcome_on,
        "owner": handles.get(lead.owner_id),
        "held_by": handles.get(lead.claimed_by) if lead.claimed_by else None,
        "extra": lead.extra,
    }


# -- fixing a lead's details -------------------------------------------------------


class LeadEditRefused(QualdeskError):
    """A value asked for cannot be used; nothing was changed. `field` names it."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Edited:
    """What an edit did: the changes recorded, and whether the lead was stopped."""

    lead_id: int
    changes: tuple[Change, ...]
    # A number the lead now has is on the do-not-call list: the lead is stopped.
    stopped: bool = False


def details_of(lead: Lead) -> LeadDetails:
    """The lead's details a rep may change."""
    return LeadDetails(
        name=lead.name,
        title=lead.title,
        company=lead.company,
        email=lead.email or "",
        phone=lead.phone_e164,
        ext=lead.phone_ext or "",
        alt_phone=lead.alt_phone_e164 or "",
        alt_ext=lead.alt_phone_ext or "",
        region=lead.region,
    )


def edit_lead(
    desk: Desk,
    lead_id: int,
    asked: dict[str, str],
    *,
    by: Actor,
    reason: str = "",
    claim: Claim | None = None,
) -> Edited:
    """Change a lead's details, recording who, when, old and new for each field.

    In one transaction: the new values; for a new number to call, its time
    zones and jurisdiction (the lead's calling hours) and the do-not-call
    check (a number on the list stops the lead, as an import would); and a
    record of each change.

    Args:
        desk: the open desk.
        lead_id: the lead to change.
        asked: new values by field (see qualdesk.core.edits.FIELDS).
        by: who changes it: any rep for a lead nobody else holds; only a team
            lead for a lead another rep holds. Recorded with each change.
        reason: why, for the record.
        claim: the rep's hold on the lead, when made from its card: a lost
            hold refuses the change.

    Returns:
        What changed (nothing if every value asked for is the lead's own).

    Raises:
        NotAllowed: a rep changing a lead another rep holds; nothing is changed.
        QualdeskError: no such lead, or a value that cannot be used (one line
            naming the field); nothing is changed.
        ClaimLost: the card's hold on the lead is gone; nothing is changed.
    """
    now = desk.clock()
    with desk.db.writing() as session:
        if {"phone", "alt_phone"} & set(asked):
            # A new number is checked against the do-not-call list: no number may go on
            # it meanwhile unseen. Taken before the lead's row, as an import takes them.
            staging.hold_intake(session)
        if claim is not None:
            lead: Lead | None = hold(session, claim, now)
        else:
            lead = claims.lead_held_for_writing(session, lead_id)
        if lead is None:
            raise QualdeskError(f"no lead #{lead_id}")
        held = lead.claim_expires_at is not None and lead.claim_expires_at > now
        if claim is None and held and lead.claimed_by not in (None, by.rep_id):
            require_lead(by, "edit a lead another rep holds")
        try:
            edit = plan_edit(details_of(lead), asked)
        except EditProblem as exc:
            raise LeadEditRefused(str(exc), exc.field) from None
        if not edit.changes:
            return Edited(lead_id, ())
        old_phone, new = lead.phone_e164, edit.details
        if new.name != lead.name:
            lead.name, lead.first_name, lead.last_name = person_names(new.name, "", "")
        lead.title, lead.company, lead.email = new.title, new.company, new.email or None
        lead.match_key = identity(lead.name, lead.company)
        lead.phone_e164, lead.phone_ext = new.phone, new.ext or None
        lead.alt_phone_e164, lead.alt_phone_ext = new.alt_phone or None, new.alt_ext or None
        if edit.dial is not None:
            lead.time_zones = " ".join(edit.dial.time_zones)
            lead.jurisdiction = edit.dial.jurisdiction
            lead.hours_class_id = claims.hours_class(session, lead.time_zones, lead.jurisdiction)
        lead.updated_at = now
        session.add(lead)
        session.add_all(
            LeadChange(
                lead_id=lead_id,
                field=change.field,
                old=change.old,
                new=change.new,
                rep_id=by.rep_id,
                changed_by=by.recorded_as,
                reason=reason.strip(),
                changed_at=now,
            )
            for change in edit.changes
        )
        session.flush()
        if new.phone != old_phone:
            _mark_shared(session, {old_phone, new.phone})
        listed = leads.listed_number(session, edit.numbers)
        stopped = listed is not None and stop_lead(session, lead_id, now)
    return Edited(lead_id, edit.changes, stopped)


def _mark_shared(session: Session, numbers: set[str]) -> None:
    """Leads on a number another lead has too are marked as sharing it (a switchboard)."""
    for number in sorted(numbers):
        leads.mark_shared_phone(session, number)
