"""Building the demo database: the desk opens, then its past weeks are played up to now."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import event

from qualdesk.core.errors import QualdeskError
from qualdesk.core.hours import zone
from qualdesk.db.engine import database_url
from qualdesk.db.models import DeskSetting
from qualdesk.services.demo.files import (
    DEMO_KEY,
    batch_files,
    lead_file_names,
    leads_folder,
    remove_files,
    sales_file_names,
    sales_folder,
)
from qualdesk.services.demo.history import Arrival, PastWeeks
from qualdesk.services.demo.sales import SalesLoop, plan_exports
from qualdesk.services.demo.timetable import (
    ARRIVALS,
    DEMO_REPS,
    IMPORT_TIME,
    NEW_YORK,
    TEAM_LEAD,
    WEEK,
    DemoClock,
    arrival_moment,
)
from qualdesk.services.desk import Clock, Desk, open_desk, system_clock
from qualdesk.services.reps import add_rep
from qualdesk.services.resources import data_file


@dataclass(frozen=True)
class DemoReport:
    """What the demo database holds."""

    path: str
    sample: str
    leads: int
    touches: int
    reps: tuple[str, ...]
    handed_off: int = 0
    accepted: int = 0
    rejected: int = 0
    reviewed: int = 0


def demo_location() -> Path:
    """Where `qualdesk demo` builds its database when no --db is given."""
    return platformdirs.user_data_path("qualdesk") / "demo.db"


def build_demo(location: str, *, seed: int = 7, clock: Clock = system_clock) -> DemoReport:
    """Build a fresh demo database at a file path, replacing an earlier demo there.

    The sample leads are imported in batches over the last three weeks (the
    files are kept in a folder beside the database) and worked by the reps
    from the moment each arrived until now; twice a week the team lead hands
    the qualified leads to sales, whose verdicts come back a day or two later
    (those files are kept in a second folder beside the database).

    Args:
        location: the database file.
        seed: the seed of the made-up history; the same seed and clock build the same desk.
        clock: the real clock; the history ends at its now.

    Raises:
        QualdeskError: the location is not a file path, or holds a database that is
            not a demo.
    """
    url = database_url(location)
    if not url.startswith("sqlite:///"):
        raise QualdeskError("the demo needs a SQLite file path for --db")
    path = Path(url.removeprefix("sqlite:///"))
    if path.exists():
        _remove_old_demo(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    demo_clock = DemoClock(clock)
    now = demo_clock.real()
    first_day = (now - ARRIVALS[0][2]).date()
    # The desk opened, and its reps joined, a week before the first file came.
    demo_clock.moment = datetime.combine(first_day, IMPORT_TIME) - WEEK
    sample = data_file("sample_leads.csv")
    files = batch_files(sample, leads_folder(path))
    desk = open_desk(path, clock=demo_clock)
    _commit_without_waiting_for_the_disk(desk)
    try:
        with desk.db.writing() as session:
            session.add(DeskSetting(key=DEMO_KEY, value="1"))
        reps = {handle: add_rep(desk, handle, *rest) for handle, *rest in DEMO_REPS}
        weeks = PastWeeks(desk, demo_clock, rng)
        hours = weeks.rules.calling_hours
        for index, (stem, _, ago) in enumerate(ARRIVALS):
            moment = arrival_moment(hours, now, ago, rng)
            weeks.at(moment, Arrival(files[stem], asks_not_to_be_called=index < 2))
        # The loop with sales draws its own numbers, so the calls stay as they are.
        loop = SalesLoop(sales_folder(path), reps[TEAM_LEAD], random.Random(f"sales-{seed}"))
        plan_exports(weeks, loop, first_day, now.astimezone(zone(NEW_YORK[0])).date())
        weeks.run()
    finally:
        demo_clock.moment = None
        desk.close()
    return DemoReport(
        str(path),
        sample.name,
        weeks.imported,
        weeks.touches,
        tuple(reps),
        handed_off=loop.handed_off,
        accepted=loop.accepted,
        rejected=loop.rejected,
        reviewed=loop.rulings,
    )


def _commit_without_waiting_for_the_disk(desk: Desk) -> None:
    """Let the build's thousands of small commits skip the wait for the disk.

    In WAL mode, synchronous NORMAL keeps the file whole through a power cut
    and may lose only the last commits; a demo is built again anyway.
    """
    engine = desk.db.engine
    event.listen(engine, "connect", _synchronous_normal)
    engine.dispose()  # the connections pooled so far were set up before


def _synchronous_normal(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous = NORMAL")


def _remove_old_demo(path: Path) -> None:
    """Remove an earlier demo and its own files, or refuse a database that is not a demo."""
    desk = open_desk(path)
    try:
        with desk.db.reading() as session:
            marker = session.get(DeskSetting, DEMO_KEY)
            sales_files = sales_file_names(session)
    finally:
        desk.close()
    if marker is None:
        raise QualdeskError(f"{path} is not a demo database; refusing to replace it")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    remove_files(leads_folder(path), lead_file_names())
    remove_files(sales_folder(path), sales_files)
