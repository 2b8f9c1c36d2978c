"""API schemas of video patrol: camera reviews, zones (the ``PUT …/zones`` contract), detections in, alarms out."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chengguan.kit.schemas import Filter, IsoDateTime, Out, Schema
from chengguan.video.engine import MAX_DWELL_S, MIN_DWELL_S
from chengguan.video.enums import AlarmStatus
from chengguan.video.schedule import HolidayMode

Unit = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
HHMM = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$", description="HH:MM（本地时间）")]


class PeriodIn(Schema):
    days: list[Annotated[int, Field(ge=1, le=7)]] = Field(min_length=1, max_length=7, description="ISO 星期 1–7")
    start: HHMM
    end: HHMM = Field(description="不晚于 start 时跨零点，计入开始的那一天")


class HoursIn(Schema):
    start: HHMM
    end: HHMM


class ScheduleIn(Schema):
    """Weekly periods (none: all day every day), what statutory holidays do, and business hours narrowing all."""

    periods: list[PeriodIn] = Field(default_factory=list, max_length=56)
    holidays: HolidayMode = Field(
        HolidayMode.weekly, description="法定节假日：weekly 按周计划 / all_day 全天 / off 不布防"
    )
    business_hours: HoursIn | None = Field(None, description="营业时间（店外经营等只在营业时间内布防）")


class ZoneIn(Schema):
    """One zone of the ``PUT /api/v1/video/cameras/{device_id}/zones`` contract."""

    name: str = Field(min_length=1, max_length=50)
    category_code: str = Field(pattern=r"^[0-9]{5}$", description="GB/T 47678.5 事项类别码")
    polygon: list[tuple[Unit, Unit]] = Field(min_length=3, max_length=64, description="[[x, y], …]，0–1 图像坐标")
    classes: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(min_length=1, max_length=20)
    min_dwell_s: int = Field(ge=MIN_DWELL_S, le=MAX_DWELL_S, description="最短停留秒数（30 秒至 4 小时）")
    schedule: ScheduleIn | None = None
    cooldown_s: int = Field(1800, ge=0, le=7 * 86400, description="同一区域同一类别两次告警的最小间隔")

    @field_validator("polygon")
    @classmethod
    def _simple(cls, value: list[tuple[float, float]]) -> list[tuple[float, float]]:
        from shapely.geometry import Polygon

        shape = Polygon(value)
        if not shape.is_valid or shape.area <= 0:
            raise ValueError("多边形须是不自相交、面积大于零的简单多边形")
        return value


class ZoneRead(Out):
    id: uuid.UUID
    name: str
    category_code: str
    category_name: str
    polygon: list[list[float]]
    classes: list[str]
    min_dwell_s: int
    cooldown_s: int
    schedule: dict[str, Any] | None


class ReviewIn(Schema):
    """One of the two reviews art. 41 requires; the technical one also states the calibration date."""

    passed: bool
    opinion: str | None = Field(None, max_length=1000)
    calibrated_on: date | None = Field(None, description="检定/校准日期（技术审核）")


class SiteIn(Schema):
    site: str = Field(min_length=2, max_length=256, description="向社会公布的设置地点")
    published_on: date


class CameraRead(Out):
    """A camera with its art. 41 standing: ``evidence_capable`` when both reviews passed and the calibration holds."""

    id: uuid.UUID
    code: str
    name: str
    kind: str
    unit: str
    lng: float | None
    lat: float | None
    status: str
    legal_passed: bool | None
    legal_by: str | None
    legal_at: datetime | None
    legal_opinion: str | None
    technical_passed: bool | None
    technical_by: str | None
    technical_at: datetime | None
    technical_opinion: str | None
    calibrated_on: date | None
    calibration_due: date | None
    site: str | None
    published_on: date | None
    evidence_capable: bool
    review_label: str
    zones: int
    snapshot: str | None
    snapshot_at: datetime | None
    stream_ok: bool
    stream_error: str | None
    alarms_30d: int
    throttled: bool = Field(description="告警限流中：一小时内告警超过上限，其余告警只计数不上报")
    throttled_until: datetime | None
    suppressed_alarms: int = Field(description="本次（或最近一次）限流期间被抑制的告警数")
    suppressed_total: int


class ObjectIn(Schema):
    track_id: str | int = Field(description="跟踪编号（同一目标在各帧相同）")
    class_: str = Field(alias="class", min_length=1, max_length=40)
    bbox: tuple[Unit, Unit, Unit, Unit] = Field(description="[x1, y1, x2, y2]，0–1 图像坐标")
    score: float = Field(1.0, ge=0, le=1)

    model_config = ConfigDict(populate_by_name=True, extra="forbid", from_attributes=True)

    @model_validator(mode="after")
    def _ordered(self) -> ObjectIn:
        x1, y1, x2, y2 = self.bbox
        if x2 < x1 or y2 < y1:
            raise ValueError("bbox 须为 [x1, y1, x2, y2] 且 x2 ≥ x1、y2 ≥ y1")
        return self


class FrameIn(Schema):
    ts: IsoDateTime
    objects: list[ObjectIn] = Field(default_factory=list, max_length=500)
    snapshot: str | None = Field(
        None, max_length=3_000_000, description="可选：该帧 JPEG 的 base64（用作告警抓拍，≤ 2 MB）"
    )


class DetectionsIn(Schema):
    """Tracked detections of one camera (our worker or an AI edge box)."""

    camera_code: str = Field(min_length=1, max_length=40)
    frames: list[FrameIn] = Field(min_length=1, max_length=600)
    clip: str | None = Field(
        None, max_length=22_000_000, description="可选：这些帧的短视频（MP4/WebM 的 base64，≤ 16 MB），随告警存证"
    )


class AlarmBrief(BaseModel):
    alarm_id: uuid.UUID
    zone: str
    category_code: str
    signal_id: uuid.UUID | None
    evidence_usable: bool


class DetectionsOut(BaseModel):
    alarms: list[AlarmBrief]


class AlarmRead(Out):
    id: uuid.UUID
    device_id: uuid.UUID
    camera_code: str
    camera_name: str
    zone_id: uuid.UUID | None
    zone_name: str
    category_code: str
    category_name: str
    object_class: str
    score: float
    bbox: list[float]
    started_at: datetime
    raised_at: datetime
    dwell_s: int
    source: str
    evidence_usable: bool
    basis: str
    snapshots: list[str]
    evidence_ids: list[str]
    clip_url: str | None = Field(description="事件短视频（证据原件地址），有片段时")
    signal_id: uuid.UUID | None
    case_source_id: uuid.UUID | None
    case_source_code: str | None
    status: AlarmStatus
    status_label: str
    handled_by: str | None
    handled_at: datetime | None
    dismiss_reason: str | None


class AlarmFilter(Filter):
    status: AlarmStatus | None = None
    device_id: uuid.UUID | None = None
    zone_id: uuid.UUID | None = None
    category_code: str | None = Field(None, max_length=5)


class DismissIn(Schema):
    reason: str = Field(min_length=2, max_length=500, description="排除原因（误报类型）")


class AccuracyRow(BaseModel):
    device_id: uuid.UUID
    camera_code: str
    camera_name: str
    zone_id: uuid.UUID | None
    zone_name: str
    total: int
    confirmed: int
    dismissed: int
    pending: int
    dismiss_rate: float | None = Field(description="已处理告警中被排除的比例")


class StreamStatusIn(Schema):
    camera_code: str = Field(min_length=1, max_length=40)
    ok: bool
    error: str | None = Field(None, max_length=300)
