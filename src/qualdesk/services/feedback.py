"""Sales' verdicts and outcomes coming back from their CRM, all or nothing.

The file is read as strictly as a lead file (encodings, delimiters, header
aliases, broken quoting), in the CRM's own words: the rules' [sales.verdicts]
and [sales.outcomes] tables say what each word means. Every row is checked
first; rows that cannot be applied (an unknown lead, a lead never handed
off, a word the tables lack) go to a rejects file with their line and
reason. The rest are applied in one transaction, so a file is never half
applied. A row still open in sales' system is counted as pending and starts
nothing. A verdict or outcome the desk already holds is counted as
unchanged; a file read before that would change nothing now writes no batch
and no rejects file, and says which batch read it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select

from qualdesk.core.crmwords import ACCEPTED, PENDING
from qualdesk.core.errors import FileRefused, QualdeskError
from qualdesk.core.feedback import (
    FeedbackHeader,
    is_feedback_column,
    map_feedback_header,
    read_amount,
    read_close_date,
    read_decided,
    read_lead_id,
)
from qualdesk.core.headers import HeaderMap, choose_delimiter
from qualdesk.core.records import Record, RecordReader
from qualdesk.core.rules import SalesTerms
from qualdesk.core.stages import Stage
from qualdesk.core.verdicts import Change, LeadNow, RowWords, Said, change_for, read_row_words
from qualdesk.db.models import FeedbackBatch, HandOff, Lead, SalesOutcome, SalesVerdict
from qualdesk.services.desk import Desk
from qualdesk.services.feedbackleads import (
    Naming,
    chunks,
    find_leads,
    history,
    leads_now,
    stale,
)
from qualdesk.services.rejects import RejectsFile, record_cells, rejects_path
from qualdesk.services.textfile import TextStream, inspect_file

SHOWN_ISSUES = 20


@dataclass
class FeedbackSummary:
    """What reading a verdict file did (or, on a dry run, would do)."""

    file: str
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    pending: int = 0
    unchanged: int = 0
    refused: int = 0
    blank: int = 0
    outcomes: int = 0
    without_reason: int = 0
    batch_id: int | None = None
    rejects_file: str | None = None
    dry_run: bool = False
    issues: list[tuple[int, str]] = field(default_factory=list)
    notice: str | None = None
    # The batch that read the same file before, when reading it again changed nothing.
    already_batch: int | None = None
    already_on: date | None = None

    @property
    def every_row_refused(self) -> bool:
        """Whether the file had rows and none of them could be applied."""
        return self.rows_read > self.blank and self.refused == self.rows_read - self.blank

    @property
    def already(self) -> str | None:
        """One line saying the file was read before and nothing changed, if so."""
        if self.already_batch is None:
            return None
        return (
            f"already read as feedback batch {self.already_batch} on {self.already_on}; "
            "nothing changed"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file, "batch_id": self.batch_id, "rows_read": self.rows_read,
            "accepted": self.accepted, "rejected": self.rejected, "pending": self.pending,
            "unchanged": self.unchanged, "refused": self.refused, "blank": self.blank,
            "outcomes": self.outcomes, "rejections_without_reason": self.without_reason,
            "rejects_file": self.rejects_file, "dry_run": self.dry_run,
            "already_read": None if self.already_batch is None else {
                "batch_id": self.already_batch, "on": str(self.already_on)},
            "issues": [{"line": line, "reason": reason} for line, reason in self.issues],
        }  # fmt: skip


@dataclass(frozen=True)
class _Row:
    line: int
    cells: list[str]
    naming: Naming
    words: RowWords
    reason: str
    decided_at: datetime | None
    cents: int | None
    closed_on: date | None


@dataclass(frozen=True)
class _Step:
    """A row to apply: its lead as the desk had it when read, and what changes."""

    row: _Row
    lead_id: int
    lead: LeadNow
    change: Change


def read_feedback(
    desk: Desk,
    path: Path,
    *,
    by: str = "",
    zone_name: str = "UTC",
    rejects: Path | None = None,
    dry_run: bool = False,
) -> FeedbackSummary:
    """Apply a file of sales' verdicts and outcomes.

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
    terms = desk.rules().rules.sales
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
                row = _check(record, header, terms, now, zone_name)
                if isinstance(row, str):
                    _refuse(summary, refused, record, delimiter, row)
                else:
                    rows.append(row)
        with desk.db.reading() as session:
            found = find_leads(session, [row.naming for row in rows])
            past = history(session, [f[0] for f in found.values() if isinstance(f, tuple)])
            earlier = session.execute(
                select(FeedbackBatch.id, FeedbackBatch.received_at)
                .where(col(FeedbackBatch.sha256) == source.sha256)
                .order_by(col(FeedbackBatch.id).desc())
            ).first()
        plan = _plan(rows, found, past, summary, refused, delimiter)
        _count(plan, summary)
        changes = summary.accepted + summary.rejected + summary.outcomes
        if earlier is not None and not changes and summary.rows_read > summary.blank:
            # The same file again: nothing to record, and its rejects were written the first time.
            summary.already_batch = earlier[0]
            summary.already_on = earlier[1].astimezone(ZoneInfo(zone_name)).date()
        elif not dry_run and summary.rows_read > summary.blank:
            _apply(desk, path, source.sha256, by, now, zone_name, plan, summary)
            summary.rejects_file = refused.commit()
        elif not dry_run:
            summary.notice = f"{path.name} has no rows under its header; nothing to apply"
    finally:
        refused.discard()
    if summary.rejected and summary.without_reason:
        summary.notice = (summary.notice + "; " if summary.notice else "") + (
            f"{summary.without_reason} rejection(s) came without a reason"
        )
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


def _said(header: FeedbackHeader, cells: list[str], name: str) -> Said | None:
    column, word = header.named(cells, name)
    return Said(column, word) if word else None


def _check(
    record: Record, header: FeedbackHeader, terms: SalesTerms, now: datetime, zone_name: str
) -> _Row | str:
    """What the row says, or why it cannot be applied."""
    if record.cells is None:
        return record.problem or "unreadable row"
    cells = record.cells
    if len(cells) > len(header.columns) and any(c.strip() for c in cells[len(header.columns) :]):
        return f"{len(cells)} cells, but the header has {len(header.columns)}"
    given_id = header.cell(cells, "lead_id")
    desk_id = read_lead_id(given_id) if given_id else None
    if given_id and desk_id is None:
        return f"lead id {given_id!r} is not a number"
    generic = _said(header, cells, "crm_id")
    email = header.cell(cells, "email").lower()
    if desk_id is None and generic is None and not email:
        return "no lead id and no email"
    words = read_row_words(
        _said(header, cells, "status"), _said(header, cells, "lifecycle"),
        _said(header, cells, "stage"), _said(header, cells, "opportunity_id"),
        terms.verdicts, terms.outcomes,
    )  # fmt: skip
    if isinstance(words, str):
        return words
    decided = cents = closed_on = None
    try:
        if typed := header.cell(cells, "date"):
            decided = read_decided(typed, now, zone_name)
        if words.outcome is not None:
            # An amount or close date means something only beside an outcome.
            if amount := header.cell(cells, "amount"):
                cents = read_amount(amount)
            if closed := header.cell(cells, "closed"):
                closed_on = read_close_date(closed, now, zone_name)
    except ValueError as exc:
        return str(exc)
    generic_id = read_lead_id(generic.word) if generic else None
    naming = Naming(record.line, desk_id, generic, generic_id, email)
    reason = " ".join(header.cell(cells, "reason").split())
    return _Row(record.line, cells, naming, words, reason, decided, cents, closed_on)


def _plan(
    rows: list[_Row],
    found: dict[int, tuple[int, LeadNow] | str],
    past: dict[int, Any],
    summary: FeedbackSummary,
    refused: RejectsFile,
    delimiter: str,
) -> list[_Step]:
    """Each row's change to its lead; rows that cannot be applied are refused."""
    plan: list[_Step] = []
    seen: dict[int, int] = {}
    for row in rows:
        lead = found.get(row.line)
        assert lead is not None
        if isinstance(lead, str):
            _refuse_row(summary, refused, row, delimiter, lead)
            continue
        lead_id, now = lead
        if lead_id in seen:
            again = f"lead #{lead_id} already has a verdict on line {seen[lead_id]}"
            _refuse_row(summary, refused, row, delimiter, again)
            continue
        seen[lead_id] = row.line
        change = change_for(lead_id, now, row.words, row.cents, row.closed_on)
        if isinstance(change, str):
            _refuse_row(summary, refused, row, delimiter, change)
            continue
        if change.counted != PENDING:
            said = row.words.verdict if row.words.outcome is None else ACCEPTED
            reason = "" if change.implied else row.reason
            why = stale(lead_id, said or ACCEPTED, reason, row.decided_at, past.get(lead_id))
            if why:
                _refuse_row(summary, refused, row, delimiter, why)
                continue
        plan.append(_Step(row, lead_id, now, change))
    return plan


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
    """Refuse a row that read well but cannot be applied; its cells as sent."""
    _refuse(summary, refused, Record(row.line, row.cells, ""), delimiter, reason)


def _count(plan: list[_Step], summary: FeedbackSummary) -> None:
    for step in plan:
        counted = step.change.counted
        setattr(summary, counted, getattr(summary, counted) + 1)
        if counted == Stage.REJECTED.value and not step.row.reason:
            summary.without_reason += 1
        summary.outcomes += step.change.outcome is not None


def _decided(step: _Step, now: datetime, zone_name: str) -> datetime:
    """When sales decided: the row's date; for an acceptance an outcome implies, its close date."""
    if step.row.decided_at is not None:
        return step.row.decided_at
    closed_on = step.row.closed_on
    if step.change.implied and closed_on is not None:
        return min(datetime.combine(closed_on, time(12), ZoneInfo(zone_name)), now)
    return now


def _apply(
    desk: Desk,
    path: Path,
    sha256: str,
    by: str,
    now: datetime,
    zone_name: str,
    plan: list[_Step],
    summary: FeedbackSummary,
) -> None:
    """Record the verdicts and outcomes and move the leads, in one transaction."""
    with desk.db.writing() as session:
        ids = [step.lead_id for step in plan]
        current = leads_now(session, [col(Lead.id).in_(chunk) for chunk in chunks(ids)])
        handoffs: dict[int, int] = {}
        for chunk in chunks(ids):
            handoffs.update(
                session.execute(
                    select(HandOff.lead_id, func.max(HandOff.id))
                    .where(col(HandOff.lead_id).in_(chunk))
                    .group_by(col(HandOff.lead_id))
                ).all()
            )
        changed = [
            step.lead_id
            for step in plan
            if step.lead_id not in current or current[step.lead_id][0] != step.lead
        ]
        if changed:
            raise QualdeskError(
                f"lead #{changed[0]} changed on the desk while {path.name} was read; "
                "nothing applied: read it again"
            )
        batch = FeedbackBatch(
            file_name=path.name, file_path=str(path.absolute()), sha256=sha256, received_at=now,
            received_by=by, rows_read=summary.rows_read, accepted=summary.accepted,
            rejected=summary.rejected, unchanged=summary.unchanged, refused=summary.refused,
            pending=summary.pending, outcomes=summary.outcomes,
        )  # fmt: skip
        session.add(batch)
        session.flush()
        summary.batch_id = batch.id
        for step in plan:
            change, row = step.change, step.row
            if change.verdict is None and change.outcome is None:
                continue
            lead = session.get(Lead, step.lead_id)
            assert lead is not None
            if change.verdict is not None:
                decided = _decided(step, now, zone_name)
                reason = "" if change.implied else row.reason
                session.add(
                    SalesVerdict(
                        lead_id=step.lead_id, handoff_id=handoffs.get(step.lead_id),
                        feedback_batch_id=batch.id, line=row.line, verdict=change.verdict,
                        reason=reason, decided_at=decided, received_at=now,
                    )
                )  # fmt: skip
                target = Stage.ACCEPTED if change.verdict == ACCEPTED else Stage.REJECTED
                lead.stage = target.value
                lead.stage_reason = f"sales {change.verdict}" + (f": {reason}" if reason else "")
                lead.sales_verdict, lead.sales_reason, lead.verdict_at = (
                    change.verdict,
                    reason,
                    decided,
                )
            if change.outcome is not None:
                outcome, cents, closed_on = change.outcome
                session.add(
                    SalesOutcome(
                        lead_id=step.lead_id, handoff_id=handoffs.get(step.lead_id),
                        feedback_batch_id=batch.id, line=row.line, outcome=outcome,
                        word=row.words.word, amount_cents=cents, closed_on=closed_on,
                        received_at=now,
                    )
                )  # fmt: skip
                lead.outcome, lead.outcome_cents, lead.outcome_on = outcome, cents, closed_on
            lead.updated_at = now
            session.add(lead)
