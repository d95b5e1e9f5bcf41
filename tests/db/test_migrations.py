"""The schema's history on SQLite and PostgreSQL: the models' schema, and upgrades without loss.

From nothing, the history builds what the models declare; a database written
by any earlier revision upgrades to the head and keeps every row.

tests/data/schema_NNNN.sql is `sqlite3 FILE .dump` of a database written by
schema revision NNNN, with a little of everything in it. On PostgreSQL the
history brings an empty database to NNNN and the dump's rows go in as that
revision held them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    MetaData,
    create_engine,
    inspect,
    text,
)
from sqlalchemy.types import TypeEngine
from sqlmodel import SQLModel, col, select

from qualdesk.db.engine import database_url
from qualdesk.db.models import ChecklistAnswer, DoNotCall, ImportIssue, Lead, Rep, Touch
from qualdesk.db.schema import SCHEMA_HEAD, _alembic_config, open_database
from qualdesk.services.desk import open_desk, upgrade_schema
from tests.conftest import REPO

FIXTURES = sorted((REPO / "tests" / "data").glob("schema_*.sql"))
# Where the models' own tables are made beside the history's on PostgreSQL.
MODELS_SCHEMA = "models"


@contextmanager
def _connection(location: str | Path) -> Iterator[Connection]:
    engine = create_engine(database_url(location))
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _schema_differences(location: str | Path) -> list[object]:
    db = open_database(location)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    db.dispose()
    return list(diff)


def _shape(conn: Connection, schema: str | None = None) -> dict[str, object]:
    """Every table's columns, keys and indexes as the database itself reports them."""
    found = inspect(conn)
    shape: dict[str, object] = {}
    for table in found.get_table_names(schema=schema):
        if table == "alembic_version":
            continue
        for column in found.get_columns(table, schema=schema):
            kind = column["type"].compile(dialect=conn.dialect)
            shape[f"column {table}.{column['name']}"] = (kind, column["nullable"])
        primary = found.get_pk_constraint(table, schema=schema)
        shape[f"primary key {primary['name']}"] = (table, primary["constrained_columns"])
        for unique in found.get_unique_constraints(table, schema=schema):
            shape[f"unique constraint {unique['name']}"] = (table, unique["column_names"])
        for index in found.get_indexes(table, schema=schema):
            where = {
                name: " ".join(str(value).split())
                for name, value in index.get("dialect_options", {}).items()
                if name.endswith("_where")
            }
            shape[f"index {index['name']}"] = (
                table,
                index["column_names"],
                bool(index["unique"]),
                where,
            )
        for key in found.get_foreign_keys(table, schema=schema):
            shape[f"foreign key {key['name']}"] = (
                table,
                key["constrained_columns"],
                key["referred_table"],
                key["referred_columns"],
            )
    return shape


def _differences(history: dict[str, object], models: dict[str, object]) -> list[str]:
    return [
        f"{name}: history {history.get(name)!r}, models {models.get(name)!r}"
        for name in sorted(history.keys() | models.keys())
        if history.get(name) != models.get(name)
    ]


def test_the_history_from_nothing_builds_the_models_schema(
    engine: str, db_location: str | Path, tmp_path: Path
) -> None:
    with _connection(db_location) as conn:
        with conn.begin():
            command.upgrade(_alembic_config(conn), "head")
            history = _shape(conn)
        if engine == "sqlite":
            with _connection(tmp_path / "models.db") as other, other.begin():
                SQLModel.metadata.create_all(other)
                models = _shape(other)
        else:
            with conn.begin():
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {MODELS_SCHEMA} CASCADE")
                conn.exec_driver_sql(f"CREATE SCHEMA {MODELS_SCHEMA}")
                SQLModel.metadata.create_all(
                    conn.execution_options(schema_translate_map={None: MODELS_SCHEMA})
                )
                models = _shape(conn, MODELS_SCHEMA)
                conn.exec_driver_sql(f"DROP SCHEMA {MODELS_SCHEMA} CASCADE")
    assert _differences(history, models) == []
    assert _schema_differences(db_location) == []


def _older_database(
    fixture: Path, location: str | Path, touches: Sequence[tuple[object, ...]] = ()
) -> dict[str, int]:
    """The fixture's database at its revision, with more touches; returns its row counts."""
    on_server = "://" in str(location)
    source = sqlite3.connect(":memory:" if on_server else location)
    try:
        source.executescript(fixture.read_text(encoding="utf-8"))
        if touches:
            source.executemany(
                "INSERT INTO touches (lead_id, rep_id, channel, disposition, notes, started_at, "
                "ended_at, phone, inbound) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
                touches,
            )
            source.commit()
        if on_server:
            _as_written_on_postgresql(source, str(location))
        return {
            table: source.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for (table,) in source.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'alembic_version'"
            )
        }
    finally:
        source.close()


def _as_written_on_postgresql(source: sqlite3.Connection, url: str) -> None:
    """The history brings the empty database to the source's revision; its rows go in."""
    (revision,) = source.execute("SELECT version_num FROM alembic_version").fetchone()
    tables = {
        name for (name,) in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    with _connection(url) as conn, conn.begin():
        command.upgrade(_alembic_config(conn), revision)
        held = MetaData()
        held.reflect(conn)
        assert set(held.tables) == tables, f"revision {revision} on PostgreSQL has other tables"
        for table in held.sorted_tables:
            if table.name == "alembic_version":
                continue
            cursor = source.execute(f"SELECT * FROM {table.name}")
            names = [column[0] for column in cursor.description]
            assert set(table.c.keys()) == set(names), f"{table.name} at {revision} differs"
            rows = [
                {
                    name: _stored(table.c[name].type, value)
                    for name, value in zip(names, row, strict=True)
                }
                for row in cursor
            ]
            if rows:
                conn.execute(table.insert(), rows)
            if "id" in table.c:
                # Later rows take the next ids, as they would after the desk wrote these.
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), max(id)) "
                        f"FROM {table.name}"
                    )
                )


def _stored(kind: TypeEngine[Any], value: object) -> object:
    """A value as SQLite held it (text moments, 0/1, JSON text), as PostgreSQL holds it."""
    if value is None:
        return None
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
    if isinstance(kind, Date):
        return date.fromisoformat(str(value))
    if isinstance(kind, Boolean):
        return bool(value)
    if isinstance(kind, JSON):
        return json.loads(str(value))
    return value


def _row_counts(location: str | Path, tables: Sequence[str]) -> dict[str, int]:
    with _connection(location) as conn:
        return {table: conn.scalar(text(f"SELECT count(*) FROM {table}")) or 0 for table in tables}


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_databases_from_earlier_revisions_upgrade_without_loss(
    fixture: Path, engine: str, db_location: str | Path
) -> None:
    before = _older_database(fixture, db_location)
    old, new = upgrade_schema(db_location)
    assert old == fixture.stem.removeprefix("schema_") and new == SCHEMA_HEAD
    assert _schema_differences(db_location) == []
    desk = open_desk(db_location)
    with desk.db.reading() as session:
        assert session.scalars(select(Rep.handle).order_by(col(Rep.id))).all() == ["ana", "lee"]
        ada = session.scalars(select(Lead).where(Lead.email == "ada@example.com")).one()
        assert ada.extra["Booth"] == "7" and ada.phone_e164 == "+442079460958"
        assert ada.match_key == "n:ada lovelace"
        assert ada.hours_class_id is not None
        switchboard = session.get(Lead, 2)
        assert switchboard is not None and switchboard.match_key == "c:switchboard corp"
        touch = session.scalars(select(Touch)).one()
        assert touch.notes == "rang out"
        # Calls made before the number dialled was kept dialled the lead's number.
        called = session.get(Lead, touch.lead_id)
        assert called is not None and touch.phone == called.phone_e164 == "+442079460958"
        # The follow-up counts are built from the touches already there.
        assert (called.touch_count, called.touch_channels) == (1, "phone")
        assert session.scalars(select(ChecklistAnswer)).one().note == "manufacturing"
        assert session.scalars(select(ImportIssue)).one().reason
        assert session.get(DoNotCall, "+12025550143") is not None
        # The running totals of touches are built from the touches already there.
        totals = session.execute(
            text("SELECT rep_id, channel, disposition, touches, seconds FROM rep_touch_totals")
        ).all()
        assert [tuple(t) for t in totals] == [(1, "phone", "no_answer", 1, 30)]
        leads = session.execute(text("SELECT channel, leads FROM rep_lead_totals ORDER BY 1")).all()
        assert [tuple(x) for x in leads] == [("*", 1), ("phone", 1)]
    desk.close()
    assert _row_counts(db_location, list(before)) == before
    if engine == "sqlite":
        with sqlite3.connect(db_location) as conn:
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_follow_up_facts_are_built_from_the_touches_already_there(
    db_location: str | Path,
) -> None:
    _older_database(
        REPO / "tests" / "data" / "schema_0008.sql",
        db_location,
        [
            (
                1,
                2,
                "email",
                None,
                "deck sent",
                "2026-11-03 09:00:00.000000",
                "2026-11-03 09:00:00.000000",
                None,
            ),
            (
                3,
                1,
                "phone",
                "connected",
                "talked",
                "2026-11-04 15:00:00.000000",
                "2026-11-04 15:10:00.000000",
                "+13055550123",
            ),
        ],
    )
    upgrade_schema(db_location)
    desk = open_desk(db_location)
    with desk.db.reading() as session:
        ada, grace, tolly = (session.get(Lead, lead_id) for lead_id in (1, 3, 4))
        assert ada is not None and grace is not None and tolly is not None
        # Ada's call began the touches; the email after it was another rep's.
        assert ada.first_call_at == datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
        assert (ada.last_rep_id, ada.reached_at) == (2, None)
        # Grace was reached on her first call (connected has connect = true in the rules).
        assert grace.first_call_at == grace.reached_at == datetime(2026, 11, 4, 15, tzinfo=UTC)
        assert grace.last_rep_id == 1
        assert grace.arrived_at == datetime(2026, 11, 1, 22, 15, tzinfo=UTC)
        assert (tolly.first_call_at, tolly.last_rep_id, tolly.reached_at) == (None, None, None)
    desk.close()
