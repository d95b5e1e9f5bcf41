"""Who works at the demo desk, and when: the reps and their shifts, marketing's files, the clock."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from qualdesk.core.hours import callable_at, zone
from qualdesk.core.rules import CallingHours
from qualdesk.db.models import Rep
from qualdesk.services.desk import Clock

DEMO_REPS = (
    ("ana", "Ana Reyes", "rep", "America/New_York"),
    ("ben", "Ben Okafor", "rep", "Europe/London"),
    ("cleo", "Cleo Park", "rep", "America/Chicago"),
    ("lee", "Lee Morgan", "lead", "America/New_York"),
)
# The team lead exports to sales, reads sales' verdicts and rules on rejections.
TEAM_LEAD = "lee"
# Marketing's files as they reached the desk: the file, the sample's Lead Source it
# holds (rows of any other source come with the first), and how long ago it came.
# The website forms trickle in, the last ones today, so the queue has fresh leads.
ARRIVALS = (
    ("purchased-list", "Purchased list", timedelta(days=20)),
    ("trade-show-badges", "Trade show", timedelta(days=17)),
    ("whitepaper-downloads", "Whitepaper", timedelta(days=13)),
    ("webinar-signups", "Webinar", timedelta(days=9)),
    ("website-forms-1", "Website form", timedelta(days=6)),
    ("website-forms-2", "Website form", timedelta(days=2)),
    ("website-forms-3", "Website form", timedelta(hours=3)),
    ("website-forms-4", "Website form", timedelta(minutes=20)),
)
# Files of earlier days are imported in the morning in New York, where marketing and
# the team lead sit, on a day the desk's rules keep New York open (not on a Sunday or
# a public holiday).
IMPORT_TIME = time(13, 0, tzinfo=UTC)
NEW_YORK = ("America/New_York", "US-NY")
# Reps work weekdays in their own zone, and take the days the desk's rules close for
# their own place (its public holidays) off.
SHIFT = (time(8, 30), time(17, 30))
REP_PLACES = {"ana": "US-NY", "ben": "GB", "cleo": "US-IL"}
WEEK = timedelta(days=7)


class DemoClock:
    """The demo's clock: the real time, or a moment in the past while history is made."""

    def __init__(self, clock: Clock) -> None:
        self.real = clock
        self.moment: datetime | None = None

    def __call__(self) -> datetime:
        return self.moment or self.real()


@dataclass
class Caller:
    """A rep making calls, and when they are free for the next one."""

    rep: Rep
    hours: CallingHours
    free_at: datetime

    def on_shift(self, moment: datetime) -> bool:
        local = moment.astimezone(zone(self.rep.time_zone))
        return SHIFT[0] <= local.time() < SHIFT[1] and self._works(local.date())

    def next_shift(self, moment: datetime) -> datetime:
        local = moment.astimezone(zone(self.rep.time_zone))
        for offset in range(WEEK.days * 3):
            day = local.date() + timedelta(days=offset)
            start = datetime.combine(day, SHIFT[0], tzinfo=zone(self.rep.time_zone))
            if start > moment and self._works(day):
                return start
        return moment + WEEK * 3

    def _works(self, day: date) -> bool:
        place = REP_PLACES.get(self.rep.handle, "")
        return working_day(self.hours, self.rep.time_zone, place, day)


def working_day(hours: CallingHours, zone_name: str, place: str, day: date) -> bool:
    """Whether a day is a weekday the desk's rules do not close for a place.

    Args:
        hours: the desk's calling hours, which name each place's closed days.
        zone_name: the place's time zone.
        place: the place's code (US-NY, GB).
        day: the day in that zone.
    """
    noon = datetime.combine(day, time(12), tzinfo=zone(zone_name))
    return day.weekday() < 5 and callable_at(hours, (zone_name,), place, noon) is not False


def working_days_after(hours: CallingHours, day: date, count: int) -> date:
    """The day `count` New York working days after `day`.

    Args:
        hours: the desk's calling hours, which name New York's closed days.
        day: the day to count from.
        count: how many working days later.
    """
    for _ in range(count):
        day += timedelta(days=1)
        while not working_day(hours, *NEW_YORK, day):
            day += timedelta(days=1)
    return day


def arrival_moment(
    hours: CallingHours, now: datetime, ago: timedelta, rng: random.Random
) -> datetime:
    """When a file came: today's a while ago, earlier ones on a working morning before.

    Args:
        hours: the desk's calling hours (for New York's working days).
        now: the demo's now.
        ago: how long before now the file came, as ARRIVALS says.
        rng: the demo's random numbers.
    """
    if ago < timedelta(days=1):
        return now - ago
    day = (now - ago).date()
    for back in range(WEEK.days * 2):
        if working_day(hours, *NEW_YORK, day - timedelta(days=back)):
            day -= timedelta(days=back)
            break
    return datetime.combine(day, IMPORT_TIME) + timedelta(minutes=rng.randint(0, 90))
