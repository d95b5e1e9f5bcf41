"""The SQLite engine is set up for several reps writing one file."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from qualdesk.db.engine import Database, make_engine
from qualdesk.db.schema import open_database


def test_pragmas_for_many_writers(db_path: Path) -> None:
    db = open_database(db_path)
    with db.engine.connect() as conn:
        pragma = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
        }
    db.dispose()
    assert pragma == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "synchronous": 2,
        "busy_timeout": 15000,
    }


def _short_timeout_db(path: Path) -> Database:
    engine = make_engine(f"sqlite:///{path}")
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _short(dbapi_connection: object, _record: object) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout = 50")  # type: ignore[attr-defined]

    return Database(engine)


def test_write_transactions_take_the_lock_at_begin(db_path: Path) -> None:
    open_database(db_path).dispose()
    first, second = _short_timeout_db(db_path), _short_timeout_db(db_path)
    with first.engine.begin() as conn:
        conn.execute(text("SELECT 1"))  # a plain read, yet the write lock is held
        with pytest.raises(OperationalError, match="locked"), second.engine.begin() as other:
            other.execute(text("SELECT 1"))
        with second.reading() as session:  # a deferred read still works beside it
            assert session.execute(text("SELECT count(*) FROM reps")).scalar() == 0
    first.dispose()
    second.dispose()


def test_read_then_update_from_two_writers_loses_nothing(db_path: Path) -> None:
    db = open_database(db_path)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO desk_settings (key, value) VALUES ('n', '0')"))
    db.dispose()

    def bump() -> None:
        engine = open_database(db_path)
        for _ in range(25):
            with engine.engine.begin() as conn:
                value = int(conn.execute(text("SELECT value FROM desk_settings")).scalar_one())
                time.sleep(0.001)
                conn.execute(text("UPDATE desk_settings SET value = :v"), {"v": str(value + 1)})
        engine.dispose()

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db = open_database(db_path)
    with db.reading() as session:
        assert session.execute(text("SELECT value FROM desk_settings")).scalar() == "100"
    db.dispose()


def test_a_database_still_locked_after_the_timeout_is_a_calm_error(db_path: Path) -> None:
    from qualdesk.core.errors import DatabaseBusy

    open_database(db_path).dispose()
    holder, waiter = _short_timeout_db(db_path), _short_timeout_db(db_path)
    with holder.engine.begin() as conn:
        conn.execute(text("SELECT 1"))
        with pytest.raises(DatabaseBusy, match="the database is busy"), waiter.writing() as session:
            session.execute(text("SELECT 1"))
    holder.dispose()
    waiter.dispose()
