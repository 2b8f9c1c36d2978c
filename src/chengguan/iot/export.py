"""The IoT lists as Excel workbooks: the alarm list (物联告警导出) — the list's own scope (the reader's units), filters
and order (newest first), every matching alarm where the list shows the first ``limit`` — and the device register
(物联设备导出) in the list's order, each batch turned into rows through the lists' read models. Audited as
``iot_alarm_export.download`` / ``iot_device_export.download``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from chengguan.audit.list_export import audited_export
from chengguan.core.principals import StaffPrincipal
from chengguan.iot.enums import ALARM_STATE_LABELS, HEALTH_LABELS, RULE_LABELS, SensorKind
from chengguan.iot.models import IotDevice
from chengguan.iot.repository import ALARM_ORDER, DeviceRepository, alarm_statement
from chengguan.iot.schemas import AlarmFilter, AlarmOut, DeviceOut
from chengguan.iot.service import alarm_outs, device_out
from chengguan.kit.xlsx import Column, StreamedBook

COLUMNS = (
    Column("告警时间", 17, "time"), Column("设备编号", 20), Column("设备名称", 24), Column("告警规则", 24),
    Column("规则类型", 18), Column("状态", 10), Column("级别", 8, "int"), Column("监测值", 10),
    Column("开始时间", 17, "time"), Column("恢复时间", 17, "time"), Column("案源编号", 20), Column("商户通知", 36),
)  # fmt: skip


def export_alarms(session: Session, principal: StaffPrincipal, filters: AlarmFilter) -> StreamedBook:
    """The matching alarms of devices in scope, in the list's order, as a saved and audited workbook."""
    statement = alarm_statement(principal, device_code=filters.device_code, state=filters.state, since=filters.since)
    asked = filters.model_dump(mode="json", exclude_defaults=True, exclude={"limit"})
    return audited_export(session, principal, statement.order_by(*ALARM_ORDER), target="iot_alarm_export",
                          title="物联告警", columns=COLUMNS, reads=lambda _s, batch: alarm_outs(batch), row=_row,
                          filters=asked)  # fmt: skip


def _row(a: AlarmOut) -> list[Any]:
    return [
        a.raised_at, a.device_code, a.device_name, a.rule_label, RULE_LABELS.get(a.kind, a.kind),
        ALARM_STATE_LABELS[a.state], a.level, a.value, a.began_at, a.cleared_at, a.case_source_code, a.notified,
    ]  # fmt: skip


DEVICE_COLUMNS = (
    Column("设备编号", 20), Column("设备名称", 28), Column("类别", 14), Column("所属单位", 24), Column("关联商户", 24),
    Column("场所", 24), Column("地址", 32), Column("上报间隔（秒）", 12, "int"), Column("校准日期", 12, "date"),
    Column("状态", 8), Column("最近上报", 17, "time"), Column("活动告警", 10, "int"), Column("启用", 8),
)  # fmt: skip


def export_devices(session: Session, principal: StaffPrincipal, kind: SensorKind | None) -> StreamedBook:
    """The devices of the reader's units (of one kind), in the list's order, as a saved and audited workbook."""
    statement = DeviceRepository(session).readable(principal)
    if kind is not None:
        statement = statement.where(IotDevice.kind == kind)
    return audited_export(session, principal, statement.order_by(IotDevice.code), target="iot_device_export",
                          title="物联设备", columns=DEVICE_COLUMNS, reads=device_out, row=_device_row,
                          filters={"kind": kind.value} if kind else {}, unit="台")  # fmt: skip


def _device_row(d: DeviceOut) -> list[Any]:
    return [
        d.code, d.name, d.kind_label, d.unit_name, d.merchant_name, d.site, d.address, d.report_interval_s,
        d.calibrated_on, HEALTH_LABELS[d.health], d.last_seen_at, d.active_alarms, d.active,
    ]  # fmt: skip
