"""Which lead each row of sales' verdict file names, and what the desk knew of it.

The desk's own id (Qualdesk Lead ID) names the lead outright. A generic id
column (Lead ID) may hold the desk's id or the CRM's own: it names a lead
only when the number is one on the desk and the row's email, if it gives
one, is that lead's; otherwise the email names the lead. A row that names
its lead by email only, an email no lead on the desk has, is a contact the
desk never had (a CRM's export holds all of them): it is skipped, not
refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from qualdesk.core.stages import Stage
from qualdesk.core.verdicts import LeadNow, Said
from qualdesk.db import feedback as sql
from qualdesk.db.engine import Session

# Stages in which a lead is sales' to judge; a verdict may also be changed.
WITH_SALES = (Stage.HANDED_OFF.value, Stage.ACCEPTED.value, Stage.REJECTED.value)


@dataclass(frozen=True)
class NotOnDesk:
    """A row naming, by email only, no lead the desk ever had."""

    email: str


@dataclass(frozen=True)
class HandedBack:
    """A row naming a lead the desk handed back to marketing (not sales' to judge)."""

    lead_id: int


@dataclass(frozen=True)
class Naming:
    """How a row names its lead: the desk's id, a generic id column's cell, an email."""

    line: int
    desk_id: int | None
    generic: Said | None
    generic_id: int | None
    email: str


def find_leads(
    session: Session, rows: list[Naming]
) -> dict[int, tuple[int, LeadNow] | NotOnDesk | HandedBack | str]:
    """Each row's lead as the desk has it, or why the row names no lead sales may judge.

    Args:
        session: a reading session.
        rows: how each row names its lead.

    Returns:
        line -> (lead id, the lead now), NotOnDesk, or the reason the row is refused.
    """
    ids = {r.desk_id for r in rows if r.desk_id is not None}
    ids |= {r.generic_id for r in rows if r.desk_id is None and r.generic_id is not None}
    emails = {r.email for r in rows if r.desk_id is None and r.email}
    leads = sql.leads_by_id(session, ids)
    by_email: dict[str, list[tuple[int, LeadNow]]] = {}
    for lead_id, (now, email) in sql.leads_by_email(session, emails).items():
        by_email.setdefault(email, []).append((lead_id, now))
    found: dict[int, tuple[int, LeadNow] | NotOnDesk | HandedBack | str] = {}
    for row in rows:
        if row.desk_id is not None:
            known = leads.get(row.desk_id)
            found[row.line] = (
                _with_sales(row.desk_id, known[0])
                if known
                else f"no lead #{row.desk_id} on the desk"
            )
            continue
        known = leads.get(row.generic_id) if row.generic_id is not None else None
        if known and (not row.email or not known[1] or known[1] == row.email):
            assert row.generic_id is not None
            found[row.line] = _with_sales(row.generic_id, known[0])
        elif row.email and row.email in by_email:
            found[row.line] = _by_email(row.email, by_email[row.email])
        elif known:
            found[row.line] = (
                f"{row.generic} is lead #{row.generic_id} on the desk, whose email is not "
                f"{row.email!r}; export the Qualdesk Lead ID column with the verdicts"
            )
        elif row.email:
            found[row.line] = NotOnDesk(row.email)
        elif row.generic_id is not None:
            found[row.line] = f"no lead #{row.generic_id} on the desk"
        else:
            found[row.line] = (
                f"{row.generic} is not a qualdesk lead id; export the Qualdesk Lead ID column "
                "(or Email) with the verdicts"
            )
    return found


def _by_email(
    email: str, matches: list[tuple[int, LeadNow]]
) -> tuple[int, LeadNow] | HandedBack | str:
    handed = [m for m in matches if m[1].stage in WITH_SALES]
    if len(handed) == 1:
        return handed[0]
    if len(handed) > 1:
        return f"email {email!r} matches {len(handed)} leads with sales; give the Lead ID"
    return _with_sales(*matches[0])


def _with_sales(lead_id: int, lead: LeadNow) -> tuple[int, LeadNow] | HandedBack | str:
    if lead.stage in WITH_SALES:
        return lead_id, lead
    if lead.handed_back and lead.stage in (Stage.NURTURE.value, Stage.DISQUALIFIED.value):
        return HandedBack(lead_id)
    if lead.stage == Stage.SALES.value:
        return f"lead #{lead_id} is qualified but not yet handed off (export it first)"
    where = {
        Stage.NEW.value: "new",
        Stage.WORKING.value: "being worked",
        Stage.NURTURE.value: "in nurture",
        Stage.DISQUALIFIED.value: "out (disqualified)",
    }
    return (
        f"lead #{lead_id} is not with sales (it is {where.get(lead.stage, lead.stage)} on the desk)"
    )


@dataclass
class Past:
    """A lead's last hand-off and the verdicts sales gave before."""

    handed_off_at: datetime | None = None
    verdicts: list[tuple[str, str, datetime]] = field(default_factory=list)


def history(session: Session, lead_ids: list[int]) -> dict[int, Past]:
    """Each lead's last hand-off and sales' verdicts on it so far."""
    past = {
        lead_id: Past(handed_off_at=at)
        for lead_id, (_, at) in sql.last_hand_offs(session, lead_ids).items()
    }
    for given in sql.verdicts_given(session, lead_ids):
        past.setdefault(given.lead_id, Past()).verdicts.append(
            (given.verdict, given.reason, given.received_at)
        )
    return past


def stale(
    lead_id: int, verdict: str, reason: str, decided_at: datetime | None, past: Past | None
) -> str | None:
    """Why a row speaks of an earlier hand-off of its lead, if it does.

    A lead can come back to sales (a review found the rejection invalid) while
    sales' next file still carries the old verdict; applying it again would
    undo the review.
    """
    if past is None or past.handed_off_at is None:
        return None
    handed = past.handed_off_at
    if decided_at is not None:
        handed = handed.astimezone(decided_at.tzinfo)  # days as the reader counts them
    if decided_at is not None and decided_at.date() < handed.date():
        return (
            f"decided {decided_at:%Y-%m-%d}, before lead #{lead_id} was handed off "
            f"on {handed:%Y-%m-%d}"
        )
    if decided_at is None and any(
        said == verdict and given == reason and received < handed
        for said, given, received in past.verdicts
    ):
        return (
            f"repeats sales' verdict on an earlier hand-off of lead #{lead_id} "
            f"(handed off again on {handed:%Y-%m-%d}); give the row a date to judge it anew"
        )
    return None
