"""The demo desk's past weeks: every event played at its own moment, earliest first."""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from qualdesk.core.stages import Role
from qualdesk.db import leads, reps
from qualdesk.services.demo.calls import FIT, REACH, Call, Prospect
from qualdesk.services.demo.timetable import TEAM_LEAD, Caller, DemoClock
from qualdesk.services.desk import Desk
from qualdesk.services.intake.dnc import add_number
from qualdesk.services.intake.importer import ImportOptions, import_file


class Event(Protocol):
    """Something that happens at the desk at a moment: a file, a call, an export."""

    def play(self, weeks: PastWeeks, moment: datetime) -> None: ...


class PastWeeks:
    """The desk's last weeks, played in time order through the desk's own services."""

    def __init__(self, desk: Desk, clock: DemoClock, rng: random.Random) -> None:
        self.desk, self.clock, self.rng = desk, clock, rng
        self.now = clock.real()
        self.rules = desk.rules().rules
        with desk.db.reading() as session:
            self.callers = [
                Caller(rep, self.rules.calling_hours, clock())
                for rep in reps.reps_in_role(session, Role.REP.value)
            ]
        self.events: list[tuple[datetime, int, Event]] = []
        self.imported = self.touches = self.sequence = 0

    def at(self, moment: datetime, event: Event) -> None:
        """Put an event in line for its moment; events of one moment keep their order."""
        self.sequence += 1
        heapq.heappush(self.events, (moment, self.sequence, event))

    def run(self) -> None:
        """Play every event up to now, earliest first; what falls later has not happened."""
        while self.events:
            moment, _, event = heapq.heappop(self.events)
            if moment > self.now:
                break
            self.clock.moment = moment
            event.play(self, moment)


@dataclass(frozen=True)
class Arrival:
    """A file of marketing's leads reaching the desk."""

    file: Path
    asks_not_to_be_called: bool

    def play(self, weeks: PastWeeks, moment: datetime) -> None:
        """Import the file, and put its leads in line for their first call."""
        rng = weeks.rng
        summary = import_file(weeks.desk, self.file, ImportOptions(imported_by=TEAM_LEAD))
        weeks.imported += summary.imported
        arrived = []
        if summary.batch_id is not None:
            with weeks.desk.db.reading() as session:
                arrived = leads.leads_of_batch(session, summary.batch_id)
        for lead in arrived:
            assert lead.id is not None
            prospect = Prospect(
                lead.id,
                tuple(lead.time_zones.split()),
                lead.jurisdiction,
                lead.industry,
                lead.company_size,
                reach=rng.choice(REACH),
                fit=rng.choice(FIT.get(lead.source, FIT["Whitepaper"])),
            )
            chance = rng.random()
            if chance < 0.02:
                continue  # a lead that slipped through: never called
            # Reps take new leads first; now and then a busy day leaves some waiting.
            wait = (
                timedelta(hours=rng.uniform(5, 28))
                if chance < 0.08
                else timedelta(minutes=rng.uniform(3, 75))
            )
            weeks.at(lead.created_at + wait, Call(prospect))
        if self.asks_not_to_be_called:
            alone = [lead for lead in arrived if not lead.shares_phone]
            if alone:
                asked = rng.choice(alone)
                later = asked.created_at + timedelta(minutes=rng.randint(1, 3))
                weeks.at(later, DoNotCall(asked.phone_e164))


@dataclass(frozen=True)
class DoNotCall:
    """A person who wrote in, soon after their lead arrived, asking not to be called."""

    phone: str

    def play(self, weeks: PastWeeks, moment: datetime) -> None:
        desk, reason = weeks.desk, "asked not to be called"
        add_number(desk, self.phone, region=None, by=TEAM_LEAD, reason=reason)
