"""The console's list of shop claims (店铺认领审核) and its Excel export: one statement — the claims on shops of the
reader's scope (the merchant register's ``readable``), newest first, narrowed by status or shop — and one read model
for both. The list shows the latest ``LIMIT``; the export every matching claim, the applicant's number masked (a file
travels further than a screen)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from chengguan.audit.list_export import audited_export
from chengguan.core.masking import mask_phone
from chengguan.core.principals import StaffPrincipal
from chengguan.identity.models import MerchantAccount
from chengguan.kit.xlsx import Column, StreamedBook
from chengguan.merchants.models import Merchant
from chengguan.merchants.repository import MerchantRepository
from chengguan.shopfront.enums import CLAIM_METHOD_LABELS, CLAIM_STATUS_LABELS, ClaimStatus
from chengguan.shopfront.models import ShopClaim
from chengguan.shopfront.schemas import ClaimRead

LIMIT = 200


def statement(session: Session, principal: StaffPrincipal, status: ClaimStatus | None,
              merchant_id: uuid.UUID | None) -> Select[Any]:  # fmt: skip
    """The claims on shops the principal may read, newest first."""
    readable = MerchantRepository(session).readable(principal).with_only_columns(Merchant.id)
    query = (select(ShopClaim).where(ShopClaim.merchant_id.in_(readable))
             .order_by(ShopClaim.created_at.desc(), ShopClaim.id))  # fmt: skip
    if status is not None:
        query = query.where(ShopClaim.status == status)
    if merchant_id is not None:
        query = query.where(ShopClaim.merchant_id == merchant_id)
    return query


def reads(session: Session, rows: list[ShopClaim]) -> list[ClaimRead]:
    """Claims with their shop's code and name and the applicant's number."""
    shops = {m.id: m for m in session.scalars(select(Merchant).where(Merchant.id.in_({r.merchant_id for r in rows})))}
    accounts = select(MerchantAccount.id, MerchantAccount.phone).where(
        MerchantAccount.id.in_({r.account_id for r in rows})
    )
    phones = dict(session.execute(accounts).tuples().all())
    return [
        ClaimRead(id=r.id, merchant_id=r.merchant_id, merchant_code=shops[r.merchant_id].code,
                  merchant_name=shops[r.merchant_id].name, account_phone=phones.get(r.account_id, ""),
                  method=r.method, method_label=CLAIM_METHOD_LABELS[r.method], status=r.status,
                  status_label=CLAIM_STATUS_LABELS[r.status], agent_name=r.agent_name,
                  has_letter=r.letter_sha256 is not None, created_at=r.created_at,
                  decided_by_name=r.decided_by_name, decided_at=r.decided_at, reason=r.reason)
        for r in rows
    ]  # fmt: skip


def listed(session: Session, principal: StaffPrincipal, status: ClaimStatus | None,
           merchant_id: uuid.UUID | None) -> list[ClaimRead]:  # fmt: skip
    return reads(session, list(session.scalars(statement(session, principal, status, merchant_id).limit(LIMIT))))


COLUMNS = (
    Column("商户编码", 14), Column("店铺名称", 28), Column("认领方式", 18), Column("受托人", 12),
    Column("手机号码", 14), Column("申请时间", 17, "time"), Column("状态", 10), Column("审核人", 12),
    Column("审核时间", 17, "time"), Column("不予通过理由", 30), Column("有委托书", 8),
)  # fmt: skip


def _row(c: ClaimRead) -> list[Any]:
    return [c.merchant_code, c.merchant_name, c.method_label, c.agent_name, mask_phone(c.account_phone), c.created_at,
            c.status_label, c.decided_by_name, c.decided_at, c.reason, c.has_letter]  # fmt: skip


def export(session: Session, principal: StaffPrincipal, status: ClaimStatus | None,
           merchant_id: uuid.UUID | None) -> StreamedBook:  # fmt: skip
    """Every matching claim in the list's order, audited as ``shop_claim_export.download``."""
    filters = {k: str(v) for k, v in (("status", status), ("merchant_id", merchant_id)) if v is not None}
    return audited_export(session, principal, statement(session, principal, status, merchant_id),
                          target="shop_claim_export", title="店铺认领", columns=COLUMNS, reads=reads, row=_row,
                          filters=filters, unit="件")  # fmt: skip
