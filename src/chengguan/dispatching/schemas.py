"""API schemas of dispatching: position batches, nearest officers, dispatch orders and tasks, the map feed."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from chengguan.core.geo import Crs
from chengguan.dispatching.models import DutyStatus, FixSource, SubjectKind
from chengguan.intake.enums import Outcome
from chengguan.intake.schemas import Lat, Lng
from chengguan.kit.schemas import Filter, IsoDateTime, Schema


class PositionIn(Schema):
    """One GPS fix of an officer or vehicle; ``status`` omitted keeps the current duty status."""

    subject_kind: SubjectKind = SubjectKind.officer
    subject_id: uuid.UUID
    lng: Lng
    lat: Lat
    crs: Crs = Crs.WGS84
    at: IsoDateTime
    accuracy_m: float | None = Field(None, ge=0, le=100_000)
    speed_mps: float | None = Field(None, ge=0, le=100)
    heading: float | None = Field(None, ge=0, lt=360)
    status: DutyStatus | None = None
    source: FixSource = Field(
        FixSource.device, description="device 真实终端；simulator 模拟定位（终端近期上报过的人员不予采用）"
    )


class PositionBatchIn(Schema):
    positions: list[Any] = Field(
        min_length=1,
        max_length=5000,
        description="每项结构同 PositionIn；不合格的项逐条报告，其余照常接收",
    )


class PositionProblem(BaseModel):
    index: int
    code: str
    detail: str


class PositionBatchOut(BaseModel):
    accepted: int
    rejected: list[PositionProblem]


class NearestOfficer(BaseModel):
    officer_id: uuid.UUID
    name: str
    unit: str
    certificate_no: str | None
    phone: str | None
    distance_m: float
    eta_s: int
    lng: float
    lat: float
    fix_at: datetime | None


class NearestQuery(Filter):
    source_id: uuid.UUID
    limit: int = Field(5, ge=1, le=50)


class DispatchIn(Schema):
    source_id: uuid.UUID
    officer_id: uuid.UUID
    version: int | None = Field(None, ge=1, description="页面上看到的案源版本号；不一致时 409")
    reason: str | None = Field(None, max_length=1000, description="改派时必填")


class TaskRead(BaseModel):
    id: uuid.UUID
    status: str
    status_label: str
    case_source_id: uuid.UUID
    case_source_code: str
    case_source_status: str
    category_code: str
    category_name: str
    description: str | None
    address: str | None
    lng: float
    lat: float
    officer_id: uuid.UUID
    officer_name: str
    distance_m: float | None
    eta_s: int | None
    dispatched_at: datetime
    ack_due_at: datetime
    acknowledged_at: datetime | None
    arrived_at: datetime | None
    completed_at: datetime | None
    dispatched_by: str
    source_version: int
    fix_distance_m: float | None = Field(description="执法队员最近一次有效定位距案源的直线距离（米），无则 null")
    fix_at: datetime | None
    arrival_radius_m: int = Field(description="到场范围（米）：超出须填写说明")


class ArriveIn(Schema):
    reason: str | None = Field(None, max_length=1000, description="不在到场范围内（或无定位）时必填的说明")


class DutyIn(Schema):
    on_duty: bool = Field(description="true 上班；false 下班（下班后不参与派遣、不上报定位）")


class DutyRead(BaseModel):
    """An officer's 上班/下班 state: the latest switch (when, by whom) and the live status on the map."""

    officer_id: uuid.UUID
    on_duty: bool
    since: datetime | None
    by: str | None
    status: DutyStatus | None = Field(description="地图上的状态；尚无定位为 null")


class TaskFilter(Filter):
    mine: bool = Field(True, description="true 仅本人的任务")
    active: bool = Field(True, description="true 仅未完成的任务")


class TaskCompleteIn(Schema):
    outcome: Outcome
    rectification_due: date | None = None
    note: str | None = Field(None, max_length=1000)
    media: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(default_factory=list, max_length=20)


class MapFeed(BaseModel):
    """Everything the command map draws at once; live changes then come from the stream."""

    sources: list[dict[str, Any]]
    positions: list[dict[str, Any]]
    cameras: list[dict[str, Any]]
    at: datetime
    stale_after_s: int = Field(description="定位超过此秒数未更新视为失联（不参与派遣）")
