"""dispatch: the source of each fix (device/simulator), the latest real-device fix time, the 上班/下班 switch log

Revision ID: d15a7c4f0e21
Revises: 8ead29ff61ee
Create Date: 2026-12-07 06:08:20.565095
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chengguan.core.db

revision: str = "d15a7c4f0e21"
down_revision: str | None = "8ead29ff61ee"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "duty_switch",
        sa.Column("officer_id", sa.Uuid(), nullable=False),
        sa.Column("on_duty", sa.Boolean(), nullable=False),
        sa.Column("at", chengguan.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name=op.f("fk_duty_switch_officer_id_officer"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_switch")),
    )
    with op.batch_alter_table("duty_switch", schema=None) as batch_op:
        batch_op.create_index("ix_duty_switch_officer_at", ["officer_id", "at"], unique=False)

    with op.batch_alter_table("live_position", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "source",
                sa.Enum("device", "simulator", name="fix_source", native_enum=False, create_constraint=True, length=32),
                nullable=False,
                server_default="device",
            )
        )
        batch_op.add_column(sa.Column("device_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("live_position", schema=None) as batch_op:
        batch_op.drop_column("device_at")
        batch_op.drop_column("source")

    with op.batch_alter_table("duty_switch", schema=None) as batch_op:
        batch_op.drop_index("ix_duty_switch_officer_at")

    op.drop_table("duty_switch")
