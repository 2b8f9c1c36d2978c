"""The cash collection list as an Excel workbook (当场收缴台账导出): the list's own scope (an officer's own, a
unit's), filters and order (the first to fall due first) — every match, where the list stops at 500 — each batch
turned into rows through the list's read model, amounts as yuan. Audited as ``cash_export.download``.

And a day's reconciliation (缴款对账导出): the report the page shows, its orders, mismatches and cash one sheet each
(a report of one day, bounded by the day's orders, not a query to stream)."""

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
from chengguan.payments.schemas import CashOut, ReconciliationOut

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


# ---------------------------------------------------------------------------------------------- reconciliation --
ORDER_COLUMNS = (
    Column("缴款单号", 26), Column("案号", 20), Column("状态", 10), Column("金额（元）", 12, "money"),
    Column("渠道账单（元）", 14, "money"), Column("计入案件（元）", 14, "money"), Column("多缴（元）", 12, "money"),
    Column("已退（元）", 12, "money"), Column("下单时间", 17, "time"), Column("缴款时间", 17, "time"),
    Column("入账方式", 10), Column("渠道交易号", 30),
)  # fmt: skip
MISMATCH_COLUMNS = (
    Column("差异类型", 24), Column("缴款单号", 26), Column("说明", 60), Column("渠道金额（元）", 14, "money"),
    Column("平台金额（元）", 14, "money"),
)  # fmt: skip
PAID_VIA = {"notify": "支付通知", "query": "主动查询"}


def export_reconciliation(session: Session, principal: StaffPrincipal, out: ReconciliationOut) -> StreamedBook:
    """The day's reconciliation as the page shows it — its orders, its mismatches and its cash collections (the
    reader's own, as in the page), one sheet each — audited as ``reconciliation_export.download``."""
    book = StreamedBook()
    try:
        verdict = "账实相符" if out.ok else f"{len(out.mismatches)} 处差异"
        caption = f"{out.day.isoformat()} {out.provider_label}：{verdict}"
        orders = book.sheet("当日缴款单", ORDER_COLUMNS, caption=caption)
        for o in out.orders:
            orders.append([
                o.order_no, o.case_code, o.status_label, Fen(o.amount_fen), _fen(o.gateway_fen), Fen(o.applied_fen),
                Fen(o.excess_fen), Fen(o.refunded_fen), o.created_at, o.paid_at, PAID_VIA.get(o.paid_via or ""),
                o.transaction_id,
            ])  # fmt: skip
        mismatches = book.sheet("差异", MISMATCH_COLUMNS, caption=caption)
        for m in out.mismatches:
            mismatches.append([m.label, m.order_no, m.detail, _fen(m.gateway_fen), _fen(m.platform_fen)])
        cash = book.sheet("当场收缴", COLUMNS, caption=caption)
        for c in out.cash:
            cash.append(_row(c))
        book.save()
        events.download(session, principal, "reconciliation_export", None, f"缴款对账导出（{out.day.isoformat()}）",
                        rows=orders.rows, mismatches=mismatches.rows, cash=cash.rows,
                        filters={"day": out.day.isoformat()})  # fmt: skip
    except BaseException:
        book.discard()
        raise
    return book


def _fen(value: int | None) -> Fen | None:
    return None if value is None else Fen(value)
