"""The video alarm list as an Excel workbook (视频告警导出): the list's own scope (cameras of the reader's units),
filters and order (newest first), each batch turned into rows through the list's read model. Snapshots and clips are
evidence files and stay out of it (the case source code leads to them). Audited as ``video_alarm_export.download``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from chengguan.audit import events
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.xlsx import Column, StreamedBook, export_query
from chengguan.video.handling import ALARM_ORDER, alarm_reads, filtered
from chengguan.video.models import VideoAlarm
from chengguan.video.schemas import AlarmFilter, AlarmRead

COLUMNS = (
    Column("告警时间", 17, "time"), Column("摄像机编号", 20), Column("摄像机名称", 24), Column("监测区域", 18),
    Column("事项类别", 24), Column("识别对象", 12), Column("置信度", 8), Column("开始时间", 17, "time"),
    Column("持续（秒）", 10, "int"), Column("告警来源", 10), Column("可作证据", 10), Column("案源编号", 20),
    Column("状态", 10), Column("处理人", 12), Column("处理时间", 17, "time"), Column("排除原因", 30),
)  # fmt: skip


def export_alarms(session: Session, principal: StaffPrincipal, filters: AlarmFilter) -> StreamedBook:
    """The matching readable alarms, in the list's order, as a saved and audited workbook."""
    statement = filtered(principal, filters).order_by(*ALARM_ORDER)

    def rows(batch: list[VideoAlarm]) -> Iterable[Sequence[Any]]:
        return [_row(a) for a in alarm_reads(session, batch)]

    def audited(count: int) -> None:
        events.download(session, principal, "video_alarm_export", None, f"视频告警导出（{count} 条）", rows=count,
                        filters=filters.model_dump(mode="json", exclude_defaults=True))  # fmt: skip

    return export_query(session, statement, title="视频告警", columns=COLUMNS, noun="视频告警", rows=rows,
                        audited=audited)  # fmt: skip


def _row(a: AlarmRead) -> list[Any]:
    return [
        a.raised_at, a.camera_code, a.camera_name, a.zone_name, a.category_name, a.object_class, round(a.score, 2),
        a.started_at, a.dwell_s, a.source, a.evidence_usable, a.case_source_code, a.status_label, a.handled_by,
        a.handled_at, a.dismiss_reason,
    ]  # fmt: skip
