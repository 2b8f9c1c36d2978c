"""integ: idempotency keys of case-source actions; intake rules scoped to a unit

Revision ID: 5e1f0c2a9b71
Revises: 8988a80eccab
Create Date: 2026-11-23 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e1f0c2a9b71"
down_revision: str | None = "8988a80eccab"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_source_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=128), nullable=True))
        batch_op.create_unique_constraint("one_source_action_per_key", ["case_source_id", "idempotency_key"])


def downgrade() -> None:
    with op.batch_alter_table("case_source_event", schema=None) as batch_op:
        batch_op.drop_constraint("one_source_action_per_key", type_="unique")
        batch_op.drop_column("idempotency_key")
