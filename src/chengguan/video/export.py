"""The video lists as Excel workbooks: the alarm list (视频告警导出) — the list's own scope (cameras of the reader's
units), filters and order (newest first) — and the camera register with its art. 41 reviews (视频设备导出), each batch
turned into rows through the lists' read models. Snapshots and clips are evidence files and stay out (the case source
code leads to them). Audited as ``video_alarm_export.download`` / ``video_device_export.download``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from chengguan.audit.list_export import audited_export, audited_items
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.xlsx import Column, StreamedBook
from chengguan.org.enums import DeviceKind
from chengguan.video.handling import ALARM_ORDER, accuracy, alarm_reads, filtered
from chengguan.video.registry import camera_reads, camera_statement
from chengguan.video.schemas import AccuracyRow, AlarmFilter, AlarmRead, CameraRead

COLUMNS = (
    Column("告警时间", 17, "time"), Column("摄像机编号", 20), Column("摄像机名称", 24), Column("监测区域", 18),
    Column("事项类别", 24), Column("识别对象", 12), Column("置信度", 8), Column("开始时间", 17, "time"),
    Column("持续（秒）", 10, "int"), Column("告警来源", 10), Column("可作证据", 10), Column("案源编号", 20),
    Column("状态", 10), Column("处理人", 12), Column("处理时间", 17, "time"), Column("排除原因", 30),
)  # fmt: skip


def export_alarms(session: Session, principal: StaffPrincipal, filters: AlarmFilter) -> StreamedBook:
    """The matching readable alarms, in the list's order, as a saved and audited workbook."""
    statement = filtered(principal, filters).order_by(*ALARM_ORDER)
    return audited_export(session, principal, statement, target="video_alarm_export", title="视频告警",
                          columns=COLUMNS, reads=alarm_reads, row=_row, filters=filters)  # fmt: skip


def _row(a: AlarmRead) -> list[Any]:
    return [
        a.raised_at, a.camera_code, a.camera_name, a.zone_name, a.category_name, a.object_class, round(a.score, 2),
        a.started_at, a.dwell_s, a.source, a.evidence_usable, a.case_source_code, a.status_label, a.handled_by,
        a.handled_at, a.dismiss_reason,
    ]  # fmt: skip


DEVICE_COLUMNS = (
    Column("设备编号", 20), Column("设备名称", 28), Column("类型", 12), Column("所属单位", 24), Column("状态", 8),
    Column("法制审核", 10), Column("法制审核人", 12), Column("技术审核", 10), Column("技术审核人", 12),
    Column("校准日期", 12, "date"), Column("校准到期", 12, "date"), Column("公示地点", 30),
    Column("公示日期", 12, "date"), Column("可作证据", 10), Column("审核状态", 14), Column("监测区域数", 10, "int"),
    Column("近30日告警", 10, "int"),
)  # fmt: skip


def export_devices(session: Session, principal: StaffPrincipal, kind: DeviceKind | None) -> StreamedBook:
    """The video devices of the reader's units (of one kind), in the list's order, as a saved and audited workbook."""
    return audited_export(session, principal, camera_statement(principal, kind), target="video_device_export",
                          title="视频设备", columns=DEVICE_COLUMNS, reads=camera_reads, row=_device_row,
                          filters={"kind": kind.value} if kind else {}, unit="台")  # fmt: skip


def _passed(value: bool | None) -> str:
    return "未审核" if value is None else "通过" if value else "不通过"


def _device_row(c: CameraRead) -> list[Any]:
    return [
        c.code, c.name, c.kind, c.unit, c.status, _passed(c.legal_passed), c.legal_by, _passed(c.technical_passed),
        c.technical_by, c.calibrated_on, c.calibration_due, c.site, c.published_on, c.evidence_capable,
        c.review_label, c.zones, c.alarms_30d,
    ]  # fmt: skip


ACCURACY_COLUMNS = (
    Column("摄像机编号", 20), Column("摄像机名称", 24), Column("监测区域", 18), Column("告警数", 10, "int"),
    Column("已确认", 10, "int"), Column("已排除", 10, "int"), Column("待处理", 10, "int"), Column("误报率（%）", 12),
)  # fmt: skip


def export_accuracy(session: Session, principal: StaffPrincipal) -> StreamedBook:
    """The accuracy table (each camera and zone's alarms confirmed and dismissed) as the page shows it, audited as
    ``video_accuracy_export.download``; the dismissed share in percent of the handled alarms, blank when none."""

    def row(r: AccuracyRow) -> list[Any]:
        rate = round(r.dismiss_rate * 100, 1) if r.dismiss_rate is not None else None
        return [r.camera_code, r.camera_name, r.zone_name, r.total, r.confirmed, r.dismissed, r.pending, rate]

    return audited_items(session, principal, accuracy(session, principal), target="video_accuracy_export",
                         title="视频告警准确率", columns=ACCURACY_COLUMNS, row=row)  # fmt: skip
