"""Sales' side of the agreement: handed-off leads waiting for a verdict, and the overdue.

Sales have the rules' `[sales] verdict_days` working days to say what became
of a lead handed to them. A lead is waiting while it is handed off with no
verdict (a row still open in sales' system leaves it so); its age is the
working days begun since its latest hand-off, counted in the team lead's
zone. Past the days allowed it is overdue: the team view and `qualdesk
stats` show them by age, per batch and per campaign, and `qualdesk export
--overdue` writes them as a file sales can act on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from qualdesk.core.errors import QualdeskError
from qualdesk.core.handoff import FORMATS, Cell, render, stamp
from qualdesk.core.rules import DAY_NAMES, SalesTerms
from qualdesk.core.workdays import age_band, age_bands, due_day, working_days_after
from qualdesk.db.engine import Session
from qualdesk.db.figures import waiting_by_batch_and_campaign, waiting_for_verdict
from qualdesk.services.access import Actor, require_lead
from qualdesk.services.desk import Desk
from qualdesk.services.handoff.export import target_file, write_file


@dataclass(frozen=True)
class WaitingLead:
    """A handed-off lead sales have not given a verdict on."""

    lead_id: int
    name: str
    company: str
    email: str
    phone: str
    source: str
    campaign: str
    batch_id: int
    handed_off_at: datetime
    age: int
    due_on: date
    qualified_by: str

    def row(self) -> list[Cell]:
        return [
            self.lead_id, self.name, self.company, self.email, self.phone, self.source,
            self.campaign, self.batch_id, stamp(self.handed_off_at), self.due_on.isoformat(),
            self.age, self.qualified_by,
        ]  # fmt: skip


OVERDUE_COLUMNS = (
    "Qualdesk Lead ID", "Name", "Company", "Email", "Phone", "Source", "Campaign", "Batch",
    "Handed Off", "Verdict Due", "Working Days Waiting", "Qualified By",
)  # fmt: skip


@dataclass
class WaitingGroup:
    """Leads of one export batch or one campaign waiting for a verdict."""

    name: str
    waiting: int = 0
    overdue: int = 0
    oldest: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "waiting": self.waiting, "overdue": self.overdue,
                "oldest_working_days": self.oldest}  # fmt: skip


@dataclass
class AwaitingVerdict:
    """Every lead waiting for sales' verdict now, by age, batch and campaign."""

    verdict_days: int
    working_days: str
    waiting: int = 0
    overdue: int = 0
    by_age: dict[str, int] = field(default_factory=dict)
    by_batch: list[WaitingGroup] = field(default_factory=list)
    by_campaign: list[WaitingGroup] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "verdict_days": self.verdict_days, "working_days": self.working_days,
            "waiting": self.waiting, "overdue": self.overdue, "by_age": dict(self.by_age),
            "by_batch": [g.as_json() for g in self.by_batch],
            "by_campaign": [g.as_json() for g in self.by_campaign],
        }  # fmt: skip


def day_names(days: frozenset[int]) -> str:
    """Weekdays as the rules file writes them: mon-fri, or mon,wed,fri."""
    ordered = sorted(days)
    if ordered and ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 2:
        return f"{DAY_NAMES[ordered[0]]}-{DAY_NAMES[ordered[-1]]}"
    return ",".join(DAY_NAMES[d] for d in ordered)


def waiting_leads(
    session: Session, terms: SalesTerms, now: datetime, zone_name: str
) -> list[WaitingLead]:
    """Every handed-off lead without a verdict, oldest hand-off first."""
    zone = ZoneInfo(zone_name)
    today = now.astimezone(zone).date()
    leads = []
    for row in waiting_for_verdict(session):
        day = row.handed_off_at.astimezone(zone).date()
        leads.append(
            WaitingLead(
                row.lead_id, row.name, row.company, row.email or "", row.phone, row.source,
                row.campaign, row.batch_id, row.handed_off_at,
                working_days_after(day, today, terms.working_days),
                due_day(day, terms.verdict_days, terms.working_days), row.qualified_by or "",
            )
        )  # fmt: skip
    return leads


def awaiting_verdict(
    session: Session, terms: SalesTerms, now: datetime, zone_name: str
) -> AwaitingVerdict:
    """The leads waiting for a verdict now, counted by age band, batch and campaign."""
    figures = AwaitingVerdict(terms.verdict_days, day_names(terms.working_days))
    zone = ZoneInfo(zone_name)
    today = now.astimezone(zone).date()
    # Counted by (batch, campaign): the age is worked out once a group, not once a lead.
    groups = waiting_by_batch_and_campaign(session)
    bands: Counter[str] = Counter()
    batches: dict[int, WaitingGroup] = {}
    campaigns: dict[str, WaitingGroup] = {}
    for batch, at, campaign, count in groups:
        age = working_days_after(at.astimezone(zone).date(), today, terms.working_days)
        bands[age_band(age, terms.verdict_days)] += count
        named = campaign or "(none)"
        label = f"export batch {batch} ({at.astimezone(zone):%Y-%m-%d})"
        for group in (
            batches.setdefault(batch, WaitingGroup(label)),
            campaigns.setdefault(named, WaitingGroup(named)),
        ):
            group.waiting += count
            group.overdue += count if age > terms.verdict_days else 0
            group.oldest = max(group.oldest, age)
    figures.by_age = {band: bands.get(band, 0) for band in age_bands(terms.verdict_days)}
    figures.waiting = sum(bands.values())
    figures.overdue = bands.get("overdue", 0)
    figures.by_batch = [batches[b] for b in sorted(batches)]
    figures.by_campaign = sorted(campaigns.values(), key=lambda g: (-g.overdue, -g.waiting, g.name))
    return figures


@dataclass(frozen=True)
class OverdueList:
    """The overdue leads listed for sales, and where the list went."""

    verdict_days: int
    leads: Sequence[WaitingLead]
    file: Path | None

    def as_json(self) -> dict[str, Any]:
        return {
            "verdict_days": self.verdict_days, "overdue": len(self.leads),
            "file": str(self.file) if self.file else None,
            "leads": [dict(zip(_JSON_KEYS, lead.row(), strict=True)) for lead in self.leads],
        }  # fmt: skip


_JSON_KEYS = ("lead_id", "name", "company", "email", "phone", "source", "campaign", "batch_id",
              "handed_off_at", "verdict_due", "working_days_waiting", "qualified_by")  # fmt: skip


def export_overdue(
    desk: Desk, zone_name: str, *, by: Actor, out: Path | None = None, fmt: str = "csv"
) -> OverdueList:
    """Write the leads past sales' time for a verdict as a file sales can act on.

    Nothing is recorded: the list is for sales to chase, and the leads stay
    handed off. With none overdue, no file is written.

    Raises:
        NotAllowed: a rep asking: the file names leads and what sales made of them.
        QualdeskError: an unknown format, or a file that is there or cannot be written.
    """
    require_lead(by, "export leads")
    if fmt not in FORMATS:
        raise QualdeskError(f"--format {fmt!r}: use {' or '.join(FORMATS)}")
    now = desk.clock()
    with desk.db.reading() as session:
        terms = desk.rules(session).rules.sales
        leads = [
            lead
            for lead in waiting_leads(session, terms, now, zone_name)
            if lead.age > terms.verdict_days
        ]
    if not leads:
        return OverdueList(terms.verdict_days, [], None)
    target = target_file(out, f"qualdesk-overdue-{now:%Y%m%d-%H%M%S}.{fmt}")
    write_file(target, render(fmt, OVERDUE_COLUMNS, (lead.row() for lead in leads)))
    return OverdueList(terms.verdict_days, leads, target)
