"""The queue: calling-hours classes, queue bucket and order, and the claim indexes.

Leads that share candidate zones and jurisdiction share a calling-hours
class; the claim walks the ready queue of each class that may be called
now. New leads are put in the queue here; waiting ones join it when due.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from qualdesk.core.queue import NEW

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

READY = "queue_bucket IS NOT NULL AND claimed_by IS NULL"
WAITING = "queue_bucket IS NULL AND next_due_at IS NOT NULL"


def upgrade() -> None:
    op.create_table(
        "hours_classes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zones", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("jurisdiction", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hours_classes")),
        sa.UniqueConstraint(
            "zones", "jurisdiction", name=op.f("uq_hours_classes_zones_jurisdiction")
        ),
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        # Non-geographic numbers (+881 satellite, +800 international freephone) have region 001.
        batch_op.alter_column(
            "region",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=2),
            type_=sqlmodel.sql.sqltypes.AutoString(length=3),
            existing_nullable=False,
        )
        batch_op.add_column(sa.Column("hours_class_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("queue_bucket", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("queue_order", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_leads_hours_class_id_hours_classes"),
            "hours_classes",
            ["hours_class_id"],
            ["id"],
        )
    _fill(op.get_bind())
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index(
            "ix_leads_callbacks",
            ["owner_id", "callback_at"],
            unique=False,
            sqlite_where=sa.text("callback_at IS NOT NULL"),
            postgresql_where=sa.text("callback_at IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_leads_claims",
            ["claim_expires_at"],
            unique=False,
            sqlite_where=sa.text("claimed_by IS NOT NULL"),
            postgresql_where=sa.text("claimed_by IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_leads_ready",
            ["hours_class_id", "queue_bucket", "grade", "queue_order"],
            unique=False,
            sqlite_where=sa.text(READY),
            postgresql_where=sa.text(READY),
        )
        batch_op.create_index(
            "ix_leads_waiting",
            ["next_due_at"],
            unique=False,
            sqlite_where=sa.text(WAITING),
            postgresql_where=sa.text(WAITING),
        )
    with op.batch_alter_table("routing_decisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_routing_decisions_rep_id_decided_at", ["rep_id", "decided_at"], unique=False
        )  # fmt: skip


def _fill(conn: sa.Connection) -> None:
    """Give every lead its calling-hours class, and put new leads in the queue."""
    conn.execute(
        sa.text(
            "INSERT INTO hours_classes (zones, jurisdiction) "
            "SELECT DISTINCT time_zones, jurisdiction FROM leads"
        )
    )
    conn.execute(
        sa.text(
            "UPDATE leads SET hours_class_id = (SELECT h.id FROM hours_classes h "
            "WHERE h.zones = leads.time_zones AND h.jurisdiction = leads.jurisdiction)"
        )
    )
    rows = conn.execute(sa.text("SELECT id, created_at FROM leads WHERE stage = 'new'")).all()
    updates = []
    for lead_id, created in rows:
        moment = created if isinstance(created, datetime) else datetime.fromisoformat(created)
        order = -int(moment.replace(tzinfo=moment.tzinfo or UTC).timestamp())
        updates.append({"id": lead_id, "bucket": NEW, "order": order})
    if updates:
        conn.execute(
            sa.text("UPDATE leads SET queue_bucket = :bucket, queue_order = :order WHERE id = :id"),
            updates,
        )


def downgrade() -> None:
    with op.batch_alter_table("routing_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_routing_decisions_rep_id_decided_at")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_waiting")
        batch_op.drop_index("ix_leads_ready")
        batch_op.drop_index("ix_leads_claims")
        batch_op.drop_index("ix_leads_callbacks")
        batch_op.drop_constraint(
            batch_op.f("fk_leads_hours_class_id_hours_classes"), type_="foreignkey"
        )
        batch_op.drop_column("queue_order")
        batch_op.drop_column("queue_bucket")
        batch_op.drop_column("hours_class_id")
    op.drop_table("hours_classes")
