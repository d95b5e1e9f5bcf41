"""Which leads go back to marketing's nurture, their buyer profiles, and recording them as sent.

A lead is due for the nurture hand-back when it is in nurture (or, asked for,
disqualified) and it has not been handed back in the stage it is in since
the routing decision that put it there: a lead that comes back to the desk,
is worked and is nurtured again goes in a later batch again. A lead put on
do-not-call after it went back to nurture goes again as out, marked, so
marketing can take it off its call lists. Leads handed back stay on the desk
as they are: they still come back on their recycle date. Only rows in
nurture_handoffs record that they went.

The export itself (the file, the batch, the guarantees) is services.export's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import text

from qualdesk.core.errors import QualdeskError
from qualdesk.core.handoff import BuyerProfile, Criterion
from qualdesk.core.nurture import NURTURE, OUT
from qualdesk.services.desk import Desk
from qualdesk.services.dnc import DNC_REASON
from qualdesk.services.profiles import NO_TOUCHES, extra_fields, read_parts


class Due(NamedTuple):
    """A lead due for the nurture hand-back, with the routing decision it goes back under."""

    profile: BuyerProfile
    decision_id: int | None


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


def nurture_waiting(desk: Desk) -> tuple[int, int]:
    """How many leads wait for the next nurture hand-back: (in nurture, out).

    Out counts the disqualified leads (and any on do-not-call) that
    `include_out` would add.
    """
    nurture = f"CASE WHEN l.stage = '{NURTURE}' AND NOT {_ON_DNC} THEN 1 ELSE 0 END"
    sql = f"SELECT count(*), coalesce(sum({nurture}), 0) FROM leads l WHERE l.id IN ({_due(True)})"
    with desk.db.reading() as session:
        every, nurtured = session.execute(text(sql)).one()
    return int(nurtured), int(every) - int(nurtured)


def _leads(include_out: bool) -> str:
    return (
        "SELECT l.id, l.name, l.first_name, l.last_name, l.company, l.title, l.email, "
        "l.phone_e164, l.phone_ext, l.source, l.campaign, l.industry, l.company_size, l.score, "
        "l.grade, l.qualified_at, l.extra, l.alt_phone_e164, l.alt_phone_ext, l.stage, "
        "l.stage_reason, l.next_due_at, l.created_at, d.id, d.route, d.decided_at, p.handle, "
        " (SELECT s.reason || char(31) || coalesce(q.handle, '') FROM routing_decisions s "
        "  LEFT JOIN reps q ON q.id = s.rep_id WHERE s.lead_id = l.id AND s.route = 'sales' "
        "  ORDER BY s.id DESC LIMIT 1), "
        "v.decided_at, w.handle, coalesce(n.added_by, m.added_by), "
        "coalesce(n.added_at, m.added_at) "
        "FROM leads l "
        f"LEFT JOIN routing_decisions d ON d.id = {_NEWEST} "
        "LEFT JOIN reps p ON p.id = d.rep_id "
        "LEFT JOIN reviews v ON v.id = "
        " (SELECT max(x.id) FROM reviews x WHERE x.lead_id = l.id AND x.valid) "
        "LEFT JOIN reps w ON w.id = v.reviewer_id "
        "LEFT JOIN do_not_call n ON n.phone_e164 = l.phone_e164 "
        "LEFT JOIN do_not_call m ON m.phone_e164 = l.alt_phone_e164 "
        f"WHERE l.id IN ({_due(include_out)}) ORDER BY coalesce(d.id, 0), l.id"
    )


def _per_lead(include_out: bool) -> dict[str, str]:
    due = _due(include_out)
    return {
        "answers": "SELECT a.lead_id, a.criterion, a.established, a.note FROM checklist_answers a "
        f"WHERE a.lead_id IN ({due}) ORDER BY a.id",
        "touched": "SELECT t.lead_id, count(*), sum(CASE WHEN t.channel = 'phone' THEN 1 ELSE 0 "
        "END), min(t.started_at), max(t.started_at) FROM touches t "
        f"WHERE t.lead_id IN ({due}) GROUP BY t.lead_id",
        "notes": "SELECT t.lead_id, t.notes FROM touches t "
        f"WHERE t.lead_id IN ({due}) AND t.notes != '' ORDER BY t.started_at, t.id",
        "changes": "SELECT c.lead_id, c.changed_at, c.changed_by, c.field, c.old, c.new, c.reason "
        f"FROM lead_changes c WHERE c.lead_id IN ({due}) ORDER BY c.id",
    }


def nurture_leads(
    cursor: Any, criteria: Sequence[Any], version: int, include_out: bool
) -> list[Due]:
    """The buyer profile of every lead due for the nurture hand-back, in the order they were routed.

    Args:
        cursor: a driver cursor of the reading transaction (as services.export uses).
        criteria: the definition's criteria in force.
        version: the rules version in force.
        include_out: disqualified leads (and any on do-not-call) too.
    """
    found = cursor.execute(_leads(include_out)).fetchall()
    if not found:
        return []
    parts = read_parts(cursor, _per_lead(include_out), {})
    shown = tuple(Criterion(c.key, c.label, c.points, c.required) for c in criteria)
    unanswered: dict[str, tuple[bool, str]] = {}
    due = []
    for (lead_id, name, first, last, company, title, email, phone, ext, source, campaign,
         industry, size, score, grade, qualified_at, extra, alt, alt_ext, stage, reason,
         next_due, created, decision, route, decided_at, decided_by, sales, reviewed_at,
         reviewer, dnc_by, dnc_at) in found:  # fmt: skip
        count, calls, first_touch, last_touch = parts.touched.get(lead_id, NO_TOUCHES)
        because, _, qualified_by = (sales or "").partition("\x1f")
        routed_by, routed_at = decided_by or "", decided_at
        if route != stage:  # moved without a decision: by a team lead's ruling, or do-not-call
            routed_by, routed_at = "", None
            if stage == NURTURE and reviewed_at is not None:
                routed_by, routed_at = reviewer or "", reviewed_at
            elif stage == OUT and reason == DNC_REASON and dnc_at is not None:
                routed_by, routed_at = dnc_by or "", max(dnc_at, created)
        profile = BuyerProfile(
            lead_id, name, first, last, company, title, email or "", phone, ext or "", source,
            campaign, industry, size, score, grade, because, qualified_by, qualified_at, count,
            calls or 0, first_touch, last_touch, tuple(parts.notes.get(lead_id, ())), shown,
            parts.answers.get(lead_id, unanswered), version, extra_fields(extra), alt or "",
            alt_ext or "", tuple(parts.changes.get(lead_id, ())), stage=stage,
            nurture_reason=reason,
            recycle_at=next_due if stage == NURTURE else None, routed_by=routed_by,
            routed_at=routed_at, do_not_call=dnc_at is not None,
        )  # fmt: skip
        due.append(Due(profile, decision))
    return due


# Recorded only if the lead still stands as it was read: the same stage under the same
# decision, the same do-not-call mark, and not handed back meanwhile by another export.
_RECORD = (
    "INSERT INTO nurture_handoffs (batch_id, lead_id, decision_id, handed_off_at, stage, score, "
    "grade) SELECT :batch, l.id, :decision, :now, l.stage, :score, :grade FROM leads l "
    f"WHERE l.id = :lead AND l.stage = :stage AND coalesce({_NEWEST}, 0) = coalesce(:decision, 0) "
    f"AND {_ON_DNC} = :dnc AND {_NOT_SENT}"
)


def record_nurture(cursor: Any, batch_id: int, due: list[Due], now: datetime) -> None:
    """Record the leads as handed back in the batch; the leads themselves are left as they are.

    Args:
        cursor: a driver cursor of the writing transaction.
        batch_id: the export batch.
        due: the leads written, as nurture_leads read them.
        now: the moment of the hand-back.

    Raises:
        QualdeskError: a lead changed on the desk since it was read; the
            caller's transaction must then be rolled back.
    """
    # As the ORM writes the column: compared, as text, with do-not-call's added_at.
    stored = f"{now.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f}"
    cursor.executemany(
        _RECORD,
        [
            {"batch": batch_id, "lead": p.lead_id, "decision": decision, "now": stored,
             "stage": p.stage, "score": p.score, "grade": p.grade, "dnc": int(p.do_not_call)}
            for p, decision in due
        ],
    )  # fmt: skip
    sql = "SELECT count(*) FROM nurture_handoffs WHERE batch_id = ?"
    recorded = cursor.execute(sql, (batch_id,)).fetchone()[0]
    if recorded != len(due):
        raise QualdeskError(
            f"{len(due) - recorded} of the leads changed on the desk while exporting (called "
            "again, or put on do-not-call); nothing handed back: export again"
        )
