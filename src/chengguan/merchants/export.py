"""The merchant register as an Excel workbook (商户档案导出): the list's own scope, filters and order, each batch
turned into rows through the list's read model, so the operator's identity number and the phone stay masked exactly
as the list shows them (in full only one shop at a time, through the audited reveal). Audited as
``merchant_export.download``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from chengguan.audit import events
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.xlsx import Column, StreamedBook, export_query
from chengguan.merchants.enums import KIND_LABELS, STATUS_LABELS
from chengguan.merchants.models import Merchant
from chengguan.merchants.repository import MerchantRepository
from chengguan.merchants.schemas import MerchantFilter, MerchantRead
from chengguan.merchants.service import merchant_service

COLUMNS = (
    Column("一店一码", 14), Column("商户名称", 30), Column("类型", 12), Column("统一社会信用代码", 22),
    Column("经营者", 12), Column("经营者身份证号", 22), Column("联系电话", 16), Column("经营类别", 14),
    Column("地址", 40), Column("网格编码", 18), Column("责任单位", 22), Column("状态", 10),
    Column("已开通商户账号", 14), Column("登记时间", 17, "time"),
)  # fmt: skip


def export_merchants(session: Session, principal: StaffPrincipal, filters: MerchantFilter) -> StreamedBook:
    """The matching readable shops, in the list's order, as a saved and audited workbook."""
    repo = MerchantRepository(session)
    statement = merchant_service.apply_filters(repo.readable(principal), filters).order_by(*repo.order_by)

    def rows(batch: list[Merchant]) -> Iterable[Sequence[Any]]:
        return [_row(m) for m in merchant_service.to_read(session, batch)]  # type: ignore[arg-type]

    def audited(count: int) -> None:
        events.download(session, principal, "merchant_export", None, f"商户档案导出（{count} 户）", rows=count,
                        filters=filters.model_dump(mode="json", exclude_defaults=True))  # fmt: skip

    return export_query(session, statement, title="商户档案", columns=COLUMNS, noun="商户", rows=rows, audited=audited)


def _row(m: MerchantRead) -> list[Any]:
    return [
        m.code, m.name, KIND_LABELS[m.kind], m.uscc, m.operator_name, m.operator_id_no, m.phone, m.business_type,
        m.address, m.grid_code, m.unit_name, STATUS_LABELS[m.status], m.has_account, m.created_at,
    ]  # fmt: skip
