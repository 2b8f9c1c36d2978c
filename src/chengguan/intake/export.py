"""The case-source list as an Excel workbook (案源台账导出): the list's own filters and order
(``intake.read.filtered``), streamed row by row into a write-only workbook on disk, audited as
``case_source_export.download``. Reporters' contact details are never exported (they are not on the list either)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session, load_only

from chengguan.audit import events
from chengguan.core import clock
from chengguan.core.principals import StaffPrincipal
from chengguan.intake.enums import CHANNEL_LABELS, OUTCOME_LABELS, STATUS_LABELS
from chengguan.intake.models import CaseSource
from chengguan.intake.read import ORDERS, filtered
from chengguan.intake.repository import officer_names
from chengguan.intake.schemas import CaseSourceFilter
from chengguan.kit.xlsx import Column, StreamedBook, export_query
from chengguan.law.seed import categories
from chengguan.org.repository import unit_names

COLUMNS = (
    Column("案源编号", 20), Column("状态", 10), Column("事项类别", 24), Column("来源渠道", 14), Column("地址", 36),
    Column("问题描述", 48), Column("网格编码", 18), Column("所属区局", 22), Column("责任中队", 22),
    Column("处置人", 12),
    Column("告警次数", 10, "int"), Column("登记时间", 17, "time"), Column("办理时限", 17, "time"),
    Column("督办次数", 10, "int"), Column("处置结果", 14), Column("结案时间", 17, "time"),
)  # fmt: skip
BATCH = 2000
_LOAD = load_only(
    CaseSource.code, CaseSource.status, CaseSource.category_code, CaseSource.channel, CaseSource.address,
    CaseSource.description, CaseSource.grid_code, CaseSource.district_id, CaseSource.squad_id, CaseSource.officer_id,
    CaseSource.signal_count, CaseSource.created_at, CaseSource.due_at, CaseSource.supervision_count,
    CaseSource.outcome, CaseSource.closed_at,
)  # fmt: skip


def export_sources(session: Session, principal: StaffPrincipal, filters: CaseSourceFilter) -> StreamedBook:
    """The matching readable sources, in the list's order, as a saved and audited workbook."""
    statement = filtered(session, principal, filters, clock.now()).options(_LOAD).order_by(*ORDERS[filters.sort])
    cats = categories()

    def rows(batch: list[CaseSource]) -> Iterable[Sequence[Any]]:
        units = unit_names(session, {u for s in batch for u in (s.district_id, s.squad_id)})
        officers = officer_names(session, {s.officer_id for s in batch if s.officer_id})
        return [[
            s.code, STATUS_LABELS[s.status], cats.get(s.category_code, s.category_code), CHANNEL_LABELS[s.channel],
            s.address, s.description, s.grid_code, units.get(s.district_id, "") if s.district_id else "",
            units.get(s.squad_id, "") if s.squad_id else "", officers.get(s.officer_id, "") if s.officer_id else "",
            s.signal_count, s.created_at, s.due_at, s.supervision_count,
            OUTCOME_LABELS[s.outcome] if s.outcome else "", s.closed_at,
        ] for s in batch]  # fmt: skip

    def audited(count: int) -> None:
        events.download(session, principal, "case_source_export", None, f"案源台账导出（{count} 件）", rows=count,
                        filters=filters.model_dump(mode="json", exclude_defaults=True))  # fmt: skip

    return export_query(session, statement, title="案源台账", columns=COLUMNS, noun="案源", rows=rows,
                        audited=audited, batch=BATCH)  # fmt: skip
