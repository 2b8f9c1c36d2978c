"""org: org_unit.lng / lat — where the bureau or squad office is, labelled on the offline map base

Revision ID: 5d1a7c3e9b20
Revises: 4c2e8a1f9d63
Create Date: 2026-12-07 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d1a7c3e9b20"
down_revision: str | None = "4c2e8a1f9d63"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("org_unit") as batch:
        batch.add_column(sa.Column("lng", sa.Double(), nullable=True))
        batch.add_column(sa.Column("lat", sa.Double(), nullable=True))
        batch.create_check_constraint(op.f("ck_org_unit_office_point_whole"), "(lng IS NULL) = (lat IS NULL)")


def downgrade() -> None:
    with op.batch_alter_table("org_unit") as batch:
        batch.drop_constraint(op.f("ck_org_unit_office_point_whole"), type_="check")
        batch.drop_column("lat")
        batch.drop_column("lng")
