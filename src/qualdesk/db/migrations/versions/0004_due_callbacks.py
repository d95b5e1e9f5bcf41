"""An index of the callbacks waiting to fall due, so they join the queue first, cheaply.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

WAITING_CALLBACK = "callback_at IS NOT NULL AND queue_bucket IS NULL AND next_due_at IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index(
            "ix_leads_due_callbacks",
            ["next_due_at"],
            unique=False,
            sqlite_where=sa.text(WAITING_CALLBACK),
            postgresql_where=sa.text(WAITING_CALLBACK),
        )


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_due_callbacks")
