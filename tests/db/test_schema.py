"""Schema versions: new databases are stamped, old ones upgrade without loss.

tests/data/schema_NNNN.sql is `sqlite3 FILE .dump` of a database written by
schema revision NNNN, with a little of everything in it. Every later
revision must open each of them and keep every row.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlmodel import SQLModel, col, select

from qualdesk.db.models import ChecklistAnswer, DoNotCall, ImportIssue, Lead, Rep, Touch
from qualdesk.db.schema import MIGRATIONS, SCHEMA_HEAD, SchemaError, open_database
from qualdesk.services.desk import open_desk, upgrade_schema
from tests.conftest import REPO

FIXTURES = sorted((REPO / "tests" / "data").glob("schema_*.sql"))


def _schema_differences(path: Path) -> list[object]:
    db = open_database(path)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    db.dispose()
    return list(diff)


def test_head_constant_matches_the_migrations() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_HEAD


def test_a_new_database_is_stamped_and_matches_the_models(db_path: Path) -> None:
    open_database(db_path).dispose()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (SCHEMA_HEAD,)
    assert _schema_differences(db_path) == []


def test_migrations_from_nothing_build_the_same_schema(db_path: Path) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    engine.dispose()
    assert _schema_differences(db_path) == []


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_databases_from_earlier_revisions_upgrade_without_loss(
    fixture: Path, db_path: Path
) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.executescript(fixture.read_text(encoding="utf-8"))
        before = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for (table,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'alembic_version'"
            )
        }
    old, new = upgrade_schema(db_path)
    assert old != SCHEMA_HEAD and new == SCHEMA_HEAD
    assert _schema_differences(db_path) == []
    desk = open_desk(db_path)
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
            text("SELECT rep_id, channel, disposition, touches FROM rep_touch_totals")
        ).all()
        assert [tuple(t) for t in totals] == [(1, "phone", "no_answer", 1)]
        leads = session.execute(text("SELECT channel, leads FROM rep_lead_totals ORDER BY 1")).all()
        assert [tuple(x) for x in leads] == [("*", 1), ("phone", 1)]
    desk.close()
    with sqlite3.connect(db_path) as conn:
        for table, count in before.items():
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == count, table
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_newer_schema_is_refused(db_path: Path) -> None:
    open_database(db_path).dispose()
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(SchemaError, match="newer qualdesk"):
        open_database(db_path)


def test_an_old_schema_can_be_refused_instead_of_upgraded(db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.executescript(FIXTURES[0].read_text(encoding="utf-8"))
    with pytest.raises(SchemaError, match="qualdesk db upgrade"):
        open_database(db_path, upgrade=False)


def test_other_files_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE contacts (id INTEGER)")
    with pytest.raises(SchemaError, match="not a qualdesk database"):
        open_database(other)
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello " * 100)
    with pytest.raises(SchemaError, match="not a SQLite database"):
        open_database(text_file)
    with pytest.raises(SchemaError, match="is a folder"):
        open_database(tmp_path)


def test_the_follow_up_facts_are_built_from_the_touches_already_there(db_path: Path) -> None:
    fixture = REPO / "tests" / "data" / "schema_0008.sql"
    with sqlite3.connect(db_path) as conn:
        conn.executescript(fixture.read_text(encoding="utf-8"))
        conn.executemany(
            "INSERT INTO touches (lead_id, rep_id, channel, disposition, notes, started_at, "
            "ended_at, phone, inbound) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
            [
                (1, 2, "email", None, "deck sent", "2026-11-03 09:00:00.000000",
                 "2026-11-03 09:00:00.000000", None),
                (3, 1, "phone", "connected", "talked", "2026-11-04 15:00:00.000000",
                 "2026-11-04 15:10:00.000000", "+13055550123"),
            ],
        )  # fmt: skip
    upgrade_schema(db_path)
    desk = open_desk(db_path)
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
