"""One call attempt at the demo desk: who makes it when, what is said, where the lead goes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from qualdesk.core.errors import QualdeskError
from qualdesk.core.hours import next_opening, zone
from qualdesk.core.scoring import company_size_number
from qualdesk.core.stages import Stage
from qualdesk.services.calling.calls import end_call, log_touch, set_criterion
from qualdesk.services.calling.queue import claim_lead
from qualdesk.services.demo.talk import (
    AFTER_3PM,
    ATTEMPT_NOTES,
    CHECKLIST_TALK,
    CLOSINGS,
    FOLLOW_UPS,
    INDUSTRY_CODES,
)
from qualdesk.services.demo.timetable import Caller

if TYPE_CHECKING:
    from qualdesk.services.demo.history import PastWeeks

RETRY = ("no_answer", "busy", "voicemail", "gatekeeper")
# How long a card stays open for each outcome, in minutes; on a conversation, after the
# last checklist answer. Each stays inside the claim's lease, which every write renews.
MINUTES = {
    "no_answer": (0, 1),
    "busy": (0, 1),
    "voicemail": (1, 2),
    "gatekeeper": (1, 3),
    "wrong_number": (0, 1),
    "connected": (2, 8),
    "callback": (1, 3),
    "not_interested": (1, 4),
    "do_not_call": (0, 1),
}
CALLBACK_AFTER = (timedelta(hours=3), timedelta(days=1), timedelta(days=2))
# How likely a conversation qualifies a lead, by source: people who asked for contact
# fit best, a purchased list least. Three kinds of lead per source, equally common.
FIT = {
    "Website form": (0.3, 0.5, 0.65),
    "Webinar": (0.2, 0.35, 0.5),
    "Trade show": (0.15, 0.3, 0.45),
    "Whitepaper": (0.1, 0.25, 0.4),
    "Purchased list": (0.05, 0.15, 0.3),
}
# How likely one call attempt reaches the person: four kinds of lead, equally common.
REACH = (0.1, 0.2, 0.3, 0.45)


@dataclass
class Prospect:
    """A lead as the demo plays it: where it rings, how easily it is reached, how it fits."""

    lead_id: int
    zones: tuple[str, ...]
    jurisdiction: str
    industry: str
    size: str
    reach: float
    fit: float
    attempts: int = 0


@dataclass(frozen=True)
class Call:
    """A call attempt due on a lead; a callback belongs to the rep who took it."""

    prospect: Prospect
    owner: Caller | None = None

    def play(self, weeks: PastWeeks, moment: datetime) -> None:
        """One call attempt at `moment`, or the same call put off until it can be made."""
        prospect, rng, rules = self.prospect, weeks.rng, weeks.rules
        callers = [self.owner] if self.owner else weeks.callers
        start = slot(weeks, prospect, moment, callers)
        if start is None:
            return
        at_work = [c for c in callers if c.on_shift(start)]
        caller = min(at_work, key=lambda c: (c.free_at, rng.random()))
        if start != moment or caller.free_at > start:
            weeks.at(max(start, caller.free_at), self)
            return
        outcome = _outcome(weeks, prospect, self.owner is not None)
        keys = _criteria(weeks, prospect) if outcome == "connected" else []
        steps = [timedelta(minutes=rng.randint(2, 5)) for _ in keys]
        talk = timedelta(minutes=rng.randint(*MINUTES[outcome]), seconds=rng.randint(0, 59))
        end = start + sum(steps, timedelta()) + talk
        if end > weeks.now:
            return  # the call is not over yet: the lead waits in the queue
        try:
            claim = claim_lead(weeks.desk, caller.rep, prospect.lead_id)
        except QualdeskError:
            return  # taken off the desk meanwhile (do not call)
        said, qualified = [], False
        for key, step in zip(keys, steps, strict=True):
            weeks.clock.moment = moment = moment + step
            note, answer = rng.choice(CHECKLIST_TALK.get(key, (("", ""),)))
            answer = answer or _fact(weeks, key, prospect)
            qualified = set_criterion(weeks.desk, claim, key, True, answer).qualified
            said.append(note)
        notes, callback, follow_up = _notes(weeks, prospect, outcome, said, qualified, end, caller)
        weeks.clock.moment = end
        if follow_up is not None and follow_up[0] in rules.channels:
            log_touch(weeks.desk, claim, *follow_up)
            weeks.touches += 1
        ended = end_call(
            weeks.desk, claim, outcome, notes=notes, started_at=start, callback_at=callback
        )
        weeks.touches += 1
        prospect.attempts += 1
        caller.free_at = end + timedelta(minutes=rng.randint(1, 4))
        route = ended.route
        if route.stage is not Stage.WORKING or route.next_due_at is None:
            return
        if route.callback_at is not None:
            weeks.at(route.callback_at, Call(prospect, owner=caller))
            return
        # A due lead is picked up from the queue a little after it is due.
        due = route.next_due_at + timedelta(minutes=rng.uniform(0, 120))
        if notes == AFTER_3PM:
            local = due.astimezone(zone(prospect.zones[0]))
            due = max(due, datetime.combine(local.date(), time(15), tzinfo=local.tzinfo))
        weeks.at(due, Call(prospect))


def slot(
    weeks: PastWeeks, prospect: Prospect, moment: datetime, callers: list[Caller]
) -> datetime | None:
    """The first moment from `moment` when the lead may be called and a rep is at work.

    Args:
        weeks: the demo's past weeks (for the desk's calling hours).
        prospect: the lead to call.
        moment: the earliest moment wanted.
        callers: the reps who may make the call.

    Returns:
        That moment, or None if none comes within a month of openings.
    """
    hours = weeks.rules.calling_hours
    for _ in range(30):
        opening = next_opening(hours, prospect.zones, prospect.jurisdiction, moment)
        if opening is None:
            return None
        if any(caller.on_shift(opening) for caller in callers):
            return opening
        moment = min(caller.next_shift(opening) for caller in callers)
    return None


def _notes(
    weeks: PastWeeks,
    prospect: Prospect,
    outcome: str,
    said: list[str],
    qualified: bool,
    end: datetime,
    caller: Caller,
) -> tuple[str, datetime | None, tuple[str, str] | None]:
    """The call's notes, a callback time if one was asked for, and a follow-up touch.

    A conversation's notes mention only criteria established on it (`said`).
    """
    rng = weeks.rng
    if outcome == "connected":
        mention = [note for note in rng.sample(said, k=min(2, len(said))) if note]
        closing = rng.choice(CLOSINGS[qualified])
        sent = ("email", FOLLOW_UPS["email"][0]) if "email" in closing else None
        return ". ".join([*mention, closing]), None, sent
    if outcome == "callback":
        wanted = _quarter(end + rng.choice(CALLBACK_AFTER))
        callback = slot(weeks, prospect, wanted, [caller]) or wanted
        local = callback.astimezone(zone(prospect.zones[0]))
        return (
            f"In a meeting, asked for a call back {local:%a %H:%M} their time",
            callback,
            None,
        )
    follow_up = None
    if outcome in RETRY and prospect.attempts >= 1 and rng.random() < 0.3:
        channel = rng.choice(sorted(FOLLOW_UPS))
        follow_up = (channel, rng.choice(FOLLOW_UPS[channel]))
    return rng.choice(ATTEMPT_NOTES[outcome]), None, follow_up


def _outcome(weeks: PastWeeks, prospect: Prospect, callback: bool) -> str:
    rng = weeks.rng
    if callback:
        return rng.choices(("connected", "not_interested", "voicemail"), (8, 1, 1))[0]
    if prospect.attempts == 0 and rng.random() < 0.04:
        return "wrong_number"
    if rng.random() >= prospect.reach:
        return rng.choices(RETRY, (45, 10, 30, 15))[0]
    return rng.choices(("connected", "callback", "not_interested", "do_not_call"), (70, 14, 14, 2))[
        0
    ]


def _criteria(weeks: PastWeeks, prospect: Prospect) -> list[str]:
    """What the rep establishes on a conversation: enough to qualify, if the lead fits."""
    rng, rules = weeks.rng, weeks.rules
    keys = [c.key for c in rules.criteria]
    needed = rules.qualification.min_established
    if rng.random() < prospect.fit:
        required = [c.key for c in rules.criteria if c.required]
        others = [k for k in keys if k not in required]
        count = min(len(keys), rng.randint(needed, needed + 3)) - len(required)
        chosen = required + rng.sample(others, k=max(0, min(count, len(others))))
    else:
        chosen = rng.sample(keys, k=rng.randint(1, max(1, needed - 1)))
    return sorted(chosen, key=keys.index)


def _fact(weeks: PastWeeks, key: str, prospect: Prospect) -> str:
    """The answer to a criterion read off the lead's own facts, as the rep confirmed them."""
    rng = weeks.rng
    if key == "vertical":
        industry = (
            prospect.industry
            if prospect.industry in INDUSTRY_CODES
            else rng.choice(sorted(INDUSTRY_CODES))
        )
        return f"{industry}, {INDUSTRY_CODES[industry]}"
    if key == "firmographics":
        sizes = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", prospect.size)]
        low = company_size_number(prospect.size) or rng.choice((30, 120, 240, 800))
        high = sizes[1] if len(sizes) > 1 and sizes[1] > low else low * 2
        staff = rng.randint(low, high)
        sites = max(1, staff // rng.randint(60, 250))
        return f"{staff:,} staff, {sites} site{'s' if sites > 1 else ''}"
    return ""


def _quarter(moment: datetime) -> datetime:
    """The next quarter hour: the time a prospect names for a callback."""
    rounded = moment.replace(second=0, microsecond=0)
    return rounded + timedelta(minutes=15 - rounded.minute % 15)
