"""The hand-off's SQL: the leads waiting for sales or for marketing's nurture, the parts
of their buyer profiles, and recording the leads an export batch took.

An export reads every lead it takes with a handful of plain statements (the
leads, then their answers, touches, call notes and changes, each over all of
them at once): at 100,000 leads, a statement per lead or any work per row
beyond reading it costs more than the SQL. Each statement is written once for
both engines; moments come back as each engine stores them (text on SQLite,
timestamptz on PostgreSQL), which core.handoff.stamp reads alike.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Boolean, CursorResult, Integer, TextClause, bindparam, text
from sqlmodel import Session, col, func, select

from qualdesk.core.handoff import BuyerProfile
from qualdesk.core.nurture import NURTURE, OUT
from qualdesk.core.stages import Stage
from qualdesk.db.engine import driver_errors
from qualdesk.db.models import Lead
from qualdesk.db.types import UTCDateTime

_SALES = Stage.SALES.value


# -- Statements run on the driver's own cursor ---------------------------------------------
# An export reads and writes every lead it takes: at 100,000 leads, wrapping each row
# (or each row's parameters) costs more than the SQL. These statements are compiled for
# the session's engine and run on the driver's cursor of the session's own transaction.


class Rows:
    """The rows of a statement without parameters, as the driver gives them, read when
    first iterated."""

    def __init__(self, session: Session, statement: TextClause) -> None:
        self.session = session
        self.statement = statement

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        rows: Iterator[tuple[Any, ...]] = iter(self._run())  # both drivers' cursors iterate
        return rows

    def all(self) -> list[tuple[Any, ...]]:
        """Every row at once."""
        return list(self._run().fetchall())

    def _run(self) -> Any:
        compiled, cursor = _on_driver(self.session, self.statement)
        assert not compiled.binds, "the statement must take no parameters"
        # psycopg's compiled text doubles a literal %, which a statement run without
        # parameters would keep doubled.
        assert "%" not in str(self.statement), "write a literal % as a parameter"
        with driver_errors(self.session):
            cursor.execute(str(compiled))
        return cursor


def _execute_many(session: Session, statement: TextClause, rows: list[tuple[Any, ...]]) -> None:
    """Run a statement once per row; each row gives its parameters in the order they appear."""
    compiled, cursor = _on_driver(session, statement)
    names = list(compiled.binds)
    with driver_errors(session):
        if compiled.positional:  # SQLite's ?: the values in the order they appear
            assert compiled.positiontup == names, "each parameter must appear once"
            cursor.executemany(str(compiled), rows)
        else:  # psycopg's %(name)s
            named = [dict(zip(names, row, strict=True)) for row in rows]
            cursor.executemany(str(compiled), named)


def _on_driver(session: Session, statement: TextClause) -> tuple[Any, Any]:
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect)
    return compiled, connection.connection.cursor()


class ProfileParts(NamedTuple):
    """The rows a buyer profile reads per lead, each read when first iterated, in this order.

    answers: (lead id, criterion, established, note), oldest first.
    touched: (lead id, touches, calls, first touch, last touch).
    notes: (lead id, call notes) of the touches with notes, oldest first.
    changes: (lead id, changed at, by, field, old, new, reason), oldest first.
    """

    answers: Rows
    touched: Rows
    notes: Rows
    changes: Rows


def _parts(session: Session, statements: Sequence[TextClause]) -> ProfileParts:
    answers, touched, notes, changes = (Rows(session, sql) for sql in statements)
    return ProfileParts(answers, touched, notes, changes)


# -- To sales ------------------------------------------------------------------------------

# The leads waiting for the export, oldest qualified first, with who qualified each.
_SALES_LEADS = text(
    "SELECT l.id, l.name, l.first_name, l.last_name, l.company, l.title, l.email, "
    "l.phone_e164, l.phone_ext, l.source, l.campaign, l.industry, l.company_size, l.score, "
    "l.grade, l.stage_reason, l.qualified_at, l.extra, l.alt_phone_e164, l.alt_phone_ext, "
    " (SELECT p.handle FROM routing_decisions r JOIN reps p ON p.id = r.rep_id "
    f"  WHERE r.lead_id = l.id AND r.route = '{_SALES}' ORDER BY r.id DESC LIMIT 1) "
    f"FROM leads l WHERE l.stage = '{_SALES}' ORDER BY l.qualified_at NULLS FIRST, l.id"
)
_SALES_PARTS = (
    text(
        "SELECT a.lead_id, a.criterion, a.established, a.note FROM checklist_answers a "
        f"JOIN leads l ON l.id = a.lead_id WHERE l.stage = '{_SALES}' ORDER BY a.id"
    ),
    text(
        "SELECT t.lead_id, count(*), sum(CASE WHEN t.channel = 'phone' THEN 1 ELSE 0 END), "
        "min(t.started_at), max(t.started_at) FROM touches t "
        f"JOIN leads l ON l.id = t.lead_id WHERE l.stage = '{_SALES}' GROUP BY t.lead_id"
    ),
    text(
        "SELECT t.lead_id, t.notes FROM touches t JOIN leads l ON l.id = t.lead_id "
        f"WHERE l.stage = '{_SALES}' AND t.notes != '' ORDER BY t.started_at, t.id"
    ),
    text(
        "SELECT c.lead_id, c.changed_at, c.changed_by, c.field, c.old, c.new, c.reason "
        "FROM lead_changes c JOIN leads l ON l.id = c.lead_id "
        f"WHERE l.stage = '{_SALES}' ORDER BY c.id"
    ),
)


def leads_waiting_for_sales(session: Session) -> int:
    """How many qualified leads wait for the next export to sales."""
    count = select(func.count()).select_from(Lead).where(col(Lead.stage) == _SALES)
    return session.scalar(count) or 0


def leads_for_sales(session: Session) -> Sequence[tuple[Any, ...]]:
    """The qualified leads waiting for the export, oldest qualified first.

    Each row: id, name, first name, last name, company, title, email, phone,
    extension, source, campaign, industry, company size, score, grade, stage
    reason, qualified at, extra, alternative phone and its extension, and the
    handle of the rep who routed it to sales last.
    """
    return Rows(session, _SALES_LEADS).all()


def sales_profile_parts(session: Session) -> ProfileParts:
    """The answers, touches, notes and changes of every lead waiting for sales."""
    return _parts(session, _SALES_PARTS)


_HAND_OFF = text(
    "INSERT INTO handoffs (batch_id, lead_id, handed_off_at, rules_version_id, score, grade) "
    "VALUES (:batch, :lead, :at, :version, :score, :grade)"
)
_MARK = text(
    "UPDATE leads SET stage = :handed_off, handoff_batch_id = :batch, updated_at = :now, "
    "sales_verdict = NULL, sales_reason = '', verdict_at = NULL "
    "WHERE stage = :sales AND id IN (SELECT lead_id FROM handoffs WHERE batch_id = :batch)"
).bindparams(bindparam("now", type_=UTCDateTime))


def hand_off(
    session: Session, batch_id: int, leads: Sequence[BuyerProfile], version: int, now: datetime
) -> int:
    """Record the leads as handed off in the batch and mark those still qualified so.

    Returns:
        How many leads were marked handed off: fewer than given when some left
        the sales stage since they were read.
    """
    at = _stored(session, now)  # worked out once for every row
    rows = [(batch_id, lead.lead_id, at, version, lead.score, lead.grade) for lead in leads]
    _execute_many(session, _HAND_OFF, rows)
    params = {"handed_off": Stage.HANDED_OFF.value, "sales": _SALES, "batch": batch_id,
              "now": now}  # fmt: skip
    result: CursorResult[Any] = session.execute(_MARK, params)  # type: ignore[assignment]
    return int(result.rowcount)


def _stored(session: Session, moment: datetime) -> Any:
    """A moment as a UTCDateTime column stores it on the session's engine."""
    dialect = session.get_bind().dialect
    process = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    return process(moment) if process is not None else moment


# -- Back to marketing's nurture ------------------------------------------------------------

# The lead's newest routing decision: what sent it to the stage it is in (a team lead's
# valid ruling on a rejection, or do-not-call, moves it without a decision of its own).
_NEWEST = "(SELECT max(r.id) FROM routing_decisions r WHERE r.lead_id = l.id)"
_ON_DNC = (
    "EXISTS (SELECT 1 FROM do_not_call n WHERE n.phone_e164 IN (l.phone_e164, l.alt_phone_e164))"
)
# Sent already: in the stage it is in, under the decision it is under, and after its
# number went on do-not-call (an out lead sent before that goes again, marked).
_NOT_SENT = (
    "NOT EXISTS (SELECT 1 FROM nurture_handoffs h WHERE h.lead_id = l.id AND h.stage = l.stage "
    f"AND coalesce(h.decision_id, 0) = coalesce({_NEWEST}, 0) AND h.handed_off_at >= "
    "coalesce((SELECT max(n.added_at) FROM do_not_call n "
    "WHERE n.phone_e164 IN (l.phone_e164, l.alt_phone_e164)), h.handed_off_at))"
)


def _due(include_out: bool) -> str:
    """The ids of the leads due: in nurture (never one on do-not-call), or out too."""
    if include_out:
        return f"SELECT l.id FROM leads l WHERE l.stage IN ('{NURTURE}', '{OUT}') AND {_NOT_SENT}"
    return f"SELECT l.id FROM leads l WHERE l.stage = '{NURTURE}' AND NOT {_ON_DNC} AND {_NOT_SENT}"


_NURTURE_WAITING = text(
    f"SELECT count(*), coalesce(sum(CASE WHEN l.stage = '{NURTURE}' AND NOT {_ON_DNC} "
    f"THEN 1 ELSE 0 END), 0) FROM leads l WHERE l.id IN ({_due(True)})"
)


def _nurture_leads(include_out: bool) -> TextClause:
    # s: the newest decision that sent the lead to sales (why, and by whom), joined
    # rather than read as one string, so both engines read it the same way.
    return text(
        "SELECT l.id, l.name, l.first_name, l.last_name, l.company, l.title, l.email, "
        "l.phone_e164, l.phone_ext, l.source, l.campaign, l.industry, l.company_size, l.score, "
        "l.grade, l.qualified_at, l.extra, l.alt_phone_e164, l.alt_phone_ext, l.stage, "
        "l.stage_reason, l.next_due_at, l.created_at, d.id, d.route, d.decided_at, p.handle, "
        "s.reason, q.handle, v.decided_at, w.handle, coalesce(n.added_by, m.added_by), "
        "coalesce(n.added_at, m.added_at) "
        "FROM leads l "
        f"LEFT JOIN routing_decisions d ON d.id = {_NEWEST} "
        "LEFT JOIN reps p ON p.id = d.rep_id "
        "LEFT JOIN routing_decisions s ON s.id = (SELECT max(x.id) FROM routing_decisions x "
        f" WHERE x.lead_id = l.id AND x.route = '{_SALES}') "
        "LEFT JOIN reps q ON q.id = s.rep_id "
        "LEFT JOIN reviews v ON v.id = "
        " (SELECT max(x.id) FROM reviews x WHERE x.lead_id = l.id AND x.valid) "
        "LEFT JOIN reps w ON w.id = v.reviewer_id "
        "LEFT JOIN do_not_call n ON n.phone_e164 = l.phone_e164 "
        "LEFT JOIN do_not_call m ON m.phone_e164 = l.alt_phone_e164 "
        f"WHERE l.id IN ({_due(include_out)}) ORDER BY coalesce(d.id, 0), l.id"
    )


def _nurture_parts(include_out: bool) -> tuple[TextClause, ...]:
    due = _due(include_out)
    return (
        text(
            "SELECT a.lead_id, a.criterion, a.established, a.note FROM checklist_answers a "
            f"WHERE a.lead_id IN ({due}) ORDER BY a.id"
        ),
        text(
            "SELECT t.lead_id, count(*), sum(CASE WHEN t.channel = 'phone' THEN 1 ELSE 0 END), "
            "min(t.started_at), max(t.started_at) FROM touches t "
            f"WHERE t.lead_id IN ({due}) GROUP BY t.lead_id"
        ),
        text(
            "SELECT t.lead_id, t.notes FROM touches t "
            f"WHERE t.lead_id IN ({due}) AND t.notes != '' ORDER BY t.started_at, t.id"
        ),
        text(
            "SELECT c.lead_id, c.changed_at, c.changed_by, c.field, c.old, c.new, c.reason "
            f"FROM lead_changes c WHERE c.lead_id IN ({due}) ORDER BY c.id"
        ),
    )


_NURTURE_LEADS = {include: _nurture_leads(include) for include in (False, True)}
_NURTURE_PARTS = {include: _nurture_parts(include) for include in (False, True)}


def nurture_waiting(session: Session) -> tuple[int, int]:
    """How many leads wait for the next nurture hand-back: (in nurture, out).

    Out counts the disqualified leads (and any on do-not-call) that
    `include_out` would add.
    """
    every, nurtured = session.execute(_NURTURE_WAITING).one()
    return int(nurtured), int(every) - int(nurtured)


def leads_for_nurture(session: Session, include_out: bool) -> Sequence[tuple[Any, ...]]:
    """The leads due for the nurture hand-back, in the order they were routed.

    Each row: id, name, first name, last name, company, title, email, phone,
    extension, source, campaign, industry, company size, score, grade,
    qualified at, extra, alternative phone and its extension, stage, stage
    reason, next due, created at; the newest routing decision's id, route,
    moment and rep's handle; the reason and rep's handle of the newest decision
    that sent it to sales; the newest valid review's moment and reviewer's
    handle; who put its number on do-not-call, and when.
    """
    return Rows(session, _NURTURE_LEADS[include_out]).all()


def nurture_profile_parts(session: Session, include_out: bool) -> ProfileParts:
    """The answers, touches, notes and changes of every lead due for the nurture hand-back."""
    return _parts(session, _NURTURE_PARTS[include_out])


class NurtureSent(NamedTuple):
    """A lead as a nurture batch took it, and how it stood when read."""

    lead_id: int
    decision_id: int | None
    stage: str
    score: int
    grade: str
    do_not_call: bool


# Recorded only if the lead still stands as it was read: the same stage under the same
# decision, the same do-not-call mark, and not handed back meanwhile by another export.
_RECORD_NURTURE = text(
    "INSERT INTO nurture_handoffs (batch_id, lead_id, decision_id, handed_off_at, stage, score, "
    "grade) SELECT :batch, l.id, :decision, :now, l.stage, :score, :grade FROM leads l "
    f"WHERE l.id = :lead AND l.stage = :stage AND coalesce({_NEWEST}, 0) = coalesce(:decision, 0) "
    f"AND {_ON_DNC} = :dnc AND {_NOT_SENT}"
).bindparams(
    bindparam("batch", type_=Integer),
    bindparam("decision", type_=Integer),
    bindparam("now", type_=UTCDateTime),
    bindparam("score", type_=Integer),
    bindparam("dnc", type_=Boolean),
)
_RECORDED = text("SELECT count(*) FROM nurture_handoffs WHERE batch_id = :batch")


def record_nurture(
    session: Session, batch_id: int, leads: Sequence[NurtureSent], now: datetime
) -> int:
    """Record the leads as handed back in the batch, each only if it stands as it was read.

    Returns:
        How many were recorded: fewer than given when some changed on the desk.
    """
    session.execute(
        _RECORD_NURTURE,
        [{"batch": batch_id, "lead": lead.lead_id, "decision": lead.decision_id, "now": now,
          "stage": lead.stage, "score": lead.score, "grade": lead.grade,
          "dnc": lead.do_not_call} for lead in leads],
    )  # fmt: skip
    return int(session.execute(_RECORDED, {"batch": batch_id}).scalar_one())
