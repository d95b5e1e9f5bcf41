"""Leads carry a match key: the folded name (else company) that, with the phone, says who.

The importer finds duplicates against the desk in SQL with it; leads stored
before it existed get theirs computed here.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import re

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def identity(name: str, company: str) -> str:
    """The match key as this revision defined it (kept here, frozen, for old databases)."""
    if name:
        return "n:" + re.sub(r"\s+", " ", name).casefold().strip()
    return "c:" + re.sub(r"\s+", " ", company).casefold().strip()


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "match_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
            )
        )
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, name, company FROM leads")).all()
    if rows:
        conn.execute(
            sa.text("UPDATE leads SET match_key = :key WHERE id = :id"),
            [{"id": row.id, "key": identity(row.name, row.company)} for row in rows],
        )


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_column("match_key")
