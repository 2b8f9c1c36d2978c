"""Printing the shops' door signs: one shop's, or a street's worth in walking order (by address)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from chengguan.audit import events
from chengguan.cases.enums import MerchantStatus
from chengguan.core.config import Settings
from chengguan.core.errors import field_error
from chengguan.core.principals import StaffPrincipal
from chengguan.documents.numbering import issuing_bureau
from chengguan.merchants.models import Merchant
from chengguan.merchants.repository import MerchantRepository
from chengguan.merchants.schemas import SignFilter
from chengguan.merchants.service import merchant_service
from chengguan.merchants.sign import SignSpec, render_signs
from chengguan.org.models import OrgUnit

BATCH_LIMIT = 500  # one print run; a street of a few hundred shops fits, a whole district must be split


def shop_url(settings: Settings, code: str) -> str:
    """The address the sign's QR code carries: the merchant H5 page of the shop."""
    return f"{settings.public_base_url.rstrip('/')}/portal/shop/{code}"


def _specs(session: Session, settings: Settings, shops: list[Merchant]) -> list[SignSpec]:
    bureaus: dict[uuid.UUID, str] = {}
    squads: dict[uuid.UUID, str] = {}
    for shop in shops:
        if shop.unit_id not in bureaus:
            bureaus[shop.unit_id] = issuing_bureau(session, shop.unit_id).name
            unit = session.get(OrgUnit, shop.unit_id)
            squads[shop.unit_id] = unit.name if unit else ""
    return [
        SignSpec(
            bureau=bureaus[s.unit_id], shop_name=s.name, shop_code=s.code, url=shop_url(settings, s.code),
            squad=squads[s.unit_id],
        )
        for s in shops
    ]  # fmt: skip


def sign_pdf(session: Session, settings: Settings, principal: StaffPrincipal, merchant_id: uuid.UUID) -> bytes:
    """The sign of one shop in the caller's data scope (404 otherwise)."""
    shop = merchant_service.load(session, principal, merchant_id)
    data = render_signs(_specs(session, settings, [shop]))
    events.download(session, principal, "merchant_sign", shop.id, shop.code, format="pdf")
    return data


def signs_pdf(session: Session, settings: Settings, principal: StaffPrincipal, filters: SignFilter) -> bytes:
    """The signs of the operating shops matching the filters, ordered by address then code (a street in order)."""
    repo = MerchantRepository(session)
    statement = merchant_service.apply_filters(repo.readable(principal), filters.merchant_filter())
    if filters.status is None:
        statement = statement.where(Merchant.status == MerchantStatus.operating)
    if filters.grid_code:
        statement = statement.where(Merchant.grid_code == filters.grid_code)
    if filters.street:
        statement = statement.where(Merchant.address.contains(filters.street.strip(), autoescape=True))
    statement = statement.order_by(Merchant.address, Merchant.code).limit(BATCH_LIMIT + 1)
    shops = list(session.scalars(statement))
    if not shops:
        raise field_error("street", "没有符合条件的商户，无可打印的提示牌")
    if len(shops) > BATCH_LIMIT:
        raise field_error("street", f"一次最多打印 {BATCH_LIMIT} 户，请按街道或网格缩小范围")
    data = render_signs(_specs(session, settings, shops))
    # A batch of the register leaves the platform: an export, with what was asked for and how many shops it holds.
    asked = filters.model_dump(mode="json", exclude_none=True)
    events.download(session, principal, "export", "merchant_signs", "打烊提示牌（批量）", action="export.download",
                    format="pdf", shops=len(shops), filters=asked)  # fmt: skip
    return data
