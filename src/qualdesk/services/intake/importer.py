"""Importing marketing's lead files as batches.

An import runs in two phases. The first streams the file, checks every row
and stages the good ones in temporary tables: it holds no lock on the desk
database, so reps keep working however large the file. The second, in one
short write transaction, finds duplicates against the leads already on the
desk, marks do-not-call numbers and moves the staged rows in as one batch.
Nothing is written unless the whole file was read, and every row read is
counted as exactly one of imported, duplicate, rejected or blank.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from qualdesk.core.errors import FileRefused, QualdeskError
from qualdesk.core.headers import HeaderMap, choose_delimiter, map_header
from qualdesk.core.leadfile import LeadDraft, Rejection, RowDefaults, check_row
from qualdesk.core.phones import PhoneProblem, PhoneRow, check_region
from qualdesk.core.records import Record, RecordReader
from qualdesk.core.rules import DeskRules
from qualdesk.core.scoring import LeadFacts, facts_score, grade
from qualdesk.core.words import counted
from qualdesk.db import staging
from qualdesk.db.models import ImportBatch
from qualdesk.db.staging import Connection
from qualdesk.services.calling.phonework import HELPER_MIN_BYTES, PhoneWork, Result
from qualdesk.services.desk import Desk, os_user
from qualdesk.services.intake.rejects import RejectsFile, record_cells, rejects_path
from qualdesk.services.intake.textfile import TextFile, TextStream, inspect_file

Progress = Callable[[int, int], None]
STAGE_CHUNK = 4000


@dataclass
class ImportOptions:
    """How to import a file."""

    source: str = ""
    campaign: str = ""
    region: str | None = None
    # The zone of creation times (a Created Date column) written without an offset.
    zone: str = "UTC"
    dry_run: bool = False
    force: bool = False
    rejects_path: Path | None = None
    imported_by: str = field(default_factory=os_user)


@dataclass
class IssueRow:
    """A row that did not become a lead: its line, why, and the lead it repeats."""

    line: int
    reason: str
    duplicate_of: int | None = None


@dataclass
class ImportSummary:
    """What an import did; `as_json` is the `--json` output."""

    file: str
    rows_read: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    blank: int = 0
    dnc: int = 0
    shared_phone: int = 0
    emails_invalid: int = 0
    # Creation dates that could not be read: the rows are imported, the text kept as extras.
    dates_unread: int = 0
    batch_id: int | None = None
    rejects_file: str | None = None
    encoding: str = ""
    delimiter: str = ""
    unknown_columns: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    duplicate_rows: list[IssueRow] = field(default_factory=list)
    rejected_rows: list[IssueRow] = field(default_factory=list)
    dry_run: bool = False

    @property
    def reject_reasons(self) -> Counter[str]:
        """How many rows were rejected for each kind of reason."""
        return Counter(reason_kind(row.reason) for row in self.rejected_rows)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["reject_reasons"] = dict(self.reject_reasons.most_common())
        return data


def reason_kind(reason: str) -> str:
    """A rejection reason without its particulars, to count reasons of one kind."""
    return re.sub(r"'[^']*'|\d[\d,]*", "…", reason)


def import_file(
    desk: Desk, path: Path, options: ImportOptions, progress: Progress | None = None
) -> ImportSummary:
    """Import a lead file as one batch.

    Args:
        desk: the open desk.
        path: the lead file (CSV with , ; TAB or | between cells).
        options: source, campaign, region and the dry-run and force switches.
        progress: called with (bytes read, file size) while reading.

    Returns:
        The summary; rows_read == imported + duplicates + rejected + blank.

    Raises:
        FileRefused: the file as a whole cannot be imported; nothing was written.
        QualdeskError: a bad option.
    """
    started = desk.clock()
    rules = desk.rules().rules
    try:
        region = check_region(options.region) if options.region else rules.default_region
    except PhoneProblem as exc:
        raise QualdeskError(f"--region: {exc}") from None
    source = inspect_file(path)
    summary = ImportSummary(file=str(path), encoding=source.encoding, dry_run=options.dry_run)
    if source.notice:
        summary.notices.append(source.notice)
    earlier = _earlier_import(desk, source.sha256)
    if earlier is not None:
        message = (
            f"{path.name} was already imported as batch {earlier.id} ({earlier.file_name}) "
            f"on {earlier.finished_at:%Y-%m-%d %H:%M} UTC by {earlier.imported_by}"
        )
        if not (options.force or options.dry_run):
            raise FileRefused(f"{message}; use --force to import it again")
        summary.notices.append(message)
    defaults = RowDefaults(region, options.source, options.campaign, options.zone, started)
    rejects = RejectsFile(
        options.rejects_path or rejects_path(path), path, enabled=not options.dry_run
    )
    with desk.db.read_connection() as conn:
        try:
            staging.create_staging(conn)
            with TextStream(source) as stream:
                header, delimiter, lines, first_line = _read_header(stream, path)
                summary.delimiter = delimiter
                summary.unknown_columns = header.unknown_columns
                given = {
                    label: value
                    for label, field_name, value in (
                        ("Source", "source", options.source),
                        ("Campaign", "campaign", options.campaign),
                    )
                    if value and field_name not in header.fields
                }
                rejects.start(header, delimiter, given)
                reader = RecordReader(lines, delimiter, header.width, first_line=first_line)
                checker = _RowChecker(rules, header, defaults, summary, rejects, delimiter)

                def tick() -> None:
                    if progress is not None:
                        progress(min(stream.bytes_read, source.size), source.size)

                use_helper = source.size >= HELPER_MIN_BYTES
                _stage_rows(conn, reader, checker, use_helper, tick)
            if summary.rows_read == summary.blank:
                raise FileRefused(f"{path}: has a header but no rows")
            if summary.dates_unread:
                column = header.columns[header.fields["created"]]
                summary.notices.append(
                    f"{counted(summary.dates_unread, 'creation date')} in {column!r} could not "
                    "be read (a zone such as EST, or not a date): kept as an extra column; "
                    "speed to lead runs from the import for those leads"
                )
            _finish(desk, conn, source, options, summary, str(rejects.path), started)
            try:
                summary.rejects_file = rejects.commit()
            except OSError as exc:
                summary.notices.append(
                    f"could not write {rejects.path} ({exc.strerror or exc}); the rejected rows "
                    f"are kept with the batch: qualdesk batches {summary.batch_id}"
                )
        except BaseException:
            rejects.discard()
            raise
        finally:
            staging.discard_staging(conn)
    return summary


def _earlier_import(desk: Desk, sha256: str) -> ImportBatch | None:
    with desk.db.reading() as session:
        return staging.earlier_import(session, sha256)


def _read_header(stream: TextStream, path: Path) -> tuple[HeaderMap, str, Iterator[str], int]:
    """The header mapping, the delimiter, the remaining lines and the next line's number."""
    lines = iter(stream.text)
    number = 0
    for text in lines:
        number += 1
        if text.strip(" \t\r\n\ufeff"):
            break
    else:
        raise FileRefused(f"{path}: the file is empty")
    delimiter = choose_delimiter(text)
    try:
        cells = next(csv.reader([text], delimiter=delimiter, strict=True), [])
    except csv.Error:
        raise FileRefused(f"{path}: line {number}: the header row has broken quoting") from None
    try:
        header = map_header(cells)
    except FileRefused as exc:
        raise FileRefused(f"{path}: {exc}") from None
    return header, delimiter, lines, number + 1


def _stage_rows(
    conn: Connection,
    reader: RecordReader,
    rows: _RowChecker,
    use_helper: bool,
    tick: Callable[[], None],
) -> None:
    """Phase one: check every row and stage the good ones, a chunk at a time.

    Phones of chunk k are normalised (in the helper, for a large file) while
    chunk k+1 is read and checked; then chunk k is finished and staged.
    """
    phones = PhoneWork(use_helper)
    try:
        waiting: tuple[_Checked, Result] | None = None
        for records in _chunks(reader, STAGE_CHUNK):
            checked = rows.check(records)
            job = phones.submit([(d.phone_raw, d.region, d.extension) for d, _ in checked.drafts])
            if waiting is not None:
                staging.stage(conn, *rows.finish(waiting[0], waiting[1]()))
                tick()
            waiting = (checked, job)
        if waiting is not None:
            staging.stage(conn, *rows.finish(waiting[0], waiting[1]()))
            tick()
    finally:
        phones.close()


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    iterator = iter(records)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


@dataclass
class _Checked:
    """A chunk of checked rows waiting for their phones, and the rows already rejected."""

    drafts: list[tuple[LeadDraft, Record]]
    rejected: list[tuple[Record, str]]


StagingRows = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


class _RowChecker:
    """Checks rows and catches duplicates within the file, in file order."""

    def __init__(
        self,
        rules: DeskRules,
        header: HeaderMap,
        defaults: RowDefaults,
        summary: ImportSummary,
        rejects: RejectsFile,
        delimiter: str,
    ) -> None:
        self.scores = _FactScores(rules)
        self.header = header
        self.defaults = defaults
        self.summary = summary
        self.rejects = rejects
        self.delimiter = delimiter
        # Keys are 16-byte digests: a file of a million rows stays small in memory.
        self.emails: dict[bytes, int] = {}
        self.people: dict[bytes, int] = {}

    def check(self, records: list[Record]) -> _Checked:
        """Every check but the phone's; blank rows are counted here."""
        checked = _Checked([], [])
        for record in records:
            verdict = check_row(record, self.header, self.defaults)
            if isinstance(verdict, LeadDraft):
                checked.drafts.append((verdict, record))
            elif isinstance(verdict, Rejection):
                checked.rejected.append((record, verdict.reason))
            else:
                self.summary.blank += 1
        self.summary.rows_read += len(records)
        return checked

    def finish(self, checked: _Checked, phones: list[PhoneRow | str]) -> StagingRows:
        """Give each draft its phone; reject, de-duplicate and stage, in line order."""
        rejected = list(checked.rejected)
        rows: list[tuple[Any, ...]] = []
        problems: list[tuple[Any, ...]] = []
        for (draft, record), phone in zip(checked.drafts, phones, strict=True):
            if isinstance(phone, str):
                rejected.append((record, phone))
                continue
            who = draft.identity
            person = _digest(f"{phone[0]}\x1f{phone[1] or ''}\x1f{who}")
            email = _digest(draft.email) if draft.email else None
            if email and email in self.emails:
                reason = f"same email as line {self.emails[email]}"
            elif person in self.people:
                reason = f"same phone and name as line {self.people[person]}"
            else:
                if email:
                    self.emails[email] = draft.line
                self.people[person] = draft.line
                self.summary.emails_invalid += draft.email_invalid
                self.summary.dates_unread += draft.arrival_unread
                rows.append(_staged_row(self.scores, draft, phone, who, record.raw))
                continue
            self.summary.duplicate_rows.append(IssueRow(draft.line, reason))
            problems.append(_problem(draft.line, "duplicate", reason, record.cells or []))
        rejected.sort(key=lambda item: item[0].line)
        for record, reason in rejected:
            cells = record_cells(record, self.delimiter)
            self.summary.rejected_rows.append(IssueRow(record.line, reason))
            self.rejects.add(cells, record.line, reason)
            problems.append(_problem(record.line, "rejected", reason, cells))
        return rows, problems


_to_json = json.JSONEncoder(ensure_ascii=False).encode


def _problem(line: int, kind: str, reason: str, cells: list[str]) -> tuple[Any, ...]:
    return (line, kind, reason, _to_json(cells))


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


class _FactScores:
    """Score and grade of leads on their facts, remembered: titles and sizes repeat."""

    def __init__(self, rules: DeskRules) -> None:
        self.rules = rules
        self.fields = sorted({rule.field for rule in rules.firmographic_points})
        self.known: dict[tuple[str, ...], tuple[int, str]] = {}

    def __call__(self, draft: LeadDraft) -> tuple[int, str]:
        key = tuple(getattr(draft, _FACT_FIELDS[name]) for name in self.fields)
        found = self.known.get(key)
        if found is None:
            facts = LeadFacts(draft.title, draft.company_size, draft.industry, draft.company)
            points = facts_score(self.rules, facts)
            found = self.known[key] = (points, grade(self.rules, points))
        return found


_FACT_FIELDS = {
    "title": "title",
    "company_size": "company_size",
    "industry": "industry",
    "company": "company",
}


def _staged_row(
    scores: _FactScores, draft: LeadDraft, phone: PhoneRow, who: str, raw: str
) -> tuple[Any, ...]:
    """A draft as a staging row, in staging.STAGED_COLUMNS order, scored on its facts."""
    e164, extension, region, jurisdiction, zones = phone
    points, letter = scores(draft)
    return (
        draft.line,
        draft.name,
        draft.first_name,
        draft.last_name,
        draft.company,
        draft.title,
        draft.email,
        draft.phone_raw,
        e164,
        extension,
        who,
        region,
        jurisdiction,
        zones,
        draft.source,
        draft.campaign,
        draft.industry,
        draft.company_size,
        points,
        letter,
        _to_json(draft.extra) if draft.extra else "{}",
        draft.arrived_at,
        raw,
    )


def _finish(
    desk: Desk,
    conn: Connection,
    source: TextFile,
    options: ImportOptions,
    summary: ImportSummary,
    rejects_file: str,
    started: datetime,
) -> None:
    """Phase two: duplicates against the desk, do-not-call, and the move into leads."""
    with staging.desk_transaction(conn, writes=not options.dry_run) as transaction:
        if not (options.force or options.dry_run):
            again = staging.batch_of_file(conn, source.sha256)
            if again is not None:
                raise FileRefused(
                    f"{source.path.name} was just imported as batch {again}; "
                    "use --force to import it again"
                )
        staging.mark_duplicates_on_desk(conn)
        staging.mark_do_not_call(conn)
        for line, reason, lead_id in staging.duplicates_on_desk(conn):
            summary.duplicate_rows.append(IssueRow(line, reason, lead_id))
        summary.duplicate_rows.sort(key=lambda row: row.line)
        summary.duplicates = len(summary.duplicate_rows)
        summary.rejected = len(summary.rejected_rows)
        summary.imported, summary.dnc = staging.fresh_counts(conn)
        shared = staging.shared_numbers(conn)
        summary.shared_phone = staging.count_sharing(conn, shared)
        if options.dry_run:
            transaction.rollback()
            return
        now = desk.clock()
        batch = ImportBatch(
            file_name=source.path.name,
            file_path=str(source.path.resolve()),
            sha256=source.sha256,
            source=options.source,
            campaign=options.campaign,
            region=check_region(options.region) if options.region else "",
            encoding=source.encoding,
            delimiter=summary.delimiter,
            imported_by=options.imported_by,
            started_at=started,
            finished_at=now,
            rows_read=summary.rows_read,
            imported=summary.imported,
            duplicates=summary.duplicates,
            rejected=summary.rejected,
            blank=summary.blank,
            dnc=summary.dnc,
            emails_invalid=summary.emails_invalid,
            unknown_columns=summary.unknown_columns,
            rejects_file=rejects_file if summary.rejected else None,
        )
        batch_id = summary.batch_id = staging.add_batch(conn, batch)
        staging.move_into_leads(conn, batch_id, now, shared)
        staging.keep_issues(conn, batch_id, summary.delimiter)
        staging.finish_batch(conn, batch_id, shared_phone=summary.shared_phone, at=desk.clock())
