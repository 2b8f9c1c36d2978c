"""The notice list as an Excel workbook (整改通知导出): the list's own scope, filters and order (newest first), each
batch turned into rows through the list's read model. Audited as ``notice_export.download``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from chengguan.audit.list_export import audited_export, audited_items
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.xlsx import Column, StreamedBook
from chengguan.rectification.enums import ORIGIN_LABELS
from chengguan.rectification.read import filtered, reads
from chengguan.rectification.repository import NoticeRepository
from chengguan.rectification.schemas import NoticeFilter, NoticeRead, RuleRead
from chengguan.rectification.warning import rules

COLUMNS = (
    Column("通知编号", 18), Column("类型", 20), Column("文号", 24), Column("状态", 12), Column("一店一码", 14),
    Column("商户名称", 28), Column("发出单位", 22), Column("执法事项", 32), Column("违反条款与依据", 40),
    Column("经查事实", 40), Column("整改要求", 40), Column("发出人", 12), Column("发出时间", 17, "time"),
    Column("来源", 14), Column("整改期限", 12, "date"), Column("是否逾期", 10), Column("商户阅读时间", 17, "time"),
    Column("不合格次数", 10, "int"), Column("复查日期", 12, "date"), Column("办结时间", 17, "time"),
)  # fmt: skip


def export_notices(session: Session, principal: StaffPrincipal, filters: NoticeFilter) -> StreamedBook:
    """The matching readable notices, in the list's order, as a saved and audited workbook."""
    statement = filtered(session, principal, filters).order_by(*NoticeRepository.order_by)
    return audited_export(session, principal, statement, target="notice_export", title="整改通知", columns=COLUMNS,
                          reads=reads, row=_row, filters=filters, unit="份")  # fmt: skip


def _row(n: NoticeRead) -> list[Any]:
    return [
        n.code, n.kind_label, n.document_no, n.status_label, n.merchant_code, n.merchant_name, n.unit_name,
        f"{n.matter_code} {n.matter_name}", n.basis, n.facts, n.requirement, n.issued_by_name, n.issued_at,
        ORIGIN_LABELS.get(n.origin, n.origin), n.due_date, n.overdue, n.read_at, n.rejections, n.reinspection_on,
        n.closed_at,
    ]  # fmt: skip


RULE_COLUMNS = (
    Column("事项编码", 14), Column("执法事项", 40), Column("首违不罚", 10), Column("期限（天）", 10, "int"),
    Column("说明", 40), Column("设置人", 12), Column("设置时间", 17, "time"),
)  # fmt: skip


def export_warning_rules(session: Session, principal: StaffPrincipal) -> StreamedBook:
    """The 首违不罚 rules by enforcement matter, as the list orders them, audited as ``warning_rule_export``."""

    def row(r: RuleRead) -> list[Any]:
        return [r.matter_code, r.matter_name, "适用" if r.enabled else "不适用", r.window_days, r.note,
                r.updated_by_name, r.updated_at]  # fmt: skip

    return audited_items(session, principal, rules(session), target="warning_rule_export", title="首违不罚规则",
                         columns=RULE_COLUMNS, row=row)  # fmt: skip
