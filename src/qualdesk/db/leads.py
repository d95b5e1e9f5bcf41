"""Leads one at a time in SQL: search, a lead's records, and what an edit of its details touches.

Search folds letter case the same way on both engines: PostgreSQL's lower(),
and on SQLite the same folding done by a function of ours (SQLite's own
lower() and LIKE fold only A-Z). Every list of a lead's records is oldest
first, with the row's id settling ties.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, LargeBinary, and_, cast, or_, update
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, func, select

from qualdesk.db.dialect import engine_name
from qualdesk.db.models import (
    ChecklistAnswer,
    DoNotCall,
    HandOff,
    Lead,
    LeadChange,
    NurtureHandOff,
    Review,
    RoutingDecision,
    SalesOutcome,
    SalesVerdict,
    Touch,
)

# -- search --------------------------------------------------------------------------


def fold(text: str) -> str:
    """Text in lower case letter for letter, as PostgreSQL's lower() writes it.

    Python's lower() matches it but for two letters: the dotted capital I, which
    PostgreSQL lowers to a plain i (Python: i and a dot), and the capital sigma,
    always a plain sigma there (Python: a final sigma at the end of a word).
    """
    return text.replace("\u0130", "i").replace("\u03a3", "\u03c3").lower()


def _fold_or_null(text: str | None) -> str | None:
    return None if text is None else fold(text)


_FOLD = "qualdesk_lower"


def _let_sqlite_fold(session: Session) -> None:
    """Give this SQLite connection our case folding (once per connection)."""
    pooled = session.connection().connection
    if not pooled.info.get(_FOLD):
        raw: Any = pooled.driver_connection
        raw.create_function(_FOLD, 1, _fold_or_null, deterministic=True)
        pooled.info[_FOLD] = True


def _holds(sqlite: bool, column: Any, pattern: str) -> ColumnElement[bool]:
    """The column, folded, is LIKE the pattern (folded already, escaped with a backslash)."""
    if not sqlite:
        return func.lower(column).like(pattern, escape="\\")
    # SQLite's LIKE folds A-Z by itself and is fast; only a value with other letters
    # (more bytes than characters) needs our folding.
    return or_(
        column.like(pattern, escape="\\"),
        and_(
            func.length(column) != func.length(cast(column, LargeBinary)),
            getattr(func, _FOLD)(column).like(pattern, escape="\\"),
        ),
    )


def leads_matching(
    session: Session, typed: str, digit_forms: Iterable[str], limit: int
) -> list[Lead]:
    """Leads, newest first, whose name, company or email holds the typed text (any case),
    or whose number or alternate number holds one of the digit forms.

    A full scan in id order (the primary key) that stops at `limit` matches.
    """
    sqlite = engine_name(session.get_bind()) == "sqlite"
    if sqlite:
        _let_sqlite_fold(session)
    pattern = "%" + _escaped(fold(typed)) + "%"
    conditions = [_holds(sqlite, col(column), pattern) for column in _SEARCHED]
    for form in digit_forms:
        conditions.append(col(Lead.phone_e164).like(f"%{form}%"))
        conditions.append(col(Lead.alt_phone_e164).like(f"%{form}%"))
    return list(
        session.scalars(
            select(Lead).where(or_(*conditions)).order_by(col(Lead.id).desc()).limit(limit)
        )
    )


_SEARCHED = (Lead.name, Lead.company, Lead.email)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# -- a lead's records ----------------------------------------------------------------


class LeadRecords(NamedTuple):
    """Everything stored about one lead besides the lead itself, each list oldest first."""

    touches: list[Touch]
    answers: list[ChecklistAnswer]
    decisions: list[RoutingDecision]
    changes: list[LeadChange]
    handoffs: list[HandOff]
    verdicts: list[SalesVerdict]
    outcomes: list[SalesOutcome]
    reviews: list[Review]
    nurture_handoffs: list[NurtureHandOff]


def lead_records(session: Session, lead_id: int) -> LeadRecords:
    """The lead's touches, checklist answers, routing decisions, changes and sales' side."""

    def of(model: Any) -> list[Any]:
        return list(
            session.scalars(select(model).where(model.lead_id == lead_id).order_by(model.id))
        )

    touches = session.scalars(
        select(Touch)
        .where(col(Touch.lead_id) == lead_id)
        .order_by(col(Touch.started_at), col(Touch.id))
    )
    return LeadRecords(
        touches=list(touches),
        answers=of(ChecklistAnswer),
        decisions=of(RoutingDecision),
        changes=lead_changes(session, lead_id),
        handoffs=of(HandOff),
        verdicts=of(SalesVerdict),
        outcomes=of(SalesOutcome),
        reviews=of(Review),
        nurture_handoffs=of(NurtureHandOff),
    )


def lead_changes(session: Session, lead_id: int) -> list[LeadChange]:
    """The changes made to the lead's details, oldest first."""
    return list(
        session.scalars(
            select(LeadChange)
            .where(col(LeadChange.lead_id) == lead_id)
            .order_by(col(LeadChange.id))
        )
    )


# -- numbers ----------------------------------------------------------------------------


def listed_number(session: Session, numbers: Sequence[str]) -> str | None:
    """One of these numbers that is on the do-not-call list, if any is."""
    return session.scalars(
        select(DoNotCall.phone_e164).where(col(DoNotCall.phone_e164).in_(list(numbers)))
    ).first()


def mark_shared_phone(session: Session, number: str) -> None:
    """Mark the leads on a main number as sharing it when more than one lead has it
    (a switchboard), and as not sharing it otherwise (ix_leads_phone_e164)."""
    count = session.scalar(
        select(func.count()).select_from(Lead).where(col(Lead.phone_e164) == number)
    )
    session.execute(
        update(Lead).where(col(Lead.phone_e164) == number).values(shares_phone=(count or 0) > 1)
    )


def other_leads_on_number(
    session: Session, number: str, lead_id: int, stages: Iterable[str]
) -> int:
    """How many other leads in these stages have the number, as main or alternate number."""
    found = session.scalar(
        select(func.count())
        .select_from(Lead)
        .where((col(Lead.phone_e164) == number) | (col(Lead.alt_phone_e164) == number))
        .where(col(Lead.id) != lead_id, col(Lead.stage).in_(list(stages)))
    )
    return int(found or 0)


# -- leads by batch and stage -----------------------------------------------------------


def leads_of_batch(session: Session, batch_id: int) -> list[Lead]:
    """The leads an import made, in the order it made them."""
    return list(
        session.scalars(select(Lead).where(col(Lead.batch_id) == batch_id).order_by(col(Lead.id)))
    )


def last_update_in_stage(session: Session, stage: str) -> datetime | None:
    """When a lead now in the stage was last changed, if one is."""
    return session.scalar(select(func.max(Lead.updated_at)).where(col(Lead.stage) == stage))


def last_handoffs_in_stage(session: Session, stage: str) -> list[tuple[int, datetime]]:
    """Each lead now in the stage that went to sales, with its last hand-off, by lead id."""
    rows = session.execute(
        select(HandOff.lead_id, func.max(HandOff.handed_off_at))
        .join(Lead, col(Lead.id) == HandOff.lead_id)
        .where(col(Lead.stage) == stage)
        .group_by(col(HandOff.lead_id))
        .order_by(col(HandOff.lead_id))
    )
    return [(lead_id, at) for lead_id, at in rows]


class SalesSide(NamedTuple):
    """A lead's company and what sales last reported it became."""

    lead_id: int
    company: str
    outcome: str | None
    cents: int | None
    closed_on: date | None


def outcomes_in_stage(session: Session, stage: str) -> list[SalesSide]:
    """The leads now in the stage, by id, each with its company and sales' last outcome."""
    rows = session.execute(
        select_columns(
            col(Lead.id),
            col(Lead.company),
            col(Lead.outcome),
            col(Lead.outcome_cents),
            col(Lead.outcome_on),
        )
        .where(col(Lead.stage) == stage)
        .order_by(col(Lead.id))
    )
    return [SalesSide(*row) for row in rows]
