"""Shared fixtures: a frozen clock, a real desk database in tmp_path, lead files."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from qualdesk.services.desk import Desk

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
REPO = Path(__file__).parents[1]
LEAD_HEADER = ["Name", "Company", "Title", "Email", "Phone", "Country"]


class FrozenClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's config, data or logs."""
    monkeypatch.delenv("QUALDESK_CONFIG", raising=False)
    monkeypatch.delenv("QUALDESK_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "desk.db"


# The PostgreSQL server the second engine's tests use; each test worker makes its own
# database there. Without a server that half is skipped, except under CI.
PG_SERVER = os.environ.get("QUALDESK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/")
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture(scope="session")
def pg_database(worker_id: str) -> Iterator[str]:
    """A fresh database of this test worker's own on the PostgreSQL server."""
    from tests import pg

    url = pg.fresh_database(PG_SERVER, f"qualdesk_test_{worker_id}_{os.getpid()}")
    yield url
    pg.drop_database(PG_SERVER, url)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every service, CLI and concurrency test runs on both engines.

    A test that reaches for the SQLite file itself (db_path) runs on SQLite only, and
    the screens, which reach the database only through the services, run on SQLite.
    """
    if "engine" not in metafunc.fixturenames:
        return
    sqlite_only = "db_path" in metafunc.fixturenames or metafunc.module.__name__.startswith(
        "tests.tui"
    )
    if not sqlite_only:  # otherwise the `engine` fixture below says SQLite
        metafunc.parametrize("engine", ENGINES)


@pytest.fixture
def engine() -> str:
    """The database engine of a SQLite-only test (the others are parametrised above)."""
    return "sqlite"


@pytest.fixture
def db_location(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> str | Path:
    """Where the test's desk lives: a SQLite file in tmp_path, or an emptied database."""
    if engine == "sqlite":
        return tmp_path / "desk.db"
    from tests import pg

    url = str(request.getfixturevalue("pg_database"))
    pg.empty(url)
    return url


@pytest.fixture
def desk(db_location: str | Path, clock: FrozenClock) -> Iterator[Desk]:
    from qualdesk.services.desk import open_desk

    opened = open_desk(db_location, clock=clock)
    yield opened
    opened.close()


WriteCsv = Callable[..., Path]


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """Write rows as a CSV file in tmp_path; returns its path."""

    def write(
        rows: Sequence[Sequence[str]],
        header: Sequence[str] = LEAD_HEADER,
        name: str = "leads.csv",
        delimiter: str = ",",
        encoding: str = "utf-8",
    ) -> Path:
        path = tmp_path / name
        with path.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle, delimiter=delimiter)
            writer.writerow(header)
            writer.writerows(rows)
        return path

    return write
