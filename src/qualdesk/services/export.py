"""Handing qualified leads to sales: the export file, its batch, and writing a batch again.

A lead is marked handed off only once its file is completely written and
in place: the file is written beside its target under a temporary name,
flushed to disk, moved into place, and only then is the batch committed.
If the commit fails the file is removed, so a failed export hands off
nothing and leaves nothing behind. Each lead's row is stored with the
batch, so `--batch ID` writes the same file again, byte for byte.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import CursorResult, insert, update
from sqlalchemy import select as columns_of
from sqlmodel import Session, col, func, select

from qualdesk.core.errors import QualdeskError
from qualdesk.core.handoff import (
    FORMATS,
    PROFILES,
    BuyerProfile,
    Cell,
    CriterionAnswer,
    columns_for,
    render,
    row_for,
)
from qualdesk.core.stages import Stage
from qualdesk.db.models import (
    ChecklistAnswer,
    ExportBatch,
    HandOff,
    Lead,
    Rep,
    RoutingDecision,
    Touch,
)
from qualdesk.services.desk import Desk

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: how many leads, under which batch, to which file."""

    exported: int
    batch_id: int | None
    file: Path | None
    format: str
    profile: str
    again: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "exported": self.exported,
            "batch_id": self.batch_id,
            "file": str(self.file) if self.file else None,
        }


def default_name(now: datetime, fmt: str) -> str:
    """The file name an export takes when none is given."""
    return f"qualdesk-handoff-{now:%Y%m%d-%H%M%S}.{fmt}"


def waiting_for_export(desk: Desk) -> int:
    """How many qualified leads wait for the next export."""
    with desk.db.reading() as session:
        return (
            session.scalar(
                select(func.count()).select_from(Lead).where(col(Lead.stage) == Stage.SALES.value)
            )
            or 0
        )


def export_leads(
    desk: Desk,
    *,
    out: Path | None = None,
    fmt: str = "csv",
    profile: str = "plain",
    by: str = "",
    progress: Progress | None = None,
) -> ExportResult:
    """Write every qualified lead not yet handed off, and hand them off as one batch.

    Args:
        desk: the open desk.
        out: the file to write; by default a dated name in the current folder.
        fmt: csv or jsonl.
        profile: plain, salesforce or hubspot.
        by: who exported (recorded on the batch).
        progress: called with (leads written, leads in all).

    Returns:
        The count, the batch id and the file; with nothing waiting, a count
        of 0 and no file.

    Raises:
        QualdeskError: an unknown format or profile, a file already there or
            that cannot be written, or leads that changed while exporting.
    """
    _check_choice(fmt, profile)
    now = desk.clock()
    target = _target(out, default_name(now, fmt))
    with desk.db.reading() as session:
        in_force = desk.rules(session)
        leads = _profiles(session, desk, in_force.version)
    if not leads:
        return ExportResult(0, None, None, fmt, profile)
    criteria = leads[0].checklist
    extras = {name for lead in leads for name in lead.extra}
    columns = columns_for(profile, criteria, extras)
    rows = [row_for(profile, columns, lead) for lead in leads]
    digest = _write(target, render(fmt, columns, _counted(rows, progress)))
    try:
        with desk.db.writing() as session:
            batch = ExportBatch(
                created_at=now, created_by=by, file_path=str(target), format=fmt,
                profile=profile, lead_count=len(rows), sha256=digest, columns=columns,
            )  # fmt: skip
            session.add(batch)
            session.flush()
            assert batch.id is not None
            _hand_off(session, batch.id, leads, rows, in_force.version, now)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return ExportResult(len(rows), batch.id, target, fmt, profile)


def export_again(
    desk: Desk, batch_id: int, *, out: Path | None = None, progress: Progress | None = None
) -> ExportResult:
    """Write a past batch again, byte for byte as it was first written.

    Raises:
        QualdeskError: no such batch, a file already there, or stored rows
            that no longer make the original file (its SHA-256 differs).
    """
    with desk.db.reading() as session:
        batch = session.get(ExportBatch, batch_id)
        if batch is None:
            raise QualdeskError(f"--batch {batch_id}: no export batch with that id")
        rows = list(
            session.scalars(
                select(HandOff.row)
                .where(col(HandOff.batch_id) == batch_id)
                .order_by(col(HandOff.position))
            )
        )
    name = f"qualdesk-handoff-batch-{batch_id}.{batch.format}"
    target = _target(out, name)
    digest = _write(target, render(batch.format, batch.columns, _counted(rows, progress)))
    if batch.sha256 and digest != batch.sha256:
        target.unlink(missing_ok=True)
        raise QualdeskError(
            f"batch {batch_id}: the stored rows no longer make the file first written "
            "(SHA-256 differs); nothing written"
        )
    return ExportResult(len(rows), batch_id, target, batch.format, batch.profile, again=True)


def _check_choice(fmt: str, profile: str) -> None:
    if fmt not in FORMATS:
        raise QualdeskError(f"--format {fmt!r}: use {' or '.join(FORMATS)}")
    if profile not in PROFILES:
        raise QualdeskError(f"--profile {profile!r}: use {', '.join(PROFILES)}")


def _target(out: Path | None, name: str) -> Path:
    """The file to write, refused before any work if it cannot or must not be written."""
    target = (out if out is not None else Path(name)).expanduser().absolute()
    if target.is_dir():
        target = target / name
    if target.exists():
        raise QualdeskError(f"{target}: a file is already there; choose another --out")
    if not target.parent.is_dir():
        raise QualdeskError(f"{target}: the folder {target.parent} does not exist")
    if not os.access(target.parent, os.W_OK):
        raise QualdeskError(f"{target}: cannot write in {target.parent}")
    return target


def _counted(rows: Sequence[Sequence[Cell]], progress: Progress | None) -> Iterator[Sequence[Cell]]:
    total = len(rows)
    for done, row in enumerate(rows, start=1):
        yield row
        if progress is not None and (done % 2000 == 0 or done == total):
            progress(done, total)


def _write(target: Path, pieces: Iterator[str]) -> str:
    """Write the file under a temporary name, flush it to disk, put it in place; its SHA-256."""
    digest = hashlib.sha256()
    try:
        handle, name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part"
        )
    except OSError as exc:
        raise QualdeskError(f"{target}: cannot write ({exc.strerror or exc})") from None
    partial = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            buffered: list[bytes] = []
            size = 0
            for piece in pieces:
                data = piece.encode("utf-8")
                digest.update(data)
                buffered.append(data)
                size += len(data)
                if size >= 1 << 20:
                    stream.write(b"".join(buffered))
                    buffered, size = [], 0
            stream.write(b"".join(buffered))
            stream.flush()
            os.fsync(stream.fileno())
        if target.exists():
            raise QualdeskError(f"{target}: a file appeared there while exporting; nothing written")
        os.replace(partial, target)
    except OSError as exc:
        raise QualdeskError(
            f"{target}: cannot write ({exc.strerror or exc}); nothing handed off"
        ) from None
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    return digest.hexdigest()


def _hand_off(
    session: Session,
    batch_id: int,
    leads: list[BuyerProfile],
    rows: list[list[Cell]],
    rules_version: int,
    now: datetime,
) -> None:
    """Store each lead's row and checklist with the batch and mark the leads handed off."""
    session.execute(
        insert(HandOff),
        [
            {
                "batch_id": batch_id, "lead_id": lead.lead_id, "position": position,
                "handed_off_at": now, "rules_version_id": rules_version, "score": lead.score,
                "grade": lead.grade, "row": row,
                "checklist": [
                    {"key": c.key, "label": c.label, "points": c.points, "required": c.required,
                     "established": c.established, "note": c.note}
                    for c in lead.checklist
                ],
            }
            for position, (lead, row) in enumerate(zip(leads, rows, strict=True))
        ],
    )  # fmt: skip
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(Lead)
        .where(
            col(Lead.stage) == Stage.SALES.value,
            col(Lead.id).in_(select(HandOff.lead_id).where(col(HandOff.batch_id) == batch_id)),
        )
        .values(
            stage=Stage.HANDED_OFF.value,
            handoff_batch_id=batch_id,
            updated_at=now,
            sales_verdict=None,
            sales_reason="",
            verdict_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    moved = result.rowcount
    if moved != len(leads):
        raise QualdeskError(
            f"{len(leads) - moved} of the leads changed on the desk while exporting "
            "(sent back to a rep, or put on do-not-call); nothing handed off: export again"
        )


def _profiles(session: Session, desk: Desk, version: int) -> list[BuyerProfile]:
    """The buyer profile of every lead waiting to be handed off, oldest qualified first."""
    rules = desk.rules(session).rules
    waiting = col(Lead.stage) == Stage.SALES.value
    leads = session.execute(
        columns_of(  # type: ignore[call-overload]
            Lead.id, Lead.name, Lead.first_name, Lead.last_name, Lead.company, Lead.title,
            Lead.email, Lead.phone_e164, Lead.phone_ext, Lead.source, Lead.campaign,
            Lead.industry, Lead.company_size, Lead.score, Lead.grade, Lead.stage_reason,
            Lead.qualified_at, Lead.extra,
        )
        .where(waiting)
        .order_by(col(Lead.qualified_at), col(Lead.id))
    ).all()  # fmt: skip
    if not leads:
        return []
    answers: dict[int, dict[str, tuple[bool, str]]] = defaultdict(dict)
    for lead_id, criterion, established, note in session.execute(
        select(
            ChecklistAnswer.lead_id, ChecklistAnswer.criterion, ChecklistAnswer.established,
            ChecklistAnswer.note,
        )
        .join(Lead, col(Lead.id) == ChecklistAnswer.lead_id)
        .where(waiting)
        .order_by(col(ChecklistAnswer.id))
    ):  # fmt: skip
        answers[lead_id][criterion] = (established, note)
    touched: dict[int, tuple[int, int, datetime | None, datetime | None]] = {
        lead_id: (count, calls, first, last)
        for lead_id, count, calls, first, last in session.execute(
            columns_of(  # type: ignore[call-overload]
                Touch.lead_id, func.count(), func.count().filter(col(Touch.channel) == "phone"),
                func.min(Touch.started_at), func.max(Touch.started_at),
            )
            .join(Lead, col(Lead.id) == Touch.lead_id)
            .where(waiting)
            .group_by(col(Touch.lead_id))
        )
    }  # fmt: skip
    notes: dict[int, list[str]] = defaultdict(list)
    for lead_id, note in session.execute(
        select(Touch.lead_id, Touch.notes)
        .join(Lead, col(Lead.id) == Touch.lead_id)
        .where(waiting, col(Touch.notes) != "")
        .order_by(col(Touch.started_at), col(Touch.id))
    ):
        notes[lead_id].append(" ".join(note.split()))
    qualified_by: dict[int, str] = {
        lead_id: handle
        for lead_id, handle in session.execute(
            select(RoutingDecision.lead_id, Rep.handle)
            .join(Lead, col(Lead.id) == RoutingDecision.lead_id)
            .join(Rep, col(Rep.id) == RoutingDecision.rep_id)
            .where(waiting, col(RoutingDecision.route) == Stage.SALES.value)
            .order_by(col(RoutingDecision.id))
        )
    }
    profiles = []
    for row in leads:
        lead_id = row.id
        given = answers.get(lead_id, {})
        count, calls, first, last = touched.get(lead_id, (0, 0, None, None))
        profiles.append(
            BuyerProfile(
                lead_id=lead_id, name=row.name, first_name=row.first_name,
                last_name=row.last_name, company=row.company, title=row.title,
                email=row.email or "", phone=row.phone_e164, phone_ext=row.phone_ext or "",
                source=row.source, campaign=row.campaign, industry=row.industry,
                company_size=row.company_size, score=row.score, grade=row.grade,
                qualified_because=row.stage_reason, qualified_by=qualified_by.get(lead_id, ""),
                qualified_at=row.qualified_at, touches=count, calls=calls, first_touch=first,
                last_touch=last, call_notes=tuple(notes.get(lead_id, ())),
                checklist=tuple(
                    CriterionAnswer(
                        c.key, c.label, c.points, c.required,
                        given.get(c.key, (False, ""))[0], given.get(c.key, (False, ""))[1],
                    )
                    for c in rules.criteria
                ),
                rules_version=version, extra=dict(row.extra or {}),
            )
        )  # fmt: skip
    return profiles
