"""HTTP routes of IoT: the device registry, rules, readings (also taken in over HTTP for gateways), alarms, health."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import Field

from chengguan.core import clock
from chengguan.core.access import SessionDep, SettingsDep, require, writes_on_read
from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.core.principals import StaffPrincipal
from chengguan.iot import export, health, repository, service
from chengguan.iot.directory import DIRECTORY
from chengguan.iot.enums import SensorKind
from chengguan.iot.ingest import Reading, process
from chengguan.iot.schemas import (
    AlarmFilter,
    AlarmList,
    DeviceEdit,
    DeviceIn,
    DeviceList,
    DeviceOut,
    DeviceRemoved,
    ReadingIn,
    ReadingList,
    ReadingOut,
    RuleIn,
    RuleList,
    Series,
    SeriesPoint,
)
from chengguan.kit.schemas import Out
from chengguan.kit.xlsx import XLSX_RESPONSES
from chengguan.portal.api import Merchant as PortalMerchant

router = APIRouter(prefix="/iot", tags=["物联感知"], responses=PROBLEM_RESPONSES)
Reader = Annotated[StaffPrincipal, Depends(require("device:read"))]
Writer = Annotated[StaffPrincipal, Depends(require("device:write"))]
Feeder = Annotated[StaffPrincipal, Depends(require("signal:write", "device:write"))]
Code = Annotated[str, Path(min_length=1, max_length=40, description="设备编号")]


class ReadingsTaken(Out):
    stored: int
    raised: int
    cleared: int


@router.post("/devices", status_code=201, summary="登记物联网设备")
def register_device(body: DeviceIn, session: SessionDep, principal: Writer) -> DeviceOut:
    device = service.register(session, principal, body)
    return service.device_out(session, [device])[0]


@router.get("/devices/export.xlsx", response_class=Response, responses=XLSX_RESPONSES,
            summary="导出物联设备（Excel，与列表相同的筛选与排序，记入审计日志）")  # fmt: skip
@writes_on_read  # audited export
def export_devices(session: SessionDep, principal: Reader, kind: SensorKind | None = None) -> Response:
    return export.export_devices(session, principal, kind).response("物联设备.xlsx")


@router.get("/devices", summary="设备列表（含在线状态与活动告警数）")
def list_devices(
    session: SessionDep,
    principal: Reader,
    kind: SensorKind | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> DeviceList:
    statement = repository.DeviceRepository(session).readable(principal)
    if kind is not None:
        statement = statement.where(repository.IotDevice.kind == kind)
    devices = list(session.scalars(statement.order_by(repository.IotDevice.code).limit(limit)))
    return DeviceList(items=service.device_out(session, devices), total=len(devices))


@router.get("/devices/{device_code}", summary="设备详情")
def get_device(device_code: Code, session: SessionDep, principal: Reader) -> DeviceOut:
    return service.device_out(session, [service.load(session, principal, device_code)])[0]


@router.patch("/devices/{device_code}", summary="修改物联网设备（只改所给字段）")
def edit_device(device_code: Code, body: DeviceEdit, session: SessionDep, principal: Writer) -> DeviceOut:
    device = service.edit(session, principal, service.load(session, principal, device_code), body)
    DIRECTORY.forget()
    return service.device_out(session, [device])[0]


@router.delete("/devices/{device_code}", summary="删除物联网设备（有读数或告警的设备改为停用）")
def delete_device(device_code: Code, session: SessionDep, principal: Writer) -> DeviceRemoved:
    out = service.remove(session, principal, service.load(session, principal, device_code))
    DIRECTORY.forget()
    return out


@router.get("/devices/{device_code}/rules", summary="设备生效的告警规则")
def device_rules(device_code: Code, session: SessionDep, principal: Reader) -> RuleList:
    device = service.load(session, principal, device_code)
    source, specs = service.effective_specs(session, device)
    return service.rule_list(source, specs, device_code=device.code)


@router.put("/devices/{device_code}/rules", summary="设置设备的告警规则（替换；空列表恢复按设备类型）")
def put_device_rules(
    device_code: Code, body: Annotated[list[RuleIn], Field(max_length=50)], session: SessionDep, principal: Writer
) -> RuleList:
    device = service.load(session, principal, device_code)
    service.audit_rules(session, principal, device, None, service.set_rules(session, device, None, body))
    DIRECTORY.forget()
    source, specs = service.effective_specs(session, device)
    return service.rule_list(source, specs, device_code=device.code)


@router.get("/kinds/{kind}/rules", summary="某类设备的告警规则")
def get_kind_rules(kind: SensorKind, session: SessionDep, principal: Reader) -> RuleList:
    return service.kind_rules(session, kind)


@router.put("/kinds/{kind}/rules", summary="设置某类设备的告警规则（全市通用）")
def put_kind_rules(
    kind: SensorKind, body: Annotated[list[RuleIn], Field(max_length=50)], session: SessionDep, principal: Writer
) -> RuleList:
    service.require_city_wide(session, principal)
    service.audit_rules(session, principal, None, kind, service.set_rules(session, None, kind, body))
    DIRECTORY.forget()
    return service.kind_rules(session, kind)


@router.get("/devices/{device_code}/readings", summary="设备读数（最新在前）")
def device_readings(
    device_code: Code,
    session: SessionDep,
    principal: Reader,
    limit: Annotated[int, Query(ge=1, le=5000)] = 100,
) -> ReadingList:
    device = service.load(session, principal, device_code)
    rows = repository.readings(session, device.id, limit=limit)
    return ReadingList(items=[ReadingOut(ts=r.ts, values=r.values) for r in rows])


@router.post("/devices/{device_code}/readings", summary="经 HTTP 上报读数（网关；与 MQTT 主题同一处理）")
def post_readings(
    device_code: Code,
    body: Annotated[list[ReadingIn], Field(min_length=1, max_length=1000)],
    session: SessionDep,
    settings: SettingsDep,
    principal: Feeder,
) -> ReadingsTaken:
    device = service.load(session, principal, device_code)
    out = process(session, settings, [Reading(f"code:{device.code}", r.ts, r.values) for r in body], DIRECTORY)
    return ReadingsTaken(stored=out.stored, raised=len(out.raised), cleared=out.cleared)


@router.get("/devices/{device_code}/series", summary="某指标的曲线（按时间桶降采样）")
def device_series(
    device_code: Code,
    session: SessionDep,
    principal: Reader,
    metric: Annotated[str, Query(min_length=1, max_length=40)],
    hours: Annotated[float, Query(gt=0, le=24 * 31)] = 24,
    points: Annotated[int, Query(ge=10, le=2000)] = 300,
) -> Series:
    device = service.load(session, principal, device_code)
    since = clock.now() - timedelta(hours=hours)
    if hours > RAW_HOURS:  # a long range: the hourly history (kept after the raw readings expire)
        means = repository.hourly(session, device.id, metric, since)
        grouped = regroup(means, since, hours, points)
        return Series(metric=metric, points=[SeriesPoint(ts=t, value=v) for t, v in grouped])
    rows = repository.readings(session, device.id, limit=50_000, since=since)
    return Series(
        metric=metric, points=[SeriesPoint(ts=t, value=v) for t, v in downsample(rows, metric, since, hours, points)]
    )


RAW_HOURS = 72


def regroup(
    means: list[tuple[datetime, int, float]], since: datetime, hours: float, points: int
) -> list[tuple[datetime, float]]:
    """Hourly (time, count, mean) into ``points`` buckets, weighted by count."""
    bucket = max(3600.0, hours * 3600 / points)
    sums: dict[int, list[float]] = {}
    for at, n, mean in means:
        acc = sums.setdefault(int((at - since).total_seconds() // bucket), [0.0, 0.0])
        acc[0] += mean * n
        acc[1] += n
    return [(since + timedelta(seconds=(k + 0.5) * bucket), s / c) for k, (s, c) in sorted(sums.items()) if c]


def downsample(
    rows: list[Any], metric: str, since: datetime, hours: float, points: int
) -> list[tuple[datetime, float]]:
    """Mean per time bucket, so a month of minute readings is a chart of ``points`` points."""
    bucket = hours * 3600 / points
    sums: dict[int, list[float]] = {}
    for r in rows:
        value = r.values.get(metric)
        if isinstance(value, int | float):
            n = int((r.ts - since).total_seconds() // bucket)
            acc = sums.setdefault(n, [0.0, 0.0])
            acc[0] += value
            acc[1] += 1
    return [(since + timedelta(seconds=(n + 0.5) * bucket), s / c) for n, (s, c) in sorted(sums.items())]


@router.get("/alarms", summary="物联告警（最新在前）")
def list_alarms(session: SessionDep, principal: Reader, query: Annotated[AlarmFilter, Query()]) -> AlarmList:
    items, total = service.alarm_rows(
        session, principal, device_code=query.device_code, state=query.state, since=query.since, limit=query.limit
    )
    return AlarmList(items=items, total=total)


@router.get("/alarms/export.xlsx", response_class=Response, responses=XLSX_RESPONSES,
            summary="导出物联告警（Excel，与列表相同的筛选与排序，全部符合条件的告警，记入审计日志）")  # fmt: skip
@writes_on_read  # audited export
def export_alarms(session: SessionDep, principal: Reader, query: Annotated[AlarmFilter, Query()]) -> Response:
    return export.export_alarms(session, principal, query).response("物联告警.xlsx")


@router.get("/health", summary="设备健康概况（在线、离线、未上线、报文错误）")
def device_health(session: SessionDep, principal: Reader) -> dict[str, Any]:
    return health.summary(session, principal)


portal_router = APIRouter(prefix="/portal", tags=["商户端"], responses=PROBLEM_RESPONSES)


class ShopAlarm(Out):
    shop_code: str | None
    device_code: str
    device_name: str
    rule_label: str
    state: str
    value: float | None
    raised_at: datetime
    cleared_at: datetime | None


@portal_router.get("/iot-alarms", summary="本店监测设备的告警（油烟等）")
def shop_alarms(merchant: PortalMerchant, session: SessionDep) -> list[ShopAlarm]:
    """What the shop's own monitors raised (the merchant portal's notice beside the text message)."""
    _, account = merchant
    rows = repository.shop_alarms(session, account.id)
    return [
        ShopAlarm(
            shop_code=shop,
            device_code=d.code,
            device_name=d.name,
            rule_label=a.rule_label,
            state=a.state.value,
            value=a.value,
            raised_at=a.raised_at,
            cleared_at=a.cleared_at,
        )
        for a, d, shop in rows
    ]
