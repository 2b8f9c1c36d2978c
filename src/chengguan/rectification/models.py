"""Tables of notices and rectification: the notice a shop receives (with its rectification's state), the shop's
submissions, the notice's timeline, and warning first's rules and decisions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chengguan.core.db import Base, Timestamps, UUIDPrimaryKey
from chengguan.kit.types import str_enum
from chengguan.merchants.usage import merchant_referenced_by
from chengguan.rectification.enums import NoticeKind, NoticeOrigin, RectStatus, Suggestion


class Notice(UUIDPrimaryKey, Timestamps, Base):
    """A 温馨提醒 or a 责令（限期）整改通知 sent to a shop (《行政处罚法》第二十八条第一款: 责令改正或者限期
    改正), and the shop's rectification of it; ``version`` locks optimistically (shop and officer act on one row)."""

    __tablename__ = "shop_notice"
    __table_args__ = (
        Index("ix_shop_notice_merchant_issued", "merchant_id", "issued_at"),
        Index("ix_shop_notice_unit_status", "unit_id", "status"),
        Index("ix_shop_notice_status_due", "status", "due_date"),
    )

    code: Mapped[str] = mapped_column(String(24), unique=True)  # TX… (温馨提醒) / ZG… (整改通知), the portal's ref
    kind: Mapped[NoticeKind] = mapped_column(str_enum(NoticeKind, "notice_kind"))
    document_no: Mapped[str | None] = mapped_column(String(80), unique=True)  # 责改字 number of an order
    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchant.id", ondelete="RESTRICT"))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))  # the squad
    bureau_name: Mapped[str] = mapped_column(String(100))  # the issuing bureau as printed
    matter_code: Mapped[str] = mapped_column(String(20))
    matter_name: Mapped[str] = mapped_column(String(100))
    basis: Mapped[str] = mapped_column(Text)  # the provisions violated and the order's legal basis, as printed
    facts: Mapped[str] = mapped_column(Text)  # 经查：what was found
    requirement: Mapped[str] = mapped_column(Text)  # 整改要求
    due_date: Mapped[date]
    origin: Mapped[NoticeOrigin] = mapped_column(str_enum(NoticeOrigin, "notice_origin"))
    source_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case_source.id", ondelete="SET NULL"), index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("penalty_case.id", ondelete="SET NULL"))
    decision_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("warning_first_decision.id", ondelete="SET NULL"))
    issued_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    issued_by_name: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[datetime]
    sms_status: Mapped[str | None] = mapped_column(String(16))  # sent | failed | none (no phone on record)
    read_at: Mapped[datetime | None]  # first opened in the portal
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))  # the sealed order (blob store)
    status: Mapped[RectStatus] = mapped_column(str_enum(RectStatus, "rectification_status"))
    rejections: Mapped[int] = mapped_column(default=0)
    reinspection_on: Mapped[date | None]
    closed_at: Mapped[datetime | None]
    escalated_source_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case_source.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy's declarative attribute)


class NoticeEvent(UUIDPrimaryKey, Base):
    """One entry of a notice's timeline (全过程记录): append-only, never updated."""

    __tablename__ = "shop_notice_event"
    __table_args__ = (Index("ix_shop_notice_event_notice_at", "notice_id", "at"),)

    notice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shop_notice.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[uuid.UUID | None]
    actor_name: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(1000))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class RectificationSubmission(UUIDPrimaryKey, Base):
    """What the shop submitted once: its note and the photos, each fixed in the evidence ledger (origin party)."""

    __tablename__ = "rectification_submission"

    notice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shop_notice.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("merchant_account.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(1000))
    evidence_ids: Mapped[list[str]] = mapped_column(JSON)
    submitted_at: Mapped[datetime]


class WarningRule(UUIDPrimaryKey, Timestamps, Base):
    """A matter's warning-first rule (首违不罚, 《行政处罚法》第三十三条): on or off, and the window in days within
    which an earlier offence of the same matter makes this one a repeat."""

    __tablename__ = "warning_first_rule"

    matter_code: Mapped[str] = mapped_column(String(20), unique=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    window_days: Mapped[int] = mapped_column(default=365)
    note: Mapped[str | None] = mapped_column(String(500))
    updated_by_name: Mapped[str] = mapped_column(String(100))


class WarningDecision(UUIDPrimaryKey, Base):
    """One warning-first decision as it was made: the outcome, the rule that decided and what it read (no personal
    data: the history is kept as counts)."""

    __tablename__ = "warning_first_decision"

    matter_code: Mapped[str] = mapped_column(String(20))
    merchant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("merchant.id", ondelete="SET NULL"), index=True)
    source_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case_source.id", ondelete="SET NULL"))
    outcome: Mapped[Suggestion] = mapped_column(str_enum(Suggestion, "warning_outcome", 16))
    rule: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(500))
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_by_name: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime]


merchant_referenced_by(
    Notice.merchant_id, "该商户已有整改通知记录，不能删除（可将状态改为已注销）", "merchant.has_notices"
)
