"""Sales' verdicts coming back: accepted and rejected leads, all or nothing.

The file is read as strictly as a lead file (encodings, delimiters, header
aliases, broken quoting). Every row is checked first; rows that cannot be
applied (an unknown lead, a lead never handed off, a word that is neither
accepted nor rejected) go to a rejects file with their line and reason.
The rest are applied in one transaction, so a file is never half applied.
A verdict the desk already holds is counted as unchanged, so reading the
same file twice changes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func as sql
from sqlmodel import Session, col, func, select

from qualdesk.core.errors import FileRefused, QualdeskError
from qualdesk.core.feedback import (
    ACCEPTED,
    FeedbackHeader,
    is_feedback_column,
    map_feedback_header,
    read_decided,
    read_lead_id,
    read_verdict,
)
from qualdesk.core.headers import HeaderMap, choose_delimiter
from qualdesk.core.records import Record, RecordReader
from qualdesk.core.stages import Stage
from qualdesk.db.models import FeedbackBatch, HandOff, Lead, SalesVerdict
from qualdesk.services.desk import Desk
from qualdesk.services.rejects import RejectsFile, record_cells, rejects_path
from qualdesk.services.textfile import TextStream, inspect_file

# Stages in which a lead is sales' to judge; a verdict may also be changed.
WITH_SALES = (Stage.HANDED_OFF.value, Stage.ACCEPTED.value, Stage.REJECTED.value)
SHOWN_ISSUES = 20


@dataclass
class FeedbackSummary:
    """What reading a verdict file did."""

    file: str
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    unchanged: int = 0
    refused: int = 0
    blank: int = 0
    without_reason: int = 0
    batch_id: int | None = None
    rejects_file: str | None = None
    dry_run: bool = False
    issues: list[tuple[int, str]] = field(default_factory=list)
    notice: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file, "batch_id": self.batch_id, "rows_read": self.rows_read,
            "accepted": self.accepted, "rejected": self.rejected, "unchanged": self.unchanged,
            "refused": self.refused, "blank": self.blank,
            "rejections_without_reason": self.without_reason, "rejects_file": self.rejects_file,
            "dry_run": self.dry_run,
            "issues": [{"line": line, "reason": reason} for line, reason in self.issues],
        }  # fmt: skip


@dataclass(frozen=True)
class _Row:
    line: int
    cells: list[str]
    lead_id: int | None
    email: str
    verdict: str
    reason: str
    decided_at: datetime | None


def read_feedback(
    desk: Desk,
    path: Path,
    *,
    by: str = "",
    zone_name: str = "UTC",
    rejects: Path | None = None,
    dry_run: bool = False,
) -> FeedbackSummary:
    """Apply a file of sales' verdicts.

    Args:
        desk: the open desk.
        path: the verdict file (CSV; , ; TAB or | separated).
        by: who read it in (recorded on the batch).
        zone_name: the zone dates without one are read in.
        rejects: where refused rows go (default: FILE.rejects.csv beside it).
        dry_run: check and report, write nothing.

    Raises:
        FileRefused: the file cannot be read, or names no verdict or lead column.
        QualdeskError: a lead changed while the file was read; nothing applied.
    """
    source = inspect_file(path)
    summary = FeedbackSummary(file=str(path), dry_run=dry_run, notice=source.notice)
    now = desk.clock()
    refused = RejectsFile(rejects or rejects_path(path), path, enabled=not dry_run)
    try:
        with TextStream(source) as stream:
            header, delimiter, records = _open(stream, path)
            refused.start(HeaderMap(header.columns, {}, (), header.ignored), delimiter)
            rows: list[_Row] = []
            for record in records:
                summary.rows_read += 1
                cells = record.cells
                if cells is not None and not any(c.strip() for c in cells):
                    summary.blank += 1
                    continue
                row = _check(record, header, now, zone_name)
                if isinstance(row, str):
                    _refuse(summary, refused, record, delimiter, row)
                else:
                    rows.append(row)
        with desk.db.reading() as session:
            resolved = _resolve(session, rows)
            history = _history(session, [f[0] for f in resolved.values() if isinstance(f, tuple)])
        plan: list[tuple[_Row, int, str]] = []
        seen: dict[int, int] = {}
        for row in rows:
            found = resolved.get(row.line)
            if isinstance(found, str):
                _refuse_row(summary, refused, row, delimiter, found)
                continue
            assert found is not None
            lead_id, stage = found
            if lead_id in seen:
                again = f"lead #{lead_id} already has a verdict on line {seen[lead_id]}"
                _refuse_row(summary, refused, row, delimiter, again)
                continue
            seen[lead_id] = row.line
            stale = _stale(row, lead_id, history.get(lead_id))
            if stale:
                _refuse_row(summary, refused, row, delimiter, stale)
                continue
            plan.append((row, lead_id, stage))
        if not dry_run and summary.rows_read > summary.blank:
            _apply(desk, path, source.sha256, by, now, plan, summary)
            summary.rejects_file = refused.commit()
        elif not dry_run:
            summary.notice = f"{path.name} has no rows under its header; nothing to apply"
        else:
            _count(plan, summary)
    finally:
        refused.discard()
    summary.issues.sort()
    return summary


def _open(stream: TextStream, path: Path) -> tuple[FeedbackHeader, str, Iterator[Record]]:
    lines = iter(stream.text)
    number = 0
    for text in lines:
        number += 1
        if text.strip(" \t\r\n\ufeff"):
            break
    else:
        raise FileRefused(f"{path}: the file is empty")
    delimiter = choose_delimiter(text, is_feedback_column)
    try:
        cells = next(csv.reader([text], delimiter=delimiter, strict=True), [])
    except csv.Error:
        raise FileRefused(f"{path}: line {number}: the header row has broken quoting") from None
    header = map_feedback_header([c.strip() for c in cells], str(path))
    return header, delimiter, iter(RecordReader(lines, delimiter, len(cells), number + 1))


def _check(record: Record, header: FeedbackHeader, now: datetime, zone_name: str) -> _Row | str:
    """The row's verdict, or why it cannot be applied."""
    if record.cells is None:
        return record.problem or "unreadable row"
    cells = record.cells
    if len(cells) > len(header.columns) and any(c.strip() for c in cells[len(header.columns) :]):
        return f"{len(cells)} cells, but the header has {len(header.columns)}"
    given_id = header.cell(cells, "lead_id")
    email = header.cell(cells, "email").lower()
    lead_id = read_lead_id(given_id) if given_id else None
    if given_id and lead_id is None:
        return f"lead id {given_id!r} is not a number"
    if lead_id is None and not email:
        return "no lead id and no email"
    word = header.cell(cells, "verdict")
    verdict = read_verdict(word)
    if verdict is None:
        return f"verdict {word!r} is neither accepted nor rejected" if word else "no verdict given"
    decided = None
    typed = header.cell(cells, "date")
    if typed:
        try:
            decided = read_decided(typed, now, zone_name)
        except ValueError as exc:
            return str(exc)
    reason = " ".join(header.cell(cells, "reason").split())
    return _Row(record.line, cells, lead_id, email, verdict, reason, decided)


def _resolve(session: Session, rows: list[_Row]) -> dict[int, tuple[int, str] | str]:
    """Each row's lead and its stage, or why the row names no lead sales may judge."""
    ids = {row.lead_id for row in rows if row.lead_id is not None}
    emails = {row.email for row in rows if row.lead_id is None}
    stages: dict[int, str] = {}
    for chunk in _chunks(sorted(ids)):
        stages.update(
            session.execute(select(Lead.id, Lead.stage).where(col(Lead.id).in_(chunk))).all()
        )
    by_email: dict[str, list[tuple[int, str]]] = {}
    for chunk in _chunks(sorted(emails)):
        for lead_id, email, stage in session.execute(
            select(Lead.id, Lead.email, Lead.stage).where(sql.lower(Lead.email).in_(chunk))
        ):
            by_email.setdefault((email or "").lower(), []).append((lead_id, stage))
    resolved: dict[int, tuple[int, str] | str] = {}
    for row in rows:
        if row.lead_id is not None:
            stage = stages.get(row.lead_id)
            if stage is None:
                resolved[row.line] = f"no lead #{row.lead_id} on the desk"
                continue
            resolved[row.line] = _with_sales(row.lead_id, stage)
            continue
        matches = by_email.get(row.email, [])
        handed = [m for m in matches if m[1] in WITH_SALES]
        if not matches:
            resolved[row.line] = f"no lead with email {row.email!r} on the desk"
        elif len(handed) == 1:
            resolved[row.line] = handed[0]
        elif len(handed) > 1:
            resolved[row.line] = (
                f"email {row.email!r} matches {len(handed)} leads with sales; give the Lead ID"
            )
        else:
            resolved[row.line] = _with_sales(*matches[0])
    return resolved


@dataclass
class _Past:
    """A lead's last hand-off and the verdicts sales gave before."""

    handed_off_at: datetime | None = None
    verdicts: list[tuple[str, str, datetime]] = field(default_factory=list)


def _history(session: Session, lead_ids: list[int]) -> dict[int, _Past]:
    past: dict[int, _Past] = {}
    for chunk in _chunks(sorted(set(lead_ids))):
        for lead_id, at in session.execute(
            select(HandOff.lead_id, func.max(HandOff.handed_off_at))
            .where(col(HandOff.lead_id).in_(chunk))
            .group_by(col(HandOff.lead_id))
        ):
            past.setdefault(lead_id, _Past()).handed_off_at = at
        for lead_id, verdict, reason, received in session.execute(
            select(SalesVerdict.lead_id, SalesVerdict.verdict, SalesVerdict.reason,
                   SalesVerdict.received_at).where(col(SalesVerdict.lead_id).in_(chunk))
        ):  # fmt: skip
            past.setdefault(lead_id, _Past()).verdicts.append((verdict, reason, received))
    return past


def _stale(row: _Row, lead_id: int, past: _Past | None) -> str | None:
    """Why a row speaks of an earlier hand-off of its lead, if it does.

    A lead can come back to sales (a review found the rejection invalid) while
    sales' next file still carries the old verdict; applying it again would
    undo the review.
    """
    if past is None or past.handed_off_at is None:
        return None
    handed = past.handed_off_at
    if row.decided_at is not None:
        handed = handed.astimezone(row.decided_at.tzinfo)  # days as the reader counts them
    if row.decided_at is not None and row.decided_at.date() < handed.date():
        return (
            f"decided {row.decided_at:%Y-%m-%d}, before lead #{lead_id} was handed off "
            f"on {handed:%Y-%m-%d}"
        )
    if row.decided_at is None and any(
        verdict == row.verdict and reason == row.reason and received < handed
        for verdict, reason, received in past.verdicts
    ):
        return (
            f"repeats sales' verdict on an earlier hand-off of lead #{lead_id} "
            f"(handed off again on {handed:%Y-%m-%d}); give the row a date to judge it anew"
        )
    return None


def _with_sales(lead_id: int, stage: str) -> tuple[int, str] | str:
    if stage in WITH_SALES:
        return lead_id, stage
    if stage == Stage.SALES.value:
        return f"lead #{lead_id} is qualified but not yet handed off (export it first)"
    return f"lead #{lead_id} is not with sales (it is {stage.replace('_', ' ')} on the desk)"


def _chunks(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _refuse(
    summary: FeedbackSummary, refused: RejectsFile, record: Record, delimiter: str, reason: str
) -> None:
    summary.refused += 1
    if len(summary.issues) < SHOWN_ISSUES:
        summary.issues.append((record.line, reason))
    refused.add(record_cells(record, delimiter), record.line, reason)


def _refuse_row(
    summary: FeedbackSummary, refused: RejectsFile, row: _Row, delimiter: str, reason: str
) -> None:
    """Refuse a row that read well but names no lead sales may judge; its cells as sent."""
    _refuse(summary, refused, Record(row.line, row.cells, ""), delimiter, reason)


def _count(plan: list[tuple[_Row, int, str]], summary: FeedbackSummary) -> None:
    for row, _lead_id, stage in plan:
        if stage == (Stage.ACCEPTED if row.verdict == ACCEPTED else Stage.REJECTED).value:
            summary.unchanged += 1
        elif row.verdict == ACCEPTED:
            summary.accepted += 1
        else:
            summary.rejected += 1
            summary.without_reason += not row.reason


def _apply(
    desk: Desk,
    path: Path,
    sha256: str,
    by: str,
    now: datetime,
    plan: list[tuple[_Row, int, str]],
    summary: FeedbackSummary,
) -> None:
    """Record the verdicts and move the leads, in one transaction."""
    with desk.db.writing() as session:
        ids = [lead_id for _, lead_id, _ in plan]
        current: dict[int, str] = {}
        handoffs: dict[int, int] = {}
        for chunk in _chunks(ids):
            current.update(
                session.execute(select(Lead.id, Lead.stage).where(col(Lead.id).in_(chunk))).all()
            )
            handoffs.update(
                session.execute(
                    select(HandOff.lead_id, func.max(HandOff.id))
                    .where(col(HandOff.lead_id).in_(chunk))
                    .group_by(col(HandOff.lead_id))
                ).all()
            )
        changed = [lead_id for _, lead_id, stage in plan if current.get(lead_id) != stage]
        if changed:
            raise QualdeskError(
                f"lead #{changed[0]} changed on the desk while {path.name} was read; "
                "nothing applied: read it again"
            )
        _count(plan, summary)
        batch = FeedbackBatch(
            file_name=path.name, file_path=str(path.absolute()), sha256=sha256, received_at=now,
            received_by=by, rows_read=summary.rows_read, accepted=summary.accepted,
            rejected=summary.rejected, unchanged=summary.unchanged, refused=summary.refused,
        )  # fmt: skip
        session.add(batch)
        session.flush()
        summary.batch_id = batch.id
        for row, lead_id, stage in plan:
            target = Stage.ACCEPTED if row.verdict == ACCEPTED else Stage.REJECTED
            if stage == target.value:
                continue
            decided = row.decided_at or now
            session.add(
                SalesVerdict(
                    lead_id=lead_id, handoff_id=handoffs.get(lead_id), feedback_batch_id=batch.id,
                    line=row.line, verdict=row.verdict, reason=row.reason, decided_at=decided,
                    received_at=now,
                )
            )  # fmt: skip
            lead = session.get(Lead, lead_id)
            assert lead is not None
            lead.stage = target.value
            lead.stage_reason = f"sales {row.verdict}" + (f": {row.reason}" if row.reason else "")
            lead.sales_verdict, lead.sales_reason, lead.verdict_at = (
                row.verdict,
                row.reason,
                decided,
            )
            lead.updated_at = now
            session.add(lead)
    if summary.rejected and summary.without_reason:
        summary.notice = (summary.notice + "; " if summary.notice else "") + (
            f"{summary.without_reason} rejection(s) came without a reason"
        )
