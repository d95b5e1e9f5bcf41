"""The queue's index carries the lead's id, so leads tied on their place go in id order;
an index finds who last routed a lead to sales.

A whole import shares one place in the queue (its import second). SQLite broke
such ties by row id already; PostgreSQL broke them by where a row happened to
sit on disk, so the queue view and the claim could disagree. With the id in
the index both engines take tied leads in id order, still by an index walk.

The team figures of a long period ask, for every lead handed off, who routed
it to sales last; (lead_id, route, id) answers each with one index seek.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

READY = "queue_bucket IS NOT NULL AND claimed_by IS NULL"
BEFORE = ["hours_class_id", "queue_bucket", "grade", "queue_order", "claimed_by"]
AFTER = ["hours_class_id", "queue_bucket", "grade", "queue_order", "id", "claimed_by"]


def _ready(columns: list[str]) -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_ready")
        batch_op.create_index(
            "ix_leads_ready",
            columns,
            unique=False,
            sqlite_where=sa.text(READY),
            postgresql_where=sa.text(READY),
        )


def upgrade() -> None:
    _ready(AFTER)
    with op.batch_alter_table("routing_decisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_routing_decisions_lead_routes", ["lead_id", "route", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("routing_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_routing_decisions_lead_routes")
    _ready(BEFORE)
