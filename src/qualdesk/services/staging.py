"""The temporary tables an import stages rows in, and the SQL that moves them onto the desk.

Staging tables live in the importing connection's temporary database, so
filling them takes no lock on the desk database; only `move_into_leads`
and the duplicate and do-not-call checks run inside the write transaction.
"""

from __future__ import annotations

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
    exists,
    func,
    insert,
    literal,
    null,
    select,
    union,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select
from sqlmodel import col

from qualdesk.core import queue
from qualdesk.core.records import split_line
from qualdesk.core.stages import Stage
from qualdesk.db.models import DoNotCall, HoursClass, ImportIssue, Lead
from qualdesk.db.types import UTCDateTime
from qualdesk.services.dnc import DNC_REASON

STAGING = MetaData()
LEAD_COLUMNS = (
    "name", "first_name", "last_name", "company", "title", "email", "phone_raw",
    "phone_e164", "phone_ext", "match_key", "region", "jurisdiction", "time_zones",
    "source", "campaign", "industry", "company_size", "score", "grade", "extra", "arrived_at",
)  # fmt: skip
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


STAGED_COLUMNS = ("line", *LEAD_COLUMNS, "raw")
ISSUE_COLUMNS = ("line", "kind", "reason", "cells")


def stage(conn: Connection, rows: list[tuple[Any, ...]], problems: list[tuple[Any, ...]]) -> None:
    """Add checked rows and problem rows to the staging tables, in their own transaction.

    Rows are tuples in STAGED_COLUMNS and ISSUE_COLUMNS order, with JSON
    values already encoded: they go to the driver's executemany directly,
    which costs a tenth of building them through SQLAlchemy.
    """
    with conn.begin():
        if rows:
            rows = _stored_arrivals(conn, rows)
            conn.exec_driver_sql(_insert_sql(conn, staged.name, STAGED_COLUMNS), rows)
        if problems:
            conn.exec_driver_sql(_insert_sql(conn, issues.name, ISSUE_COLUMNS), problems)


_ARRIVED = STAGED_COLUMNS.index("arrived_at")


def _stored_arrivals(conn: Connection, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows whose creation times are as the desk stores times (UTC, in the driver's form)."""
    store = UTCDateTime().dialect_impl(conn.dialect).bind_processor(conn.dialect)
    if store is None or all(row[_ARRIVED] is None for row in rows):
        return rows
    return [(*row[:_ARRIVED], store(row[_ARRIVED]), *row[_ARRIVED + 1 :]) for row in rows]


def _insert_sql(conn: Connection, table: str, columns: tuple[str, ...]) -> str:
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(columns)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join(marker for _ in columns)})"


def mark_duplicates_on_desk(conn: Connection) -> None:
    """Mark staged rows that repeat a lead already on the desk (same email, or same person)."""
    rows = staged.c
    same_email = select(func.min(Lead.id)).where(col(Lead.email) == rows.email).scalar_subquery()
    same_person = (
        select(func.min(Lead.id))
        .where(
            col(Lead.phone_e164) == rows.phone_e164,
            func.coalesce(Lead.phone_ext, "") == func.coalesce(rows.phone_ext, ""),
            col(Lead.match_key) == rows.match_key,
        )
        .scalar_subquery()
    )
    for found, words in (
        (same_email, "same email as lead #"),
        (same_person, "same phone and name as lead #"),
    ):
        conn.execute(
            update(staged)
            .where(rows.dup_of.is_(None), found.is_not(None))
            .values(dup_of=found, dup_reason=literal(words) + cast(found, String))
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


def count_sharing(conn: Connection, shared: list[str]) -> int:
    """How many fresh staged rows have one of these numbers."""
    rows = staged.c
    total = 0
    for start in range(0, len(shared), 500):
        chunk = shared[start : start + 500]
        query = select(func.count()).where(rows.dup_of.is_(None), rows.phone_e164.in_(chunk))
        total += int(conn.execute(query).scalar_one())
    return total


def move_into_leads(conn: Connection, batch_id: int, now: datetime, shared: list[str]) -> None:
    """Insert the fresh staged rows as leads of the batch, marking numbers they share."""
    rows = staged.c
    fresh = rows.dup_of.is_(None)
    dnc = rows.dnc.is_(True)
    when = UTCDateTime()
    add_hours_classes(conn, select(rows.time_zones, rows.jurisdiction).where(fresh))
    hours_class = (
        select(col(HoursClass.id))
        .where(col(HoursClass.zones) == rows.time_zones)
        .where(col(HoursClass.jurisdiction) == rows.jurisdiction)
        .scalar_subquery()
    )
    conn.execute(
        insert(Lead).from_select(
            ["batch_id", "created_at", "updated_at", "next_due_at", "stage", "stage_reason",
             "hours_class_id", "queue_bucket", "queue_order", *LEAD_COLUMNS],
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
    )  # fmt: skip
    # Every lead whose number now rings for more than one person shares a phone.
    for start in range(0, len(shared), 500):
        conn.execute(
            update(Lead)
            .where(col(Lead.phone_e164).in_(shared[start : start + 500]))
            .where(col(Lead.shares_phone).is_(False))
            .values(shares_phone=True)
        )


def add_hours_classes(conn: Connection, pairs: Select[tuple[str, str]]) -> None:
    """Make sure every (zones, jurisdiction) pair selected has its calling-hours class."""
    found = pairs.subquery()
    missing = (
        select(found.c[0], found.c[1])
        .distinct()
        .where(
            ~exists().where(
                col(HoursClass.zones) == found.c[0], col(HoursClass.jurisdiction) == found.c[1]
            )
        )
    )
    conn.execute(insert(HoursClass).from_select(["zones", "jurisdiction"], missing))


def keep_issues(conn: Connection, batch_id: int, delimiter: str) -> None:
    """Store the batch's rejected rows and duplicates, from the file and from the desk."""
    found = issues.c
    conn.execute(
        insert(ImportIssue).from_select(
            ["batch_id", "line", "kind", "reason", "cells", "duplicate_of"],
            select(
                literal(batch_id), found.line, found.kind, found.reason, found.cells,
                found.duplicate_of,
            ),
        )
    )  # fmt: skip
    rows = staged.c
    repeats = conn.execute(
        select(rows.line, rows.dup_reason, rows.dup_of, rows.raw).where(rows.dup_of.is_not(None))
    ).all()
    if repeats:
        conn.execute(
            insert(ImportIssue),
            [
                {"batch_id": batch_id, "line": line, "kind": "duplicate", "reason": reason,
                 "cells": split_line(raw, delimiter), "duplicate_of": lead}
                for line, reason, lead, raw in repeats
            ],
        )  # fmt: skip
