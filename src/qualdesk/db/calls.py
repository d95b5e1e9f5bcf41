"""A call in SQL: the checklist answers, touches and unsaved notes a call card reads.

What a call writes (its touch, answers and routing decision) goes in as model
objects through the caller's session; the rep's running totals are kept by
db/touchtotals.py in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from qualdesk.db.models import ChecklistAnswer, NoteDraft, Rep, Touch


def checklist_answers(session: Session, lead_id: int) -> list[ChecklistAnswer]:
    """Every answer given on the lead, oldest first: the newest per criterion stands."""
    return list(
        session.scalars(
            select(ChecklistAnswer)
            .where(col(ChecklistAnswer.lead_id) == lead_id)
            .order_by(col(ChecklistAnswer.id))
        )
    )


def answers_of_leads(session: Session, lead_ids: Iterable[int]) -> list[tuple[int, str, bool]]:
    """(lead, criterion, established) of every answer given on these leads, oldest first."""
    rows = session.execute(
        select(ChecklistAnswer.lead_id, ChecklistAnswer.criterion, ChecklistAnswer.established)
        .where(col(ChecklistAnswer.lead_id).in_(list(lead_ids)))
        .order_by(col(ChecklistAnswer.id))
    )
    return [(lead_id, criterion, bool(established)) for lead_id, criterion, established in rows]


def touches_with_handles(session: Session, lead_id: int) -> list[tuple[Touch, str]]:
    """The lead's touches, newest first, each with its rep's handle."""
    rows = session.exec(
        select(Touch, Rep.handle)
        .join(Rep, col(Rep.id) == Touch.rep_id)
        .where(col(Touch.lead_id) == lead_id)
        .order_by(col(Touch.started_at).desc(), col(Touch.id).desc())
    )
    return [(touch, handle) for touch, handle in rows]


def drafts_with_handles(session: Session, lead_id: int) -> list[tuple[NoteDraft, str]]:
    """Notes any rep typed on the lead and never saved with a call, oldest first, with
    each rep's handle."""
    rows = session.exec(
        select(NoteDraft, Rep.handle)
        .join(Rep, col(Rep.id) == NoteDraft.rep_id)
        .where(col(NoteDraft.lead_id) == lead_id)
        .order_by(col(NoteDraft.saved_at), col(NoteDraft.rep_id))
    )
    return [(draft, handle) for draft, handle in rows]
