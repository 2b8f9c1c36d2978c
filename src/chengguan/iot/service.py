"""IoT use cases behind the API: register a device, set its rules (or its kind's), read devices, readings, alarms."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from chengguan.audit import events
from chengguan.core import clock
from chengguan.core.errors import Conflict, Forbidden, NotFound, field_error
from chengguan.core.principals import StaffPrincipal
from chengguan.iot import defaults, repository
from chengguan.iot.enums import SENSOR_LABELS, AlarmState, SensorKind
from chengguan.iot.factors import profiles
from chengguan.iot.models import IotAlarm, IotDevice, IotRule, IotRuleState
from chengguan.iot.schemas import AlarmOut, DeviceEdit, DeviceIn, DeviceOut, DeviceRemoved, RuleIn, RuleList, RuleOut
from chengguan.iot.spec import normalise
from chengguan.merchants.models import Merchant
from chengguan.org.repository import unit_names
from chengguan.org.scope import require_config_scope, unit_in_scope


def register(session: Session, principal: StaffPrincipal, data: DeviceIn) -> IotDevice:
    """Register a device under a unit of the caller's data scope (the shop's squad when a shop is named)."""
    taken = repository.code_taken(session, data.code, data.hj212_mn)
    if taken:
        raise Conflict(f"{'设备编号' if taken == 'code' else 'HJ 212 MN'}已登记", code=f"iot.{taken}_taken")
    if data.factor_profile and data.factor_profile not in profiles():
        raise field_error("factor_profile", f"未知的因子编码配置 {data.factor_profile}", code="iot.profile_unknown")
    merchant = None
    if data.merchant_code:
        merchant = session.scalar(select(Merchant).where(Merchant.code == data.merchant_code))
        if merchant is None:
            raise field_error("merchant_code", "商户不存在", code="iot.merchant_unknown")
    unit_id = data.unit_id or (merchant.unit_id if merchant else None) or principal.unit_id
    if unit_id is None:
        raise field_error("unit_id", "请指定责任单位", code="iot.unit_required")
    if not unit_in_scope(session, principal, unit_id):
        raise Forbidden("该单位不在您的数据权限范围内", code="iot.unit_out_of_scope")
    lng, lat = (
        (data.lng, data.lat) if data.lng is not None else (merchant.lng, merchant.lat) if merchant else (None, None)
    )
    device = IotDevice(
        id=uuid.uuid4(),
        code=data.code,
        name=data.name or f"{merchant.name if merchant else data.site or ''}{SENSOR_LABELS[data.kind]}",
        kind=data.kind,
        unit_id=unit_id,
        merchant_id=merchant.id if merchant else None,
        site=data.site,
        address=data.address or (merchant.address if merchant else None),
        lng=lng,
        lat=lat,
        report_interval_s=data.report_interval_s,
        calibrated_on=data.calibrated_on,
        hj212_mn=data.hj212_mn,
        factor_profile=data.factor_profile,
        malformed_count=0,
    )
    session.add(device)
    session.flush()
    events.record(session, principal, "iot_device.create", "iot_device", device.id, f"{device.code} {device.name}",
                  kind=device.kind, unit_id=str(device.unit_id), merchant_code=data.merchant_code,
                  report_interval_s=device.report_interval_s, hj212_mn=device.hj212_mn)  # fmt: skip
    return device


_EDITABLE = ("name", "report_interval_s", "site", "address", "lng", "lat", "calibrated_on", "hj212_mn",
             "factor_profile", "active")  # fmt: skip


def edit(session: Session, principal: StaffPrincipal, device: IotDevice, data: DeviceEdit) -> IotDevice:
    """Change the fields sent; the responsible unit stays within the caller's data scope; audited with the old and
    new values."""
    sent = data.model_fields_set
    if "name" in sent and not data.name:
        raise field_error("name", "名称不能为空")
    if "report_interval_s" in sent and data.report_interval_s is None:
        raise field_error("report_interval_s", "须填写上报间隔")
    if "active" in sent and data.active is None:
        raise field_error("active", "须为 true 或 false")
    if data.hj212_mn and data.hj212_mn != device.hj212_mn and repository.code_taken(session, "", data.hj212_mn):
        raise Conflict("HJ 212 MN已登记", code="iot.hj212_mn_taken")
    if data.factor_profile and data.factor_profile not in profiles():
        raise field_error("factor_profile", f"未知的因子编码配置 {data.factor_profile}", code="iot.profile_unknown")
    changes: dict[str, Any] = {}
    if "merchant_code" in sent:
        merchant = None
        if data.merchant_code:
            merchant = session.scalar(select(Merchant).where(Merchant.code == data.merchant_code))
            if merchant is None:
                raise field_error("merchant_code", "商户不存在", code="iot.merchant_unknown")
        changes["merchant_id"] = merchant.id if merchant else None
    if "unit_id" in sent:
        if data.unit_id is None or not unit_in_scope(session, principal, data.unit_id):
            raise Forbidden("该单位不在您的数据权限范围内", code="iot.unit_out_of_scope")
        changes["unit_id"] = data.unit_id
    changes |= {f: getattr(data, f) for f in _EDITABLE if f in sent}
    before = {k: _plain(getattr(device, k)) for k in changes if getattr(device, k) != changes[k]}
    for k, v in changes.items():
        setattr(device, k, v)
    session.flush()
    events.record(session, principal, "iot_device.update", "iot_device", device.id, f"{device.code} {device.name}",
                  before=before, after={k: _plain(changes[k]) for k in before})  # fmt: skip
    return device


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def remove(session: Session, principal: StaffPrincipal, device: IotDevice) -> DeviceRemoved:
    """Delete a device that never reported nor alarmed; one with readings or alarms is deactivated instead (its
    records may be evidence of a case and stay)."""
    label = f"{device.code} {device.name}"
    if repository.has_history(session, device.id):
        device.active = False
        session.flush()
        events.record(session, principal, "iot_device.deactivate", "iot_device", device.id, label,
                      reason="设备有读数或告警记录，停用而不删除")  # fmt: skip
        return DeviceRemoved(code=device.code, deleted=False, deactivated=True)
    events.record(session, principal, "iot_device.delete", "iot_device", device.id, label, kind=device.kind)
    session.delete(device)
    session.flush()
    return DeviceRemoved(code=device.code, deleted=True, deactivated=False)


def audit_rules(
    session: Session, principal: StaffPrincipal, device: IotDevice | None, kind: SensorKind | None, rows: list[IotRule]
) -> None:
    rules = [f"{r.key}（{r.label}）" for r in rows] or ["（恢复默认规则）"]
    if device is not None:
        events.record(session, principal, "iot_rule.put", "iot_device", device.id, f"{device.code} {device.name}",
                      rules=rules)  # fmt: skip
    else:
        assert kind is not None
        events.record(session, principal, "iot_rule.put", "iot_rule", None, f"{SENSOR_LABELS[kind]}（全市）",
                      sensor_kind=kind, rules=rules)  # fmt: skip


def load(session: Session, principal: StaffPrincipal, code: str) -> IotDevice:
    device = repository.DeviceRepository(session).by_code(principal, code)
    if device is None:
        raise NotFound("设备不存在或不在您的数据权限范围内", code="iot.device_not_found")
    return device


def set_rules(
    session: Session, device: IotDevice | None, kind: SensorKind | None, rules: list[RuleIn]
) -> list[IotRule]:
    """Replace the device's (or the kind's) rules; the engine state of rules no longer present is dropped, that of
    rules kept (same key) carries on."""
    specs = [normalise(r, n) for n, r in enumerate(rules)]
    keys = [s["key"] for s in specs]
    if len(set(keys)) != len(keys):
        raise field_error("rules", "规则键重复（同一指标同一阈值只能有一条）", code="iot.rule_duplicate")
    now = clock.now()  # the devices' mark moves: every bridge's directory reloads their rules (iot.directory)
    if device is not None:
        device.updated_at = now
        session.execute(delete(IotRule).where(IotRule.device_id == device.id))
        session.execute(
            delete(IotRuleState).where(IotRuleState.device_id == device.id, IotRuleState.rule_key.not_in(keys or [""]))
        )
    else:
        session.execute(delete(IotRule).where(IotRule.device_id.is_(None), IotRule.sensor_kind == kind))
        session.execute(update(IotDevice).where(IotDevice.kind == kind).values(updated_at=now))
    rows = [
        IotRule(
            device_id=device.id if device else None,
            sensor_kind=None if device else kind,
            key=s["key"],
            kind=s["kind"],
            label=s["label"][:100],
            spec=s,
        )
        for s in specs
    ]
    session.add_all(rows)
    session.flush()
    return rows


def effective_specs(session: Session, device: IotDevice) -> tuple[str, list[dict[str, Any]]]:
    """The rules the engine applies to a device: its own, else its kind's, else the built-in ones."""
    own = repository.rules_of(session, device_id=device.id)
    if own:
        return "device", [r.spec for r in own]
    of_kind = repository.rules_of(session, kind=device.kind)
    if of_kind:
        return "kind", [r.spec for r in of_kind]
    return "default", [
        normalise(RuleIn.model_validate(d), n) for n, d in enumerate(defaults.default_rules(device.kind))
    ]


def specs_for(session: Session, devices: list[IotDevice]) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """``effective_specs`` of many devices in two queries (the bridge's directory)."""
    ids = [d.id for d in devices]
    own: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for chunk in range(0, len(ids), 500):
        for r in session.scalars(select(IotRule).where(IotRule.device_id.in_(ids[chunk : chunk + 500]))):
            own.setdefault(r.device_id, []).append(r.spec)  # type: ignore[arg-type]
    kinds: dict[SensorKind, list[dict[str, Any]]] = {}
    for r in session.scalars(select(IotRule).where(IotRule.device_id.is_(None))):
        kinds.setdefault(r.sensor_kind, []).append(r.spec)  # type: ignore[arg-type]
    builtin: dict[SensorKind, list[dict[str, Any]]] = {}
    out = {}
    for d in devices:
        if d.id in own:
            out[d.id] = sorted(own[d.id], key=lambda s: s["key"])
        elif d.kind in kinds:
            out[d.id] = kinds[d.kind]
        else:
            if d.kind not in builtin:
                builtin[d.kind] = [
                    normalise(RuleIn.model_validate(x), n) for n, x in enumerate(defaults.default_rules(d.kind))
                ]
            out[d.id] = builtin[d.kind]
    return out


def rule_list(source: str, specs: list[dict[str, Any]], **about: Any) -> RuleList:
    return RuleList(
        source=source,
        items=[RuleOut.model_validate({"schedule": [], "signal": True, "notify_shop": True} | s) for s in specs],
        **about,
    )


def kind_rules(session: Session, kind: SensorKind) -> RuleList:
    rows = repository.rules_of(session, kind=kind)
    if rows:
        return rule_list("kind", [r.spec for r in rows], sensor_kind=kind)
    specs = [normalise(RuleIn.model_validate(d), n) for n, d in enumerate(defaults.default_rules(kind))]
    return rule_list("default", specs, sensor_kind=kind)


def device_out(session: Session, devices: list[IotDevice]) -> list[DeviceOut]:
    units = unit_names(session, [d.unit_id for d in devices])
    shops = {d.merchant_id for d in devices if d.merchant_id}
    names = (
        dict(session.execute(select(Merchant.id, Merchant.name).where(Merchant.id.in_(shops))).tuples().all())
        if shops
        else {}
    )
    counts = repository.active_counts(session, [d.id for d in devices])
    return [
        DeviceOut.model_validate(d, from_attributes=True).model_copy(
            update={
                "kind_label": SENSOR_LABELS[d.kind],
                "unit_name": units.get(d.unit_id),
                "merchant_name": names.get(d.merchant_id),
                "active_alarms": counts.get(d.id, 0),
            }
        )
        for d in devices
    ]


def alarm_rows(
    session: Session,
    principal: StaffPrincipal,
    *,
    device_code: str | None,
    state: AlarmState | None,
    since: datetime | None,
    limit: int,
) -> tuple[list[AlarmOut], int]:
    rows, total = repository.alarms(session, principal, device_code=device_code, state=state, since=since, limit=limit)
    return alarm_outs(rows), total


def alarm_outs(rows: Sequence[tuple[IotAlarm, IotDevice, str | None]]) -> list[AlarmOut]:
    """(alarm, device, case source code) rows as the alarm list shows them."""
    return [
        AlarmOut(
            id=a.id,
            device_code=d.code,
            device_name=d.name,
            rule=a.rule_key,
            rule_label=a.rule_label,
            kind=a.kind,
            state=a.state,
            level=a.level,
            value=a.value,
            began_at=a.began_at,
            raised_at=a.raised_at,
            cleared_at=a.cleared_at,
            signal_id=a.signal_id,
            case_source_code=code,
            evidence_id=a.evidence_id,
            notified=a.notified,
            lng=d.lng,
            lat=d.lat,
        )
        for a, d, code in rows
    ]


def require_city_wide(session: Session, principal: StaffPrincipal) -> None:
    """Rules of a whole device kind apply city-wide: only city-wide data may set them."""
    require_config_scope(session, principal, None, "物联设备类型告警规则")
