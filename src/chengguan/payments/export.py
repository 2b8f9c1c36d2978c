"""The cash collection list as an Excel workbook (当场收缴台账导出): the list's own scope (an officer's own, a
unit's), filters and order (the first to fall due first) — every match, where the list stops at 500 — each batch
turned into rows through the list's read model, amounts as yuan. Audited as ``cash_export.download``."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from chengguan.audit import events
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.xlsx import Column, Fen, StreamedBook, export_query
from chengguan.payments.cash import cash_outs
from chengguan.payments.enums import CashStatus
from chengguan.payments.models import CashCollection
from chengguan.payments.repository import CASH_ORDER, cash_filtered
from chengguan.payments.schemas import CashOut

COLUMNS = (
    Column("案号", 20), Column("收缴人", 12), Column("金额（元）", 12, "money"), Column("当场收缴依据", 30),
    Column("说明", 30), Column("罚款收据编号", 20), Column("收缴日期", 12, "date"), Column("水上收缴", 10),
    Column("抵岸日期", 12, "date"), Column("上交期限", 12, "date"), Column("状态", 12), Column("上交时间", 17, "time"),
    Column("上交确认人", 12), Column("缴付银行期限", 12, "date"), Column("缴付银行时间", 17, "time"),
    Column("银行缴款单号", 22), Column("是否逾期", 10),
)  # fmt: skip


def export_cash(session: Session, principal: StaffPrincipal, *, status: CashStatus | None, overdue_on: date | None,
                case_id: uuid.UUID | None) -> StreamedBook:  # fmt: skip
    """The matching readable collections, in the list's order, as a saved and audited workbook."""
    statement = cash_filtered(principal, status=status, overdue_on=overdue_on, case_id=case_id).order_by(*CASH_ORDER)

    def rows(batch: list[CashCollection]) -> Iterable[Sequence[Any]]:
        return [_row(c) for c in cash_outs(session, batch)]

    def audited(count: int) -> None:
        filters = {"status": status, "overdue": overdue_on is not None, "case_id": case_id}
        events.download(session, principal, "cash_export", None, f"当场收缴台账导出（{count} 笔）", rows=count,
                        filters={k: str(v) for k, v in filters.items() if v})  # fmt: skip

    return export_query(session, statement, title="当场收缴台账", columns=COLUMNS, noun="当场收缴记录", rows=rows,
                        audited=audited)  # fmt: skip


def _row(c: CashOut) -> list[Any]:
    return [
        c.case_code, c.officer_name, Fen(c.amount_fen), c.ground_label, c.reason, c.bill_no, c.collected_on,
        c.on_water, c.landed_on, c.handin_due_on, c.status_label, c.handed_in_at, c.handed_in_by_name,
        c.remit_due_on, c.remitted_at, c.bank_slip_no, c.overdue,
    ]  # fmt: skip
