"""One batch of readings through the platform: stored, evaluated by every rule of their device on their own
timestamps, rule state saved, alarms raised / cleared / escalated — in the caller's transaction.

The bridge commits and only then acknowledges the MQTT messages (QoS 1), so a crash between the two makes the broker
resend them: readings are keyed by (device, ts) and the engine ignores a reading not newer than the last it
evaluated, so nothing is stored or raised twice.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.iot import alarms
from chengguan.iot.directory import DeviceInfo, Directory
from chengguan.iot.enums import AlarmState, Health
from chengguan.iot.models import IotAlarm, IotDevice, IotReading, IotRuleState
from chengguan.iot.rules import EventKind, Phase, State, run

OFFLINE = "offline"


@dataclass(frozen=True)
class Reading:
    """A decoded reading: its device (by code or HJ 212 MN), its own time and values."""

    key: str  # code:<device_code> | mn:<MN>
    ts: datetime
    values: dict[str, float]


@dataclass
class Outcome:
    stored: int = 0
    unknown: int = 0
    raised: list[uuid.UUID] = field(default_factory=list)
    cleared: int = 0
    rules_s: float = 0.0
    database_s: float = 0.0


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _state(row: IotRuleState | None) -> State:
    if row is None:
        return State()
    return State(Phase(row.phase), row.since, row.last_ts, row.ref_value, row.ref_ts, row.raised_at, row.escalated)


def process(session: Session, settings: Settings, readings: list[Reading], directory: Directory) -> Outcome:
    """Store and evaluate a batch (see the module docstring)."""
    out = Outcome()
    t0 = time.perf_counter()
    infos = directory.resolve(session, {r.key for r in readings})
    by_device: dict[uuid.UUID, list[Reading]] = defaultdict(list)
    devices: dict[uuid.UUID, DeviceInfo] = {}
    for r in readings:
        info = infos.get(r.key)
        if info is None:
            out.unknown += 1
            continue
        by_device[info.id].append(r)
        devices[info.id] = info
    if not by_device:
        out.database_s = time.perf_counter() - t0
        return out
    now = clock.now()
    rows = [
        {"device_id": d, "ts": r.ts, "values": r.values, "received_at": now} for d, rs in by_device.items() for r in rs
    ]
    ins = _insert(session)
    session.execute(ins(IotReading).on_conflict_do_nothing(index_elements=["device_id", "ts"]), rows)
    out.stored = len(rows)
    newest = {d: max(rs, key=lambda r: r.ts) for d, rs in by_device.items()}
    session.execute(
        update(IotDevice),
        [{"id": d, "last_seen_at": now, "health": Health.online, "last_values": r.values} for d, r in newest.items()],
    )
    ids = sorted(by_device)
    state_query = select(IotRuleState).where(IotRuleState.device_id.in_(ids))
    if session.get_bind().dialect.name == "postgresql":
        state_query = state_query.with_for_update()  # two bridges never evaluate one device at once
    stored = {(s.device_id, s.rule_key): s for s in session.scalars(state_query)}
    back = session.scalars(
        select(IotAlarm).where(
            IotAlarm.device_id.in_(ids), IotAlarm.rule_key == OFFLINE, IotAlarm.state == AlarmState.active
        )
    ).all()
    for alarm in back:  # heard from again: the offline alarm clears at once
        alarm.state, alarm.cleared_at = AlarmState.cleared, now
        out.cleared += 1
    t1 = time.perf_counter()

    updates: list[dict[str, Any]] = []
    inserts: list[dict[str, Any]] = []
    happened: list[tuple[DeviceInfo, Any, Any, IotRuleState | None, dict[str, Any]]] = []
    for device_id, rs in by_device.items():
        info = devices[device_id]
        series = [(r.ts.timestamp(), r.values) for r in rs]
        for compiled in info.rules:
            row = stored.get((device_id, compiled.rule.key))
            before = _state(row)
            after, events = run(compiled.rule, before, series)
            if after == before:
                continue
            values = {
                "device_id": device_id,
                "rule_key": compiled.rule.key,
                "phase": after.phase.value,
                "since": after.since,
                "last_ts": after.last_ts,
                "ref_value": after.ref_value,
                "ref_ts": after.ref_ts,
                "raised_at": after.raised_at,
                "escalated": after.escalated,
                "alarm_id": row.alarm_id if row else None,
            }
            (updates if row else inserts).append(values)
            for event in events:
                happened.append((info, compiled, event, row, values))
    t2 = time.perf_counter()

    for info, compiled, event, _row, values in happened:
        if event.kind is EventKind.raised:
            alarm = alarms.raise_alarm(session, settings, info, compiled, event)
            values["alarm_id"] = alarm.id
            out.raised.append(alarm.id)
        elif event.kind is EventKind.cleared:
            alarms.clear(session, values["alarm_id"], event.at)
            values["alarm_id"] = None
            out.cleared += 1
        elif event.kind is EventKind.escalated:
            alarms.escalate(session, values["alarm_id"], event.at)
    if inserts:
        session.execute(insert(IotRuleState), inserts)
    if updates:
        session.execute(update(IotRuleState), updates)
    session.flush()
    t3 = time.perf_counter()
    out.rules_s = t2 - t1
    out.database_s = (t1 - t0) + (t3 - t2)
    return out


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)
