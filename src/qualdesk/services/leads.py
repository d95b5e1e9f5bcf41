"""Reading leads for display: lists and single leads, shaped for the screens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_
from sqlmodel import col, select

from qualdesk.core.phones import international
from qualdesk.db.models import Lead
from qualdesk.services.desk import Desk


@dataclass(frozen=True)
class LeadLine:
    """One lead as a line in a list."""

    id: int
    name: str
    company: str
    phone: str
    time_zones: tuple[str, ...]
    stage: str
    grade: str
    source: str
    created_at: datetime


def search_leads(desk: Desk, text: str, limit: int = 50) -> list[LeadLine]:
    """Leads whose name, company or email contains the text, or whose number has its digits."""
    typed = text.strip()
    if not typed:
        return []
    pattern = "%" + typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    conditions: list[ColumnElement[bool]] = [
        col(Lead.name).ilike(pattern, escape="\\"),
        col(Lead.company).ilike(pattern, escape="\\"),
        col(Lead.email).ilike(pattern, escape="\\"),
    ]
    # The digits as typed ("0958", the last four), and without a national trunk
    # prefix ("020 7946 0958") or international one ("0044 …"), which the
    # stored E.164 number does not hold.
    digits = re.sub(r"\D", "", typed)
    for form in {digits, digits.lstrip("0")}:
        if len(form) >= 4:
            conditions.append(col(Lead.phone_e164).contains(form))
    with desk.db.reading() as session:
        rows = session.scalars(
            select(Lead).where(or_(*conditions)).order_by(col(Lead.id).desc()).limit(limit)
        )
        return [_line(lead) for lead in rows]


def _line(lead: Lead) -> LeadLine:
    return LeadLine(
        id=lead.id or 0,
        name=lead.name,
        company=lead.company,
        phone=international(lead.phone_e164, lead.phone_ext),
        time_zones=tuple(lead.time_zones.split()),
        stage=lead.stage,
        grade=lead.grade,
        source=lead.source,
        created_at=lead.created_at,
    )
