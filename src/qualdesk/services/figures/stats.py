"""Counts of the desk's work: for now, a rep's own day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from qualdesk.core.hours import zone
from qualdesk.core.stages import Stage
from qualdesk.db.figures import routes_of_rep, touches_of_rep
from qualdesk.db.models import Rep
from qualdesk.services.desk import Desk


@dataclass(frozen=True)
class DayCounts:
    """What a rep did today (in their own zone)."""

    touches: int = 0
    calls: int = 0
    connects: int = 0
    qualified: int = 0
    nurtured: int = 0


def start_of_day(moment: datetime, zone_name: str) -> datetime:
    """Midnight of the day `moment` falls on, in a zone, as an aware instant."""
    local = moment.astimezone(zone(zone_name))
    return datetime.combine(local.date(), time(0), tzinfo=zone(zone_name))


def rep_today(desk: Desk, rep: Rep) -> DayCounts:
    """Today's touches, call attempts, connects, qualified and nurtured for one rep."""
    now = desk.clock()
    start = start_of_day(now, rep.time_zone)
    end = start + timedelta(days=1)
    with desk.db.reading() as session:
        rules = desk.rules(session).rules
        connects = [d.key for d in rules.dispositions if d.connect]
        touched = touches_of_rep(session, rep.id, start, end, connects)
        routed = routes_of_rep(session, rep.id, start, end)
    return DayCounts(
        touches=touched.touches,
        calls=touched.calls,
        connects=touched.connects,
        qualified=routed.get(Stage.SALES.value, 0),
        nurtured=routed.get(Stage.NURTURE.value, 0),
    )
