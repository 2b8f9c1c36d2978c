"""API schemas of IoT: devices, rules (the simple contract form and the richer one), readings, alarms."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from chengguan.intake.schemas import CategoryCode, Lat, Lng
from chengguan.iot.enums import AlarmState, Health, RuleKind, SensorKind
from chengguan.kit.schemas import IsoDateTime, Out, Schema

DeviceCode = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$", description="设备编号（MQTT 主题中的 device_code）")
]
Metric = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,39}$")]
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


class DeviceIn(Schema):
    code: DeviceCode
    kind: SensorKind
    report_interval_s: int = Field(ge=1, le=86_400, description="约定上报间隔（秒）；离线判定为其 2 倍")
    name: str | None = Field(None, max_length=100)
    unit_id: uuid.UUID | None = Field(None, description="责任中队；缺省为登记人所在单位或商户所属中队")
    merchant_code: str | None = Field(None, max_length=16, description="所属商户（一店一码）")
    site: str | None = Field(None, max_length=200, description="工地、小区或泵房名称")
    address: str | None = Field(None, max_length=256)
    lng: Lng | None = None
    lat: Lat | None = None
    calibrated_on: date | None = Field(None, description="最近一次校准日期")
    hj212_mn: str | None = Field(None, pattern=r"^[A-Za-z0-9]{1,24}$", description="HJ 212 设备唯一标识 MN")
    factor_profile: str | None = Field(None, max_length=40, description="HJ 212 因子编码配置（iot/data/factors.toml）")

    @model_validator(mode="after")
    def _both_coordinates(self) -> DeviceIn:
        if (self.lng is None) != (self.lat is None):
            raise ValueError("经度与纬度须同时填写")
        return self


class DeviceEdit(Schema):
    """``PATCH /iot/devices/{device_code}``: the fields sent change, the others stay (``null`` clears an optional
    one). The code and kind are the device's identity and do not change."""

    name: str | None = Field(None, min_length=1, max_length=100)
    report_interval_s: int | None = Field(None, ge=1, le=86_400)
    unit_id: uuid.UUID | None = None
    merchant_code: str | None = Field(None, max_length=16)
    site: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=256)
    lng: Lng | None = None
    lat: Lat | None = None
    calibrated_on: date | None = None
    hj212_mn: str | None = Field(None, pattern=r"^[A-Za-z0-9]{1,24}$")
    factor_profile: str | None = Field(None, max_length=40)
    active: bool | None = Field(None, description="停用的设备不再接收读数、不做离线判定")

    @model_validator(mode="after")
    def _both_coordinates(self) -> DeviceEdit:
        if ("lng" in self.model_fields_set) != ("lat" in self.model_fields_set) or (self.lng is None) != (
            self.lat is None
        ):
            raise ValueError("经度与纬度须同时填写")
        return self


class DeviceRemoved(Out):
    code: str
    deleted: bool = Field(description="没有读数与告警的设备直接删除")
    deactivated: bool = Field(description="有读数或告警的设备停用（记录作为证据保留）")


class WindowIn(Schema):
    start: str = Field(description="开始时刻 HH:MM（北京时间）")
    end: str = Field(description="结束时刻 HH:MM；早于开始时刻表示跨夜")
    days: list[Annotated[int, Field(ge=1, le=7)]] = Field(default_factory=list, description="星期几（1–7），空为每天")

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError("须为 HH:MM")
        return value


class RuleIn(Schema):
    """One rule. The contract's simple form is ``{"metric", "above", "for_s", "clear_below", "clear_for_s"}``; the
    rest is optional (kind, below/clear_above, schedule, escalation, tamper rules, signal category)."""

    metric: Metric | None = None
    kind: RuleKind | None = Field(None, description="缺省由 above / below 推断")
    above: float | None = Field(None, allow_inf_nan=False)
    below: float | None = Field(None, allow_inf_nan=False)
    threshold: float | None = Field(None, allow_inf_nan=False, description="篡改规则的参数（电流、容差、突降前最小值）")
    for_s: float = Field(0, ge=0, le=7 * 86_400, description="持续时间（秒）")
    clear_below: float | None = Field(None, allow_inf_nan=False, description="回差：低于此值才算恢复")
    clear_above: float | None = Field(None, allow_inf_nan=False)
    clear_for_s: float = Field(0, ge=0, le=7 * 86_400, description="恢复须持续的时间（秒）")
    schedule: list[WindowIn] = Field(default_factory=list, max_length=8, description="生效时段（北京时间）")
    escalate_after_s: float | None = Field(None, gt=0, le=30 * 86_400, description="告警持续多久升级")
    fan_metric: Metric | None = None
    purifier_metric: Metric | None = None
    key: str | None = Field(None, pattern=r"^[A-Za-z0-9_.:<>=\-]{1,64}$")
    label: str | None = Field(None, max_length=100)
    category_code: CategoryCode | None = Field(None, description="转为案源时的事项类别码；缺省按设备类型")
    signal: bool = Field(True, description="告警是否转为案源（渠道 iot）")
    notify_shop: bool = Field(True, description="告警是否短信通知商户")


class RuleOut(Out):
    key: str
    kind: RuleKind
    label: str
    metric: str | None = None
    above: float | None = None
    below: float | None = None
    threshold: float | None = None
    for_s: float = 0
    clear_below: float | None = None
    clear_above: float | None = None
    clear_for_s: float = 0
    schedule: list[dict[str, Any]]
    escalate_after_s: float | None = None
    category_code: str | None = None
    signal: bool
    notify_shop: bool


class RuleList(Out):
    device_code: str | None = None
    sensor_kind: SensorKind | None = None
    source: str = Field(description="device 设备自有 / kind 按设备类型 / default 内置")
    items: list[RuleOut]


class DeviceOut(Out):
    id: uuid.UUID
    code: str
    name: str
    kind: SensorKind
    kind_label: str = ""
    unit_id: uuid.UUID
    unit_name: str | None = None
    merchant_id: uuid.UUID | None
    merchant_name: str | None = None
    site: str | None
    address: str | None
    lng: float | None
    lat: float | None
    report_interval_s: int
    calibrated_on: date | None
    hj212_mn: str | None
    factor_profile: str | None
    active: bool
    health: Health
    last_seen_at: datetime | None
    last_values: dict[str, Any] | None
    malformed_count: int
    last_malformed: str | None
    active_alarms: int = 0


class DeviceList(Out):
    items: list[DeviceOut]
    total: int


class ReadingIn(Schema):
    """A reading as the JSON topic carries it (and as the API accepts it for tests and gateways)."""

    ts: IsoDateTime
    values: dict[Metric, float] = Field(max_length=64)


class ReadingOut(Out):
    ts: datetime
    values: dict[str, Any]


class ReadingList(Out):
    items: list[ReadingOut]


class AlarmOut(Out):
    id: uuid.UUID
    device_code: str
    device_name: str | None = None
    rule: str
    rule_label: str
    kind: RuleKind
    state: AlarmState
    level: int
    value: float | None
    began_at: datetime
    raised_at: datetime
    cleared_at: datetime | None
    signal_id: uuid.UUID | None
    case_source_code: str | None = None
    evidence_id: uuid.UUID | None
    notified: str | None
    lng: float | None = None
    lat: float | None = None


class AlarmList(Out):
    items: list[AlarmOut]
    total: int


class AlarmFilter(Schema):
    device_code: str | None = Field(None, max_length=40)
    state: AlarmState | None = None
    since: IsoDateTime | None = None
    limit: int = Field(100, ge=1, le=1000)


class SeriesPoint(Out):
    ts: datetime
    value: float


class Series(Out):
    metric: str
    points: list[SeriesPoint]
