"""Property: any desk goes from SQLite to PostgreSQL and back to SQLite unchanged.

The desk is generated row by row (any text PostgreSQL can store, moments to
the microsecond, booleans, JSON, bytes, amounts past 32 bits, missing
values), so the copy is tested on values no import would make.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlmodel import SQLModel

from qualdesk.db.copy import desk_tables, open_source
from qualdesk.db.models import DoNotCall, ExportBatch, Lead, LeadChange, Rep, RulesVersion, Touch
from qualdesk.services.desk import open_desk
from qualdesk.services.upkeep.dbcopy import copy_desk
from tests.conftest import FrozenClock

pytestmark = pytest.mark.postgresql

# PostgreSQL's text holds any character but NUL; surrogates are no characters at all.
letters = st.characters(codec="utf-8", exclude_characters="\x00")
words = st.text(letters, max_size=40)
moments = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)
days = st.dates(min_value=date(1971, 1, 1), max_value=date(2099, 12, 31))
small = st.integers(-(2**31), 2**31 - 1)
big = st.integers(-(2**63), 2**63 - 1)


def short(size: int) -> st.SearchStrategy[str]:
    return st.text(letters, max_size=size)


@st.composite
def desks(draw: st.DrawFn) -> list[SQLModel]:
    """Rows for every table that holds the desk's own words: reps, leads, touches and more."""
    reps = [
        Rep(
            id=n,
            handle=f"rep{n}",
            name=draw(words),
            role=draw(short(10)),
            active=draw(st.booleans()),
            time_zone=draw(short(64)),
            created_at=draw(moments),
        )
        for n in range(1, draw(st.integers(1, 3)) + 1)
    ]
    rep_ids = st.sampled_from([rep.id for rep in reps])
    rows: list[SQLModel] = [
        *reps,
        RulesVersion(
            id=2,
            loaded_at=draw(moments),
            loaded_by=draw(words),
            source=draw(words),
            sha256=draw(short(64)),
            text=draw(st.text(letters, max_size=300)),
        ),
        ExportBatch(
            id=1,
            created_at=draw(moments),
            created_by=draw(words),
            content=draw(st.none() | st.binary(max_size=200)),
            lead_count=draw(small),
            sha256=draw(short(64)),
            destination=draw(short(10)),
        ),
    ]
    for phone in draw(st.lists(short(20), max_size=3, unique=True)):
        rows.append(DoNotCall(phone_e164=phone, added_at=draw(moments), reason=draw(words)))
    for n in range(1, draw(st.integers(0, 5)) + 1):
        rows.append(
            Lead(
                id=n,
                created_at=draw(moments),
                updated_at=draw(moments),
                name=draw(words),
                company=draw(words),
                email=draw(st.none() | words),
                phone_raw=draw(words),
                phone_e164=draw(short(20)),
                phone_ext=draw(st.none() | short(10)),
                extra=draw(st.dictionaries(short(12), words, max_size=3)),
                shares_phone=draw(st.booleans()),
                stage=draw(short(16)),
                grade=draw(short(1)),
                claimed_by=draw(st.none() | rep_ids),
                claim_expires_at=draw(st.none() | moments),
                queue_bucket=draw(st.none() | small),
                queue_order=draw(small),
                callback_at=draw(st.none() | moments),
                handoff_batch_id=draw(st.sampled_from([None, 1])),
                outcome_cents=draw(st.none() | big),
                outcome_on=draw(st.none() | days),
                touch_count=draw(small),
                touch_channels=draw(words),
            )
        )
        for _ in range(draw(st.integers(0, 2))):
            rows.append(
                Touch(
                    lead_id=n,
                    rep_id=draw(rep_ids),
                    channel=draw(short(16)),
                    disposition=draw(st.none() | short(32)),
                    notes=draw(st.text(letters, max_size=200)),
                    started_at=draw(moments),
                    ended_at=draw(st.none() | moments),
                    phone=draw(st.none() | short(20)),
                    inbound=draw(st.booleans()),
                )
            )
        if draw(st.booleans()):
            rows.append(
                LeadChange(
                    lead_id=n,
                    field=draw(short(20)),
                    old=draw(words),
                    new=draw(words),
                    changed_at=draw(moments),
                )
            )
    return rows


@pytest.fixture(scope="session")
def empty_desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new desk (schema and default rules) to copy for each example."""
    path = tmp_path_factory.mktemp("copy-template") / "desk.db"
    open_desk(path, clock=FrozenClock()).close()
    return path


def _rows(location: str | Path) -> dict[str, list[tuple[Any, ...]]]:
    db = open_source(location)
    try:
        with db.engine.connect() as conn:
            return {
                name: sorted(
                    (tuple(row) for row in conn.execute(select(SQLModel.metadata.tables[name]))),
                    key=lambda row: tuple(str(value) for value in row),
                )
                for name in desk_tables()
            }
    finally:
        db.dispose()


@settings(
    max_examples=10,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(rows=desks())
def test_a_desk_goes_to_postgresql_and_back_unchanged(
    rows: list[SQLModel], empty_desk: Path, pg_database: str
) -> None:
    from tests import pg

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        source = folder / "source.db"
        shutil.copyfile(empty_desk, source)
        desk = open_desk(source, clock=FrozenClock())
        try:
            with desk.db.writing() as session:
                for row in rows:
                    session.add(row)
                    session.flush()  # in order: each row's references are written first
        finally:
            desk.close()
        before = _rows(source)

        pg.empty(pg_database)
        there = copy_desk(str(source), pg_database)
        back = copy_desk(pg_database, str(folder / "back.db"))

        assert not there.differing and not back.differing
        assert _rows(pg_database) == before
        assert _rows(folder / "back.db") == before
