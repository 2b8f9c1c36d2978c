"""The IoT alarm list as an Excel workbook (物联告警导出): the list's own scope (the reader's units), filters and order
(newest first) — every matching alarm, where the list shows the first ``limit`` — each batch turned into rows through
the list's read model. Audited as ``iot_alarm_export.download``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from chengguan.audit import events
from chengguan.core.principals import StaffPrincipal
from chengguan.iot.enums import ALARM_STATE_LABELS, RULE_LABELS
from chengguan.iot.repository import ALARM_ORDER, alarm_statement
from chengguan.iot.schemas import AlarmFilter, AlarmOut
from chengguan.iot.service import alarm_outs
from chengguan.kit.xlsx import Column, StreamedBook, export_query

COLUMNS = (
    Column("告警时间", 17, "time"), Column("设备编号", 20), Column("设备名称", 24), Column("告警规则", 24),
    Column("规则类型", 18), Column("状态", 10), Column("级别", 8, "int"), Column("监测值", 10),
    Column("开始时间", 17, "time"), Column("恢复时间", 17, "time"), Column("案源编号", 20), Column("商户通知", 36),
)  # fmt: skip


def export_alarms(session: Session, principal: StaffPrincipal, filters: AlarmFilter) -> StreamedBook:
    """The matching alarms of devices in scope, in the list's order, as a saved and audited workbook."""
    statement = alarm_statement(principal, device_code=filters.device_code, state=filters.state, since=filters.since)

    def rows(batch: list[Any]) -> Iterable[Sequence[Any]]:
        return [_row(a) for a in alarm_outs(batch)]

    def audited(count: int) -> None:
        events.download(session, principal, "iot_alarm_export", None, f"物联告警导出（{count} 条）", rows=count,
                        filters=filters.model_dump(mode="json", exclude_defaults=True, exclude={"limit"}))  # fmt: skip

    return export_query(session, statement.order_by(*ALARM_ORDER), title="物联告警", columns=COLUMNS,
                        noun="物联告警", rows=rows, audited=audited)  # fmt: skip


def _row(a: AlarmOut) -> list[Any]:
    return [
        a.raised_at, a.device_code, a.device_name, a.rule_label, RULE_LABELS.get(a.kind, a.kind),
        ALARM_STATE_LABELS[a.state], a.level, a.value, a.began_at, a.cleared_at, a.case_source_code, a.notified,
    ]  # fmt: skip
