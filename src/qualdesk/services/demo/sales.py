"""The demo's loop with sales and marketing: hand-offs, sales' reports, rulings, nurture.

The team lead exports the qualified leads on Tuesday and Friday afternoons
in Salesforce's layout; a day or two later sales send back their Lead report
as Salesforce exports it (Closed - Converted, Closed - Not Converted, or
still Working - Contacted), which the team lead reads in; the morning
after, the team lead rules on a rejection waiting for review, until a
couple are ruled (one valid and one not, where the rejections allow). A
few days after a lead is converted, sales' Opportunity report says what
became of it (an open stage, then Closed Won or Closed Lost, with an amount
and a close date). On Friday afternoons the team lead hands the week's
nurtured leads back to marketing. Each step goes through the desk's own
services at its own moment, between the calls.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from qualdesk.core.hours import zone
from qualdesk.core.stages import Stage
from qualdesk.db import calls, leads
from qualdesk.db.engine import Session
from qualdesk.db.models import Rep
from qualdesk.services.access import as_rep
from qualdesk.services.demo.files import remember_sales_file
from qualdesk.services.demo.timetable import NEW_YORK, working_day, working_days_after
from qualdesk.services.handoff.export import export_leads
from qualdesk.services.handoff.feedback import read_feedback
from qualdesk.services.handoff.review import ReviewCard, review_card, rule, to_review

if TYPE_CHECKING:
    from qualdesk.services.demo.history import PastWeeks

EXPORT_DAYS = (1, 4)  # Tuesday and Friday
# New York times: the team lead sits there, and so does sales.
EXPORT_TIME = time(15, 30)
VERDICTS_TIME = time(14, 0)
REVIEW_TIME = time(10, 30)
NURTURE_TIME = time(16, 15)
OPPORTUNITIES_TIME = time(11, 0)
# Sales' Lead report as Salesforce exports it: its own Lead ID, the desk's beside it.
VERDICT_COLUMNS = ("Lead ID", "Qualdesk Lead ID", "Lead Status", "Unqualified Reason",
                   "Converted Date")  # fmt: skip
# What sales make of a lead open with them by the time they send a file (still
# Working - Contacted: it waits for a later file).
CONVERTED, NOT_CONVERTED, WORKING = (
    "Closed - Converted",
    "Closed - Not Converted",
    ("Working - Contacted"),
)
STATUSES = (CONVERTED, NOT_CONVERTED, WORKING)
STATUS_WEIGHTS = (66, 22, 12)
# Sales' Opportunity report: the stages an open opportunity goes through, then the end.
OPPORTUNITY_COLUMNS = ("Opportunity Name", "Qualdesk Lead ID", "Stage", "Amount", "Close Date")
OPEN_STAGES = ("Qualification", "Needs Analysis", "Proposal/Price Quote", "Negotiation/Review")
WON, LOST = "Closed Won", "Closed Lost"
# Sales' reasons for a rejection, and the criterion each says the lead lacked (None: a
# fact the checklist does not hold).
SALES_REASONS = {
    "no budget this year": "budget",
    "not the decision maker": "decision_makers",
    "already a customer": None,
    "timing: revisit in Q2": "urgency",
}
# "A couple": later rejections are left waiting for review.
RULINGS = 2


@dataclass
class SalesLoop:
    """The team lead's side of the loop with sales, and what it has done so far."""

    folder: Path
    team_lead: Rep
    rng: random.Random
    handed_off: int = 0
    accepted: int = 0
    rejected: int = 0
    won: int = 0
    nurtured_back: int = 0
    # Sales' next Opportunity report, once one is in line (one at a time).
    opportunities_due: datetime | None = None
    rulings: int = 0
    # The rulings made so far, valid or not: the next one shows the other kind if it can.
    ruled: set[bool] = field(default_factory=set)
    # The day of sales' last file: the next one holds the verdicts reached after it.
    last_verdicts: date | None = None
    files: list[str] = field(default_factory=list)

    def keep(self, weeks: PastWeeks, path: Path) -> None:
        """Note a file written in the sales folder, so a rebuild removes it."""
        self.files.append(path.name)
        remember_sales_file(weeks.desk, path.name)


def plan_exports(weeks: PastWeeks, loop: SalesLoop, first: date, last: date) -> None:
    """Put an export in line on every export day the desk worked from `first` to `last`.

    Args:
        weeks: the demo's past weeks.
        loop: the team lead's side of the loop with sales.
        first: the first day (New York) an export may be made.
        last: the last day.
    """
    hours = weeks.rules.calling_hours
    day = first
    while day <= last:
        if day.weekday() in EXPORT_DAYS and working_day(hours, *NEW_YORK, day):
            late = timedelta(minutes=loop.rng.randint(0, 45))
            weeks.at(_in_new_york(day, EXPORT_TIME) + late, Export(loop))
            if day.weekday() == EXPORT_DAYS[-1]:
                weeks.at(_in_new_york(day, NURTURE_TIME) + late, NurtureExport(loop))
        day += timedelta(days=1)


@dataclass(frozen=True)
class Export:
    """The team lead hands every qualified lead to sales as one file."""

    loop: SalesLoop

    def play(self, weeks: PastWeeks, moment: datetime) -> None:
        loop, desk = self.loop, weeks.desk
        with desk.db.reading() as session:
            latest = leads.last_update_in_stage(session, Stage.SALES.value)
        if latest is not None and latest > moment:
            # A call under way now qualifies a lead when it ends: export once it has.
            later = latest.replace(second=0, microsecond=0).astimezone(UTC)
            weeks.at(later + timedelta(minutes=loop.rng.randint(5, 15)), self)
            return
        loop.folder.mkdir(parents=True, exist_ok=True)
        result = export_leads(desk, out=loop.folder, profile="salesforce",
                              by=as_rep(loop.team_lead))  # fmt: skip
        if result.file is None:
            return
        loop.keep(weeks, result.file)
        loop.handed_off += result.exported
        hours = weeks.rules.calling_hours
        day = working_days_after(hours, _new_york_day(moment), loop.rng.choice((1, 2)))
        late = timedelta(minutes=loop.rng.randint(0, 90))
        weeks.at(_in_new_york(day, VERDICTS_TIME) + late, Verdicts(loop))


@dataclass(frozen=True)
class Verdicts:
    """Sales' file of the verdicts they reached since their last one, read in by the team lead."""

    loop: SalesLoop

    def play(self, weeks: PastWeeks, moment: datetime) -> None:
        loop, desk, rng = self.loop, weeks.desk, self.loop.rng
        hours = weeks.rules.calling_hours
        today = _new_york_day(moment)
        with desk.db.reading() as session:
            open_with_sales = leads.last_handoffs_in_stage(session, Stage.HANDED_OFF.value)
            established = _established(session, [lead_id for lead_id, _ in open_with_sales])
        rows = []
        for lead_id, handed_off_at in open_with_sales:
            # Sales decide on a working day after the lead reached them and after their
            # last file, up to today.
            after = max(_new_york_day(handed_off_at), loop.last_verdicts or date.min)
            days = [
                after + timedelta(days=n)
                for n in range(1, (today - after).days + 1)
                if working_day(hours, *NEW_YORK, after + timedelta(days=n))
            ]
            status = rng.choices(STATUSES, STATUS_WEIGHTS)[0] if days else WORKING
            reason = (
                _reason(rng, established.get(lead_id, set())) if status == NOT_CONVERTED else ""
            )
            converted = rng.choice(days).isoformat() if status == CONVERTED else ""
            rows.append((_salesforce_id(lead_id), str(lead_id), status, reason, converted))
        if not any(row[2] != WORKING for row in rows):
            return
        loop.last_verdicts = today
        local = moment.astimezone(zone(NEW_YORK[0]))
        path = loop.folder / f"sales-verdicts-{local:%Y%m%d-%H%M}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([VERDICT_COLUMNS, *rows])
        loop.keep(weeks, path)
        summary = read_feedback(desk, path, by=as_rep(loop.team_lead), zone_name=NEW_YORK[0])
        if summary.rejects_file:
            loop.keep(weeks, Path(summary.rejects_file))
        loop.accepted += summary.accepted
        loop.rejected += summary.rejected
        if summary.accepted and loop.opportunities_due is None:
            day = working_days_after(hours, today, rng.choice((2, 3)))
            loop.opportunities_due = _in_new_york(day, OPPORTUNITIES_TIME)
            weeks.at(loop.opportunities_due, Opportunities(loop))
        if summary.rejected and loop.rulings < RULINGS:
            day = working_days_after(hours, today, 1)
            late = timedelta(minutes=rng.randint(0, 60))
            weeks.at(_in_new_york(day, REVIEW_TIME) + late, Ruling(loop))


@dataclass(frozen=True)
class Opportunities:
    """Sales' Opportunity report: what the converted leads became, read in by the team lead.

    A converted lead becomes an open opportunity with an amount and a close
    date ahead; a few days on, it moves stage, or closes won or lost.
    """

    loop: SalesLoop

    def play(self, weeks: PastWeeks, moment: datetime) -> None:
        loop, desk, rng = self.loop, weeks.desk, self.loop.rng
        loop.opportunities_due = None
        today = _new_york_day(moment)
        with desk.db.reading() as session:
            accepted = leads.outcomes_in_stage(session, Stage.ACCEPTED.value)
        rows = []
        for lead_id, company, outcome, cents, closing in accepted:
            name = f"{company or 'Account'} - new business"
            if outcome is None:
                if rng.random() < 0.6:
                    amount = rng.randrange(8, 90) * 1000
                    close = today + timedelta(days=rng.randint(20, 60))
                    rows.append((name, lead_id, OPEN_STAGES[0], amount, close))
            elif outcome == "opportunity":
                stage = rng.choices((WON, LOST, rng.choice(OPEN_STAGES[1:])), (35, 20, 45))[0]
                close = today if stage in (WON, LOST) else closing or today
                rows.append((name, lead_id, stage, (cents or 0) // 100, close))
        if not rows:
            return
        local = moment.astimezone(zone(NEW_YORK[0]))
        path = loop.folder / f"sales-opportunities-{local:%Y%m%d-%H%M}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(
                [OPPORTUNITY_COLUMNS,
                 *((n, i, stage, f"{amount:,.2f}", close.isoformat())
                   for n, i, stage, amount, close in rows)]
            )  # fmt: skip
        loop.keep(weeks, path)
        read_feedback(desk, path, by=as_rep(loop.team_lead), zone_name=NEW_YORK[0])
        loop.won += sum(1 for row in rows if row[2] == WON)
        if any(row[2] not in (WON, LOST) for row in rows):
            day = working_days_after(weeks.rules.calling_hours, today, rng.choice((3, 4)))
            loop.opportunities_due = _in_new_york(day, OPPORTUNITIES_TIME)
            weeks.at(loop.opportunities_due, self)


@dataclass(frozen=True)
class NurtureExport:
    """The team lead hands the week's nurtured leads back to marketing (HubSpot's layout)."""

    loop: SalesLoop

    def play(self, weeks: PastWeeks, moment: datetime) -> None:
        loop = self.loop
        loop.folder.mkdir(parents=True, exist_ok=True)
        result = export_leads(weeks.desk, out=loop.folder, profile="hubspot", to="nurture",
                              by=as_rep(loop.team_lead))  # fmt: skip
        if result.file is not None:
            loop.keep(weeks, result.file)
            loop.nurtured_back += result.exported


def _salesforce_id(lead_id: int) -> str:
    """The 18-character id Salesforce gave the lead on import (made up, one per lead)."""
    return f"00Q5g{lead_id:010d}AAA"


@dataclass(frozen=True)
class Ruling:
    """The team lead rules on the oldest rejection waiting for review."""

    loop: SalesLoop

    def play(self, weeks: PastWeeks, moment: datetime) -> None:
        loop = self.loop
        waiting = to_review(weeks.desk)
        if not waiting or loop.rulings >= RULINGS:
            return
        cards = [review_card(weeks.desk, rejection) for rejection in waiting]
        judged = [(card, *judge(card)) for card in cards]
        # The oldest rejection, unless a later one gets the kind of ruling not made yet: the
        # review then shows both kinds.
        card, valid, note = next((j for j in judged if j[1] not in loop.ruled), judged[0])
        rule(weeks.desk, card.rejection.verdict_id, loop.team_lead, valid=valid, note=note)
        loop.rulings += 1
        loop.ruled.add(valid)


def judge(card: ReviewCard) -> tuple[bool, str]:
    """Whether a rejection was valid, read off the checklist as it stood at hand-off.

    Args:
        card: the review card of the rejection.

    Returns:
        Valid or not, and the note that says why.
    """
    lacked = SALES_REASONS.get(card.rejection.reason)
    if lacked is None:
        return True, "Valid: an existing customer; the list should have left them out"
    item = next((c for c in card.checklist if c["key"] == lacked), None)
    label = str(item["label"]).lower() if item else lacked
    if item is None or not item["established"]:
        return True, f"Valid: the checklist lacked {label} at hand-off"
    return False, f"Invalid: at hand-off the checklist already had {label}: {item['note']}"


def _reason(rng: random.Random, established: set[str]) -> str:
    """Sales' reason for a rejection: mostly something the lead lacked, but now and then
    something the buyer profile held (sales did not read it), or a fact the desk could
    not know."""
    reasons = sorted(SALES_REASONS)
    weights = [
        1 if SALES_REASONS[r] is None else 2 if SALES_REASONS[r] in established else 3
        for r in reasons
    ]
    return rng.choices(reasons, weights)[0]


def _established(session: Session, lead_ids: list[int]) -> dict[int, set[str]]:
    """The criteria established on each lead, by its newest answer to each."""
    newest: dict[int, dict[str, bool]] = {}
    for lead_id, criterion, established in calls.answers_of_leads(session, lead_ids):
        newest.setdefault(lead_id, {})[criterion] = established
    return {lead: {k for k, yes in answers.items() if yes} for lead, answers in newest.items()}


def _in_new_york(day: date, at: time) -> datetime:
    """A New York time of day, in UTC as the desk's clock tells it."""
    return datetime.combine(day, at, tzinfo=zone(NEW_YORK[0])).astimezone(UTC)


def _new_york_day(moment: datetime) -> date:
    return moment.astimezone(zone(NEW_YORK[0])).date()
