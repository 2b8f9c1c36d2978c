"""API shapes of the merchant H5 (public shop page, claim, details, reports, procedure rights) and of the console's
side of it (claims to approve, a shop's reports)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from chengguan.kit.schemas import Out, Schema
from chengguan.rectification.schemas import NoticeDetail
from chengguan.shopfront.enums import ClaimMethod, ClaimStatus, SubmissionKind

PhoneField = Field(max_length=20, description="手机号码（接收验证码）")


class Provision(Out):
    """One provision the shop must keep, quoted from the knowledge base."""

    citation: str  # 《青岛市市容和环境卫生管理条例》第十二条第一款
    text: str | None


class MatterBrief(Out):
    code: str
    name: str
    citation: str
    description: str


class Obligations(Out):
    frontage_title: str = "门前三包（市容和环境卫生责任区）"
    frontage: list[Provision]
    frontage_summary: str
    business_hours: str | None
    matters: list[MatterBrief] = Field(description="与本店经营类别相关、在本地适用的执法事项")


class ShopPage(Out):
    """What anyone who scans the door sign sees (no personal data)."""

    code: str
    name: str
    business_type: str
    address: str
    squad: str
    squad_phone: str | None
    bureau: str
    status_label: str
    claimed: bool
    mine: bool = Field(description="当前商户端账号已认领本店")
    pending_claim: bool = Field(description="当前账号的认领申请待审核")
    storefront_url: str | None
    obligations: Obligations


class CodeIn(Schema):
    phone: str = PhoneField


class CodeSent(Out):
    sent: bool = True
    expires_in: int
    retry_after: int


class ClaimIn(Schema):
    """Phone + SMS code, and one licence number that must match the register."""

    phone: str = PhoneField
    code: str = Field(max_length=10, description="短信验证码")
    uscc: str | None = Field(None, max_length=18, description="统一社会信用代码（营业执照）")
    operator_id_no: str | None = Field(None, max_length=18, description="经营者公民身份号码（个体工商户）")


class AccountBrief(Out):
    id: uuid.UUID
    phone: str
    display_name: str


class ClaimOut(Out):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    account: AccountBrief
    shop_code: str
    status: ClaimStatus
    status_label: str


class MyShop(Out):
    code: str
    name: str
    address: str
    status: ClaimStatus
    status_label: str
    open_notices: int
    awaiting_shop: int = Field(description="待本店整改的通知数")


class ProfileIn(Schema):
    business_hours: str | None = Field(None, max_length=100, description="营业时间，如 08:00-22:00")
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=20, pattern=r"^[0-9+\-() ]{5,20}$")


class ShopDetail(Out):
    """The claimed shop as its owner sees it."""

    code: str
    name: str
    kind_label: str
    uscc: str | None
    operator_name: str
    business_type: str
    address: str
    squad: str
    business_hours: str | None
    contact_name: str | None
    contact_phone: str | None
    storefront_url: str | None


class PortalNotice(Out):
    """A notice as the shop sees it (the same fields as the console's, the officer's photo URLs its own)."""

    notice: NoticeDetail
    pdf_url: str | None
    can_submit: bool


class ReportIn(Schema):
    category_code: str = Field(pattern=r"^[0-9]{5}$")
    description: str = Field(min_length=4, max_length=1000)
    address: str | None = Field(None, max_length=256)
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)


class ReportStep(Out):
    at: datetime
    label: str


class ReportRead(Out):
    id: uuid.UUID
    merchant_code: str
    merchant_name: str
    category_code: str
    category_name: str
    description: str
    address: str | None
    photo_url: str | None
    created_at: datetime
    case_source_id: uuid.UUID | None
    case_source_code: str | None
    status: str | None
    status_label: str
    steps: list[ReportStep]


class ClaimRead(Out):
    id: uuid.UUID
    merchant_id: uuid.UUID
    merchant_code: str
    merchant_name: str
    account_phone: str
    method: ClaimMethod
    method_label: str
    status: ClaimStatus
    status_label: str
    agent_name: str | None
    has_letter: bool
    created_at: datetime
    decided_by_name: str | None
    decided_at: datetime | None
    reason: str | None


class ClaimDecisionIn(Schema):
    approve: bool
    reason: str | None = Field(None, max_length=500)


class Window(Out):
    """A statutory window of the case as the party sees it."""

    open: bool
    ends_on: date | None
    basis: str


class SubmissionOut(Out):
    id: uuid.UUID
    kind: SubmissionKind
    kind_label: str
    text: str
    attachments: int
    submitted_at: datetime


class PartyCaseOut(Out):
    id: uuid.UUID
    code: str
    matter_name: str
    party_name: str
    status: str
    status_label: str
    notice_served_on: date | None
    statement: Window
    hearing: Window | None
    hearing_requested: bool
    submissions: list[SubmissionOut]


class HearingIn(Schema):
    reason: str = Field(min_length=2, max_length=1000, description="要求听证的理由")
