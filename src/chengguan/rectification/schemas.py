"""API shapes of notices, rectification and warning first."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import Field

from chengguan.kit.schemas import Filter, Out, Schema
from chengguan.rectification.enums import Harm, NoticeKind, NoticeOrigin, RectAction, RectStatus, Suggestion


class NoticeCreate(Schema):
    """An officer's notice to a shop; a 温馨提醒 goes only where warning first allows it (首违不罚)."""

    kind: NoticeKind
    merchant_id: uuid.UUID
    matter_code: str = Field(min_length=1, max_length=20, description="执法事项编码（决定违反的条款与依据）")
    facts: str = Field(min_length=2, max_length=2000, description="经查的事实（时间、地点、行为）")
    requirement: str = Field(min_length=2, max_length=1000, description="整改要求")
    due_date: date = Field(description="整改期限（含当日）")
    origin: NoticeOrigin = NoticeOrigin.shop_page
    source_id: uuid.UUID | None = Field(None, description="从案源发出时的案源")
    case_id: uuid.UUID | None = None
    decision_id: uuid.UUID | None = Field(None, description="首违不罚研判结果（温馨提醒须为“首违不罚”）")


class NoticeActionIn(Schema):
    version: int = Field(ge=1, description="通知的版本号（乐观锁）")
    reason: str | None = Field(None, max_length=1000, description="不合格或撤回的理由")
    reinspection_on: date | None = Field(None, description="现场复查日期")


class NoticeFilter(Filter):
    status: RectStatus | None = None
    kind: NoticeKind | None = None
    merchant_id: uuid.UUID | None = None
    unit_id: uuid.UUID | None = Field(None, description="发出单位（含下级）")
    awaiting: bool | None = Field(None, description="待确认（商户已提交，或待现场复查）")
    overdue: bool | None = Field(None, description="逾期（逾期未整改，或已转为案源）")
    q: str | None = Field(None, max_length=50, description="通知编号、文号、事项、商户名称或一店一码")


class PhotoRead(Out):
    id: uuid.UUID
    sha256: str
    mime: str
    size: int
    captured_at: datetime
    lng: float | None
    lat: float | None
    device: str | None
    ledger_seq: int
    url: str


class SubmissionRead(Out):
    id: uuid.UUID
    note: str | None
    submitted_at: datetime
    photos: list[PhotoRead]


class EventRead(Out):
    at: datetime
    action: str
    action_label: str
    from_status: str | None
    to_status: str | None
    actor_type: str
    actor_name: str
    reason: str | None
    data: dict[str, Any] | None


class NoticeRead(Out):
    id: uuid.UUID
    code: str
    kind: NoticeKind
    kind_label: str
    document_no: str | None
    merchant_id: uuid.UUID
    merchant_code: str
    merchant_name: str
    unit_id: uuid.UUID
    unit_name: str
    bureau_name: str
    matter_code: str
    matter_name: str
    basis: str
    facts: str
    requirement: str
    due_date: date
    origin: NoticeOrigin
    source_id: uuid.UUID | None
    case_id: uuid.UUID | None
    issued_by_name: str
    issued_at: datetime
    sms_status: str | None
    read_at: datetime | None
    status: RectStatus
    status_label: str
    rejections: int
    reinspection_on: date | None
    closed_at: datetime | None
    escalated_source_id: uuid.UUID | None
    overdue: bool = Field(description="已过整改期限且仍待商户整改")
    days_left: int = Field(description="距整改期限的天数（负数为已逾期）")
    has_pdf: bool
    version: int


class DecisionRead(Out):
    id: uuid.UUID
    matter_code: str
    merchant_id: uuid.UUID | None
    outcome: Suggestion
    outcome_label: str
    rule: str
    rule_label: str
    reason: str
    basis: str
    facts: dict[str, Any]
    decided_by_name: str
    decided_at: datetime


class NoticeDetail(NoticeRead):
    events: list[EventRead]
    submissions: list[SubmissionRead]
    actions: list[RectAction] = Field(description="当前可执行的操作")
    decision: DecisionRead | None = None


class DecideIn(Schema):
    """A finding to decide on: which matter, whose (a shop, or a party's identity number), how much harm."""

    matter_code: str = Field(min_length=1, max_length=20)
    merchant_id: uuid.UUID | None = None
    party_id_no: str | None = Field(None, min_length=15, max_length=18, description="当事人证件号（无登记商户时）")
    harm: Harm = Harm.minor
    source_id: uuid.UUID | None = None


class RuleRead(Out):
    matter_code: str
    matter_name: str
    enabled: bool
    window_days: int
    note: str | None
    updated_by_name: str
    updated_at: datetime


class RuleIn(Schema):
    enabled: bool = True
    window_days: int = Field(365, ge=1, le=3650, description="此期间内有同一事项违法记录的，不再适用首违不罚")
    note: str | None = Field(None, max_length=500)
