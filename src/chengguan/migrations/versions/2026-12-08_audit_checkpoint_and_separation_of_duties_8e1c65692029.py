"""audit: the archive checkpoint (retention ≥ 6 months, audit.retention); 三员分立: the built-in system
administrator gives up the security and audit duties (role:write, audit:read) and gets the SMS outbox's own key

Revision ID: 8e1c65692029
Revises: 7a3d9e5b1c08
Create Date: 2026-12-08 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chengguan.core.db

revision: str = "8e1c65692029"
down_revision: str | None = "7a3d9e5b1c08"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADMIN = "(SELECT id FROM role WHERE code = 'admin' AND builtin)"
SYSTEM_DESCRIPTION = "管理单位、账号与配置，全部数据；不能分配角色、不能查看审计日志（三员分立）"


def upgrade() -> None:
    op.create_table(
        "audit_checkpoint",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("entries", sa.BigInteger(), nullable=False),
        sa.Column("archived_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_checkpoint")),
    )
    # 三员分立 (identity.separation): the installed system administrator keeps its accounts and configuration but no
    # longer grants roles or reads the audit log — `chengguan create-admin --duty security|audit` creates those
    # administrators (docs/operations.md). Roles an administrator composed are left as they are.
    op.execute(
        sa.text(
            f"DELETE FROM role_permission WHERE role_id = {ADMIN} "
            "AND permission IN ('role:write', 'user:grant', 'audit:read')"
        )
    )
    op.execute(
        sa.text(
            "INSERT INTO role_permission (role_id, permission) SELECT id, 'sms:read' FROM role "
            "WHERE code = 'admin' AND builtin AND NOT EXISTS (SELECT 1 FROM role_permission p "
            "WHERE p.role_id = role.id AND p.permission = 'sms:read')"
        )
    )
    op.execute(
        sa.text("UPDATE role SET description = :d WHERE code = 'admin' AND builtin").bindparams(d=SYSTEM_DESCRIPTION)
    )


def downgrade() -> None:
    for key in ("role:write", "audit:read"):
        op.execute(
            sa.text(
                "INSERT INTO role_permission (role_id, permission) SELECT id, :k FROM role "
                "WHERE code = 'admin' AND builtin"
            ).bindparams(k=key)
        )
    op.execute(sa.text(f"DELETE FROM role_permission WHERE role_id = {ADMIN} AND permission = 'sms:read'"))
    op.drop_table("audit_checkpoint")
