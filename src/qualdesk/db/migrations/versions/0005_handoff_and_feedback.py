"""Hand-off, sales feedback and review: what left for sales, what came back, the rulings.

Adds the lead's qualified_at (backfilled from its first routing to sales),
the rows of each export batch, sales' verdicts and the reviews of
rejections, and the indexes the team figures read.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from qualdesk.db.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("export_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("columns", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("qualified_at", UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_leads_created_at"), ["created_at"], unique=False)
    op.execute(
        "UPDATE leads SET qualified_at = (SELECT MIN(decided_at) FROM routing_decisions "
        "WHERE routing_decisions.lead_id = leads.id AND route = 'sales')"
    )
    with op.batch_alter_table("touches", schema=None) as batch_op:
        batch_op.create_index(
            "ix_touches_period",
            ["started_at", "rep_id", "lead_id", "channel", "disposition", "ended_at"],
            unique=False,
        )
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("handed_off_at", UTCDateTime(), nullable=False),
        sa.Column("rules_version_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("grade", sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("row", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["export_batches.id"], name=op.f("fk_handoffs_batch_id_export_batches")
        ),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_handoffs_lead_id_leads")),
        sa.ForeignKeyConstraint(
            ["rules_version_id"],
            ["rules_versions.id"],
            name=op.f("fk_handoffs_rules_version_id_rules_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
    )
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handoffs_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_handoffs_handed_off_at"), ["handed_off_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_handoffs_lead_id"), ["lead_id"], unique=False)
    op.create_table(
        "feedback_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("file_path", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("received_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("rejects_file", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_batches")),
    )
    with op.batch_alter_table("feedback_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_batches_sha256"), ["sha256"], unique=False)
    op.create_table(
        "sales_verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=True),
        sa.Column("feedback_batch_id", sa.Integer(), nullable=True),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("verdict", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["feedback_batch_id"],
            ["feedback_batches.id"],
            name=op.f("fk_sales_verdicts_feedback_batch_id_feedback_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["handoff_id"], ["handoffs.id"], name=op.f("fk_sales_verdicts_handoff_id_handoffs")
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_sales_verdicts_lead_id_leads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_verdicts")),
    )
    with op.batch_alter_table("sales_verdicts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sales_verdicts_decided_at"), ["decided_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sales_verdicts_lead_id"), ["lead_id"], unique=False)
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("verdict_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_reviews_lead_id_leads")),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["reps.id"], name=op.f("fk_reviews_reviewer_id_reps")
        ),
        sa.ForeignKeyConstraint(
            ["verdict_id"], ["sales_verdicts.id"], name=op.f("fk_reviews_verdict_id_sales_verdicts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("verdict_id", name=op.f("uq_reviews_verdict_id")),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviews_decided_at"), ["decided_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_reviews_lead_id"), ["lead_id"], unique=False)


def downgrade() -> None:
    op.drop_table("reviews")
    op.drop_table("sales_verdicts")
    op.drop_table("feedback_batches")
    op.drop_table("handoffs")
    with op.batch_alter_table("touches", schema=None) as batch_op:
        batch_op.drop_index("ix_touches_period")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leads_created_at"))
        batch_op.drop_column("qualified_at")
    with op.batch_alter_table("export_batches", schema=None) as batch_op:
        batch_op.drop_column("columns")
