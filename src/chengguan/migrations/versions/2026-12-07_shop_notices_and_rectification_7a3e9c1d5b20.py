"""shop notices and rectification, warning first, the merchant H5 (claims, profiles, reports, online statements)

Revision ID: 7a3e9c1d5b20
Revises: da46ca6926e5
Create Date: 2026-12-07 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chengguan.core.db
from chengguan.core.fieldcrypt import ciphertext_width

revision: str = "7a3e9c1d5b20"
down_revision: str | None = "da46ca6926e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "warning_first_rule",
        sa.Column("matter_code", sa.String(length=20), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("updated_by_name", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_first_rule")),
        sa.UniqueConstraint("matter_code", name=op.f("uq_warning_first_rule_matter_code")),
    )
    op.create_table(
        "shop_claim",
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column(
            "method",
            sa.Enum("licence", "agent", name="claim_method", native_enum=False, create_constraint=True, length=16),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "approved",
                "pending",
                "refused",
                name="claim_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("agent_name", sa.String(length=50), nullable=True),
        sa.Column("letter_sha256", sa.String(length=64), nullable=True),
        sa.Column("letter_mime", sa.String(length=100), nullable=True),
        sa.Column("letter_filename", sa.String(length=255), nullable=True),
        sa.Column("decided_by_name", sa.String(length=100), nullable=True),
        sa.Column("decided_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["merchant_account.id"],
            name=op.f("fk_shop_claim_account_id_merchant_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchant.id"], name=op.f("fk_shop_claim_merchant_id_merchant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_claim")),
    )
    with op.batch_alter_table("shop_claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shop_claim_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shop_claim_merchant_id"), ["merchant_id"], unique=False)
        batch_op.create_index("ix_shop_claim_status_created", ["status", "created_at"], unique=False)

    op.create_table(
        "shop_profile",
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("business_hours", sa.String(length=100), nullable=True),
        sa.Column("contact_name", sa.String(length=50), nullable=True),
        sa.Column("contact_phone", sa.String(length=ciphertext_width(32)), nullable=True),  # sealed (core.fieldtypes)
        sa.Column("storefront_sha256", sa.String(length=64), nullable=True),
        sa.Column("storefront_mime", sa.String(length=100), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchant.id"], name=op.f("fk_shop_profile_merchant_id_merchant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_profile")),
        sa.UniqueConstraint("merchant_id", name=op.f("uq_shop_profile_merchant_id")),
    )
    op.create_table(
        "warning_first_decision",
        sa.Column("matter_code", sa.String(length=20), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=True),
        sa.Column("source_id", sa.Uuid(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum("warning", "case", name="warning_outcome", native_enum=False, create_constraint=True, length=16),
            nullable=False,
        ),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_by_name", sa.String(length=100), nullable=False),
        sa.Column("decided_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_warning_first_decision_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchant.id"],
            name=op.f("fk_warning_first_decision_merchant_id_merchant"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["case_source.id"],
            name=op.f("fk_warning_first_decision_source_id_case_source"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_first_decision")),
    )
    with op.batch_alter_table("warning_first_decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_warning_first_decision_merchant_id"), ["merchant_id"], unique=False)

    op.create_table(
        "merchant_report",
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("signal_id", sa.Uuid(), nullable=False),
        sa.Column("case_source_id", sa.Uuid(), nullable=True),
        sa.Column("category_code", sa.String(length=5), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("address", sa.String(length=256), nullable=True),
        sa.Column("photo", sa.String(length=80), nullable=True),
        sa.Column("created_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["merchant_account.id"],
            name=op.f("fk_merchant_report_account_id_merchant_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_source_id"],
            ["case_source.id"],
            name=op.f("fk_merchant_report_case_source_id_case_source"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchant.id"], name=op.f("fk_merchant_report_merchant_id_merchant"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["signal_id"], ["signal.id"], name=op.f("fk_merchant_report_signal_id_signal"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchant_report")),
        sa.UniqueConstraint("signal_id", name=op.f("uq_merchant_report_signal_id")),
    )
    with op.batch_alter_table("merchant_report", schema=None) as batch_op:
        batch_op.create_index("ix_merchant_report_merchant_created", ["merchant_id", "created_at"], unique=False)

    op.create_table(
        "party_submission",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "statement", "hearing", name="submission_kind", native_enum=False, create_constraint=True, length=16
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("evidence_ids", sa.JSON(), nullable=False),
        sa.Column("window_ends", sa.Date(), nullable=False),
        sa.Column("submitted_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["merchant_account.id"],
            name=op.f("fk_party_submission_account_id_merchant_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["penalty_case.id"], name=op.f("fk_party_submission_case_id_penalty_case"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_submission")),
    )
    with op.batch_alter_table("party_submission", schema=None) as batch_op:
        batch_op.create_index("ix_party_submission_case", ["case_id", "submitted_at"], unique=False)

    op.create_table(
        "shop_notice",
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "warning",
                "rectification_order",
                name="notice_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("document_no", sa.String(length=80), nullable=True),
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("bureau_name", sa.String(length=100), nullable=False),
        sa.Column("matter_code", sa.String(length=20), nullable=False),
        sa.Column("matter_name", sa.String(length=100), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("requirement", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column(
            "origin",
            sa.Enum(
                "case_source",
                "patrol",
                "shop_page",
                name="notice_origin",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("source_id", sa.Uuid(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("decision_id", sa.Uuid(), nullable=True),
        sa.Column("issued_by_id", sa.Uuid(), nullable=True),
        sa.Column("issued_by_name", sa.String(length=100), nullable=False),
        sa.Column("issued_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sms_status", sa.String(length=16), nullable=True),
        sa.Column("read_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "submitted",
                "reinspection",
                "rejected",
                "confirmed",
                "escalated",
                "withdrawn",
                name="rectification_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("rejections", sa.Integer(), nullable=False),
        sa.Column("reinspection_on", sa.Date(), nullable=True),
        sa.Column("closed_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("escalated_source_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["penalty_case.id"], name=op.f("fk_shop_notice_case_id_penalty_case"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["warning_first_decision.id"],
            name=op.f("fk_shop_notice_decision_id_warning_first_decision"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["escalated_source_id"],
            ["case_source.id"],
            name=op.f("fk_shop_notice_escalated_source_id_case_source"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["user_account.id"],
            name=op.f("fk_shop_notice_issued_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchant.id"], name=op.f("fk_shop_notice_merchant_id_merchant"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["case_source.id"], name=op.f("fk_shop_notice_source_id_case_source"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_shop_notice_unit_id_org_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_notice")),
        sa.UniqueConstraint("code", name=op.f("uq_shop_notice_code")),
        sa.UniqueConstraint("document_no", name=op.f("uq_shop_notice_document_no")),
    )
    with op.batch_alter_table("shop_notice", schema=None) as batch_op:
        batch_op.create_index("ix_shop_notice_merchant_issued", ["merchant_id", "issued_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_shop_notice_source_id"), ["source_id"], unique=False)
        batch_op.create_index("ix_shop_notice_status_due", ["status", "due_date"], unique=False)
        batch_op.create_index("ix_shop_notice_unit_status", ["unit_id", "status"], unique=False)

    op.create_table(
        "rectification_submission",
        sa.Column("notice_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("evidence_ids", sa.JSON(), nullable=False),
        sa.Column("submitted_at", chengguan.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["merchant_account.id"],
            name=op.f("fk_rectification_submission_account_id_merchant_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["shop_notice.id"],
            name=op.f("fk_rectification_submission_notice_id_shop_notice"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_submission")),
    )
    with op.batch_alter_table("rectification_submission", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rectification_submission_notice_id"), ["notice_id"], unique=False)

    op.create_table(
        "shop_notice_event",
        sa.Column("notice_id", sa.Uuid(), nullable=False),
        sa.Column("at", chengguan.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=True),
        sa.Column("actor_type", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["shop_notice.id"],
            name=op.f("fk_shop_notice_event_notice_id_shop_notice"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_notice_event")),
    )
    with op.batch_alter_table("shop_notice_event", schema=None) as batch_op:
        batch_op.create_index("ix_shop_notice_event_notice_at", ["notice_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shop_notice_event", schema=None) as batch_op:
        batch_op.drop_index("ix_shop_notice_event_notice_at")

    op.drop_table("shop_notice_event")
    with op.batch_alter_table("rectification_submission", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rectification_submission_notice_id"))

    op.drop_table("rectification_submission")
    with op.batch_alter_table("shop_notice", schema=None) as batch_op:
        batch_op.drop_index("ix_shop_notice_unit_status")
        batch_op.drop_index("ix_shop_notice_status_due")
        batch_op.drop_index(batch_op.f("ix_shop_notice_source_id"))
        batch_op.drop_index("ix_shop_notice_merchant_issued")

    op.drop_table("shop_notice")
    with op.batch_alter_table("party_submission", schema=None) as batch_op:
        batch_op.drop_index("ix_party_submission_case")

    op.drop_table("party_submission")
    with op.batch_alter_table("merchant_report", schema=None) as batch_op:
        batch_op.drop_index("ix_merchant_report_merchant_created")

    op.drop_table("merchant_report")
    with op.batch_alter_table("warning_first_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_warning_first_decision_merchant_id"))

    op.drop_table("warning_first_decision")
    op.drop_table("shop_profile")
    with op.batch_alter_table("shop_claim", schema=None) as batch_op:
        batch_op.drop_index("ix_shop_claim_status_created")
        batch_op.drop_index(batch_op.f("ix_shop_claim_merchant_id"))
        batch_op.drop_index(batch_op.f("ix_shop_claim_account_id"))

    op.drop_table("shop_claim")
    op.drop_table("warning_first_rule")
