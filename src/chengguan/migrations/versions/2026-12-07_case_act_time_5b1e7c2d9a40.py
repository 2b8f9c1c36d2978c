"""case: the time of the act (违法时间, 行政处罚法 第五十二条第二款)

Revision ID: 5b1e7c2d9a40
Revises: 8988a80eccab
Create Date: 2026-12-07 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chengguan.core.db

revision: str = "5b1e7c2d9a40"
down_revision: str | None = "8988a80eccab"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("penalty_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("act_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("penalty_case", schema=None) as batch_op:
        batch_op.drop_column("act_at")
