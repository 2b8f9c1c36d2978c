"""The 督办单 list as an Excel workbook (督办台账导出): the list's own scope (as supervisor or as owner of the source),
filter and order (newest first), each batch turned into rows through the list's read model. Audited as
``supervision_export.download``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from chengguan.audit.list_export import audited_export
from chengguan.core.principals import StaffPrincipal
from chengguan.intake.schemas import SupervisionFilter, SupervisionRead
from chengguan.intake.supervision import SUPERVISION_ORDER, supervision_reads, supervision_statement
from chengguan.kit.xlsx import Column, StreamedBook

COLUMNS = (
    Column("案源编号", 20), Column("事项类别", 24), Column("督办单位", 22), Column("督办时所处环节", 14),
    Column("督办时间", 17, "time"), Column("办理时限", 17, "time"), Column("解除时间", 17, "time"), Column("状态", 10),
)  # fmt: skip


def export_supervisions(session: Session, principal: StaffPrincipal, filters: SupervisionFilter) -> StreamedBook:
    """The matching 督办单 in scope, in the list's order, as a saved and audited workbook."""
    statement = supervision_statement(principal, filters).order_by(*SUPERVISION_ORDER)
    return audited_export(session, principal, statement, target="supervision_export", title="督办台账",
                          columns=COLUMNS, reads=supervision_reads, row=_row, filters=filters, unit="件",
                          noun="督办单")  # fmt: skip


def _row(s: SupervisionRead) -> list[Any]:
    return [
        s.case_source_code, s.category_name, s.unit.name if s.unit else "", s.stage_label, s.created_at, s.due_at,
        s.resolved_at, "已解除" if s.resolved_at else "督办中",
    ]  # fmt: skip
