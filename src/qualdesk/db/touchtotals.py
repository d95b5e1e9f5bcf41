"""Each rep's running totals of touches, and each lead's, kept with every touch written.

The team view reads these instead of counting touches: a touch adds to its
rep's totals in the same transaction (`count_touch`); `rebuild_touch_totals`
counts them all again from the touches.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, text
from sqlmodel import Session, col, select

from qualdesk.core.rules import parse_rules
from qualdesk.db.dialect import engine_name
from qualdesk.db.models import RulesVersion

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
    added = session.execute(_PAIR, {"rep": rep_id, "lead": lead_id, "channel": channel})
    if getattr(added, "rowcount", 0):
        session.execute(_LEAD_TOTAL, {"rep": rep_id, "channel": channel})
        if session.scalar(_PAIRS_OF, {"rep": rep_id, "lead": lead_id}) == 1:
            session.execute(_LEAD_TOTAL, {"rep": rep_id, "channel": "*"})


# A call's length in whole seconds, and a lead's channels in one text, in each engine's words.
_SECONDS = {
    "sqlite": "CAST(round((julianday(ended_at) - julianday(started_at)) * 86400) AS INTEGER)",
    "postgresql": "CAST(round(EXTRACT(EPOCH FROM (ended_at - started_at))) AS INTEGER)",
}
_CHANNELS = {
    "sqlite": "(SELECT group_concat(channel, ',') FROM (SELECT DISTINCT channel "
    "FROM touches t WHERE t.lead_id = leads.id ORDER BY channel))",
    "postgresql": "(SELECT string_agg(DISTINCT channel, ',' ORDER BY channel) "
    "FROM touches t WHERE t.lead_id = leads.id)",
}
_REBUILD = (
    "DELETE FROM rep_lead_totals",
    "DELETE FROM rep_touch_totals",
    "DELETE FROM touch_pairs",
    "INSERT INTO touch_pairs (rep_id, lead_id, channel) "
    "SELECT DISTINCT rep_id, lead_id, channel FROM touches",
    "INSERT INTO rep_touch_totals (rep_id, channel, disposition, touches, seconds) "
    "SELECT rep_id, channel, coalesce(disposition, ''), count(*), coalesce(sum(CASE WHEN "
    "ended_at IS NOT NULL THEN {seconds} END), 0) "
    "FROM touches GROUP BY rep_id, channel, coalesce(disposition, '')",
    "INSERT INTO rep_lead_totals (rep_id, channel, leads) "
    "SELECT rep_id, channel, count(*) FROM touch_pairs GROUP BY rep_id, channel "
    "UNION ALL SELECT rep_id, '*', count(DISTINCT lead_id) FROM touch_pairs GROUP BY rep_id",
    "UPDATE leads SET touch_count = (SELECT count(*) FROM touches t WHERE t.lead_id = leads.id), "
    "touch_channels = coalesce({channels}, '')",
    "UPDATE leads SET first_call_at = (SELECT min(started_at) FROM touches t "
    "WHERE t.lead_id = leads.id AND t.channel = 'phone'), "
    "last_rep_id = (SELECT rep_id FROM touches t WHERE t.lead_id = leads.id "
    "ORDER BY t.id DESC LIMIT 1), "
    "reached_at = (SELECT min(started_at) FROM touches t "
    "WHERE t.lead_id = leads.id AND t.disposition IN :connects)",
)


def rebuild_touch_totals(session: Session, connects: Sequence[str] | None = None) -> None:
    """Count every rep's running totals, and each lead's touches, again from the touches.

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
    engine = "sqlite" if engine_name(session.get_bind()) == "sqlite" else "postgresql"
    words = {"seconds": _SECONDS[engine], "channels": _CHANNELS[engine]}
    for statement in _REBUILD:
        sql = text(statement.format(**words))
        if ":connects" in statement:
            sql = sql.bindparams(bindparam("connects", expanding=True))
            session.execute(sql, {"connects": list(connects)})
        else:
            session.execute(sql)
