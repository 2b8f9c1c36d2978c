"""What an alarm does: the alarm row, a signal on channel ``iot`` (so it becomes a case source like any other
alarm), the readings behind it fixed as machine-recorded evidence, and a text message to the shop."""

from __future__ import annotations

import csv
import io
import logging
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.core.clock import SHANGHAI
from chengguan.core.config import Settings
from chengguan.core.principals import Actor
from chengguan.evidence.machine import record_for_source
from chengguan.intake.ingest import ingest
from chengguan.iot import defaults, repository
from chengguan.iot.directory import DeviceInfo
from chengguan.iot.enums import RULE_LABELS, AlarmState, RuleKind
from chengguan.iot.models import IotAlarm, IotDevice
from chengguan.iot.rules import Event
from chengguan.iot.spec import Compiled
from chengguan.merchants.models import Merchant
from chengguan.notify import sms

log = logging.getLogger(__name__)
IOT_ACTOR = Actor(actor_type="system", actor_id=None, actor_name="物联感知")


def _at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


AlarmKey = tuple[uuid.UUID, str, float]  # device, rule, epoch seconds


def existing(session: Session, keys: list[AlarmKey]) -> dict[AlarmKey, IotAlarm]:
    """The alarms already recorded for (device, rule, epoch seconds) — a batch's in one query (a batch resent after
    a crash meets its alarms here)."""
    if not keys:
        return {}
    rows = session.scalars(
        select(IotAlarm).where(
            IotAlarm.device_id.in_({k[0] for k in keys}), IotAlarm.raised_at.in_({_at(k[2]) for k in keys})
        )
    )
    return {(a.device_id, a.rule_key, a.raised_at.timestamp()): a for a in rows}


def raise_alarm(
    session: Session,
    settings: Settings,
    info: DeviceInfo,
    compiled: Compiled,
    event: Event,
    known: dict[AlarmKey, IotAlarm] | None = None,
) -> IotAlarm:
    """Record the alarm (once per device, rule and instant), then its signal, evidence and the shop's message.
    ``known``: the batch's alarms already recorded (``existing``); without it, this alarm's own lookup."""
    raised_at = _at(event.at)
    if known is None:
        known = existing(session, [(info.id, compiled.rule.key, event.at)])
    found = known.get((info.id, compiled.rule.key, raised_at.timestamp()))
    if found is not None:
        return found
    began = _at(event.since if event.since is not None else event.at)
    alarm = IotAlarm(
        id=uuid.uuid4(),
        device_id=info.id,
        unit_id=info.unit_id,
        rule_key=compiled.rule.key,
        rule_label=compiled.label[:100],
        kind=compiled.rule.kind,
        state=AlarmState.active,
        level=1,
        began_at=began,
        raised_at=raised_at,
        value=event.value,
    )
    session.add(alarm)
    if not (compiled.signal or compiled.notify_shop):
        return alarm  # the row alone: flushed with the batch
    session.flush()
    text = _describe(info, compiled.label, event.value, began)
    category = compiled.category_code or defaults.CATEGORY[info.kind]
    _announce(session, settings, info, alarm, text, category, signal=compiled.signal, notify=compiled.notify_shop,
              advice="请立即检查处理，整改情况可在商户端查看。")  # fmt: skip
    return alarm


def _announce(
    session: Session,
    settings: Settings,
    info: DeviceInfo,
    alarm: IotAlarm,
    text: str,
    category: str,
    *,
    signal: bool,
    notify: bool,
    advice: str,
    lead_s: float | None = None,
) -> None:
    """What every alarm does beyond its row: a case source (channel ``iot``) with the readings as evidence, and the
    shop's text message (its portal lists the alarm too)."""
    if signal and info.lng is not None and info.lat is not None:
        _signal(session, settings, info, alarm, text, category, lead_s)
    if notify and info.merchant_id is not None:
        _notify(session, settings, info, alarm, f"【城管执法】{text}。{advice}")


def _describe(info: DeviceInfo, label: str, value: float | None, began: datetime) -> str:
    shown = "" if value is None else f"，读数 {value:g}"
    return f"{info.name}（{info.code}）{label}{shown}，自 {began.astimezone(SHANGHAI):%m-%d %H:%M} 起"


def _signal(
    session: Session,
    settings: Settings,
    info: DeviceInfo,
    alarm: IotAlarm,
    text: str,
    category: str,
    lead_s: float | None,
) -> None:
    key = f"iot:{info.code}:{alarm.rule_key}:{int(alarm.raised_at.timestamp() * 1000)}"
    item = {
        "idempotency_key": key[:128],
        "channel": "iot",
        "category_code": category,
        "lng": info.lng,
        "lat": info.lat,
        "occurred_at": alarm.raised_at.isoformat(),
        "description": text[:2000],
        "address": info.address,
        "device_id": info.code[:64],
        "attributes": {"rule": alarm.rule_key[:64], "alarm_id": str(alarm.id)},
    }
    [result] = ingest(session, [item], IOT_ACTOR)
    if result.problem is not None:
        log.warning("iot alarm %s not taken in: %s", alarm.id, result.problem.detail)
        return
    alarm.signal_id = result.signal_id
    try:
        with session.begin_nested():
            alarm.evidence_id = _evidence(session, settings, info, alarm, result.case_source_id, lead_s)
    except Exception:  # the alarm and its case source stand without the file; the log says why
        log.exception("iot alarm %s: readings not fixed as evidence", alarm.id)


def _evidence(
    session: Session,
    settings: Settings,
    info: DeviceInfo,
    alarm: IotAlarm,
    source_id: uuid.UUID | None,
    lead_s: float | None,
) -> uuid.UUID:
    """The readings from one interval (``lead_s``) before the condition began up to the alarm, as a CSV file
    (电子数据)."""
    start = alarm.began_at - timedelta(seconds=info.interval_s if lead_s is None else lead_s)
    rows = repository.window(session, info.id, start, alarm.raised_at)
    metrics = sorted({m for r in rows for m in r.values})
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["device", "ts_utc", "ts_local", *metrics])
    for r in rows:
        writer.writerow(
            [
                info.code,
                r.ts.isoformat(),
                r.ts.astimezone(SHANGHAI).isoformat(),
                *(r.values.get(m, "") for m in metrics),
            ]
        )
    item = record_for_source(
        session,
        settings,
        IOT_ACTOR,
        source_id,
        buffer.getvalue().encode(),
        filename=f"{info.code}-{alarm.raised_at:%Y%m%dT%H%M%SZ}.csv",
        mime="text/csv",
        title=f"监测数据：{info.name} {alarm.rule_label}"[:200],
        device=info.code,
        captured_at=alarm.raised_at,
        lng=info.lng,
        lat=info.lat,
        address=info.address,
        description=f"{len(rows)} 条读数，{alarm.began_at.isoformat()} 至 {alarm.raised_at.isoformat()}",
    )
    return item.id


def _notify(session: Session, settings: Settings, info: DeviceInfo, alarm: IotAlarm, body: str) -> None:
    shop = session.get(Merchant, info.merchant_id)
    if shop is None or not shop.phone:
        alarm.notified = "商户未登记手机号，未发送短信"
        return
    message = sms.send(session, settings, shop.phone, body[:1000], purpose="iot_alarm", ref_id=alarm.id)
    masked = f"{shop.phone[:3]}****{shop.phone[-4:]}"
    alarm.notified = f"短信 {masked} {'已发送' if message.status == 'sent' else '发送失败：' + (message.error or '')}"[
        :200
    ]


def info_of(device: IotDevice) -> DeviceInfo:
    """The directory's view of a device read from its row (its rules aside)."""
    return DeviceInfo(
        device.id, device.code, device.name, device.kind, device.unit_id, device.merchant_id, device.lng, device.lat,
        device.address, device.report_interval_s, device.factor_profile, (),
    )  # fmt: skip


def raise_offline(
    session: Session, settings: Settings, device: IotDevice, at: datetime, last_seen: datetime | None
) -> IotAlarm | None:
    """The device went silent (watchdog) or its connection died (last will): one active offline alarm at a time,
    a case source like any alarm (a monitor switched off or unplugged is what the seeds warn of) with the last
    readings before the silence as evidence, and the shop told."""
    active = session.scalar(
        select(IotAlarm).where(
            IotAlarm.device_id == device.id, IotAlarm.rule_key == "offline", IotAlarm.state == AlarmState.active
        )
    )
    if active is not None:
        return None
    alarm = IotAlarm(
        id=uuid.uuid4(),
        device_id=device.id,
        unit_id=device.unit_id,
        rule_key="offline",
        rule_label=RULE_LABELS[RuleKind.offline],
        kind=RuleKind.offline,
        state=AlarmState.active,
        level=1,
        began_at=last_seen or at,
        raised_at=at,
    )
    session.add(alarm)
    session.flush()
    info = info_of(device)
    since = f"自 {(last_seen or at).astimezone(SHANGHAI):%m-%d %H:%M} 起" if last_seen else "登记后"
    text = f"{info.name}（{info.code}）离线：{since}未上报数据（约定每 {info.interval_s} 秒上报一次）"
    _announce(session, settings, info, alarm, text, defaults.CATEGORY[info.kind], signal=True, notify=True,
              advice="请检查设备供电与网络；擅自关闭、遮挡或拆除监测设备的，将依法处理。",
              lead_s=10 * info.interval_s)  # fmt: skip
    return alarm
