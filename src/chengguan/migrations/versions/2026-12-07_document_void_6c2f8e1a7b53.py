"""document: voided drafts (作废) keep their number with who voided them and why

Revision ID: 6c2f8e1a7b53
Revises: 5b1e7c2d9a40
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chengguan.core.db

revision: str = "6c2f8e1a7b53"
down_revision: str | None = "5b1e7c2d9a40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "status IN ('draft', 'sealed')"
AFTER = "status IN ('draft', 'sealed', 'voided')"


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("voided_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("voided_by_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("void_reason", sa.String(length=500), nullable=True))
        batch_op.drop_constraint(op.f("ck_document_document_status"), type_="check")
        batch_op.create_check_constraint("document_status", AFTER)


def downgrade() -> None:
    op.execute("UPDATE document SET status = 'draft' WHERE status = 'voided'")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_document_document_status"), type_="check")
        batch_op.create_check_constraint("document_status", BEFORE)
        batch_op.drop_column("void_reason")
        batch_op.drop_column("voided_by_name")
        batch_op.drop_column("voided_at")
