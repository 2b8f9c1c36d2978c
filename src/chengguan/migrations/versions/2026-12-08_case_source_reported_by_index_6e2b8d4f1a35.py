"""intake: index case_source.reported_by_id — the caller's own sources, read beside the unit-keyed rollups

Revision ID: 6e2b8d4f1a35
Revises: 5d1a7c3e9b20
Create Date: 2026-12-08 00:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "6e2b8d4f1a35"
down_revision: str | None = "5d1a7c3e9b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_case_source_reported_by", "case_source", ["reported_by_id"])


def downgrade() -> None:
    op.drop_index("ix_case_source_reported_by", table_name="case_source")
