"""sensing: drone and relay-vehicle devices, alarm clips and the camera alarm throttle, hourly IoT history

Revision ID: 6b1b7ad4d032
Revises: 87e4c7d7b227
Create Date: 2026-12-07 16:22:57
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chengguan.core.db

revision: str = "6b1b7ad4d032"
down_revision: str | None = "87e4c7d7b227"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "kind IN ('body_camera', 'camera', 'sensor')"
AFTER = "kind IN ('body_camera', 'camera', 'sensor', 'drone', 'relay_vehicle')"


def upgrade() -> None:
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_device_kind"), type_="check")
        batch_op.create_check_constraint("kind", AFTER)
    op.create_table(
        "iot_reading_hourly",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("hour", chengguan.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["iot_device.id"],
            name=op.f("fk_iot_reading_hourly_device_id_iot_device"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("device_id", "hour", name=op.f("pk_iot_reading_hourly")),
    )
    with op.batch_alter_table("video_alarm", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clip_evidence_id", sa.Uuid(), nullable=True))
    with op.batch_alter_table("video_engine_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("throttled_until", chengguan.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("suppressed", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("suppressed_total", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("video_engine_state", schema=None) as batch_op:
        batch_op.drop_column("suppressed_total")
        batch_op.drop_column("suppressed")
        batch_op.drop_column("throttled_until")
    with op.batch_alter_table("video_alarm", schema=None) as batch_op:
        batch_op.drop_column("clip_evidence_id")
    op.drop_table("iot_reading_hourly")
    op.execute("UPDATE device SET kind = 'camera' WHERE kind IN ('drone', 'relay_vehicle')")
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_device_kind"), type_="check")
        batch_op.create_check_constraint("kind", BEFORE)
