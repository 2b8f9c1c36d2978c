"""integ: idempotency keys of case-source actions; intake rules scoped to a unit

Revision ID: 5e1f0c2a9b71
Revises: 6c2f8e1a7b53
Create Date: 2026-11-23 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e1f0c2a9b71"
down_revision: str | None = "6c2f8e1a7b53"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_source_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=128), nullable=True))
        batch_op.create_unique_constraint("one_source_action_per_key", ["case_source_id", "idempotency_key"])
    # Existing rules stay platform-wide (unit_id NULL), as they were.
    with op.batch_alter_table("time_limit_rule", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_time_limit_rule_unit_id"), ["unit_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_time_limit_rule_unit_id_org_unit"), "org_unit", ["unit_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.drop_constraint("one_rule_per_key", type_="unique")
        batch_op.create_unique_constraint("one_rule_per_key", ["stage", "category_code", "channel", "unit_id"])
    with op.batch_alter_table("snooze_rule", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_snooze_rule_unit_id"), ["unit_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_snooze_rule_unit_id_org_unit"), "org_unit", ["unit_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("snooze_rule", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_snooze_rule_unit_id_org_unit"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_snooze_rule_unit_id"))
        batch_op.drop_column("unit_id")
    with op.batch_alter_table("time_limit_rule", schema=None) as batch_op:
        batch_op.drop_constraint("one_rule_per_key", type_="unique")
        batch_op.create_unique_constraint("one_rule_per_key", ["stage", "category_code", "channel"])
        batch_op.drop_constraint(batch_op.f("fk_time_limit_rule_unit_id_org_unit"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_time_limit_rule_unit_id"))
        batch_op.drop_column("unit_id")
    with op.batch_alter_table("case_source_event", schema=None) as batch_op:
        batch_op.drop_constraint("one_source_action_per_key", type_="unique")
        batch_op.drop_column("idempotency_key")
