"""Sales' side of the hand-off in SQL: the leads a verdict file names, what the desk knew
of them, and the rejections a team lead reviews.

Lists of ids and emails are read in slices short enough for one IN (...) list.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, exists
from sqlalchemy import select as select_columns
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from qualdesk.core.stages import Stage
from qualdesk.core.verdicts import LeadNow
from qualdesk.db.models import (
    ChecklistAnswer,
    FeedbackBatch,
    HandOff,
    Lead,
    NurtureHandOff,
    Rep,
    Review,
    SalesVerdict,
    Touch,
)


def chunks(values: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    """The values in slices short enough for one IN (...) list."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


# -- The leads a verdict file names ----------------------------------------------------------


def leads_by_id(session: Session, lead_ids: Iterable[int]) -> dict[int, tuple[LeadNow, str]]:
    """The leads with these ids: each as the desk has it, and its email (lower case)."""
    return _leads_now(session, (col(Lead.id).in_(c) for c in chunks(sorted(set(lead_ids)))))


def leads_by_email(session: Session, emails: Iterable[str]) -> dict[int, tuple[LeadNow, str]]:
    """The leads whose email is one of these (given in lower case), read as leads_by_id."""
    chosen = sorted(set(emails))
    return _leads_now(session, (func.lower(Lead.email).in_(c) for c in chunks(chosen)))


def _leads_now(
    session: Session, conditions: Iterable[ColumnElement[bool]]
) -> dict[int, tuple[LeadNow, str]]:
    leads: dict[int, tuple[LeadNow, str]] = {}
    back = exists().where(col(NurtureHandOff.lead_id) == Lead.id)
    for condition in conditions:
        for lead_id, stage, email, outcome, cents, closed_on, handed_back in session.execute(
            select_columns(col(Lead.id), col(Lead.stage), col(Lead.email), col(Lead.outcome),
                           col(Lead.outcome_cents), col(Lead.outcome_on), back).where(condition)
        ):  # fmt: skip
            now = LeadNow(stage, outcome, cents, closed_on, bool(handed_back))
            leads[lead_id] = (now, (email or "").lower())
    return leads


def last_hand_offs(session: Session, lead_ids: Iterable[int]) -> dict[int, tuple[int, datetime]]:
    """Each lead's newest hand-off to sales: its id and moment."""
    found: dict[int, tuple[int, datetime]] = {}
    for chunk in chunks(sorted(set(lead_ids))):
        for lead_id, handoff_id, at in session.execute(
            select(HandOff.lead_id, func.max(HandOff.id), func.max(HandOff.handed_off_at))
            .where(col(HandOff.lead_id).in_(chunk))
            .group_by(col(HandOff.lead_id))
        ):
            found[lead_id] = (handoff_id, at)
    return found


class VerdictGiven(NamedTuple):
    """A verdict sales gave on a lead, and when the desk received it."""

    lead_id: int
    verdict: str
    reason: str
    received_at: datetime


def verdicts_given(session: Session, lead_ids: Iterable[int]) -> list[VerdictGiven]:
    """Every verdict sales gave on these leads, in no particular order."""
    given: list[VerdictGiven] = []
    for chunk in chunks(sorted(set(lead_ids))):
        given.extend(
            VerdictGiven(*row)
            for row in session.execute(
                select(SalesVerdict.lead_id, SalesVerdict.verdict, SalesVerdict.reason,
                       SalesVerdict.received_at).where(col(SalesVerdict.lead_id).in_(chunk))
            )
        )  # fmt: skip
    return given


def file_read_before(session: Session, sha256: str) -> tuple[int, datetime] | None:
    """The newest feedback batch that read a file with these contents: its id and moment."""
    row = session.execute(
        select(FeedbackBatch.id, FeedbackBatch.received_at)
        .where(col(FeedbackBatch.sha256) == sha256)
        .order_by(col(FeedbackBatch.id).desc())
    ).first()
    return None if row is None else (row[0], row[1])


# -- Reviewing rejections --------------------------------------------------------------------


class RejectionRow(NamedTuple):
    """A rejection as the review list shows it; valid is the ruling (None: not ruled)."""

    verdict_id: int
    lead_id: int
    name: str
    company: str
    campaign: str
    rejected_at: datetime
    reason: str
    valid: bool | None


def newest_verdict(lead_id: Any) -> Any:
    """The id of the newest verdict sales gave on the lead `lead_id` names, as SQL.

    Read per verdict from ix_sales_verdicts_lead_id: grouping every verdict
    instead runs for minutes on SQLite once there are tens of thousands.
    """
    other = aliased(SalesVerdict)
    return select(func.max(other.id)).where(col(other.lead_id) == lead_id).scalar_subquery()


def _rejections(session: Session, where: ColumnElement[bool]) -> list[RejectionRow]:
    rows = session.execute(
        select(  # type: ignore[call-overload]
            SalesVerdict.id, Lead.id, Lead.name, Lead.company, Lead.campaign,
            SalesVerdict.decided_at, SalesVerdict.reason, Review.valid,
        )
        .join(Lead, col(Lead.id) == SalesVerdict.lead_id)
        .outerjoin(Review, col(Review.verdict_id) == SalesVerdict.id)
        .where(col(SalesVerdict.verdict) == "rejected", where)
        .order_by(col(SalesVerdict.decided_at), col(SalesVerdict.id))
    ).all()  # fmt: skip
    return [
        RejectionRow(vid, lid, name, company, campaign, at, reason,
                     None if valid is None else bool(valid))
        for vid, lid, name, company, campaign, at, reason, valid in rows
    ]  # fmt: skip


def _newest() -> Any:
    """Only each lead's newest verdict: an earlier one was overtaken by sales themselves."""
    return col(SalesVerdict.id) == newest_verdict(SalesVerdict.lead_id)


def rejections_to_review(session: Session) -> list[RejectionRow]:
    """Every rejection still waiting for a ruling (its lead still rejected), oldest first."""
    return _rejections(
        session,
        _newest() & (col(Lead.stage) == Stage.REJECTED.value) & col(Review.id).is_(None),
    )


def rejections_between(session: Session, start: datetime, end: datetime) -> list[RejectionRow]:
    """The rejections sales decided from start until end: each lead's newest, and any ruled."""
    return _rejections(
        session,
        (_newest() | col(Review.id).is_not(None))
        & (col(SalesVerdict.decided_at) >= start)
        & (col(SalesVerdict.decided_at) < end),
    )


def newest_verdict_id(session: Session, lead_id: int) -> int | None:
    """The id of the newest verdict sales gave on the lead."""
    newest = select(func.max(SalesVerdict.id)).where(col(SalesVerdict.lead_id) == lead_id)
    return session.scalar(newest)


def last_hand_off(session: Session, lead_id: int) -> HandOff | None:
    """The lead's newest hand-off to sales."""
    return session.exec(
        select(HandOff).where(col(HandOff.lead_id) == lead_id).order_by(col(HandOff.id).desc())
    ).first()


def touches_with_reps(session: Session, lead_id: int) -> list[tuple[Touch, str]]:
    """The lead's touches, newest first, each with its rep's handle."""
    rows = session.exec(
        select(Touch, Rep.handle)
        .join(Rep, col(Rep.id) == Touch.rep_id)
        .where(col(Touch.lead_id) == lead_id)
        .order_by(col(Touch.started_at).desc(), col(Touch.id).desc())
    ).all()
    return [(touch, handle) for touch, handle in rows]


def ruling_on(session: Session, verdict_id: int) -> tuple[Review, str] | None:
    """The team lead's ruling on a rejection, with the reviewer's handle, if there is one."""
    row = session.exec(
        select(Review, Rep.handle)
        .join(Rep, col(Rep.id) == Review.reviewer_id)
        .where(col(Review.verdict_id) == verdict_id)
    ).first()
    return None if row is None else (row[0], row[1])


def answers_until(session: Session, lead_id: int, moment: datetime) -> list[ChecklistAnswer]:
    """The lead's checklist answers given up to a moment, oldest first."""
    return list(
        session.scalars(
            select(ChecklistAnswer)
            .where(
                col(ChecklistAnswer.lead_id) == lead_id,
                col(ChecklistAnswer.answered_at) <= moment,
            )
            .order_by(col(ChecklistAnswer.id))
        )
    )
