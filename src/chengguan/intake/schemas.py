"""API schemas of intake: signals in, batch results, case-source read models, actions and rules."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from chengguan.core.geo import Crs
from chengguan.intake.enums import Channel, Outcome, SourceAction, SourceStatus, TimeUnit
from chengguan.kit.schemas import Filter, IsoDateTime, Out, Schema

Lng = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False, description="经度")]
Lat = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False, description="纬度")]
CategoryCode = Annotated[str, Field(pattern=r"^[0-9]{5}$", description="GB/T 47678.5 事项类别码（5 位）")]


class Reporter(BaseModel):
    """Contact details of a citizen or merchant who reported (never published). Only ever inside a SignalIn, whose
    own check refuses U+0000 anywhere in its input, this one included (no second scan per reporter)."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    name: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, max_length=20, pattern=r"^[0-9+\-() ]{5,20}$")
    email: EmailStr | None = None


class SignalIn(Schema):
    """One raw alarm or report; ``idempotency_key`` makes a replay return the first result."""

    idempotency_key: str = Field(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")
    channel: Channel
    category_code: CategoryCode
    lng: Lng
    lat: Lat
    crs: Crs = Crs.WGS84
    occurred_at: IsoDateTime
    description: str | None = Field(None, max_length=2000)
    address: str | None = Field(None, max_length=256)
    device_id: str | None = Field(None, max_length=64)
    external_ref: str | None = Field(None, max_length=64, description="外部单号，例如 12345 工单号")
    media: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(default_factory=list, max_length=20)
    reporter: Reporter | None = None
    attributes: dict[Annotated[str, Field(max_length=64)], str | list[str]] | None = Field(
        None, max_length=30, description="渠道附加属性，例如 Open311 的 attribute[CODE]"
    )


class SignalBatchIn(Schema):
    """Up to 1,000 signals; each item is checked on its own so one bad item does not lose the others."""

    signals: list[Any] = Field(
        min_length=1,
        max_length=1000,
        description="每项结构同 SignalIn（idempotency_key, channel, category_code, lng, lat, crs?, occurred_at, …）；"
        "不合格的项在结果中逐条报告，其余照常接收",
    )


class ItemProblem(BaseModel):
    code: str
    detail: str
    errors: list[dict[str, str]] | None = None


class IntakeResult(BaseModel):
    """What became of one signal (in input order)."""

    idempotency_key: str | None
    signal_id: uuid.UUID | None = None
    case_source_id: uuid.UUID | None = None
    case_source_code: str | None = None
    merged: bool = False
    duplicate_replay: bool = False
    snoozed: bool = False
    needs_routing: bool = False
    problem: ItemProblem | None = None


class SignalBatchOut(BaseModel):
    results: list[IntakeResult]
    accepted: int
    rejected: int


class NamedRef(BaseModel):
    id: uuid.UUID
    name: str


class SignalRead(Out):
    id: uuid.UUID
    idempotency_key: str
    channel: Channel
    category_code: str
    lng: float
    lat: float
    crs: str
    occurred_at: datetime
    received_at: datetime
    description: str | None
    address: str | None
    device_id: str | None
    external_ref: str | None
    media: list[Any] | None
    merged: bool
    case_source_id: uuid.UUID | None


class EventRead(Out):
    id: uuid.UUID
    at: datetime
    action: str
    action_label: str
    from_status: str | None
    to_status: str | None
    actor_name: str
    reason: str | None
    data: dict[str, Any] | None


class CaseSourceRead(Out):
    """A case source in lists (countdown fields included)."""

    id: uuid.UUID
    code: str
    status: SourceStatus
    status_label: str
    category_code: str
    category_name: str
    channel: Channel
    channel_label: str
    lng: float
    lat: float
    address: str | None
    description: str | None
    grid_code: str | None
    squad: NamedRef | None
    district: NamedRef | None
    needs_routing: bool
    signal_count: int
    first_signal_at: datetime
    last_signal_at: datetime
    created_at: datetime
    due_at: datetime | None
    warn_at: datetime | None
    remaining_s: int | None = Field(description="距本环节时限的秒数，负数为已超期")
    overdue: bool
    warning: bool
    supervision_count: int
    officer: NamedRef | None
    outcome: Outcome | None
    rectification_due: date | None
    closed_at: datetime | None
    version: int


class DispatchTaskBrief(BaseModel):
    id: uuid.UUID
    officer: NamedRef
    status: str
    status_label: str
    distance_m: float | None
    eta_s: int | None
    dispatched_at: datetime
    acknowledged_at: datetime | None
    arrived_at: datetime | None
    completed_at: datetime | None


class CaseSourceDetail(CaseSourceRead):
    """One case source with its timeline, signals, dispatch tasks and the actions this user may take now."""

    outcome_note: str | None
    timeline: list[EventRead]
    signals: list[SignalRead]
    tasks: list[DispatchTaskBrief]
    actions: list[SourceAction]


class CaseSourceFilter(Filter):
    status: list[SourceStatus] | None = Field(None, description="状态，可多选")
    open: bool | None = Field(None, description="true 仅未结案（未作废）")
    category_code: str | None = Field(None, max_length=5)
    channel: Channel | None = None
    squad_id: uuid.UUID | None = None
    district_id: uuid.UUID | None = Field(None, description="所属区局")
    grid_code: str | None = Field(None, max_length=15, description="单元网格编码")
    created_from: date | None = Field(None, description="登记日期起（含，北京时间）")
    created_to: date | None = Field(None, description="登记日期止（含，北京时间）")
    overdue: bool | None = None
    needs_routing: bool | None = None
    mine: bool | None = Field(None, description="true 仅派给本人的")
    q: str | None = Field(None, max_length=50, description="编号/描述/地址关键词")
    bbox: str | None = Field(
        None,
        pattern=r"^-?\d+(\.\d+)?,-?\d+(\.\d+)?,-?\d+(\.\d+)?,-?\d+(\.\d+)?$",
        description="minLng,minLat,maxLng,maxLat",
    )
    sort: str = Field("due", pattern="^(due|-created|created)$", description="due（超期优先）/ -created / created")


class SourceActionIn(Schema):
    """Parameters of a case-source action; ``version`` is the one the user saw (optimistic lock)."""

    version: int | None = Field(None, ge=1, description="页面上看到的版本号；不一致时 409")
    idempotency_key: str | None = Field(
        None, min_length=1, max_length=128, description="重试同一操作时保持不变：重复提交返回首次的结果"
    )
    reason: str | None = Field(None, max_length=1000)
    squad_id: uuid.UUID | None = None
    officer_id: uuid.UUID | None = None
    outcome: Outcome | None = None
    rectification_due: date | None = None
    note: str | None = Field(None, max_length=1000)
    media: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(default_factory=list, max_length=20)


class ActionOptions(BaseModel):
    version: int
    status: SourceStatus
    actions: list[dict[str, str]]


class TimeLimitIn(Schema):
    stage: SourceStatus
    category_code: CategoryCode | None = None
    channel: Channel | None = None
    unit_id: uuid.UUID | None = Field(None, description="适用单位（含下级单位）；为空表示全市通用（须有全市数据权限）")
    amount: int = Field(ge=1, le=10_000)
    unit: TimeUnit
    warn_percent: int = Field(20, ge=0, le=99)


class TimeLimitRead(Out):
    id: uuid.UUID | None
    stage: SourceStatus
    category_code: str | None
    channel: Channel | None
    unit_id: uuid.UUID | None = None
    amount: int
    unit: TimeUnit
    warn_percent: int
    builtin: bool = False


class DedupRuleIn(Schema):
    category_code: CategoryCode
    radius_m: int = Field(ge=1, le=5000)
    window_minutes: int = Field(ge=1, le=43200)


class DedupRuleRead(Out):
    id: uuid.UUID
    category_code: str
    radius_m: int
    window_minutes: int


class SnoozeRuleIn(Schema):
    category_code: CategoryCode | None = None
    unit_id: uuid.UUID | None = Field(
        None, description="适用单位（只静默该单位及下级单位内的告警）；默认为点位所在网格的中队，网格外为全市"
    )
    lng: Lng
    lat: Lat
    crs: Crs = Crs.WGS84
    radius_m: int = Field(ge=1, le=5000)
    until: IsoDateTime
    reason: str = Field(min_length=1, max_length=200)


class SnoozeRuleRead(Out):
    id: uuid.UUID
    category_code: str | None
    unit_id: uuid.UUID | None = None
    lng: float
    lat: float
    radius_m: int
    until: datetime
    reason: str
    created_by: str
    active: bool


class SupervisionRead(BaseModel):
    id: uuid.UUID
    case_source_id: uuid.UUID
    case_source_code: str
    category_name: str
    unit: NamedRef | None
    stage: str
    stage_label: str
    due_at: datetime
    created_at: datetime
    resolved_at: datetime | None


class SupervisionFilter(Filter):
    open: bool | None = Field(None, description="true 仅未解除的督办")


class SweepResult(BaseModel):
    supervised: int
    checked: int
