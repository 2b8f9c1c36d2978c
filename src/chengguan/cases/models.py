"""Tables of the penalty case: the case with its party and procedure state, its officers, its immutable timeline,
the approval chains per unit and the approvals given."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chengguan.cases.enums import CaseStatus, DecisionKind, Procedure
from chengguan.core.db import Base, Timestamps, UUIDPrimaryKey
from chengguan.core.fieldtypes import Encrypted, search_hash
from chengguan.kit.types import str_enum
from chengguan.law.enums import PartyType
from chengguan.org import usage


class Case(UUIDPrimaryKey, Timestamps, Base):
    """An administrative-penalty case (行政处罚案件); ``version`` locks optimistically (two approvers: one wins)."""

    __tablename__ = "penalty_case"
    __table_args__ = (
        Index("ix_penalty_case_unit_status", "unit_id", "status"),
        Index("ix_penalty_case_status_due", "status", "decision_due_on"),
        Index("ix_penalty_case_party_id_no_hash", "party_id_no_hash"),
        Index("ix_penalty_case_party_phone_hash", "party_phone_hash"),
        Index("ix_penalty_case_party_name", "party_name"),
        Index("ix_penalty_case_matter", "matter_code"),
        Index("ix_penalty_case_updated", "updated_at"),
        Index("ix_penalty_case_created", "created_at"),  # the analytics window and the list's 登记日期 filter
        Index("ix_penalty_case_decided", "decided_on"),  # 罚没金额 by decision date
        Index("ix_penalty_case_unit_updated", "unit_id", "updated_at"),
        Index("ix_penalty_case_id_unit", "id", "unit_id"),  # which of an officer's cases lie outside a scope
        CheckConstraint("fine_fen IS NULL OR fine_fen >= 0", name="fine_not_negative"),
        CheckConstraint("paid_fen >= 0", name="paid_not_negative"),
        CheckConstraint("approval_step >= 0 AND approval_steps >= 0", name="approval_steps_not_negative"),
    )

    code: Mapped[str] = mapped_column(String(24), unique=True)
    procedure: Mapped[Procedure] = mapped_column(str_enum(Procedure, "procedure"))
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus, "status"))
    approval_step: Mapped[int] = mapped_column(default=0)
    approval_steps: Mapped[int] = mapped_column(default=0)
    came_from: Mapped[CaseStatus | None] = mapped_column(str_enum(CaseStatus, "came_from"))
    # the approval chain as it stood when the case entered its current approval stage (later edits do not move it)
    approval_chain: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    district_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    source_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case_source.id", ondelete="SET NULL"), index=True)
    # the matter and the knowledge-base version its articles and fine ranges were read from
    matter_code: Mapped[str] = mapped_column(String(32))
    matter_name: Mapped[str] = mapped_column(String(200))
    knowledge_version: Mapped[str | None] = mapped_column(String(64))
    # the party (当事人)
    party_type: Mapped[PartyType] = mapped_column(str_enum(PartyType, "party_type"))
    party_name: Mapped[str] = mapped_column(String(200))
    # 身份证号 or 统一社会信用代码 (check digit verified), phone and address: encrypted, found through keyed hashes
    party_id_no: Mapped[str | None] = mapped_column(Encrypted("id_no", 32))
    party_id_no_hash: Mapped[str | None] = search_hash("party_id_no", "id_no")
    party_phone: Mapped[str | None] = mapped_column(Encrypted("phone", 32))
    party_phone_hash: Mapped[str | None] = search_hash("party_phone", "phone")
    party_address: Mapped[str | None] = mapped_column(Encrypted("address", 1024))
    party_representative: Mapped[str | None] = mapped_column(String(100))  # 法定代表人 / 负责人
    # the registered shop the party is (or runs), when there is one: its record shows on the case
    merchant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("merchant.id", ondelete="RESTRICT"), index=True)
    # what happened, where, when
    facts: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(256))
    lng: Mapped[float | None]
    lat: Mapped[float | None]
    grid_code: Mapped[str | None] = mapped_column(String(15))
    act_on: Mapped[date]
    act_at: Mapped[datetime | None]  # 违法时间 to the minute (第五十二条第二款: the on-the-spot decision states it)
    act_ended_on: Mapped[date | None]  # a continuing act: 第三十六条第二款
    limitation_extended: Mapped[bool] = mapped_column(default=False)  # 五年：生命健康安全、金融安全且有危害后果
    limitation_override: Mapped[str | None] = mapped_column(String(1000))
    # the penalty, as proposed from the knowledge base's calculator, and as last noticed to the party
    penalty_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    fine_fen: Mapped[int | None]
    penalty_reasoning: Mapped[str | None] = mapped_column(Text)
    hearing_right: Mapped[bool] = mapped_column(default=False)
    noticed_kinds: Mapped[list[str] | None] = mapped_column(JSON)
    noticed_fine_fen: Mapped[int | None]
    notice_served_on: Mapped[date | None]
    statement_days: Mapped[int] = mapped_column(default=3)
    statement_waived: Mapped[bool] = mapped_column(default=False)
    defense_recorded: Mapped[bool] = mapped_column(default=False)
    hearing_requested: Mapped[bool] = mapped_column(default=False)
    hearing_notified_on: Mapped[date | None]
    hearing_on: Mapped[date | None]
    hearing_held: Mapped[bool] = mapped_column(default=False)
    hearing_closed: Mapped[bool] = mapped_column(default=False)
    legal_review_grounds: Mapped[list[str]] = mapped_column(JSON, default=list)
    legal_review_passed: Mapped[bool] = mapped_column(default=False)
    discussion_required: Mapped[bool] = mapped_column(default=False)
    discussion_done: Mapped[bool] = mapped_column(default=False)
    # clocks and execution
    filed_on: Mapped[date | None]  # 立案日期: the 90-day clock (第六十条) starts here
    extension_days: Mapped[int] = mapped_column(default=0)
    extensions: Mapped[int] = mapped_column(default=0)
    decision_due_on: Mapped[date | None]
    decision_kind: Mapped[DecisionKind | None] = mapped_column(str_enum(DecisionKind, "decision_kind"))
    decided_on: Mapped[date | None]
    decision_served_on: Mapped[date | None]
    payment_due_on: Mapped[date | None]
    paid_fen: Mapped[int] = mapped_column(default=0)
    fine_paid_on: Mapped[date | None]  # the day the fine was paid in full: the late fee stops there (第七十二条)
    remedy_periods: Mapped[list[list[str | None]]] = mapped_column(JSON, default=list)  # [[start, end|null], …]
    reminder_served_on: Mapped[date | None]
    enforcement_applied_on: Mapped[date | None]
    supervised_at: Mapped[datetime | None]  # 督查: moved there once overdue
    supervised_due_on: Mapped[date | None]  # the deadline that was escalated (a later, extended one is again)
    closed_at: Mapped[datetime | None]
    archived_at: Mapped[datetime | None]
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads a plain dict


class CaseOfficer(Base):
    """A handling officer of a case (承办人); the first is the lead."""

    __tablename__ = "case_officer"
    __table_args__ = (Index("ix_case_officer_officer", "officer_id", "case_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("penalty_case.id", ondelete="CASCADE"), primary_key=True)
    officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("officer.id", ondelete="RESTRICT"), primary_key=True)
    lead: Mapped[bool] = mapped_column(default=False)


class CaseEvent(UUIDPrimaryKey, Base):
    """One entry of a case's timeline (全过程记录, 第四十七条): who did what, when, from where — never updated."""

    __tablename__ = "case_event"
    __table_args__ = (
        Index("ix_case_event_case_at", "case_id", "at"),
        UniqueConstraint("case_id", "idempotency_key", name="one_per_key"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("penalty_case.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[uuid.UUID | None]
    actor_name: Mapped[str] = mapped_column(String(100))
    ip: Mapped[str | None] = mapped_column(String(45))
    reason: Mapped[str | None] = mapped_column(String(2000))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))


class ApprovalChain(UUIDPrimaryKey, Timestamps, Base):
    """Who approves a stage, step by step, for one unit (or every unit: ``unit_id`` NULL) and procedure."""

    __tablename__ = "approval_chain"
    __table_args__ = (UniqueConstraint("unit_id", "procedure", "stage", name="one_chain_per_key"),)

    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    procedure: Mapped[Procedure] = mapped_column(str_enum(Procedure, "procedure"))
    stage: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus, "stage"))
    steps: Mapped[list[dict[str, str]]] = mapped_column(JSON)  # [{"role": "squad_leader", "label": "中队长审批"}, …]


class CaseApproval(UUIDPrimaryKey, Base):
    """One approval given or refused, signed by the approver (the digest binds case, stage, step, user and time)."""

    __tablename__ = "case_approval"
    __table_args__ = (Index("ix_case_approval_case", "case_id", "at"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("penalty_case.id", ondelete="CASCADE"))
    stage: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus, "stage"))
    step: Mapped[int]
    step_label: Mapped[str] = mapped_column(String(50))
    approved: Mapped[bool]
    opinion: Mapped[str | None] = mapped_column(String(2000))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    user_name: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
    signature: Mapped[str] = mapped_column(String(64))


class Disclosure(UUIDPrimaryKey, Base):
    """A published penalty decision (行政处罚决定公开, 第四十八条) with personal data masked; withdrawn with a public
    reason when the decision is changed or revoked (第四十八条第二款: within three working days)."""

    __tablename__ = "case_disclosure"
    __table_args__ = (Index("ix_case_disclosure_published", "withdrawn_at", "published_at"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("penalty_case.id", ondelete="CASCADE"), unique=True)
    published_at: Mapped[datetime]
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_on: Mapped[date | None]
    withdraw_due_on: Mapped[date | None]
    withdrawn_at: Mapped[datetime | None]
    withdraw_reason: Mapped[str | None] = mapped_column(String(1000))


usage.unit_referenced_by(Case.unit_id, "案件")
usage.unit_referenced_by(Case.district_id, "案件")
usage.officer_referenced_by(CaseOfficer.officer_id, "该执法人员承办过案件，不能删除（可改为停用）", "officer.has_cases")
