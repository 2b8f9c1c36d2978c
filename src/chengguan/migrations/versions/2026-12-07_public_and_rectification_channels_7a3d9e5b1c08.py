"""intake: channels public (公众随手拍 H5) and rectification_overdue (逾期未整改转案源); public report tracking

Revision ID: 7a3d9e5b1c08
Revises: d15a7c4f0e21
Create Date: 2026-12-07 13:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chengguan.core.db

revision: str = "7a3d9e5b1c08"
down_revision: str | None = "d15a7c4f0e21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ("ai_video", "iot", "patrol", "complaint", "open311", "hotline", "assignment", "transfer", "merchant")
NEW = (*OLD, "public", "rectification_overdue")
TABLES = ("signal", "case_source", "time_limit_rule")


def _channels(values: tuple[str, ...]) -> str:
    return "channel IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _recheck(values: tuple[str, ...]) -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_channel"), type_="check")
            batch_op.create_check_constraint("channel", _channels(values))


def upgrade() -> None:
    _recheck(NEW)
    op.create_table(
        "public_report",
        sa.Column("tracking_code", sa.String(length=16), nullable=False),
        sa.Column("signal_id", sa.Uuid(), nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["signal_id"], ["signal.id"], name=op.f("fk_public_report_signal_id_signal"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_report")),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_public_report_tracking_code")),
    )
    op.create_index("ix_public_report_client", "public_report", ["client_hash", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_public_report_client", table_name="public_report")
    op.drop_table("public_report")
    for table in TABLES:
        op.execute(sa.text(f"DELETE FROM {table} WHERE channel IN ('public', 'rectification_overdue')"))
    _recheck(OLD)
