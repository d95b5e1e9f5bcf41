"""Which leads go back to marketing's nurture, their buyer profiles, and recording them as sent.

A lead is due for the nurture hand-back when it is in nurture (or, asked for,
disqualified) and it has not been handed back in the stage it is in since
the routing decision that put it there: a lead that comes back to the desk,
is worked and is nurtured again goes in a later batch again. A lead put on
do-not-call after it went back to nurture goes again as out, marked, so
marketing can take it off its call lists. Leads handed back stay on the desk
as they are: they still come back on their recycle date. Only rows in
nurture_handoffs record that they went.

The export itself (the file, the batch, the guarantees) is services.handoff.export's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from qualdesk.core.errors import QualdeskError
from qualdesk.core.handoff import BuyerProfile, Criterion
from qualdesk.core.nurture import NURTURE, OUT
from qualdesk.db import handoff as sql
from qualdesk.db.engine import Session
from qualdesk.services.desk import Desk
from qualdesk.services.handoff.profiles import NO_TOUCHES, extra_fields, read_parts
from qualdesk.services.intake.dnc import DNC_REASON


class Due(NamedTuple):
    """A lead due for the nurture hand-back, with the routing decision it goes back under."""

    profile: BuyerProfile
    decision_id: int | None


def nurture_waiting(desk: Desk) -> tuple[int, int]:
    """How many leads wait for the next nurture hand-back: (in nurture, out).

    Out counts the disqualified leads (and any on do-not-call) that
    `include_out` would add.
    """
    with desk.db.reading() as session:
        return sql.nurture_waiting(session)


def nurture_leads(
    session: Session, criteria: Sequence[Any], version: int, include_out: bool
) -> list[Due]:
    """The buyer profile of every lead due for the nurture hand-back, in the order they were routed.

    Args:
        session: the reading session.
        criteria: the definition's criteria in force.
        version: the rules version in force.
        include_out: disqualified leads (and any on do-not-call) too.
    """
    found = sql.leads_for_nurture(session, include_out)
    if not found:
        return []
    parts = read_parts(sql.nurture_profile_parts(session, include_out))
    shown = tuple(Criterion(c.key, c.label, c.points, c.required) for c in criteria)
    unanswered: dict[str, tuple[bool, str]] = {}
    due = []
    for (lead_id, name, first, last, company, title, email, phone, ext, source, campaign,
         industry, size, score, grade, qualified_at, extra, alt, alt_ext, stage, reason,
         next_due, created, decision, route, decided_at, decided_by, because, qualified_by,
         reviewed_at, reviewer, dnc_by, dnc_at) in found:  # fmt: skip
        count, calls, first_touch, last_touch = parts.touched.get(lead_id, NO_TOUCHES)
        routed_by, routed_at = decided_by or "", decided_at
        if route != stage:  # moved without a decision: by a team lead's ruling, or do-not-call
            routed_by, routed_at = "", None
            if stage == NURTURE and reviewed_at is not None:
                routed_by, routed_at = reviewer or "", reviewed_at
            elif stage == OUT and reason == DNC_REASON and dnc_at is not None:
                routed_by, routed_at = dnc_by or "", max(dnc_at, created)
        profile = BuyerProfile(
            lead_id, name, first, last, company, title, email or "", phone, ext or "", source,
            campaign, industry, size, score, grade, because or "", qualified_by or "",
            qualified_at, count, calls or 0, first_touch, last_touch,
            tuple(parts.notes.get(lead_id, ())), shown, parts.answers.get(lead_id, unanswered),
            version, extra_fields(extra), alt or "", alt_ext or "",
            tuple(parts.changes.get(lead_id, ())), stage=stage, nurture_reason=reason,
            recycle_at=next_due if stage == NURTURE else None, routed_by=routed_by,
            routed_at=routed_at, do_not_call=dnc_at is not None,
        )  # fmt: skip
        due.append(Due(profile, decision))
    return due


def record_nurture(session: Session, batch_id: int, due: list[Due], now: datetime) -> None:
    """Record the leads as handed back in the batch; the leads themselves are left as they are.

    Args:
        session: the writing session.
        batch_id: the export batch.
        due: the leads written, as nurture_leads read them.
        now: the moment of the hand-back.

    Raises:
        QualdeskError: a lead changed on the desk since it was read; the
            caller's transaction must then be rolled back.
    """
    sent = [
        sql.NurtureSent(p.lead_id, decision, p.stage, p.score, p.grade, p.do_not_call)
        for p, decision in due
    ]
    recorded = sql.record_nurture(session, batch_id, sent, now)
    if recorded != len(due):
        raise QualdeskError(
            f"{len(due) - recorded} of the leads changed on the desk while exporting (called "
            "again, or put on do-not-call); nothing handed back: export again"
        )
