"""The claim's SQL: leases, moving due leads into the queue, claiming the next lead.

These statements carry the claim's speed: each is an index walk (see the
partial indexes on `leads`), never a sort of every due row. Functions never
commit; the services own the transactions.

How reps never block one another:
- SQLite: every write transaction begins IMMEDIATE, so claims run one after
  another; each is a few index seeks, so a rep waits well under a millisecond.
- PostgreSQL: writes run at READ COMMITTED, and every statement that picks
  leads for a rep (the claim, moving due leads, releasing run-out leases)
  picks them with FOR UPDATE SKIP LOCKED: a lead another rep is claiming at
  that moment is passed over, never waited for, and never makes the claim
  come back empty while other leads are ready.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import TextClause, bindparam, case, text, update
from sqlmodel import Session, col, delete, func, select

from qualdesk.core import queue
from qualdesk.core.stages import Stage
from qualdesk.db.dialect import engine_name
from qualdesk.db.models import HoursClass, Lead, NoteDraft, Touch
from qualdesk.db.types import UTCDateTime

_WHEN = UTCDateTime()
_SKIP = " FOR UPDATE SKIP LOCKED"


def _per_engine(sql: str, **binds: Any) -> dict[str, TextClause]:
    """A statement for each engine: SQLite's as written, PostgreSQL's skipping locked rows.

    `{skip}` marks where a row-picking subquery ends; `{pin}` where SQLite is told the index.
    """
    params = [bindparam(name, **kw) for name, kw in binds.items()]
    return {
        "sqlite": text(sql.format(skip="", pin="INDEXED BY ix_leads_due_callbacks ")).bindparams(
            *params
        ),
        "postgresql": text(sql.format(skip=_SKIP, pin="")).bindparams(*params),
    }


def _on(session: Session, statements: dict[str, TextClause]) -> TextClause:
    return statements["sqlite" if engine_name(session.get_bind()) == "sqlite" else "postgresql"]


_NOW = {"type_": _WHEN}

_RELEASE = _per_engine(
    "UPDATE leads SET claimed_by = NULL, claim_token = NULL, claim_expires_at = NULL "
    "WHERE id IN (SELECT id FROM leads WHERE claimed_by IS NOT NULL AND claim_expires_at <= :now"
    "{skip})",
    now=_NOW,
)

# The bucket a due lead joins; a lead in any other stage leaves the waiting list.
_JOIN = (
    "queue_bucket = CASE "
    f"WHEN stage = 'nurture' THEN {queue.NURTURE} "
    f"WHEN stage = 'new' THEN {queue.NEW} "
    f"WHEN stage = 'working' AND callback_at IS NOT NULL THEN {queue.SHARED_CALLBACK} "
    f"WHEN stage = 'working' THEN {queue.RETRY} END, "
    "next_due_at = CASE WHEN stage IN ('new', 'working', 'nurture') THEN next_due_at END"
)

# Callbacks first and all of them (there are few): a backlog of retries must never
# hold back a callback any rep may take. SQLite, without statistics, may walk every
# waiting lead instead of the small index of waiting callbacks; INDEXED BY pins it.
_PROMOTE_CALLBACKS = _per_engine(
    f"UPDATE leads SET {_JOIN} WHERE id IN (SELECT id FROM leads {{pin}}"
    "WHERE callback_at IS NOT NULL AND queue_bucket IS NULL AND next_due_at IS NOT NULL "
    "AND next_due_at <= :now ORDER BY next_due_at{skip})",
    now=_NOW,
)

# Then the rest, earliest due first, a bounded number per call, so a long quiet spell
# never turns one claim into a long write. The inner select walks ix_leads_waiting
# alone (no other condition), whatever statistics the database has.
_PROMOTE = _per_engine(
    f"UPDATE leads SET {_JOIN} WHERE id IN (SELECT id FROM leads WHERE queue_bucket IS NULL "
    "AND next_due_at IS NOT NULL AND next_due_at <= :now ORDER BY next_due_at LIMIT :limit"
    "{skip})",
    now=_NOW,
)

# The rep's own due callback, else the best head of the ready queue of each callable
# calling-hours class (one index seek per class), claimed in one statement.
_OWN = (
    f"  SELECT own.id AS id, {queue.OWN_CALLBACK} AS bucket, '' AS grade, 0 AS place FROM ("
    "   SELECT id FROM leads WHERE owner_id = :rep AND callback_at IS NOT NULL"
    "   AND callback_at <= :now AND claimed_by IS NULL AND stage = 'working'"
    "   AND hours_class_id IN :classes ORDER BY callback_at LIMIT 1{skip}) AS own"
)
_CLAIM_SQL = {
    "sqlite": "UPDATE leads SET claimed_by = :rep, claim_token = :token, "
    "claim_expires_at = :expires WHERE claimed_by IS NULL AND id = ("
    " SELECT id FROM ("
    f"{_OWN}"
    "  UNION ALL"
    "  SELECT l.id, l.queue_bucket, l.grade, l.queue_order FROM hours_classes h"
    "  JOIN leads l ON l.id = ("
    "   SELECT x.id FROM leads x WHERE x.hours_class_id = h.id"
    "   AND x.queue_bucket IS NOT NULL AND x.claimed_by IS NULL"
    "   ORDER BY x.queue_bucket, x.grade, x.queue_order, x.id LIMIT 1)"
    "  WHERE h.id IN :classes"
    " ) AS heads ORDER BY bucket, grade, place, id LIMIT 1"
    ") RETURNING id",
    # The same walk, each class's head taken with LATERAL so it can skip locked rows.
    "postgresql": "UPDATE leads SET claimed_by = :rep, claim_token = :token, "
    "claim_expires_at = :expires WHERE claimed_by IS NULL AND id = ("
    " SELECT id FROM ("
    f"{_OWN}"
    "  UNION ALL"
    "  SELECT l.id, l.queue_bucket, l.grade, l.queue_order FROM hours_classes h"
    "  CROSS JOIN LATERAL ("
    "   SELECT x.id, x.queue_bucket, x.grade, x.queue_order FROM leads x"
    "   WHERE x.hours_class_id = h.id AND x.queue_bucket IS NOT NULL AND x.claimed_by IS NULL"
    "   ORDER BY x.queue_bucket, x.grade, x.queue_order, x.id LIMIT 1{skip}) AS l"
    "  WHERE h.id IN :classes"
    " ) AS heads ORDER BY bucket, grade, place, id LIMIT 1"
    ") RETURNING id",
}
_CLAIM_BINDS = {"classes": {"expanding": True}, "now": _NOW, "expires": _NOW}
_CLAIM = {engine: _per_engine(sql, **_CLAIM_BINDS)[engine] for engine, sql in _CLAIM_SQL.items()}

# The rep's own live claim, left by a desk of theirs that went away (a crash, a closed
# terminal): the lease index (claimed leads only) finds it.
_RESUME = _per_engine(
    "UPDATE leads SET claim_token = :token, claim_expires_at = :expires "
    "WHERE id = (SELECT id FROM leads WHERE claimed_by IS NOT NULL AND claimed_by = :rep"
    " AND claim_expires_at > :now AND hours_class_id IN :classes"
    " ORDER BY claim_expires_at DESC LIMIT 1{skip}) RETURNING id",
    **_CLAIM_BINDS,
)

_RENEW = text(
    "UPDATE leads SET claim_expires_at = :expires "
    "WHERE id = :lead AND claim_token = :token AND claim_expires_at > :now"
).bindparams(bindparam("now", type_=_WHEN), bindparam("expires", type_=_WHEN))


def release_expired(session: Session, now: datetime) -> int:
    """Give back every lead whose claim lease ran out (its rep's app went away)."""
    return _count(session.execute(_on(session, _RELEASE), {"now": now}))


def promote_due(session: Session, now: datetime, limit: int = 500) -> int:
    """Put leads whose due time has come into their queue bucket: every callback, then
    at most `limit` others, earliest due first. Returns how many moved."""
    callbacks = _count(session.execute(_on(session, _PROMOTE_CALLBACKS), {"now": now}))
    moved = session.execute(_on(session, _PROMOTE), {"now": now, "limit": limit})
    return callbacks + _count(moved)


def claim_next(
    session: Session,
    rep_id: int,
    token: str,
    now: datetime,
    expires: datetime,
    classes: list[int],
    *,
    resume: bool = False,
) -> int | None:
    """Claim the next lead for a rep among the given calling-hours classes; its id, or None.

    With `resume`, take over instead the rep's own unexpired claim (left by a
    desk of theirs that went away), under the new token.
    """
    if not classes:
        return None
    row = session.execute(
        _on(session, _RESUME if resume else _CLAIM),
        {"rep": rep_id, "token": token, "now": now, "expires": expires, "classes": classes},
    ).first()
    return int(row[0]) if row else None


def renew_claim(
    session: Session, lead_id: int, token: str, now: datetime, expires: datetime
) -> bool:
    """Extend a claim that is still held with this token; False if it was lost."""
    params = {"lead": lead_id, "token": token, "now": now, "expires": expires}
    return _count(session.execute(_RENEW, params)) == 1


def claim_lead(session: Session, lead_id: int, rep_id: int, token: str, expires: datetime) -> bool:
    """Claim one particular lead if it is on the desk and no other rep holds it."""
    taken = session.execute(
        update(Lead)
        .where(col(Lead.id) == lead_id)
        .where(col(Lead.claimed_by).is_(None) | (col(Lead.claimed_by) == rep_id))
        # Checked again here: the lead may have left the desk since it was read.
        .where(col(Lead.stage).in_([stage.value for stage in queue.QUEUED_STAGES]))
        .values(claimed_by=rep_id, claim_token=token, claim_expires_at=expires)
    )
    return _count(taken) == 1


def lead_held_for_writing(session: Session, lead_id: int) -> Lead | None:
    """The lead, its row taken for this transaction (on PostgreSQL; SQLite's writes take turns).

    For a write on a lead without a claim's lease to renew (an edit from the
    command line, a draft kept), so that no other write on it comes between.
    """
    return session.get(Lead, lead_id, with_for_update=True, populate_existing=True)


def give_back(session: Session, lead_id: int, **values: object) -> None:
    """Release a lead's claim, with any other columns the release changes."""
    values |= {"claimed_by": None, "claim_token": None, "claim_expires_at": None}
    session.execute(update(Lead).where(col(Lead.id) == lead_id).values(**values))


class HeldRow(NamedTuple):
    lead_id: int
    name: str
    company: str
    until: datetime | None


def held_by(session: Session, rep_id: int, now: datetime) -> HeldRow | None:
    """The lead a rep holds under an unexpired lease, the newest if several (lease index)."""
    row = session.exec(
        select(Lead.id, Lead.name, Lead.company, Lead.claim_expires_at)
        .where(col(Lead.claimed_by).is_not(None), col(Lead.claimed_by) == rep_id)
        .where(col(Lead.claim_expires_at) > now)
        .order_by(col(Lead.claim_expires_at).desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    lead_id, name, company, until = row
    return HeldRow(int(lead_id or 0), name, company, until)


# -- what the queue holds ---------------------------------------------------------


def hours_class_rows(session: Session) -> list[tuple[int, str, str]]:
    """Every calling-hours class: (id, zones, jurisdiction)."""
    found = session.exec(select(HoursClass.id, HoursClass.zones, HoursClass.jurisdiction))
    return [(int(i or 0), z, j) for i, z, j in found]


def newest_hours_class(session: Session) -> int:
    """The newest calling-hours class's id (an import that adds one changes it)."""
    return int(session.scalar(select(func.max(HoursClass.id))) or 0)


def hours_class(session: Session, zones: str, jurisdiction: str) -> int:
    """The id of the calling-hours class of (zones, jurisdiction), made if it is new.

    In the caller's write transaction. On SQLite, BEGIN IMMEDIATE keeps two
    writers from both making it; on PostgreSQL the insert yields to a class
    another rep's import made at the same moment (its unique constraint).
    """
    found = _hours_class_id(session, zones, jurisdiction)
    if found is not None:
        return found
    if engine_name(session.get_bind()) == "sqlite":
        made = HoursClass(zones=zones, jurisdiction=jurisdiction)
        session.add(made)
        session.flush()
        assert made.id is not None
        return made.id
    session.execute(
        text(
            "INSERT INTO hours_classes (zones, jurisdiction) VALUES (:zones, :jurisdiction) "
            "ON CONFLICT (zones, jurisdiction) DO NOTHING"
        ),
        {"zones": zones, "jurisdiction": jurisdiction},
    )
    made_id = _hours_class_id(session, zones, jurisdiction)
    assert made_id is not None
    return made_id


def _hours_class_id(session: Session, zones: str, jurisdiction: str) -> int | None:
    found = session.scalar(
        select(HoursClass.id).where(
            col(HoursClass.zones) == zones, col(HoursClass.jurisdiction) == jurisdiction
        )
    )
    return None if found is None else int(found)


def ready_by_class(session: Session) -> dict[int | None, int]:
    """How many leads wait in the queue, unclaimed, per calling-hours class (ix_leads_ready)."""
    return {
        class_id: int(count)
        for class_id, count in session.execute(
            select(Lead.hours_class_id, func.count())
            .where(col(Lead.queue_bucket).is_not(None), col(Lead.claimed_by).is_(None))
            .group_by(col(Lead.hours_class_id))
        )
    }


def own_callbacks_between(
    session: Session, rep_id: int, after: datetime, before: datetime
) -> list[Lead]:
    """The rep's own callbacks booked between two moments, soonest first."""
    return list(
        session.scalars(
            select(Lead)
            .where(
                col(Lead.owner_id) == rep_id,
                col(Lead.callback_at) > after,
                col(Lead.callback_at) < before,
                col(Lead.stage) == Stage.WORKING.value,
            )
            .order_by(col(Lead.callback_at))
        )
    )


def due_between(session: Session, after: datetime, before: datetime) -> int:
    """Leads (not callbacks) that come due between two moments."""
    found = session.scalar(
        select(func.count())
        .select_from(Lead)
        .where(
            col(Lead.queue_bucket).is_(None),
            col(Lead.next_due_at) > after,
            col(Lead.next_due_at) < before,
            col(Lead.callback_at).is_(None),
        )
    )
    return int(found or 0)


def own_callbacks_due(session: Session, rep_id: int, now: datetime, limit: int) -> list[Lead]:
    """The rep's own callbacks that are due and free, soonest first."""
    return list(
        session.scalars(
            select(Lead)
            .where(
                col(Lead.owner_id) == rep_id,
                col(Lead.callback_at).is_not(None),
                col(Lead.callback_at) <= now,
                col(Lead.claimed_by).is_(None),
                col(Lead.stage) == Stage.WORKING.value,
            )
            .order_by(col(Lead.callback_at))
            .limit(limit)
        )
    )


def queue_head(session: Session, class_id: int, limit: int) -> list[Lead]:
    """The first free leads of one class's ready queue, in claim order (ix_leads_ready)."""
    return list(
        session.scalars(
            select(Lead)
            .where(
                col(Lead.hours_class_id) == class_id,
                col(Lead.queue_bucket).is_not(None),
                col(Lead.claimed_by).is_(None),
            )
            .order_by(col(Lead.queue_bucket), col(Lead.grade), col(Lead.queue_order), col(Lead.id))
            .limit(limit)
        )
    )


# -- calls to a number, and holding its leads back -------------------------------


def calls_to_number(session: Session, number: str, since: datetime) -> list[datetime]:
    """When calls to a number were made after `since`, oldest first (ix_touches_phone)."""
    found = session.scalars(
        select(Touch.started_at)
        .where(col(Touch.phone) == number, col(Touch.started_at) > since)
        .order_by(col(Touch.started_at))
    )
    return list(found)


def hold_back_leads_on(session: Session, number: str, until: datetime, now: datetime) -> int:
    """Keep every queued lead that dials a number out of the queue until a moment.

    A lead dials its alternate number once it has one, else its main one. A
    callback booked sooner waits too. Returns how many leads were held back.
    A lead another rep is claiming or calling at this moment is passed over, not
    waited for (on PostgreSQL): its own claim checks the cap again.
    """
    on_number = (col(Lead.alt_phone_e164) == number) | (
        col(Lead.alt_phone_e164).is_(None) & (col(Lead.phone_e164) == number)
    )
    held = (
        select(Lead.id)
        .where(on_number, col(Lead.stage).in_(list(queue.QUEUED_STAGES)))
        .where(col(Lead.next_due_at) < until)
        .with_for_update(skip_locked=True)
    )
    later = case((col(Lead.callback_at) < until, until), else_=col(Lead.callback_at))
    result = session.execute(
        update(Lead)
        .where(col(Lead.id).in_(held))
        .values(next_due_at=until, queue_bucket=None, callback_at=later, updated_at=now)
    )
    return _count(result)


def take_out_of_queue(
    session: Session, lead_id: int, due: datetime, callback_at: datetime | None
) -> None:
    """A claimed lead back off the queue until it is due again (its number reached a cap)."""
    give_back(session, lead_id, queue_bucket=None, next_due_at=due, callback_at=callback_at)


# -- drafts of call notes --------------------------------------------------------


def delete_draft(session: Session, lead_id: int, rep_id: int) -> None:
    """Forget a rep's draft on a lead (its notes were saved with a call, or emptied)."""
    session.execute(
        delete(NoteDraft).where(col(NoteDraft.lead_id) == lead_id, col(NoteDraft.rep_id) == rep_id)
    )


# -- query plans, for the bench and doctor ---------------------------------------


def promote_plan(session: Session) -> list[str]:
    """The engine's query plans for moving due leads (callbacks, then others) into the queue."""
    lines: list[str] = []
    for statements in (_PROMOTE_CALLBACKS, _PROMOTE):
        lines += _plan(session, _on(session, statements), {"now": None, "limit": 1})
    return lines


def claim_plan(session: Session, classes: list[int]) -> list[str]:
    """The engine's query plan for the claim statement (for the bench and the docs)."""
    params = {"rep": 0, "token": "", "now": None, "expires": None, "classes": classes or [0]}
    return _plan(session, _on(session, _CLAIM), params)


def _plan(session: Session, statement: TextClause, params: dict[str, Any]) -> list[str]:
    sqlite = engine_name(session.get_bind()) == "sqlite"
    # The plan of a write, not the write: nothing is changed.
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
    explained = text(prefix + statement.text).bindparams(*statement._bindparams.values())
    moment = datetime(2000, 1, 1, tzinfo=UTC)
    params = {key: moment if value is None else value for key, value in params.items()}
    return [str(row[-1]) for row in session.execute(explained, params)]


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
