"""analytics: indexes for windows by registration and decision date (统计时段、列表登记日期筛选)

Revision ID: 3b8d6f2e1a47
Revises: 6b1b7ad4d032
Create Date: 2026-12-07 16:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3b8d6f2e1a47"
down_revision: str | None = "6b1b7ad4d032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_case_source_created", "case_source", ["created_at"], unique=False)
    op.create_index("ix_penalty_case_created", "penalty_case", ["created_at"], unique=False)
    op.create_index("ix_penalty_case_decided", "penalty_case", ["decided_on"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_penalty_case_decided", table_name="penalty_case")
    op.drop_index("ix_penalty_case_created", table_name="penalty_case")
    op.drop_index("ix_case_source_created", table_name="case_source")
