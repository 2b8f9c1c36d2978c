"""The merchant register as an Excel workbook (商户档案导出): the list's own scope, filters and order through the
register's ``CrudService.export``, each shop as the list shows it — the operator's identity number and the phone
masked (in full only one shop at a time, through the audited reveal). Audited as ``merchant_export.download``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from chengguan.core.principals import StaffPrincipal
from chengguan.kit.xlsx import Column, StreamedBook
from chengguan.merchants.enums import KIND_LABELS, STATUS_LABELS
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
    return merchant_service.export(session, principal, filters, title="商户档案", columns=COLUMNS, row=_row, unit="户")


def _row(m: MerchantRead) -> list[Any]:
    return [
        m.code, m.name, KIND_LABELS[m.kind], m.uscc, m.operator_name, m.operator_id_no, m.phone, m.business_type,
        m.address, m.grid_code, m.unit_name, STATUS_LABELS[m.status], m.has_account, m.created_at,
    ]  # fmt: skip
