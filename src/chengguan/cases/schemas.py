"""API schemas of the penalty case: create, read (list and detail), actions with their input, the timeline."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from chengguan.cases.enums import CaseAction, CaseStatus, DecisionKind, MerchantKind, MerchantStatus, Procedure
from chengguan.core import clock
from chengguan.kit.schemas import Filter, IsoDateTime, Out, Schema
from chengguan.law.enums import PartyType, PenaltyKind


class PartyIn(Schema):
    type: PartyType
    name: str = Field(min_length=1, max_length=200)
    id_no: str | None = Field(None, max_length=18, description="公民身份号码或统一社会信用代码（校验位）")
    # "*": a masked number posted back unchanged (cases.amend keeps the stored one; anywhere else it is refused)
    phone: str | None = Field(None, max_length=20, pattern=r"^[0-9+\-() *]{5,20}$")
    address: str | None = Field(None, max_length=256)
    representative: str | None = Field(None, max_length=100, description="法定代表人或负责人")


class PartyPersonal(BaseModel):
    """The party's identity number, phone and address: masked (370202********1234, 138****5678, 青岛市市南区****)
    unless revealed to a reader holding personal_data:view (each reveal is audited)."""

    id_no: str | None
    phone: str | None
    address: str | None
    masked: bool = Field(description="true：脱敏显示；false：完整信息（已记入审计日志）")


class MerchantRef(Out):
    """The shop a case's party is (or runs), as the case detail shows it."""

    id: uuid.UUID
    code: str
    name: str
    kind: MerchantKind
    business_type: str
    address: str
    status: MerchantStatus


class PartyCase(Out):
    """One earlier case of the same party or shop (违法记录), as the repeat-offender history shows it."""

    id: uuid.UUID
    code: str
    matter_name: str
    status: str
    status_label: str
    procedure: str
    act_on: date
    decided_on: date | None
    decision_kind: str | None
    fine_fen: int | None
    unit_name: str


class PenaltyIn(Schema):
    kinds: list[PenaltyKind] = Field(min_length=1, max_length=6)
    fine_fen: int | None = Field(None, ge=0, le=10**12, description="罚款金额（分）")
    reasoning: str | None = Field(None, max_length=4000, description="裁量理由（来自裁量计算器）")
    hearing_right: bool = Field(False, description="是否属于应当告知听证权利的情形（第六十三条）")

    @model_validator(mode="after")
    def _fine_matches_kinds(self) -> PenaltyIn:
        if (PenaltyKind.fine in self.kinds) != (self.fine_fen is not None):
            raise ValueError("罚款种类与罚款金额须同时填写")
        return self


class CaseCreate(Schema):
    procedure: Procedure
    unit_id: uuid.UUID | None = Field(None, description="承办单位（默认本人所在单位）")
    source_id: uuid.UUID | None = Field(None, description="来源案源（可空：直接立案）")
    matter_code: str = Field(min_length=1, max_length=32, description="执法事项编码（知识库）")
    party: PartyIn
    merchant_id: uuid.UUID | None = Field(None, description="当事人对应的商户（可空：按证件号自动关联）")
    facts: str | None = Field(None, max_length=8000)
    address: str | None = Field(None, max_length=256)
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    act_on: date | None = Field(None, description="违法行为发生日期（填写 act_at 时可省略）")
    act_at: IsoDateTime | None = Field(None, description="违法时间（到分钟；当场处罚必填，《行政处罚法》第五十二条）")
    act_ended_on: date | None = Field(None, description="连续或继续状态的终了日期（第三十六条第二款）")
    limitation_extended: bool = Field(False, description="涉及生命健康安全、金融安全且有危害后果（追责时效五年）")
    officer_ids: list[uuid.UUID] = Field(min_length=1, max_length=6, description="承办人（第一位为主办）")
    penalty: PenaltyIn | None = None
    legal_review_grounds: list[str] = Field(default_factory=list, max_length=3)
    discussion_required: bool = False
    statement_days: int = Field(3, ge=1, le=15, description="陈述申辩期（工作日）")
    signed_or_refused: bool = Field(False, description="简易程序：当事人签收或拒签已记录")
    idempotency_key: str | None = Field(None, max_length=128)

    @model_validator(mode="after")
    def _act_day(self) -> CaseCreate:
        """The day of the act is the local date of ``act_at`` when only that is given (legal days are Shanghai's)."""
        if self.act_at is not None:
            day = clock.as_utc(self.act_at).astimezone(clock.SHANGHAI).date()
            if self.act_on is not None and self.act_on != day:
                raise ValueError("违法行为发生日期与违法时间不一致")
            self.act_on = day
        if self.act_on is None:
            raise ValueError("请填写违法行为发生日期或违法时间")
        return self


class CaseParticularsIn(Schema):
    """Corrections of what the case states before the decision is submitted (违法事实、时间、地点、当事人)."""

    version: int = Field(ge=1, description="客户端看到的案件版本（乐观锁）")
    facts: str | None = Field(None, max_length=8000)
    address: str | None = Field(None, max_length=256)
    act_at: IsoDateTime | None = None
    party: PartyIn | None = None
    reason: str = Field(min_length=2, max_length=500, description="补正理由（记入全过程记录）")


class CaseActionIn(Schema):
    """Input of an action; which fields an action reads is listed in docs/api-cases.md."""

    version: int = Field(ge=1, description="客户端看到的案件版本（乐观锁）")
    idempotency_key: str | None = Field(None, max_length=128, description="重试同一操作时保持不变")
    reason: str | None = Field(None, max_length=2000)
    on: date | None = Field(None, description="送达、缴款等发生日期（默认今天）")
    penalty: PenaltyIn | None = None
    hearing_on: date | None = None
    hearing_notified_on: date | None = None
    hearing_held: bool | None = None
    amount_fen: int | None = Field(None, gt=0, le=10**12)
    signed_or_refused: bool = False
    extension_days: int | None = Field(None, ge=1, le=90)
    data: dict[str, Any] | None = Field(None, description="附加记录（陈述申辩要点、讨论结论、移送机关等）")


class Colleague(BaseModel):
    """An officer of the handler's unit who may be named a handling officer (certified ones may enforce, 第四十二条)."""

    id: uuid.UUID
    name: str
    kind: str
    certificate_no: str | None
    rank: str
    user_id: uuid.UUID | None


class NamedRef(BaseModel):
    id: uuid.UUID
    name: str


class CaseClockRead(BaseModel):
    key: str
    label: str
    basis: str
    due: date
    remaining_days: int
    warning: bool
    overdue: bool


class CaseListItem(Out):
    id: uuid.UUID
    code: str
    procedure: Procedure
    status: CaseStatus
    status_label: str
    matter_name: str
    party_name: str
    unit: NamedRef | None
    decision_due_on: date | None
    remaining_days: int | None
    overdue: bool
    supervised: bool
    created_at: datetime
    updated_at: datetime
    version: int


class EventRead(Out):
    id: uuid.UUID
    at: datetime
    action: str
    action_label: str
    from_status: str | None
    to_status: str | None
    actor_name: str
    ip: str | None
    reason: str | None
    data: dict[str, Any] | None


class LegalReviewRead(BaseModel):
    """法制审核 (第五十八条) in the case detail: 待审核 until a reviewer decides, then the verdict and opinion."""

    state: str = Field(description="not_required 无需 / pending 待审核 / passed 已通过 / failed 未通过")
    state_label: str
    opinion: str | None = Field(None, description="审核意见（未通过时必填）")
    reviewer: str | None = None
    at: datetime | None = None


class ApprovalRead(Out):
    stage: CaseStatus
    step: int
    step_label: str
    approved: bool
    opinion: str | None
    user_name: str
    at: datetime
    signature: str


class ActionOption(BaseModel):
    action: CaseAction
    label: str
    open: bool
    blocked_by: str | None = None
    blocked_code: str | None = None


class DisclosureRead(Out):
    published_at: datetime
    content: dict[str, Any]
    changed_on: date | None
    withdraw_due_on: date | None
    withdrawn_at: datetime | None
    withdraw_reason: str | None


class DisclosureWithdrawIn(Schema):
    reason: str = Field(min_length=1, max_length=1000, description="撤回理由（向社会公开说明）")
    changed_on: date | None = Field(None, description="决定被变更、撤销或确认违法、无效的日期（默认今天）")


class PublicDisclosures(BaseModel):
    items: list[dict[str, Any]]
    total: int


class CaseDetail(CaseListItem):
    approval_step: int
    approval_steps: int
    approval_step_label: str | None
    source_id: uuid.UUID | None
    matter_code: str
    knowledge_version: str | None
    party_type: PartyType
    party_id_no: str | None = Field(description="证件号码（个人脱敏显示，完整信息见 POST /cases/{id}/party:reveal）")
    party_phone: str | None = Field(description="联系电话（脱敏显示）")
    party_address: str | None = Field(description="地址（个人脱敏显示）")
    party_masked: bool = True
    may_reveal: bool = Field(False, description="本人可查看完整个人信息（personal_data:view）")
    party_representative: str | None
    repeat_offences: int = Field(description="当事人（或其商户）此前已受行政处罚的次数")
    party_history: list[PartyCase] = Field(default_factory=list, description="当事人或商户的其他案件，最近的在前")
    party_history_hidden: int = Field(0, description="当事人或商户在您数据权限之外的其他案件数（仅计数，不含详情）")
    merchant: MerchantRef | None = None
    facts: str | None
    address: str | None
    lng: float | None
    lat: float | None
    act_on: date
    act_at: datetime | None = None
    act_ended_on: date | None
    officers: list[NamedRef]
    penalty_kinds: list[str]
    fine_fen: int | None
    penalty_reasoning: str | None
    hearing_right: bool
    noticed_kinds: list[str] | None
    noticed_fine_fen: int | None
    notice_served_on: date | None
    statement_days: int
    statement_waived: bool
    hearing_requested: bool
    hearing_on: date | None
    legal_review_required: bool
    legal_review_passed: bool
    legal_review: LegalReviewRead
    discussion_required: bool
    discussion_done: bool
    filed_on: date | None
    decision_kind: DecisionKind | None
    decided_on: date | None
    decision_served_on: date | None
    payment_due_on: date | None
    paid_fen: int
    late_fee_fen: int
    amount_due_fen: int
    clocks: list[CaseClockRead]
    actions: list[ActionOption]
    approvals: list[ApprovalRead]
    disclosure: DisclosureRead | None
    timeline: list[EventRead]


class CaseExportIn(Schema):
    """What to export (the list's filters) and whether in full: ``reveal`` needs personal_data:view and is audited."""

    status: list[CaseStatus] | None = None
    procedure: Procedure | None = None
    unit_id: uuid.UUID | None = None
    district_id: uuid.UUID | None = None
    created_from: date | None = None
    created_to: date | None = None
    q: str | None = Field(None, max_length=100, description="案号、当事人全名、证件号码、电话或事项名称")
    overdue: bool | None = None
    due_from: date | None = None
    due_to: date | None = None
    decided_from: date | None = None
    decided_to: date | None = None
    paid_from: date | None = None
    paid_to: date | None = None
    mine: bool = Field(False, description="只导出本人承办的")
    awaiting_me: bool = False
    reveal: bool = Field(False, description="导出完整个人信息（须 personal_data:view 权限，记入审计日志）")


class CaseFilter(Filter):
    status: list[CaseStatus] | None = None
    procedure: Procedure | None = None
    unit_id: uuid.UUID | None = None
    district_id: uuid.UUID | None = Field(None, description="所属区局")
    created_from: date | None = Field(None, description="登记（立案登记或当场处罚）日期起（含，北京时间）")
    created_to: date | None = Field(None, description="登记日期止（含，北京时间）")
    q: str | None = Field(None, max_length=100, description="案号、当事人全名、证件号码、电话或事项名称（关键字）")
    overdue: bool | None = None
    due_from: date | None = Field(None, description="办案期限起（含）：在办案件的作出决定期限")
    due_to: date | None = Field(None, description="办案期限止（含）")
    decided_from: date | None = Field(None, description="作出决定日期起（含，北京时间）")
    decided_to: date | None = Field(None, description="作出决定日期止（含）")
    paid_from: date | None = Field(None, description="罚款缴清日期起（含，北京时间）")
    paid_to: date | None = Field(None, description="罚款缴清日期止（含）")
    mine: bool = Field(False, description="只看本人承办的")
    awaiting_me: bool = Field(False, description="审批待办：当前环节由本人审批的")
