"""Shared fixtures: a frozen clock, a real desk database in tmp_path, lead files."""

from __future__ import annotations

import csv
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


@pytest.fixture
def desk(db_path: Path, clock: FrozenClock) -> Iterator[Desk]:
    from qualdesk.services.desk import open_desk

    opened = open_desk(db_path, clock=clock)
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
