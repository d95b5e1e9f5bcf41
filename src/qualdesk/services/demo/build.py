"""Building the demo database: the desk opens, then its past weeks are played up to now."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import platformdirs

from qualdesk.core.errors import QualdeskError
from qualdesk.core.hours import zone
from qualdesk.db import wholedesk as desk_tables
from qualdesk.db.engine import Database, database_url, make_engine, shown_location
from qualdesk.db.models import DeskSetting
from qualdesk.services.access import administrator
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
from qualdesk.services.desk import Clock, open_desk, system_clock
from qualdesk.services.reps import add_rep
from qualdesk.services.resources import data_file
from qualdesk.services.signin import set_password


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
    # Each demo rep's password (a demo's only: printed, to try sign-in with).
    passwords: tuple[tuple[str, str], ...] = ()


def demo_password(handle: str) -> str:
    """A demo rep's password: printed by `qualdesk demo`, never a real desk's."""
    return f"{handle}-demo-desk"


def demo_location() -> Path:
    """Where `qualdesk demo` builds its database when no --db is given."""
    return platformdirs.user_data_path("qualdesk") / "demo.db"


def build_demo(location: str, *, seed: int = 7, clock: Clock = system_clock) -> DemoReport:
    """Build a fresh demo database at a file path or on a PostgreSQL server, replacing an
    earlier demo there.

    The sample leads are imported in batches over the last three weeks (the
    files are kept in a folder beside the database) and worked by the reps
    from the moment each arrived until now; twice a week the team lead hands
    the qualified leads to sales, whose verdicts come back a day or two later
    (those files are kept in a second folder beside the database). For a
    database on a server, both folders are in the user data folder, named
    after the database.

    Args:
        location: the database file, or a PostgreSQL URL (its database must exist,
            empty or holding an earlier demo).
        seed: the seed of the made-up history; the same seed and clock build the same desk.
        clock: the real clock; the history ends at its now.

    Raises:
        QualdeskError: the location is neither, or holds a database that is not a demo.
    """
    url = database_url(location)
    if not url.startswith(("sqlite:///", "postgresql+psycopg://")):
        raise QualdeskError("the demo needs a SQLite file path or a PostgreSQL URL for --db")
    path = _files_anchor(url)
    if url.startswith("sqlite:///"):
        if path.exists():
            _remove_old_demo(path, path)
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        server = Database(make_engine(url))
        try:
            with server.reading() as session:
                earlier = desk_tables.holds_tables(session)
            if earlier:
                _remove_old_demo(location, path)
                with server.writing() as session:
                    desk_tables.drop_desk(session)
        finally:
            server.dispose()
    rng = random.Random(seed)
    demo_clock = DemoClock(clock)
    now = demo_clock.real()
    first_day = (now - ARRIVALS[0][2]).date()
    # The desk opened, and its reps joined, a week before the first file came.
    demo_clock.moment = datetime.combine(first_day, IMPORT_TIME) - WEEK
    sample = data_file("sample_leads.csv")
    files = batch_files(sample, leads_folder(path))
    desk = open_desk(location, clock=demo_clock)
    # A crash may lose the build's last commits, never the database; a demo is built
    # again anyway, and its thousands of small commits need not wait for the disk.
    desk_tables.commit_without_waiting_for_the_disk(desk.db)
    try:
        with desk.db.writing() as session:
            session.add(DeskSetting(key=DEMO_KEY, value="1"))
        reps = {handle: add_rep(desk, handle, *rest) for handle, *rest in DEMO_REPS}
        for handle in reps:
            set_password(desk, administrator(), handle, demo_password(handle), source="demo")
        weeks = PastWeeks(desk, demo_clock, rng)
        hours = weeks.rules.calling_hours
        for index, (stem, _, ago) in enumerate(ARRIVALS):
            moment = arrival_moment(hours, now, ago, rng)
            weeks.at(moment, Arrival(files[stem], asks_not_to_be_called=index < 2))
        # The loop with sales draws its own numbers, so the calls stay as they are.
        loop = SalesLoop(sales_folder(path), reps[TEAM_LEAD], random.Random(f"sales-{seed}"))
        plan_exports(weeks, loop, first_day, now.astimezone(zone(NEW_YORK[0])).date())
        weeks.run()
        with desk.db.writing() as session:  # what the demo holds, to tell later work by
            marker = session.get(DeskSetting, DEMO_KEY)
            assert marker is not None
            marker.value = json.dumps(desk_tables.work_marks(session), sort_keys=True)
            session.add(marker)
    finally:
        demo_clock.moment = None
        desk.close()
    return DemoReport(
        str(path) if url.startswith("sqlite:///") else shown_location(location),
        sample.name,
        weeks.imported,
        weeks.touches,
        tuple(reps),
        handed_off=loop.handed_off,
        accepted=loop.accepted,
        rejected=loop.rejected,
        reviewed=loop.rulings,
        passwords=tuple((handle, demo_password(handle)) for handle in reps),
    )


def _files_anchor(url: str) -> Path:
    """What the demo's folders are named after: the database file, or for a database on a
    server a name in the user data folder (`<database>-leads`, `<database>-sales`)."""
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    database = url.rsplit("/", 1)[-1].split("?", 1)[0] or "postgres"
    return platformdirs.user_data_path("qualdesk") / f"{database}.postgresql"


def _remove_old_demo(location: str | Path, anchor: Path) -> None:
    """Remove an earlier demo's file and its own files, or refuse a database that is not a
    demo (on a server, the caller then drops the demo's tables)."""
    desk = open_desk(location)
    try:
        with desk.db.reading() as session:
            marker = session.get(DeskSetting, DEMO_KEY)
            sales_files = sales_file_names(session)
            now = desk_tables.work_marks(session)
    finally:
        desk.close()
    if marker is None:
        raise QualdeskError(
            f"{shown_location(location)} is not a demo database; refusing to replace it"
        )
    built = json.loads(marker.value) if marker.value.startswith("{") else now
    since = [
        f"{table.replace('_', ' ')}" for table in sorted(now) if now[table] != built.get(table)
    ]
    if since:
        raise QualdeskError(
            f"{shown_location(location)} is a demo with work done since it was built "
            f"({', '.join(since)} changed); refusing to replace it"
        )
    if "://" not in str(location):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{anchor}{suffix}").unlink(missing_ok=True)
    remove_files(leads_folder(anchor), lead_file_names())
    remove_files(sales_folder(anchor), sales_files)
