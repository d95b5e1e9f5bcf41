"""Fixing a lead on the desk: every change recorded, an alternate number, the number dialled.

Adds the lead's alternate number (the number to call once set), the number
each call dialled (backfilled from the lead's number for calls already
made, which is the number they dialled) with the index the caps on calls
per number read, whether a call was the lead calling in, and the record of
changes to a lead's details.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from qualdesk.db.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

DIALLED = "phone IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("alt_phone_e164", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
        batch_op.add_column(
            sa.Column("alt_phone_ext", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_leads_alt_phone_e164"), ["alt_phone_e164"])
    with op.batch_alter_table("touches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
        batch_op.add_column(
            sa.Column("inbound", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(
        "UPDATE touches SET phone = (SELECT phone_e164 FROM leads WHERE leads.id = touches.lead_id) "
        "WHERE channel = 'phone'"
    )
    with op.batch_alter_table("touches", schema=None) as batch_op:
        batch_op.create_index(
            "ix_touches_phone",
            ["phone", "started_at"],
            unique=False,
            sqlite_where=sa.text(DIALLED),
            postgresql_where=sa.text(DIALLED),
        )
    op.create_table(
        "lead_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("old", sa.Text(), nullable=False),
        sa.Column("new", sa.Text(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=True),
        sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_lead_changes_lead_id_leads")
        ),
        sa.ForeignKeyConstraint(["rep_id"], ["reps.id"], name=op.f("fk_lead_changes_rep_id_reps")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_changes")),
    )
    with op.batch_alter_table("lead_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lead_changes_lead_id"), ["lead_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lead_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lead_changes_lead_id"))
    op.drop_table("lead_changes")
    with op.batch_alter_table("touches", schema=None) as batch_op:
        batch_op.drop_index("ix_touches_phone")
        batch_op.drop_column("inbound")
        batch_op.drop_column("phone")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leads_alt_phone_e164"))
        batch_op.drop_column("alt_phone_ext")
        batch_op.drop_column("alt_phone_e164")
