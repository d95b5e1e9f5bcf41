"""Hand-off, sales feedback and review: what left for sales, what came back, the rulings.

Adds the lead's qualified_at (backfilled from its first routing to sales),
the leads of each export batch and the file as written, sales' verdicts and
the reviews of rejections; and for the team figures, running totals of each
rep's touches (backfilled from the touches) and the indexes they read.

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


WAITING = "queue_bucket IS NULL AND next_due_at IS NOT NULL"
READY = "queue_bucket IS NOT NULL AND claimed_by IS NULL"
# A call's length in whole seconds, in each engine's words.
CONNECT_SECONDS = {
    "sqlite": "CAST(round((julianday(ended_at) - julianday(started_at)) * 86400) AS INTEGER)",
    "postgresql": "CAST(round(EXTRACT(EPOCH FROM (ended_at - started_at))) AS INTEGER)",
}


def upgrade() -> None:
    with op.batch_alter_table("export_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rules_version_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("content", sa.LargeBinary(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_export_batches_rules_version_id_rules_versions"),
            "rules_versions",
            ["rules_version_id"],
            ["id"],
        )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("qualified_at", UTCDateTime(), nullable=True))
        batch_op.drop_index("ix_leads_waiting")
        batch_op.create_index(
            "ix_leads_waiting",
            ["next_due_at", "hours_class_id", "queue_bucket"],
            unique=False,
            sqlite_where=sa.text(WAITING),
            postgresql_where=sa.text(WAITING),
        )
        batch_op.drop_index("ix_leads_ready")
        batch_op.create_index(
            "ix_leads_ready",
            ["hours_class_id", "queue_bucket", "grade", "queue_order", "claimed_by"],
            unique=False,
            sqlite_where=sa.text(READY),
            postgresql_where=sa.text(READY),
        )
        batch_op.create_index(
            "ix_leads_intake",
            ["created_at", "source", "campaign", "stage", "first_touch_at", "qualified_at"],
            unique=False,
        )
    with op.batch_alter_table("routing_decisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_routing_decisions_rep_routes", ["rep_id", "route", "decided_at"], unique=False
        )
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
        sa.Column("handed_off_at", UTCDateTime(), nullable=False),
        sa.Column("rules_version_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("grade", sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
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
    _running_totals()


def _running_totals() -> None:
    """Each rep's touches of all time, kept as touches are written; built once here."""
    op.create_table(
        "touch_pairs",
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_touch_pairs_lead_id_leads")
        ),
        sa.ForeignKeyConstraint(["rep_id"], ["reps.id"], name=op.f("fk_touch_pairs_rep_id_reps")),
        sa.PrimaryKeyConstraint("rep_id", "lead_id", "channel", name=op.f("pk_touch_pairs")),
    )
    op.create_table(
        "rep_touch_totals",
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("disposition", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("touches", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rep_id"], ["reps.id"], name=op.f("fk_rep_touch_totals_rep_id_reps")
        ),
        sa.PrimaryKeyConstraint(
            "rep_id", "channel", "disposition", name=op.f("pk_rep_touch_totals")
        ),
    )
    op.create_table(
        "rep_lead_totals",
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("leads", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rep_id"], ["reps.id"], name=op.f("fk_rep_lead_totals_rep_id_reps")
        ),
        sa.PrimaryKeyConstraint("rep_id", "channel", name=op.f("pk_rep_lead_totals")),
    )
    seconds = CONNECT_SECONDS.get(op.get_bind().dialect.name, CONNECT_SECONDS["sqlite"])
    op.execute(
        "INSERT INTO touch_pairs (rep_id, lead_id, channel) "
        "SELECT DISTINCT rep_id, lead_id, channel FROM touches"
    )
    op.execute(
        "INSERT INTO rep_touch_totals (rep_id, channel, disposition, touches, seconds) "
        f"SELECT rep_id, channel, coalesce(disposition, ''), count(*), "
        f"coalesce(sum(CASE WHEN ended_at IS NOT NULL THEN {seconds} END), 0) "
        "FROM touches GROUP BY rep_id, channel, coalesce(disposition, '')"
    )
    op.execute(
        "INSERT INTO rep_lead_totals (rep_id, channel, leads) "
        "SELECT rep_id, channel, count(*) FROM touch_pairs GROUP BY rep_id, channel "
        "UNION ALL SELECT rep_id, '*', count(DISTINCT lead_id) FROM touch_pairs GROUP BY rep_id"
    )


def downgrade() -> None:
    op.drop_table("rep_lead_totals")
    op.drop_table("rep_touch_totals")
    op.drop_table("touch_pairs")
    op.drop_table("reviews")
    op.drop_table("sales_verdicts")
    op.drop_table("feedback_batches")
    op.drop_table("handoffs")
    with op.batch_alter_table("touches", schema=None) as batch_op:
        batch_op.drop_index("ix_touches_period")
    with op.batch_alter_table("routing_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_routing_decisions_rep_routes")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_intake")
        batch_op.drop_index("ix_leads_ready")
        batch_op.create_index(
            "ix_leads_ready",
            ["hours_class_id", "queue_bucket", "grade", "queue_order"],
            unique=False,
            sqlite_where=sa.text(READY),
            postgresql_where=sa.text(READY),
        )
        batch_op.drop_index("ix_leads_waiting")
        batch_op.create_index(
            "ix_leads_waiting",
            ["next_due_at"],
            unique=False,
            sqlite_where=sa.text(WAITING),
            postgresql_where=sa.text(WAITING),
        )
        batch_op.drop_column("qualified_at")
    with op.batch_alter_table("export_batches", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_export_batches_rules_version_id_rules_versions"), type_="foreignkey"
        )
        batch_op.drop_column("content")
        batch_op.drop_column("rules_version_id")
