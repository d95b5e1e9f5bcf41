"""The queue's SQL: release expired claims, promote due leads, claim the next one.

These statements carry the claim's speed: each is an index walk (see the
partial indexes on `leads`), never a sort of every due row. Query functions
never commit; the services own the transactions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import TextClause, bindparam, text
from sqlmodel import Session, col, select

from qualdesk.core import queue
from qualdesk.core.rules import parse_rules
from qualdesk.db.models import HoursClass, RulesVersion, Touch
from qualdesk.db.types import UTCDateTime

_WHEN = UTCDateTime()

_RELEASE = text(
    "UPDATE leads SET claimed_by = NULL, claim_token = NULL, claim_expires_at = NULL "
    "WHERE claimed_by IS NOT NULL AND claim_expires_at <= :now"
).bindparams(bindparam("now", type_=_WHEN))

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
# hold back a callback any rep may take.
_PROMOTE_CALLBACKS_SQL = (
    f"UPDATE leads SET {_JOIN} WHERE id IN (SELECT id FROM leads {{pin}}"
    "WHERE callback_at IS NOT NULL AND queue_bucket IS NULL AND next_due_at IS NOT NULL "
    "AND next_due_at <= :now ORDER BY next_due_at)"
)
# SQLite, without statistics, may walk every waiting lead instead of the small index of
# waiting callbacks; INDEXED BY pins the right one.
_PROMOTE_CALLBACKS = {
    dialect: text(_PROMOTE_CALLBACKS_SQL.format(pin=pin)).bindparams(bindparam("now", type_=_WHEN))
    for dialect, pin in (("sqlite", "INDEXED BY ix_leads_due_callbacks "), ("other", ""))
}

# Then the rest, earliest due first, a bounded number per call, so a long quiet spell
# never turns one claim into a long write. The inner select walks ix_leads_waiting
# alone (no other condition), whatever statistics the database has.
_PROMOTE = text(
    f"UPDATE leads SET {_JOIN} WHERE id IN (SELECT id FROM leads WHERE queue_bucket IS NULL "
    "AND next_due_at IS NOT NULL AND next_due_at <= :now ORDER BY next_due_at LIMIT :limit)"
).bindparams(bindparam("now", type_=_WHEN))

# One statement claims: the rep's own due callback, else the best head of the
# ready queue of each callable calling-hours class (one index seek per class).
_CLAIM = text(
    "UPDATE leads SET claimed_by = :rep, claim_token = :token, claim_expires_at = :expires "
    "WHERE claimed_by IS NULL AND id = ("
    " SELECT id FROM ("
    f"  SELECT own.id AS id, {queue.OWN_CALLBACK} AS bucket, '' AS grade, 0 AS place FROM ("
    "   SELECT id FROM leads WHERE owner_id = :rep AND callback_at IS NOT NULL"
    "   AND callback_at <= :now AND claimed_by IS NULL AND stage = 'working'"
    "   AND hours_class_id IN :classes ORDER BY callback_at LIMIT 1) AS own"
    "  UNION ALL"
    "  SELECT l.id, l.queue_bucket, l.grade, l.queue_order FROM hours_classes h"
    "  JOIN leads l ON l.id = ("
    "   SELECT x.id FROM leads x WHERE x.hours_class_id = h.id"
    "   AND x.queue_bucket IS NOT NULL AND x.claimed_by IS NULL"
    "   ORDER BY x.queue_bucket, x.grade, x.queue_order LIMIT 1)"
    "  WHERE h.id IN :classes"
    " ) AS heads ORDER BY bucket, grade, place, id LIMIT 1"
    ") RETURNING id"
).bindparams(
    bindparam("classes", expanding=True),
    bindparam("now", type_=_WHEN),
    bindparam("expires", type_=_WHEN),
)

# The rep's own live claim, left by a desk of theirs that went away (a crash, a closed
# terminal): the lease index (claimed leads only) finds it.
_RESUME = text(
    "UPDATE leads SET claim_token = :token, claim_expires_at = :expires "
    "WHERE id = (SELECT id FROM leads WHERE claimed_by IS NOT NULL AND claimed_by = :rep"
    " AND claim_expires_at > :now AND hours_class_id IN :classes"
    " ORDER BY claim_expires_at DESC LIMIT 1) RETURNING id"
).bindparams(
    bindparam("classes", expanding=True),
    bindparam("now", type_=_WHEN),
    bindparam("expires", type_=_WHEN),
)

_RENEW = text(
    "UPDATE leads SET claim_expires_at = :expires "
    "WHERE id = :lead AND claim_token = :token AND claim_expires_at > :now"
).bindparams(bindparam("now", type_=_WHEN), bindparam("expires", type_=_WHEN))


def release_expired(session: Session, now: datetime) -> int:
    """Give back every lead whose claim lease ran out (its rep's app went away)."""
    return _count(session.execute(_RELEASE, {"now": now}))


def promote_due(session: Session, now: datetime, limit: int = 500) -> int:
    """Put leads whose due time has come into their queue bucket: every callback, then
    at most `limit` others, earliest due first. Returns how many moved."""
    callbacks = _count(session.execute(_promote_callbacks(session), {"now": now}))
    return callbacks + _count(session.execute(_PROMOTE, {"now": now, "limit": limit}))


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
        _RESUME if resume else _CLAIM,
        {"rep": rep_id, "token": token, "now": now, "expires": expires, "classes": classes},
    ).first()
    return int(row[0]) if row else None


def renew_claim(
    session: Session, lead_id: int, token: str, now: datetime, expires: datetime
) -> bool:
    """Extend a claim that is still held with this token; False if it was lost."""
    params = {"lead": lead_id, "token": token, "now": now, "expires": expires}
    return _count(session.execute(_RENEW, params)) == 1


def promote_plan(session: Session) -> list[str]:
    """SQLite's query plans for moving due leads (callbacks, then others) into the queue."""
    lines = []
    for statement in (_promote_callbacks(session), _PROMOTE):
        sql = text("EXPLAIN QUERY PLAN " + str(statement.text))
        lines += [str(row[-1]) for row in session.execute(sql, {"now": "", "limit": 1})]
    return lines


def claim_plan(session: Session, classes: list[int]) -> list[str]:
    """SQLite's query plan for the claim statement (for the bench and the README)."""
    plan = session.execute(
        text("EXPLAIN QUERY PLAN " + str(_CLAIM.text)).bindparams(
            bindparam("classes", expanding=True)
        ),
        {"rep": 0, "token": "", "now": "", "expires": "", "classes": classes or [0]},
    )
    return [str(row[-1]) for row in plan]


def _promote_callbacks(session: Session) -> TextClause:
    dialect = session.get_bind().dialect.name
    return _PROMOTE_CALLBACKS["sqlite" if dialect == "sqlite" else "other"]


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


# Running totals of each rep's touches, kept with every touch written (see RepTouchTotal).
_TOUCH_TOTAL = text(
    "INSERT INTO rep_touch_totals (rep_id, channel, disposition, touches, seconds) "
    "VALUES (:rep, :channel, :disposition, 1, :seconds) "
    "ON CONFLICT (rep_id, channel, disposition) DO UPDATE SET "
    "touches = rep_touch_totals.touches + 1, seconds = rep_touch_totals.seconds + :seconds"
)
_PAIR = text(
    "INSERT INTO touch_pairs (rep_id, lead_id, channel) VALUES (:rep, :lead, :channel) "
    "ON CONFLICT DO NOTHING"
)
_PAIRS_OF = text("SELECT count(*) FROM touch_pairs WHERE rep_id = :rep AND lead_id = :lead")
_LEAD_TOTAL = text(
    "INSERT INTO rep_lead_totals (rep_id, channel, leads) VALUES (:rep, :channel, 1) "
    "ON CONFLICT (rep_id, channel) DO UPDATE SET leads = rep_lead_totals.leads + 1"
)


def count_touch(
    session: Session, *, rep_id: int, lead_id: int, channel: str, disposition: str | None,
    seconds: int,
) -> None:  # fmt: skip
    """Add a touch just written to its rep's running totals, in the same transaction."""
    session.execute(
        _TOUCH_TOTAL,
        {"rep": rep_id, "channel": channel, "disposition": disposition or "", "seconds": seconds},
    )
    if _count(session.execute(_PAIR, {"rep": rep_id, "lead": lead_id, "channel": channel})):
        session.execute(_LEAD_TOTAL, {"rep": rep_id, "channel": channel})
        if session.scalar(_PAIRS_OF, {"rep": rep_id, "lead": lead_id}) == 1:
            session.execute(_LEAD_TOTAL, {"rep": rep_id, "channel": "*"})


_REBUILD_TOTALS = (
    "DELETE FROM rep_lead_totals",
    "DELETE FROM rep_touch_totals",
    "DELETE FROM touch_pairs",
    "INSERT INTO touch_pairs (rep_id, lead_id, channel) "
    "SELECT DISTINCT rep_id, lead_id, channel FROM touches",
    "INSERT INTO rep_touch_totals (rep_id, channel, disposition, touches, seconds) "
    "SELECT rep_id, channel, coalesce(disposition, ''), count(*), coalesce(sum(CASE WHEN "
    "ended_at IS NOT NULL THEN CAST(round((julianday(ended_at) - julianday(started_at)) * 86400) "
    "AS INTEGER) END), 0) FROM touches GROUP BY rep_id, channel, coalesce(disposition, '')",
    "INSERT INTO rep_lead_totals (rep_id, channel, leads) "
    "SELECT rep_id, channel, count(*) FROM touch_pairs GROUP BY rep_id, channel "
    "UNION ALL SELECT rep_id, '*', count(DISTINCT lead_id) FROM touch_pairs GROUP BY rep_id",
    "UPDATE leads SET touch_count = (SELECT count(*) FROM touches t WHERE t.lead_id = leads.id), "
    "touch_channels = coalesce((SELECT group_concat(channel, ',') FROM (SELECT DISTINCT channel "
    "FROM touches t WHERE t.lead_id = leads.id ORDER BY channel)), '')",
    "UPDATE leads SET first_call_at = (SELECT min(started_at) FROM touches t "
    "WHERE t.lead_id = leads.id AND t.channel = 'phone'), "
    "last_rep_id = (SELECT rep_id FROM touches t WHERE t.lead_id = leads.id "
    "ORDER BY t.id DESC LIMIT 1), "
    "reached_at = (SELECT min(started_at) FROM touches t "
    "WHERE t.lead_id = leads.id AND t.disposition IN (SELECT value FROM json_each(:connects)))",
)


def rebuild_touch_totals(session: Session, connects: Sequence[str] | None = None) -> None:
    """Count every rep's running totals, and each lead's touches, again from the touches (SQLite).

    The desk keeps them with every touch it writes; this is for touches
    written around the desk (a bulk load) and for checking the totals.

    Args:
        session: a write session.
        connects: the dispositions that reach the person; by default those
            of the rules in force.
    """
    if connects is None:
        newest = session.scalar(
            select(RulesVersion.text).order_by(col(RulesVersion.id).desc()).limit(1)
        )
        rules = parse_rules(newest, stored=True) if newest else None
        connects = [d.key for d in rules.dispositions if d.connect] if rules else []
    for statement in _REBUILD_TOTALS:
        session.execute(text(statement), {"connects": json.dumps(list(connects))})


def hours_class(session: Session, zones: str, jurisdiction: str) -> int:
    """The id of the calling-hours class of (zones, jurisdiction), made if it is new.

    In the caller's write transaction (on SQLite, BEGIN IMMEDIATE keeps two
    writers from both making it).
    """
    found = session.scalar(
        select(HoursClass.id).where(
            col(HoursClass.zones) == zones, col(HoursClass.jurisdiction) == jurisdiction
        )
    )
    if found is not None:
        return int(found)
    made = HoursClass(zones=zones, jurisdiction=jurisdiction)
    session.add(made)
    session.flush()
    assert made.id is not None
    return made.id


def calls_to_number(session: Session, number: str, since: datetime) -> list[datetime]:
    """When calls to a number were made after `since`, oldest first (ix_touches_phone)."""
    found = session.scalars(
        select(Touch.started_at)
        .where(col(Touch.phone) == number, col(Touch.started_at) > since)
        .order_by(col(Touch.started_at))
    )
    return list(found)
