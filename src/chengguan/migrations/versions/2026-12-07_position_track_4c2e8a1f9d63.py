"""dispatching: position_track — every accepted fix, for 轨迹回放 (track playback on the command map)

Revision ID: 4c2e8a1f9d63
Revises: 3b8d6f2e1a47
Create Date: 2026-12-07 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chengguan.core.db

revision: str = "4c2e8a1f9d63"
down_revision: str | None = "3b8d6f2e1a47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "position_track",
        sa.Column(
            "subject_kind",
            sa.Enum("officer", "vehicle", name="subject_kind", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("at", chengguan.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.Column("lng", sa.Double(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("speed_mps", sa.Double(), nullable=True),
        sa.Column(
            "source",
            sa.Enum("device", "simulator", name="fix_source", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("subject_kind", "subject_id", "at", name=op.f("pk_position_track")),
    )
    with op.batch_alter_table("position_track", schema=None) as batch_op:
        batch_op.create_index("ix_position_track_at", ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("position_track", schema=None) as batch_op:
        batch_op.drop_index("ix_position_track_at")
    op.drop_table("position_track")
