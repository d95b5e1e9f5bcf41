"""A staffed desk with leads in several zones, for queue and call tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from qualdesk.db.models import Lead, Rep
from qualdesk.services.desk import Desk
from qualdesk.services.intake.importer import ImportOptions, import_file
from qualdesk.services.reps import add_rep
from tests.conftest import FrozenClock

# At the frozen NOW (Mon 2026-11-23 15:00 UTC): New York 10:00, Los Angeles 07:00,
# London 15:00, Sydney Tue 02:00; a toll-free number also rings in Hawaii (05:00).
PEOPLE = {
    "ny": ("New Yorker", "+1 212 555 0100"),
    "la": ("Angeleno", "+1 415 555 0100"),
    "uk": ("Londoner", "+44 20 7946 0958"),
    "au": ("Sydneysider", "+61 2 9374 4000"),
    "free": ("Freephone", "+1 800 555 0199"),
    "sat": ("Satellite", "+881612345678"),
}

Make = Callable[..., dict[str, int]]


@pytest.fixture
def reps(desk: Desk) -> dict[str, Rep]:
    return {
        "ana": add_rep(desk, "ana", "Ana Reyes", "rep", "America/New_York"),
        "ben": add_rep(desk, "ben", "Ben Okafor", "rep", "Europe/London"),
    }


@pytest.fixture
def make_leads(desk: Desk, tmp_path: Path, clock: FrozenClock) -> Make:
    """Import leads by nickname (see PEOPLE), a second apart; returns nickname -> lead id."""
    batches = iter(range(1000))

    def make(*names: str, titles: dict[str, str] | None = None) -> dict[str, int]:
        ids = {}
        for name in names:
            person, phone = PEOPLE[name.split(":")[0]]
            label = f"{person} {name.split(':')[-1]}" if ":" in name else person
            path = tmp_path / f"batch{next(batches)}.csv"
            title = (titles or {}).get(name, "")
            path.write_text(f"Name,Phone,Title\n{label},{phone},{title}\n", encoding="utf-8")
            import_file(desk, path, ImportOptions(imported_by="test"))
            with desk.db.reading() as session:
                lead = session.scalars(select(Lead).where(Lead.name == label)).one()
            assert lead.id is not None
            ids[name] = lead.id
            clock.now += timedelta(seconds=1)
        return ids

    return make
