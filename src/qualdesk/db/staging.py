"""The intake's SQL: an import's staging tables, its batch, and undoing a batch.

An import stages the rows it read in temporary tables on a connection of its
own (`Database.read_connection`): filling them takes no lock on the desk, on
SQLite (the connection's temporary database) as on PostgreSQL (temporary
tables are private to the connection and written without the server's log).
Only the duplicate and do-not-call checks and the move into `leads` run in
the desk's write transaction (`desk_transaction`).

Imports run their write transaction one at a time, and so do the other
writes that must see every lead an import adds (the do-not-call list,
undoing a batch): SQLite's writers always do; on PostgreSQL they take the
intake lock (`hold_intake`). Functions never commit.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    null,
    select,
    union,
    update,
)
from sqlalchemy.engine import Connection as Connection  # the importer's staging connection
from sqlalchemy.engine import RootTransaction
from sqlmodel import Session, col

from qualdesk.core import queue
from qualdesk.core.records import split_line
from qualdesk.core.stages import Stage
from qualdesk.db.dialect import engine_name
from qualdesk.db.dnc import DNC_REASON
from qualdesk.db.engine import driver_errors, serialize
from qualdesk.db.models import (
    ChecklistAnswer,
    DoNotCall,
    HandOff,
    HoursClass,
    ImportBatch,
    ImportIssue,
    Lead,
    LeadChange,
    NoteDraft,
    NurtureHandOff,
    RoutingDecision,
    Touch,
)
from qualdesk.db.types import UTCDateTime

STAGING = MetaData()
# The lead's columns an import fills, in the order the importer gives them.
LEAD_COLUMNS = (
    "name",
    "first_name",
    "last_name",
    "company",
    "title",
    "email",
    "phone_raw",
    "phone_e164",
    "phone_ext",
    "match_key",
    "region",
    "jurisdiction",
    "time_zones",
    "source",
    "campaign",
    "industry",
    "company_size",
    "score",
    "grade",
    "extra",
    "arrived_at",
)
_TYPED = ("extra", "score", "arrived_at")
staged = Table(
    "qualdesk_import_staged",
    STAGING,
    Column("line", Integer, primary_key=True),
    *(Column(name, String) for name in LEAD_COLUMNS if name not in _TYPED),
    Column("score", Integer),
    Column("extra", JSON),
    Column("arrived_at", UTCDateTime),
    Column("raw", String),
    Column("dup_of", Integer),
    Column("dup_reason", String),
    Column("dnc", Boolean, nullable=False, server_default="0"),
    prefixes=["TEMPORARY"],
)
issues = Table(
    "qualdesk_import_issues",
    STAGING,
    Column("line", Integer),
    Column("kind", String),
    Column("reason", String),
    Column("cells", JSON),
    Column("duplicate_of", Integer),
    prefixes=["TEMPORARY"],
)

STAGED_COLUMNS = ("line", *LEAD_COLUMNS, "raw")
ISSUE_COLUMNS = ("line", "kind", "reason", "cells")

# One lock for the whole desk's intake, held to the end of the transaction that takes it.


def hold_intake(bind: Session | Connection) -> None:
    """Wait for the imports and do-not-call changes under way, and hold them off until commit.

    SQLite's write transactions already run one at a time; on PostgreSQL this
    takes a transaction-level advisory lock. Take it before any lead's row.
    """
    serialize(bind, "intake")


# --- Staging (phase one: no lock on the desk) --------------------------------------------


def create_staging(conn: Connection) -> None:
    """Fresh, empty staging tables on this connection."""
    with conn.begin():
        STAGING.drop_all(conn, checkfirst=True)
        STAGING.create_all(conn)


def discard_staging(conn: Connection) -> None:
    """Throw the staging tables away by closing the connection's database session.

    Temporary tables end with the session; closing it is instant, where
    dropping a large staging table costs a noticeable fraction of an import.
    """
    conn.invalidate()


def stage(conn: Connection, rows: list[tuple[Any, ...]], problems: list[tuple[Any, ...]]) -> None:
    """Add checked rows and problem rows to the staging tables, in their own transaction.

    Rows are tuples in STAGED_COLUMNS and ISSUE_COLUMNS order, with JSON
    values already encoded: they go to the driver directly (executemany on
    SQLite, COPY on PostgreSQL), which costs a tenth of building them
    through SQLAlchemy.
    """
    with conn.begin():
        if rows:
            _bulk_insert(conn, staged.name, STAGED_COLUMNS, _stored_arrivals(conn, rows))
        if problems:
            _bulk_insert(conn, issues.name, ISSUE_COLUMNS, problems)


_ARRIVED = STAGED_COLUMNS.index("arrived_at")


def _stored_arrivals(conn: Connection, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows whose creation times are as the desk stores times (UTC, in the driver's form)."""
    store = UTCDateTime().dialect_impl(conn.dialect).bind_processor(conn.dialect)
    if store is None or all(row[_ARRIVED] is None for row in rows):
        return rows
    return [(*row[:_ARRIVED], store(row[_ARRIVED]), *row[_ARRIVED + 1 :]) for row in rows]


def _bulk_insert(
    conn: Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    names = ", ".join(columns)
    if engine_name(conn) == "postgresql":
        # COPY takes a third of the time of psycopg's executemany for a chunk of staged rows.
        driver = conn.connection.driver_connection
        assert driver is not None
        copying = f"COPY {table} ({names}) FROM STDIN"
        with driver_errors(conn), driver.cursor() as cursor, cursor.copy(copying) as copy:
            for row in rows:
                copy.write_row(row)
        return
    values = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({values})", rows)


# --- Phase two: one write transaction on the desk ----------------------------------------


@contextmanager
def desk_transaction(conn: Connection, *, writes: bool) -> Iterator[RootTransaction]:
    """The transaction that checks the staged rows against the desk and moves them in.

    Writing, it takes the desk's write lock up front (BEGIN IMMEDIATE on
    SQLite, the intake lock on PostgreSQL); a dry run only reads.
    """
    conn.execution_options(qualdesk_begin="IMMEDIATE" if writes else "DEFERRED")
    with conn.begin() as transaction:
        if writes:
            hold_intake(conn)
        yield transaction


def _done_with_file(sha256: str) -> Any:
    return (col(ImportBatch.sha256) == sha256) & (col(ImportBatch.status) == "done")


def earlier_import(session: Session, sha256: str) -> ImportBatch | None:
    """The newest batch, not undone, of a file with these contents."""
    query = select(ImportBatch).where(_done_with_file(sha256)).order_by(col(ImportBatch.id).desc())
    return session.scalars(query).first()


def batch_of_file(conn: Connection, sha256: str) -> int | None:
    """The id of a batch, not undone, of a file with these contents (inside phase two)."""
    return conn.execute(select(col(ImportBatch.id)).where(_done_with_file(sha256))).scalar()


def mark_duplicates_on_desk(conn: Connection) -> None:
    """Mark staged rows that repeat a lead already on the desk (same email, or same person).

    Each pass joins the staged rows not yet marked to the leads through an
    index of `leads` (email; phone_e164) and keeps the lowest lead id per row.
    """
    mine = staged.alias("mine")
    same_email = col(Lead.email) == mine.c.email
    same_person = (
        (col(Lead.phone_e164) == mine.c.phone_e164)
        & (func.coalesce(Lead.phone_ext, "") == func.coalesce(mine.c.phone_ext, ""))
        & (col(Lead.match_key) == mine.c.match_key)
    )
    for joined, words in (
        (same_email, "same email as lead #"),
        (same_person, "same phone and name as lead #"),
    ):
        found = (
            select(mine.c.line, func.min(Lead.id).label("lead"))
            .join_from(mine, Lead, joined)
            .where(mine.c.dup_of.is_(None))
            .group_by(mine.c.line)
            .subquery("found")
        )
        conn.execute(
            update(staged)
            .where(staged.c.line == found.c.line)
            .values(dup_of=found.c.lead, dup_reason=literal(words) + cast(found.c.lead, String))
        )


def mark_do_not_call(conn: Connection) -> None:
    """Mark staged rows whose number is on the do-not-call list."""
    conn.execute(
        update(staged)
        .where(staged.c.phone_e164.in_(select(col(DoNotCall.phone_e164))))
        .values(dnc=True)
    )


def duplicates_on_desk(conn: Connection) -> list[tuple[int, str, int]]:
    """(line, reason, lead id) of every staged row that repeats a lead on the desk."""
    rows = staged.c
    query = (
        select(rows.line, rows.dup_reason, rows.dup_of)
        .where(rows.dup_of.is_not(None))
        .order_by(rows.line)
    )
    return [(line, reason, lead) for line, reason, lead in conn.execute(query)]


def fresh_counts(conn: Connection) -> tuple[int, int]:
    """(rows that will become leads, of which on the do-not-call list)."""
    rows = staged.c
    fresh = rows.dup_of.is_(None)
    total = conn.execute(select(func.count()).where(fresh)).scalar_one()
    dnc = conn.execute(select(func.count()).where(fresh, rows.dnc.is_(True))).scalar_one()
    return int(total), int(dnc)


def shared_numbers(conn: Connection) -> list[str]:
    """Numbers that will ring for more than one lead: twice in the file, or already on the desk."""
    rows = staged.c
    fresh = rows.dup_of.is_(None)
    repeated = (
        select(rows.phone_e164).where(fresh).group_by(rows.phone_e164).having(func.count() > 1)
    )
    on_desk = select(rows.phone_e164).where(
        fresh, exists().where(col(Lead.phone_e164) == rows.phone_e164)
    )
    return list(conn.execute(union(repeated, on_desk)).scalars())


def count_sharing(conn: Connection, shared: Sequence[str]) -> int:
    """How many fresh staged rows have one of these numbers."""
    rows = staged.c
    total = 0
    for chunk in _chunks(shared):
        query = select(func.count()).where(rows.dup_of.is_(None), rows.phone_e164.in_(chunk))
        total += int(conn.execute(query).scalar_one())
    return total


def add_batch(conn: Connection, batch: ImportBatch) -> int:
    """Store a new import batch; returns its id."""
    key = conn.execute(
        insert(ImportBatch).values(**batch.model_dump(exclude={"id"}))
    ).inserted_primary_key
    assert key is not None
    return int(key[0])


def finish_batch(conn: Connection, batch_id: int, *, shared_phone: int, at: datetime) -> None:
    """Record how many leads of the batch share a number, and when it was done."""
    conn.execute(
        update(ImportBatch)
        .where(col(ImportBatch.id) == batch_id)
        .values(shared_phone=shared_phone, finished_at=at)
    )


def move_into_leads(conn: Connection, batch_id: int, now: datetime, shared: Sequence[str]) -> None:
    """Insert the fresh staged rows as leads of the batch, marking numbers they share."""
    rows = staged.c
    fresh = rows.dup_of.is_(None)
    dnc = rows.dnc.is_(True)
    when = UTCDateTime()
    _add_hours_classes(conn)
    hours_class = (
        select(col(HoursClass.id))
        .where(col(HoursClass.zones) == rows.time_zones)
        .where(col(HoursClass.jurisdiction) == rows.jurisdiction)
        .scalar_subquery()
    )
    conn.execute(
        insert(Lead).from_select(
            [
                "batch_id",
                "created_at",
                "updated_at",
                "next_due_at",
                "stage",
                "stage_reason",
                "hours_class_id",
                "queue_bucket",
                "queue_order",
                *LEAD_COLUMNS,
            ],
            select(
                literal(batch_id),
                literal(now, when),
                literal(now, when),
                case((dnc, null()), else_=literal(now, when)),
                case((dnc, Stage.DISQUALIFIED.value), else_=Stage.NEW.value),
                case((dnc, DNC_REASON), else_=""),
                hours_class,
                case((dnc, null()), else_=literal(queue.NEW)),
                literal(queue.order_key(queue.NEW, now, now)),
                *(rows[name] for name in LEAD_COLUMNS),
            )
            .where(fresh)
            .order_by(rows.line),
        )
    )
    # Every lead whose number now rings for more than one person shares a phone.
    for chunk in _chunks(shared):
        conn.execute(
            update(Lead)
            .where(col(Lead.phone_e164).in_(chunk))
            .where(col(Lead.shares_phone).is_(False))
            .values(shares_phone=True)
        )


def _add_hours_classes(conn: Connection) -> None:
    """Give every pair of zones and jurisdiction of the fresh rows its calling-hours class.

    New classes are numbered in the order the file first names them, on either engine.
    """
    rows = staged.c
    missing = (
        select(rows.time_zones, rows.jurisdiction)
        .where(rows.dup_of.is_(None))
        .where(
            ~exists().where(
                col(HoursClass.zones) == rows.time_zones,
                col(HoursClass.jurisdiction) == rows.jurisdiction,
            )
        )
        .group_by(rows.time_zones, rows.jurisdiction)
        .order_by(func.min(rows.line))
    )
    conn.execute(insert(HoursClass).from_select(["zones", "jurisdiction"], missing))


_KEPT_ISSUE_COLUMNS = ("batch_id", "line", "kind", "reason", "cells", "duplicate_of")
_to_json = json.JSONEncoder(ensure_ascii=False).encode


def keep_issues(conn: Connection, batch_id: int, delimiter: str) -> None:
    """Store the batch's rejected rows and duplicates, from the file and from the desk.

    Duplicates of the desk keep their cells as the file had them, split here from
    the staged line; they go to the driver as staged rows do.
    """
    found = issues.c
    conn.execute(
        insert(ImportIssue).from_select(
            list(_KEPT_ISSUE_COLUMNS),
            select(
                literal(batch_id),
                found.line,
                found.kind,
                found.reason,
                found.cells,
                found.duplicate_of,
            ),
        )
    )
    rows = staged.c
    repeats = conn.execute(
        select(rows.line, rows.dup_reason, rows.dup_of, rows.raw).where(rows.dup_of.is_not(None))
    )
    found_on_desk = [
        (batch_id, line, "duplicate", reason, _to_json(split_line(raw, delimiter)), lead)
        for line, reason, lead, raw in repeats
    ]
    if found_on_desk:
        _bulk_insert(conn, "import_issues", _KEPT_ISSUE_COLUMNS, found_on_desk)


def _chunks(values: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- Batches after the fact ------------------------------------------------------------


def newest_batches(session: Session, limit: int) -> list[ImportBatch]:
    """The newest import batches first."""
    query = select(ImportBatch).order_by(col(ImportBatch.id).desc()).limit(limit)
    return list(session.scalars(query))


def batch_issues(session: Session, batch_id: int) -> list[ImportIssue]:
    """Every row of a batch that did not become a lead, in file order."""
    query = (
        select(ImportIssue)
        .where(col(ImportIssue.batch_id) == batch_id)
        .order_by(col(ImportIssue.line), col(ImportIssue.id))
    )
    return list(session.scalars(query))


def _worked() -> Any:
    """A lead some rep has worked, or that left the desk in a file, or that a rep holds."""
    return (
        exists().where(col(Touch.lead_id) == Lead.id)
        | exists().where(col(ChecklistAnswer.lead_id) == Lead.id)
        | exists().where(col(RoutingDecision.lead_id) == Lead.id)
        | exists().where(col(NoteDraft.lead_id) == Lead.id)
        | exists().where(col(LeadChange.lead_id) == Lead.id)
        | exists().where(col(HandOff.lead_id) == Lead.id)
        | exists().where(col(NurtureHandOff.lead_id) == Lead.id)
        | col(Lead.claimed_by).is_not(None)
    )


def remove_unworked_leads(session: Session, batch_id: int) -> tuple[int, int, list[str]]:
    """Delete a batch's leads no rep has worked: (removed, kept, the numbers they had)."""
    in_batch = col(Lead.batch_id) == batch_id
    unworked = (in_batch, ~_worked())
    phones = list(session.scalars(select(col(Lead.phone_e164)).where(*unworked).distinct()))
    deleted = session.execute(delete(Lead).where(*unworked))
    removed = int(getattr(deleted, "rowcount", 0) or 0)
    kept = session.scalar(select(func.count()).select_from(Lead).where(in_batch)) or 0
    return removed, int(kept), phones


def recount_shared(session: Session, phones: Sequence[str]) -> None:
    """Leads left alone on one of these numbers no longer share it."""
    for chunk in _chunks(phones):
        alone = (
            select(col(Lead.phone_e164))
            .where(col(Lead.phone_e164).in_(chunk))
            .group_by(col(Lead.phone_e164))
            .having(func.count() == 1)
        )
        session.execute(
            update(Lead).where(col(Lead.phone_e164).in_(alone)).values(shares_phone=False)
        )
