"""A demo desk: reps, the sample leads arriving over three weeks, and the calls made on them.

Everything happens at its own moment, in order: the desk opens, marketing's
files arrive in batches on different days, and the reps call the leads in
their shifts and in each lead's calling hours, through the desk's own
services. A call's notes say what happened on that call and nothing else.
"""

from __future__ import annotations

import heapq
import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import platformdirs
from sqlmodel import col, select

from qualdesk.core.errors import QualdeskError
from qualdesk.core.headers import choose_delimiter, map_header
from qualdesk.core.hours import callable_at, next_opening, zone
from qualdesk.core.records import RecordReader, split_line
from qualdesk.core.rules import CallingHours
from qualdesk.core.scoring import company_size_number
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
from qualdesk.services.textfile import TextStream, inspect_file

DEMO_KEY = "demo"
DEMO_REPS = (
    ("ana", "Ana Reyes", "rep", "America/New_York"),
    ("ben", "Ben Okafor", "rep", "Europe/London"),
    ("cleo", "Cleo Park", "rep", "America/Chicago"),
    ("lee", "Lee Morgan", "lead", "America/New_York"),
)
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
# Files of earlier days are imported in the morning in New York, where marketing sits,
# on a day the desk's rules keep New York open (not on a Sunday or a public holiday).
IMPORT_TIME = time(13, 0, tzinfo=UTC)
MARKETING = ("America/New_York", "US-NY")
# Reps work weekdays in their own zone, and take the days the desk's rules close for
# their own place (its public holidays) off.
SHIFT = (time(8, 30), time(17, 30))
REP_PLACES = {"ana": "US-NY", "ben": "GB", "cleo": "US-IL"}
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
WEEK = timedelta(days=7)
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

AFTER_3PM = "Gatekeeper: call after 3pm"
# What a rep notes for an attempt that reached no one, or that ended the conversation.
ATTEMPT_NOTES = {
    "no_answer": ("No answer", "No answer, tried the main line", "Rang out, no voicemail box"),
    "busy": ("Line busy", "Busy signal, will try later"),
    "voicemail": ("Left a voicemail", "Left a voicemail with my direct line"),
    "gatekeeper": (AFTER_3PM, "Reception would not put me through", "Assistant took a message"),
    "wrong_number": (
        "Wrong number: a dental practice",
        "Number not in service",
        "Wrong number: nobody of that name there",
    ),
    "not_interested": (
        "Not interested: happy with their current provider",
        "Not a priority this year",
        "No time for this now, maybe next year",
    ),
    "do_not_call": ("Asked not to be called again",),
}
# Per criterion: what the call notes say once it is established, with the answer the
# rep types beside the checklist ("" for the two answers read from the lead's facts).
CHECKLIST_TALK = {
    "vertical": (("Confirmed their industry", ""), ("Industry and code checked", "")),
    "firmographics": (("Got headcount and sites", ""), ("Confirmed company size", "")),
    "decision_makers": (
        ("Mapped who decides", "COO decides, two ops managers influence"),
        ("Found out who signs off", "CFO signs off, IT director evaluates"),
        ("Head of operations decides", "Head of ops decides, finance approves"),
    ),
    "environment": (
        ("Went through their current systems", "On-prem ERP, moving to Azure"),
        ("Heard what it must fit into", "Salesforce and a home-grown billing tool"),
        ("Runs everything on spreadsheets today", "Spreadsheets and email"),
    ),
    "engagement": (
        ("Interested in a demo", "Wants a demo with the team"),
        ("Decision maker keen to see numbers", "Interested, wants numbers first"),
        ("Decision maker is driving this", "Driving the project"),
    ),
    "pains": (
        ("Pains confirmed: slow month-end", "Month-end close takes 10 days"),
        ("Cloud bill is their pain", "Cloud bill up 40% this year"),
        ("Losing deals to slow quotes", "Quotes take a week"),
    ),
    "process": (
        ("Walked through how they buy", "Three quotes, procurement decides"),
        ("Pilot first, then the board", "Pilot in Q1, board approval in March"),
        ("Demo first, then a decision within the month", "Demo, then decide in 30 days"),
    ),
    "budget": (
        ("Budget set for next quarter", "$50k set aside for next quarter"),
        ("Budget approved", "$20k approved this quarter"),
        ("Budget goes into next year's plan", "In next year's plan"),
    ),
    "competition": (
        ("Using a competitor, contract ends in spring", "Incumbent contract ends in April"),
        ("Also talking to other vendors", "Evaluating two other vendors"),
        ("No vendor in place today", "None today"),
    ),
    "urgency": (
        ("Needs it live before their audit", "Audit in February"),
        ("Contract renewal is the deadline", "Renewal due in March"),
        ("Wants it for the new site", "New site opens in spring"),
    ),
}
# How a conversation ended, by whether the lead met the definition.
CLOSINGS = {
    True: ("Agreed to an intro call with sales", "Wants a proposal, passing to sales"),
    False: (
        "Not ready to move yet, keep in touch",
        "No project this quarter, follow up later",
        "Asked for information by email first",
    ),
}
# Touches on other channels between calls. The email a prospect asks for on a call is the
# first one: the buyer's guide.
FOLLOW_UPS = {
    "email": (
        "Emailed a short intro and the buyer's guide",
        "Emailed a customer story",
        "Emailed to ask for a good time to talk",
    ),
    "linkedin": ("Connection request on LinkedIn", "Sent a LinkedIn message"),
    "sms": ("Texted to ask for a good time to call",),
}
INDUSTRY_CODES = {
    "Construction": "NAICS 236220",
    "Education": "NAICS 611310",
    "Financial Services": "NAICS 522110",
    "Healthcare": "NAICS 621111",
    "Hospitality": "NAICS 721110",
    "Logistics": "NAICS 484110",
    "Manufacturing": "NAICS 332710",
    "Retail": "SIC 5411",
    "Software": "NAICS 511210",
}


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

    The sample leads are imported in batches over the last three weeks (the
    files are kept in a folder beside the database) and worked by the reps
    from the moment each arrived until now.

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
    rng = random.Random(seed)
    demo_clock = _DemoClock(clock)
    now = demo_clock.real()
    # The desk opened, and its reps joined, a week before the first file came.
    demo_clock.moment = datetime.combine((now - ARRIVALS[0][2]).date(), IMPORT_TIME) - WEEK
    sample = data_file("sample_leads.csv")
    files = _batch_files(sample, _files_folder(path))
    desk = open_desk(path, clock=demo_clock)
    try:
        with desk.db.writing() as session:
            session.add(DeskSetting(key=DEMO_KEY, value="1"))
        for handle, name, role, zone_name in DEMO_REPS:
            add_rep(desk, handle, name, role, zone_name)
        weeks = _PastWeeks(desk, demo_clock, rng)
        hours = weeks.rules.calling_hours
        for index, (stem, _, ago) in enumerate(ARRIVALS):
            moment = _arrival_moment(hours, now, ago, rng)
            weeks.at(moment, _Arrival(files[stem], asks_not_to_be_called=index < 2))
        weeks.run()
    finally:
        demo_clock.moment = None
        desk.close()
    handles = tuple(h for h, *_ in DEMO_REPS)
    return DemoReport(str(path), sample.name, weeks.imported, weeks.touches, handles)


def _files_folder(path: Path) -> Path:
    return path.with_name(f"{path.stem}-leads")


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
    folder = _files_folder(path)
    for stem, _, _ in ARRIVALS:
        for name in (f"{stem}.csv", f"{stem}.rejects.csv"):
            (folder / name).unlink(missing_ok=True)
    # Only the demo's own files were removed: a folder holding anything else stays.
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def _arrival_moment(
    hours: CallingHours, now: datetime, ago: timedelta, rng: random.Random
) -> datetime:
    """When a file came: today's a while ago, earlier ones on a working morning before."""
    if ago < timedelta(days=1):
        return now - ago
    day = (now - ago).date()
    for back in range(WEEK.days * 2):
        if _working_day(hours, *MARKETING, day - timedelta(days=back)):
            day -= timedelta(days=back)
            break
    return datetime.combine(day, IMPORT_TIME) + timedelta(minutes=rng.randint(0, 90))


def _working_day(hours: CallingHours, zone_name: str, place: str, day: date) -> bool:
    """A weekday the desk's rules do not close for a place (a Sunday, a public holiday)."""
    noon = datetime.combine(day, time(12), tzinfo=zone(zone_name))
    return day.weekday() < 5 and callable_at(hours, (zone_name,), place, noon) is not False


def _batch_files(sample: Path, folder: Path) -> dict[str, Path]:
    """The sample cut into one file per arrival, every record written as it stands."""
    source = inspect_file(sample)
    with TextStream(source) as stream:
        lines = list(stream.text)
    delimiter = choose_delimiter(lines[0])
    header = map_header(split_line(lines[0], delimiter))
    column = header.fields.get("source")
    by_source: dict[str, list[str]] = {}
    for record in RecordReader(lines[1:], delimiter, header.width):
        cells = record.cells or []
        name = cells[column].strip() if column is not None and column < len(cells) else ""
        raw = record.raw if record.raw.endswith("\n") else record.raw + "\n"
        by_source.setdefault(name, []).append(raw)
    stems = {source: [s for s, src, _ in ARRIVALS if src == source] for _, source, _ in ARRIVALS}
    first = ARRIVALS[0][1]
    for name in [name for name in by_source if name not in stems]:
        by_source.setdefault(first, []).extend(by_source.pop(name))
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for source_name, parts in stems.items():
        rows = by_source.get(source_name, [])
        for index, stem in enumerate(parts):
            part = rows[index * len(rows) // len(parts) : (index + 1) * len(rows) // len(parts)]
            files[stem] = folder / f"{stem}.csv"
            with files[stem].open("w", encoding=source.encoding, newline="") as handle:
                handle.writelines([lines[0], *part])
    return files


class _DemoClock:
    """The demo's clock: the real time, or a moment in the past while history is made."""

    def __init__(self, clock: Clock) -> None:
        self.real = clock
        self.moment: datetime | None = None

    def __call__(self) -> datetime:
        return self.moment or self.real()


@dataclass
class _Caller:
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
        return _working_day(self.hours, self.rep.time_zone, place, day)


@dataclass
class _Prospect:
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
class _Arrival:
    file: Path
    asks_not_to_be_called: bool


@dataclass(frozen=True)
class _Request:
    phone: str


@dataclass(frozen=True)
class _Call:
    prospect: _Prospect
    owner: _Caller | None = None


class _PastWeeks:
    """The desk's last weeks, played in time order through the desk's own services."""

    def __init__(self, desk: Desk, clock: _DemoClock, rng: random.Random) -> None:
        self.desk, self.clock, self.rng = desk, clock, rng
        self.now = clock.real()
        self.rules = desk.rules().rules
        with desk.db.reading() as session:
            reps = session.scalars(select(Rep).where(col(Rep.role) == "rep").order_by(col(Rep.id)))
            self.callers = [_Caller(rep, self.rules.calling_hours, clock()) for rep in reps]
        self.events: list[tuple[datetime, int, _Arrival | _Request | _Call]] = []
        self.imported = self.touches = self.sequence = 0

    def at(self, moment: datetime, event: _Arrival | _Request | _Call) -> None:
        self.sequence += 1
        heapq.heappush(self.events, (moment, self.sequence, event))

    def run(self) -> None:
        """Play every event up to now, earliest first; what falls later has not happened."""
        while self.events:
            moment, _, event = heapq.heappop(self.events)
            if moment > self.now:
                break
            self.clock.moment = moment
            if isinstance(event, _Arrival):
                self._arrive(event)
            elif isinstance(event, _Request):
                add_number(
                    self.desk, event.phone, region=None, by="lee", reason="asked not to be called"
                )
            else:
                self._call(moment, event)

    def _arrive(self, arrival: _Arrival) -> None:
        """Import a file, and put its leads in line for their first call."""
        rng = self.rng
        summary = import_file(self.desk, arrival.file, ImportOptions(imported_by="lee"))
        self.imported += summary.imported
        with self.desk.db.reading() as session:
            leads = list(
                session.scalars(
                    select(Lead)
                    .where(col(Lead.batch_id) == summary.batch_id)
                    .order_by(col(Lead.id))
                )
            )
        for lead in leads:
            assert lead.id is not None
            prospect = _Prospect(
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
            self.at(lead.created_at + wait, _Call(prospect))
        if arrival.asks_not_to_be_called:
            alone = [lead for lead in leads if not lead.shares_phone]
            if alone:
                asked = rng.choice(alone)
                later = asked.created_at + timedelta(minutes=rng.randint(1, 3))
                self.at(later, _Request(asked.phone_e164))

    def _slot(
        self, prospect: _Prospect, moment: datetime, callers: list[_Caller]
    ) -> datetime | None:
        """The first moment from `moment` when the lead may be called and a rep is at work."""
        hours = self.rules.calling_hours
        for _ in range(30):
            opening = next_opening(hours, prospect.zones, prospect.jurisdiction, moment)
            if opening is None:
                return None
            if any(caller.on_shift(opening) for caller in callers):
                return opening
            moment = min(caller.next_shift(opening) for caller in callers)
        return None

    def _call(self, moment: datetime, call: _Call) -> None:
        """One call attempt at `moment`, or the same call put off until it can be made."""
        prospect, rng = call.prospect, self.rng
        callers = [call.owner] if call.owner else self.callers
        start = self._slot(prospect, moment, callers)
        if start is None:
            return
        at_work = [c for c in callers if c.on_shift(start)]
        caller = min(at_work, key=lambda c: (c.free_at, rng.random()))
        if start != moment or caller.free_at > start:
            self.at(max(start, caller.free_at), call)
            return
        outcome = self._outcome(prospect, call.owner is not None)
        keys = self._criteria(prospect) if outcome == "connected" else []
        steps = [timedelta(minutes=rng.randint(2, 5)) for _ in keys]
        talk = timedelta(minutes=rng.randint(*MINUTES[outcome]), seconds=rng.randint(0, 59))
        end = start + sum(steps, timedelta()) + talk
        if end > self.now:
            return  # the call is not over yet: the lead waits in the queue
        try:
            claim = claim_lead(self.desk, caller.rep, prospect.lead_id)
        except QualdeskError:
            return  # taken off the desk meanwhile (do not call)
        said, qualified = [], False
        for key, step in zip(keys, steps, strict=True):
            self.clock.moment = moment = moment + step
            note, answer = rng.choice(CHECKLIST_TALK.get(key, (("", ""),)))
            answer = answer or self._fact(key, prospect)
            qualified = set_criterion(self.desk, claim, key, True, answer).qualified
            said.append(note)
        notes, callback, follow_up = self._notes(prospect, outcome, said, qualified, end, caller)
        self.clock.moment = end
        if follow_up is not None and follow_up[0] in self.rules.channels:
            log_touch(self.desk, claim, *follow_up)
            self.touches += 1
        ended = end_call(
            self.desk, claim, outcome, notes=notes, started_at=start, callback_at=callback
        )
        self.touches += 1
        prospect.attempts += 1
        caller.free_at = end + timedelta(minutes=rng.randint(1, 4))
        route = ended.route
        if route.stage is not Stage.WORKING or route.next_due_at is None:
            return
        if route.callback_at is not None:
            self.at(route.callback_at, _Call(prospect, owner=caller))
            return
        # A due lead is picked up from the queue a little after it is due.
        due = route.next_due_at + timedelta(minutes=rng.uniform(0, 120))
        if notes == AFTER_3PM:
            local = due.astimezone(zone(prospect.zones[0]))
            due = max(due, datetime.combine(local.date(), time(15), tzinfo=local.tzinfo))
        self.at(due, _Call(prospect))

    def _notes(
        self,
        prospect: _Prospect,
        outcome: str,
        said: list[str],
        qualified: bool,
        end: datetime,
        caller: _Caller,
    ) -> tuple[str, datetime | None, tuple[str, str] | None]:
        """The call's notes, a callback time if one was asked for, and a follow-up touch.

        A conversation's notes mention only criteria established on it (`said`).
        """
        rng = self.rng
        if outcome == "connected":
            mention = [note for note in rng.sample(said, k=min(2, len(said))) if note]
            closing = rng.choice(CLOSINGS[qualified])
            sent = ("email", FOLLOW_UPS["email"][0]) if "email" in closing else None
            return ". ".join([*mention, closing]), None, sent
        if outcome == "callback":
            wanted = _quarter(end + rng.choice(CALLBACK_AFTER))
            callback = self._slot(prospect, wanted, [caller]) or wanted
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

    def _outcome(self, prospect: _Prospect, callback: bool) -> str:
        rng = self.rng
        if callback:
            return rng.choices(("connected", "not_interested", "voicemail"), (8, 1, 1))[0]
        if prospect.attempts == 0 and rng.random() < 0.04:
            return "wrong_number"
        if rng.random() >= prospect.reach:
            return rng.choices(RETRY, (45, 10, 30, 15))[0]
        return rng.choices(
            ("connected", "callback", "not_interested", "do_not_call"), (70, 14, 14, 2)
        )[0]

    def _criteria(self, prospect: _Prospect) -> list[str]:
        """What the rep establishes on a conversation: enough to qualify, if the lead fits."""
        rng, rules = self.rng, self.rules
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

    def _fact(self, key: str, prospect: _Prospect) -> str:
        """The answer to a criterion read off the lead's own facts, as the rep confirmed them."""
        rng = self.rng
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
