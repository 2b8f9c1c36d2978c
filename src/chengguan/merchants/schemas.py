"""API shapes of the merchant register."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from chengguan.cases.enums import MerchantKind, MerchantStatus
from chengguan.cases.schemas import PartyCase
from chengguan.kit.schemas import Filter, Out, Schema

# "*": a masked number posted back unchanged (the service keeps the stored one, refuses it anywhere else)
Phone = Field(None, max_length=20, pattern=r"^[0-9+\-() *]{5,20}$")


class MerchantRead(Out):
    id: uuid.UUID
    code: str
    name: str
    kind: MerchantKind
    uscc: str | None
    operator_name: str
    operator_id_no: str | None = Field(description="经营者身份证号（脱敏显示）")
    phone: str | None = Field(description="联系电话（脱敏显示）")
    personal_masked: bool = True
    business_type: str
    address: str
    lng: float | None
    lat: float | None
    grid_code: str | None
    unit_id: uuid.UUID
    unit_name: str
    status: MerchantStatus
    has_account: bool = False
    created_at: datetime


class MerchantPersonal(Out):
    """The operator's identity number and the shop's phone in full (personal_data:view; the read is audited)."""

    operator_id_no: str | None
    phone: str | None
    masked: bool = False


class MerchantDetail(MerchantRead):
    cases: list[PartyCase] = Field(default_factory=list, description="该商户（含经营者）的案件，最近的在前")
    cases_hidden: int = Field(0, description="该商户（含经营者）在您数据权限之外的案件数（仅计数，不含详情）")
    penalties: int = Field(0, description="已作出处罚决定的次数")


class MerchantCreate(Schema):
    name: str = Field(min_length=1, max_length=200)
    kind: MerchantKind
    uscc: str | None = Field(None, min_length=18, max_length=18, description="统一社会信用代码（校验位）")
    operator_name: str = Field(min_length=1, max_length=100, description="经营者或法定代表人")
    operator_id_no: str | None = Field(None, min_length=18, max_length=18, description="经营者公民身份号码（校验位）")
    phone: str | None = Phone
    business_type: str = Field(min_length=1, max_length=50)
    address: str = Field(min_length=1, max_length=256)
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    unit_id: uuid.UUID | None = Field(None, description="责任中队（默认按坐标所在网格）")
    status: MerchantStatus = MerchantStatus.operating


class MerchantUpdate(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: MerchantKind | None = None
    uscc: str | None = Field(None, min_length=18, max_length=18)
    operator_name: str | None = Field(None, min_length=1, max_length=100)
    operator_id_no: str | None = Field(None, min_length=18, max_length=18)
    phone: str | None = Phone
    business_type: str | None = Field(None, min_length=1, max_length=50)
    address: str | None = Field(None, min_length=1, max_length=256)
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    unit_id: uuid.UUID | None = None
    status: MerchantStatus | None = None


class MerchantFilter(Filter):
    unit_id: uuid.UUID | None = Field(None, description="责任单位（含下级）")
    kind: MerchantKind | None = None
    status: MerchantStatus | None = None
    business_type: str | None = Field(None, max_length=50)
    q: str | None = Field(None, max_length=50, description="名称、一店一码、信用代码、经营者或证件号")


class SignFilter(MerchantFilter):
    """Which shops' signs to print at once: the register's filters plus a grid and a street."""

    grid_code: str | None = Field(None, max_length=15, description="网格编码")
    street: str | None = Field(None, min_length=2, max_length=50, description="地址包含（如街道名）")

    def merchant_filter(self) -> MerchantFilter:
        return MerchantFilter(**self.model_dump(exclude={"grid_code", "street"}))
