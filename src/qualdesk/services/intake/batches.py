"""Import batches after the fact: list them, look inside one, undo one."""

from __future__ import annotations

from dataclasses import dataclass

from qualdesk.core.errors import QualdeskError
from qualdesk.db import staging
from qualdesk.db.models import ImportBatch, ImportIssue
from qualdesk.services.access import Actor, record_change, require_lead
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
        return staging.newest_batches(session, limit)


def batch_detail(desk: Desk, batch_id: int) -> tuple[ImportBatch, list[ImportIssue]]:
    """A batch and every row of it that did not become a lead."""
    with desk.db.reading() as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is None:
            raise QualdeskError(f"no import batch {batch_id} (see `qualdesk batches`)")
        return batch, staging.batch_issues(session, batch_id)


def undo_batch(desk: Desk, batch_id: int, *, by: Actor) -> UndoResult:
    """Remove a batch's leads that no rep has worked yet; keep the rest.

    A lead counts as worked once it has a touch, a checklist answer, a
    routing decision, a change to its details or a rep's unsaved notes, once
    it went to sales or back to marketing in a file, or while a rep holds it.
    The batch stays on record, marked undone, so the same file can be
    imported again.

    Raises:
        NotAllowed: a rep asking; nothing is removed.
        QualdeskError: no such batch, or it was already undone.
    """
    require_lead(by, "undo an import")
    with desk.db.writing() as session:
        # An import under way finishes first: its duplicates and shared numbers count this batch.
        staging.hold_intake(session)
        batch = session.get(ImportBatch, batch_id)
        if batch is None:
            raise QualdeskError(f"no import batch {batch_id} (see `qualdesk batches`)")
        if batch.status == "undone":
            raise QualdeskError(
                f"batch {batch_id} was already undone on {batch.undone_at:%Y-%m-%d %H:%M} UTC"
            )
        removed, kept, phones = staging.remove_unworked_leads(session, batch_id)
        staging.recount_shared(session, phones)
        batch.status = "undone"
        batch.undone_at = desk.clock()
        batch.undone_removed = removed
        batch.undone_kept = kept
        session.add(batch)
        record_change(
            session, batch.undone_at, by, "import undone", f"batch {batch_id}",
            f"{removed} leads removed, {kept} kept",
        )  # fmt: skip
    return UndoResult(batch_id, removed, kept)
