"""Follow-up facts kept on the lead: its first call, its latest touch's rep, its first conversation.

The speed-to-lead and follow-up figures count every lead that arrived in a
period; reading each lead's touches for them took seconds over a million
leads. The desk now keeps these three with every touch, as it keeps the
touch count; here they are built from the touches already there. Which
dispositions reached the person (connect = true) is read from every rules
version the desk has loaded. A covering index on the lead's arrival lets
the figures count a period's leads from the index alone.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import tomllib

import sqlalchemy as sa
from alembic import op

from qualdesk.db.types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The shipped rules' connects, for a desk whose stored rules cannot be read.
_SHIPPED_CONNECTS = ("connected", "callback", "not_interested", "do_not_call")


def _connects() -> list[str]:
    found: set[str] = set()
    for (text,) in op.get_bind().execute(sa.text("SELECT text FROM rules_versions")):
        try:
            rules = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            continue
        for disposition in rules.get("dispositions", []):
            if isinstance(disposition, dict) and disposition.get("connect") is True:
                found.add(str(disposition.get("key", "")))
    return sorted(found - {""}) or list(_SHIPPED_CONNECTS)


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_call_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_rep_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reached_at", UTCDateTime(), nullable=True))
    connects = ", ".join(f"'{key}'" for key in _connects() if "'" not in key)
    op.execute(
        "UPDATE leads SET "
        "first_call_at = (SELECT min(started_at) FROM touches t "
        "WHERE t.lead_id = leads.id AND t.channel = 'phone'), "
        "last_rep_id = (SELECT rep_id FROM touches t WHERE t.lead_id = leads.id "
        "ORDER BY t.id DESC LIMIT 1), "
        "reached_at = (SELECT min(started_at) FROM touches t "
        f"WHERE t.lead_id = leads.id AND t.disposition IN ({connects or 'NULL'})) "
        "WHERE EXISTS (SELECT 1 FROM touches t WHERE t.lead_id = leads.id)"
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index(
            "ix_leads_follow_up",
            ["created_at", "grade", "stage", "touch_count", "touch_channels", "last_rep_id",
             "reached_at", "arrived_at", "hours_class_id", "first_call_at"],
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_follow_up")
        for name in ("reached_at", "last_rep_id", "first_call_at"):
            batch_op.drop_column(name)
