"""Import batches after the fact: list them, look inside one, undo one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, exists, func, select, update
from sqlmodel import Session, col

from qualdesk.core.errors import QualdeskError
from qualdesk.db.models import (
    ChecklistAnswer,
    HandOff,
    ImportBatch,
    ImportIssue,
    Lead,
    LeadChange,
    NoteDraft,
    NurtureHandOff,
    RoutingDecision,
    Touch,
)
from qualdesk.services.desk import Desk


@dataclass(frozen=True)
class UndoResult:
    """What undoing a batch removed and kept."""

    batch_id: int
    removed: int
    kept: int


def list_batches(desk: Desk, limit: int = 50) -> list[ImportBatch]:
    """The newest import batches first."""
    with desk.db.reading() as session:
        query = select(ImportBatch).order_by(col(ImportBatch.id).desc()).limit(limit)
        return list(session.scalars(query))


def batch_detail(desk: Desk, batch_id: int) -> tuple[ImportBatch, list[ImportIssue]]:
    """A batch and every row of it that did not become a lead."""
    with desk.db.reading() as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is None:
            raise QualdeskError(f"no import batch {batch_id} (see `qualdesk batches`)")
        issues = session.scalars(
            select(ImportIssue)
            .where(col(ImportIssue.batch_id) == batch_id)
            .order_by(col(ImportIssue.line))
        )
        return batch, list(issues)


def undo_batch(desk: Desk, batch_id: int) -> UndoResult:
    """Remove a batch's leads that no rep has worked yet; keep the rest.

    A lead counts as worked once it has a touch, a checklist answer, a
    routing decision, a change to its details or a rep's unsaved notes, once
    it went to sales or back to marketing in a file, or while a rep holds it.
    The batch stays on record, marked undone, so the same file can be
    imported again.

    Raises:
        QualdeskError: no such batch, or it was already undone.
    """
    with desk.db.writing() as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is None:
            raise QualdeskError(f"no import batch {batch_id} (see `qualdesk batches`)")
        if batch.status == "undone":
            raise QualdeskError(
                f"batch {batch_id} was already undone on {batch.undone_at:%Y-%m-%d %H:%M} UTC"
            )
        worked = (
            exists().where(col(Touch.lead_id) == Lead.id)
            | exists().where(col(ChecklistAnswer.lead_id) == Lead.id)
            | exists().where(col(RoutingDecision.lead_id) == Lead.id)
            | exists().where(col(NoteDraft.lead_id) == Lead.id)
            | exists().where(col(LeadChange.lead_id) == Lead.id)
            # Handed to sales or back to marketing: it left the desk in a file.
            | exists().where(col(HandOff.lead_id) == Lead.id)
            | exists().where(col(NurtureHandOff.lead_id) == Lead.id)
            | col(Lead.claimed_by).is_not(None)
        )
        in_batch = col(Lead.batch_id) == batch_id
        phones = list(
            session.scalars(select(col(Lead.phone_e164)).where(in_batch, ~worked).distinct())
        )
        deleted = session.execute(delete(Lead).where(in_batch, ~worked))
        removed = int(getattr(deleted, "rowcount", 0) or 0)
        kept = session.scalar(select(func.count()).select_from(Lead).where(in_batch)) or 0
        _recount_shared(session, phones)
        batch.status = "undone"
        batch.undone_at = desk.clock()
        batch.undone_removed = removed
        batch.undone_kept = kept
        session.add(batch)
    return UndoResult(batch_id, removed, kept)


def _recount_shared(session: Session, phones: list[str]) -> None:
    """Leads left alone on a number no longer share it."""
    for start in range(0, len(phones), 500):
        chunk = phones[start : start + 500]
        alone = (
            select(col(Lead.phone_e164))
            .where(col(Lead.phone_e164).in_(chunk))
            .group_by(col(Lead.phone_e164))
            .having(func.count() == 1)
        )
        session.execute(
            update(Lead).where(col(Lead.phone_e164).in_(alone)).values(shares_phone=False)
        )
