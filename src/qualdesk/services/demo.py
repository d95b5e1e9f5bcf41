"""A demo desk: reps, the sample leads and a few days of made-up history."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import platformdirs
from sqlmodel import col, select

from qualdesk.core.errors import QualdeskError
from qualdesk.core.hours import callable_at, next_opening
from qualdesk.core.rules import CallingHours
from qualdesk.core.stages import Stage
from qualdesk.db.engine import database_url
from qualdesk.db.models import DeskSetting, Lead, Rep
from qualdesk.services.calls import end_call, log_touch, set_criterion
from qualdesk.services.desk import Clock, Desk, open_desk, system_clock
from qualdesk.services.dnc import add_number
from qualdesk.services.importer import ImportOptions, import_file
from qualdesk.services.queue import claim_lead
from qualdesk.services.reps import add_rep
from qualdesk.services.resources import data_file

DEMO_KEY = "demo"
DEMO_REPS = (
    ("ana", "Ana Reyes", "rep", "America/New_York"),
    ("ben", "Ben Okafor", "rep", "Europe/London"),
    ("cleo", "Cleo Park", "rep", "America/Chicago"),
    ("lee", "Lee Morgan", "lead", "America/New_York"),
)
RETRY = ("no_answer", "busy", "voicemail", "gatekeeper")


@dataclass(frozen=True)
class DemoReport:
    """What the demo database holds."""

    path: str
    sample: str
    leads: int
    touches: int
    reps: tuple[str, ...]


def demo_location() -> Path:
    """Where `qualdesk demo` builds its database when no --db is given."""
    return platformdirs.user_data_path("qualdesk") / "demo.db"


def build_demo(location: str, *, seed: int = 7, clock: Clock = system_clock) -> DemoReport:
    """Build a fresh demo database at a file path, replacing an earlier demo there.

    Raises:
        QualdeskError: the location holds a database that is not a demo.
    """
    url = database_url(location)
    if not url.startswith("sqlite:///"):
        raise QualdeskError("the demo needs a SQLite file path for --db")
    path = Path(url.removeprefix("sqlite:///"))
    if path.exists():
        _remove_old_demo(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clock = _DemoClock(clock)
    desk = open_desk(path, clock=clock)
    try:
        with desk.db.writing() as session:
            session.add(DeskSetting(key=DEMO_KEY, value="1"))
        for handle, name, role, zone in DEMO_REPS:
            add_rep(desk, handle, name, role, zone)
        sample = data_file("sample_leads.csv")
        options = ImportOptions(imported_by="demo", rejects_path=path.with_name("demo.rejects.csv"))
        summary = import_file(desk, sample, options)
        rng = random.Random(seed)
        _asked_not_to_be_called(desk, rng)
        touches = _history(desk, clock, rng)
    finally:
        desk.close()
    handles = tuple(h for h, *_ in DEMO_REPS)
    return DemoReport(str(path), sample.name, summary.imported, touches, handles)


def _remove_old_demo(path: Path) -> None:
    desk = open_desk(path)
    try:
        with desk.db.reading() as session:
            marker = session.get(DeskSetting, DEMO_KEY)
    finally:
        desk.close()
    if marker is None:
        raise QualdeskError(f"{path} is not a demo database; refusing to replace it")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _asked_not_to_be_called(desk: Desk, rng: random.Random) -> None:
    """Two numbers on the do-not-call list, so the demo shows leads stopped by it."""
    with desk.db.reading() as session:
        phones = sorted(set(session.scalars(select(col(Lead.phone_e164)))))
    for phone in rng.sample(phones, k=min(2, len(phones))):
        add_number(desk, phone, region=None, by="demo", reason="asked not to be called")


class _DemoClock:
    """The demo's clock: the real time, or a moment in the past while history is made."""

    def __init__(self, clock: Clock) -> None:
        self.real = clock
        self.moment: datetime | None = None

    def __call__(self) -> datetime:
        return self.moment or self.real()


NOTES = (
    "Spoke to the assistant", "Left a message with the switchboard", "Interested in a demo",
    "Budget set for next quarter", "Using a competitor, contract ends in spring", "",
)  # fmt: skip


def _history(desk: Desk, clock: _DemoClock, rng: random.Random) -> int:
    """Calls by the demo reps over the last days, made through the desk's own services.

    Every touch, checklist answer and route is what the desk would have
    written had the reps worked these leads: the queue, the cadence and the
    routing rules all apply.
    """
    now = clock.real()
    rules = desk.rules().rules
    with desk.db.reading() as session:
        reps = [r for r in session.scalars(select(Rep).order_by(col(Rep.id))) if r.role == "rep"]
        new = select(Lead.id, Lead.time_zones, Lead.jurisdiction).where(
            col(Lead.stage) == Stage.NEW.value
        )
        places = {
            int(lead_id or 0): (tuple(zones.split()), place)
            for lead_id, zones, place in session.execute(new)
        }
    leads = sorted(places)
    keys = [c.key for c in rules.criteria]
    channels = [c for c in rules.channels if c != "phone"] or ["email"]
    touches = 0
    for lead_id in rng.sample(leads, k=len(leads) * 2 // 5):
        rep = rng.choice(reps)
        moment = now - timedelta(days=rng.uniform(1, 9), minutes=rng.randint(0, 600))
        for attempt in range(rng.choice((1, 1, 2, 2, 3, 4))):
            moment = _within_hours(rules.calling_hours, places[lead_id], moment, rng)
            if moment > now - timedelta(hours=1):
                break
            clock.moment = moment
            try:
                claim = claim_lead(desk, rep, lead_id)
            except QualdeskError:
                break
            last = (attempt > 0 and rng.random() < 0.5) or attempt == 3
            if last or rng.random() < 0.35:
                outcome = rng.choice(("connected", "connected", "connected", "wrong_number",
                                      "not_interested"))  # fmt: skip
            else:
                outcome = rng.choice(RETRY)
            if outcome == "connected":
                for key in rng.sample(keys, k=rng.randint(1, 7)):
                    set_criterion(desk, claim, key, True)
            if rng.random() < 0.2:
                log_touch(desk, claim, rng.choice(channels), "Sent the buyer's guide")
                touches += 1
            clock.moment = moment + timedelta(minutes=rng.randint(1, 9))
            ended = end_call(desk, claim, outcome, notes=rng.choice(NOTES), started_at=moment)
            touches += 1
            if ended.route.next_due_at is None or ended.route.stage != Stage.WORKING:
                break
            moment = ended.route.next_due_at + timedelta(hours=rng.uniform(0, 20))
            if moment > now - timedelta(hours=1):
                break
    clock.moment = None
    return touches


def _within_hours(
    hours: CallingHours, place: tuple[tuple[str, ...], str], moment: datetime, rng: random.Random
) -> datetime:
    """The moment, or a time soon after it when the lead could be called, as a rep would."""
    zones, jurisdiction = place
    if callable_at(hours, zones, jurisdiction, moment) is not False:
        return moment
    opening = next_opening(hours, zones, jurisdiction, moment)
    if opening is None:
        return moment
    later = opening + timedelta(minutes=rng.randint(5, 240))
    return later if callable_at(hours, zones, jurisdiction, later) else opening
