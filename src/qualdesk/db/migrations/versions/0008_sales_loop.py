"""The loop with sales and marketing: outcomes, nurture hand-offs, follow-up counts.

Adds what sales made of an accepted lead (sales_outcomes, and the newest
outcome on the lead), the leads handed back to marketing's nurture
(nurture_handoffs, and which way an export batch went), the lead's own
creation time from marketing's file, and the touches made so far with the
channels they used (backfilled from the touches already there), which the
follow-up targets read.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from qualdesk.db.types import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_CHANNELS = {
    "sqlite": "(SELECT group_concat(channel, ',') FROM "
    "(SELECT DISTINCT channel FROM touches t WHERE t.lead_id = leads.id ORDER BY channel))",
    "postgresql": "(SELECT string_agg(DISTINCT channel, ',' ORDER BY channel) FROM touches t "
    "WHERE t.lead_id = leads.id)",
}


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("arrived_at", UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("touch_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column(
                "touch_channels", sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                server_default="",
            )
        )  # fmt: skip
        batch_op.add_column(
            sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True)
        )
        batch_op.add_column(sa.Column("outcome_cents", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("outcome_on", sa.Date(), nullable=True))
    dialect = op.get_bind().dialect.name
    op.execute(
        "UPDATE leads SET touch_count = (SELECT count(*) FROM touches t WHERE t.lead_id = leads.id), "
        f"touch_channels = coalesce({_CHANNELS.get(dialect, _CHANNELS['sqlite'])}, '') "
        "WHERE EXISTS (SELECT 1 FROM touches t WHERE t.lead_id = leads.id)"
    )
    with op.batch_alter_table("export_batches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "destination", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False,
                server_default="sales",
            )
        )  # fmt: skip
    with op.batch_alter_table("feedback_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("outcomes", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "sales_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=True),
        sa.Column("feedback_batch_id", sa.Integer(), nullable=True),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("word", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["feedback_batch_id"], ["feedback_batches.id"],
            name=op.f("fk_sales_outcomes_feedback_batch_id_feedback_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["handoff_id"], ["handoffs.id"], name=op.f("fk_sales_outcomes_handoff_id_handoffs")
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_sales_outcomes_lead_id_leads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_outcomes")),
    )  # fmt: skip
    with op.batch_alter_table("sales_outcomes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sales_outcomes_lead_id"), ["lead_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sales_outcomes_received_at"), ["received_at"], unique=False
        )
    op.create_table(
        "nurture_handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("handed_off_at", UTCDateTime(), nullable=False),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("grade", sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["export_batches.id"],
            name=op.f("fk_nurture_handoffs_batch_id_export_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["routing_decisions.id"],
            name=op.f("fk_nurture_handoffs_decision_id_routing_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_nurture_handoffs_lead_id_leads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nurture_handoffs")),
    )  # fmt: skip
    with op.batch_alter_table("nurture_handoffs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nurture_handoffs_batch_id"), ["batch_id"])
        batch_op.create_index(batch_op.f("ix_nurture_handoffs_lead_id"), ["lead_id"])
        batch_op.create_index(batch_op.f("ix_nurture_handoffs_decision_id"), ["decision_id"])


def downgrade() -> None:
    op.drop_table("nurture_handoffs")
    op.drop_table("sales_outcomes")
    with op.batch_alter_table("feedback_batches", schema=None) as batch_op:
        batch_op.drop_column("outcomes")
        batch_op.drop_column("pending")
    with op.batch_alter_table("export_batches", schema=None) as batch_op:
        batch_op.drop_column("destination")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        for name in ("outcome_on", "outcome_cents", "outcome", "touch_channels", "touch_count",
                     "arrived_at"):  # fmt: skip
            batch_op.drop_column(name)
