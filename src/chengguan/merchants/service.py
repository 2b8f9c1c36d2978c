"""Use cases of the merchant register: audited CRUD with licence check digits, location → grid → squad, the
shop's case record, and the shop a penalty case's party is (registered with ``cases.hooks``)."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.cases import hooks, personal
from chengguan.cases.enums import MerchantKind
from chengguan.cases.history import HISTORY_LIMIT, party_record
from chengguan.cases.models import Case
from chengguan.cases.schemas import MerchantRef, PartyIn
from chengguan.core.counters import reserve
from chengguan.core.errors import Conflict, field_error
from chengguan.core.idnumbers import valid_ric, valid_uscc
from chengguan.core.masking import mask_id_no, mask_phone
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.crud import CrudService, conflict
from chengguan.merchants import usage
from chengguan.merchants.models import Merchant
from chengguan.merchants.repository import MerchantRepository, matches_party, merchant_of_party
from chengguan.merchants.schemas import MerchantDetail, MerchantPersonal, MerchantRead
from chengguan.org.enums import OrgLevel
from chengguan.org.grids import grid_locator
from chengguan.org.references import unit_in_scope
from chengguan.org.repository import with_unit_names


def next_code(session: Session) -> str:
    """The shop's 一店一码: SH + eight gap-free digits (the QR on the shop door carries it)."""
    return f"SH{reserve(session, 'merchant'):08d}"


class MerchantService(CrudService[Merchant]):
    """Shops under supervision (商户档案)."""

    model = Merchant
    repository = MerchantRepository
    target_type = "merchant"
    noun = "商户"
    keyword_columns = ("name", "code", "uscc", "operator_name")
    keyword_hashes = ("operator_id_no_hash", "phone_hash")

    def label(self, obj: Merchant) -> str:
        return f"{obj.code} {obj.name}"

    def to_read(self, session: Session, objs: list[Merchant]) -> list[BaseModel]:
        """The shops as lists and details show them: the operator's identity number and the phone masked (in full
        only through ``reveal``)."""
        out = with_unit_names(session, objs, MerchantRead)
        for read, obj in zip(out, objs, strict=True):
            read.has_account = obj.account_id is not None  # type: ignore[attr-defined]
            read.operator_id_no = mask_id_no(obj.operator_id_no)  # type: ignore[attr-defined]
            read.phone = mask_phone(obj.phone)  # type: ignore[attr-defined]
        return out

    def reveal(self, session: Session, principal: StaffPrincipal, id: uuid.UUID) -> MerchantPersonal:
        """The operator's identity number and the phone in full, for a permitted reader of the shop; audited."""
        personal.refuse_unless_permitted(principal)
        obj = self.load(session, principal, id)
        shown = [f for f in ("operator_id_no", "phone") if getattr(obj, f)]
        personal.record_read(session, principal, self.target_type, obj.id, self.label(obj), shown, "merchant.detail")
        return MerchantPersonal(operator_id_no=obj.operator_id_no, phone=obj.phone)

    def read(self, session: Session, principal: StaffPrincipal, id: uuid.UUID) -> BaseModel:
        """The shop with the cases of the shop or its operator the reader may read, how many others there are, and
        the penalties in the whole city (the record a handler weighs, 从重情节)."""
        obj = self.load(session, principal, id)
        base = self.to_read(session, [obj])[0]
        ids = (obj.uscc, obj.operator_id_no)
        record = party_record(session, principal, id_nos=ids, merchant_id=obj.id, limit=2 * HISTORY_LIMIT)
        return MerchantDetail(**base.model_dump(), cases=record.cases, cases_hidden=record.hidden,
                              penalties=record.penalties)  # fmt: skip

    def clean(
        self, session: Session, principal: StaffPrincipal, values: dict[str, Any], obj: Merchant | None
    ) -> dict[str, Any]:
        self._unmask(values, obj)
        kind = values.get("kind") or (obj.kind if obj else None)
        uscc = values.get("uscc", obj.uscc if obj else None)
        if uscc is not None and not valid_uscc(uscc):
            raise field_error("uscc", "统一社会信用代码校验位不正确（GB 32100）")
        if kind is not MerchantKind.individual_business and not uscc:
            raise field_error("uscc", "企业和其他组织须填写统一社会信用代码")
        if values.get("operator_id_no") and not valid_ric(values["operator_id_no"]):
            raise field_error("operator_id_no", "公民身份号码校验位不正确（GB 11643）")
        if uscc and (obj is None or obj.uscc != uscc):
            taken = session.scalars(select(Merchant.id).where(Merchant.uscc == uscc).limit(1)).first()
            if taken is not None:
                raise conflict("uscc", "该统一社会信用代码已登记")
        self._locate(session, principal, values, obj)
        if obj is None:
            values["code"] = next_code(session)
        return values

    def _unmask(self, values: dict[str, Any], obj: Merchant | None) -> None:
        """A field posted back exactly as the masked form showed it is unchanged; any other starred value is refused
        (a form filled from the masked record must not overwrite the number with its stars)."""
        for name, mask in (("operator_id_no", mask_id_no), ("phone", mask_phone)):
            value = values.get(name)
            if not value or "*" not in value:
                continue
            if obj is not None and getattr(obj, name) and value == mask(getattr(obj, name)):
                del values[name]
            else:
                raise field_error(name, "请填写完整号码（不能是脱敏显示的号码）", code="merchant.masked")

    def _locate(self, session: Session, principal: StaffPrincipal, values: dict[str, Any], obj: Merchant | None):
        """Coordinates give the grid; without a named squad the grid's squad is responsible."""
        lng = values.get("lng", obj.lng if obj else None)
        lat = values.get("lat", obj.lat if obj else None)
        if "lng" in values or "lat" in values:
            hit = grid_locator.index(session).locate(lng, lat) if lng is not None and lat is not None else None
            values["grid_code"] = hit.grid_code if hit else None
            if values.get("unit_id") is None and hit is not None and obj is None:
                values["unit_id"] = hit.squad_id
        if values.get("unit_id") is not None:
            unit_in_scope(session, principal, values["unit_id"], level=OrgLevel.squad)
        elif obj is None:
            raise field_error("unit_id", "请选择责任中队，或填写位于网格内的坐标")

    def before_delete(self, session: Session, principal: StaffPrincipal, obj: Merchant) -> None:
        if session.scalars(select(Case.id).where(Case.merchant_id == obj.id).limit(1)).first() is not None:
            raise Conflict("该商户已有案件记录，不能删除（可将状态改为已注销）", code="merchant.has_cases")
        usage.refuse_merchant_delete(session, obj.id)  # notices … (declared by the packages built on merchants)


merchant_service = MerchantService()


def link_party(
    session: Session, principal: StaffPrincipal, party: PartyIn, named: uuid.UUID | None
) -> uuid.UUID | None:
    """The shop a penalty case's party is: the one named (it must be readable and its licence must name the party),
    else the one registered under the party's identity number, if exactly one."""
    id_no = (party.id_no or "").upper() or None
    if named is None:
        found = merchant_of_party(session, party.type, id_no)
        return found.id if found else None
    merchant = MerchantRepository(session).get_readable(principal, named)
    if merchant is None:
        raise field_error("merchant_id", "商户不存在或不在您的数据权限范围内", code="case.merchant_unknown")
    if not matches_party(merchant, party.type, id_no):
        message = "当事人证件号与商户登记的信用代码或经营者身份证号不一致"
        raise field_error("party.id_no", message, code="case.merchant_mismatch")
    return merchant.id


def case_ref(session: Session, merchant_id: uuid.UUID) -> MerchantRef | None:
    """The shop as a penalty case's detail shows it."""
    merchant = session.get(Merchant, merchant_id)
    return MerchantRef.model_validate(merchant) if merchant else None


hooks.registers_shops(hooks.Shops(link=link_party, ref=case_ref))
