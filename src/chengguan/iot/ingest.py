"""One batch of readings through the platform: stored, evaluated by every rule of their device on their own
timestamps, rule state saved, alarms raised / cleared / escalated — in the caller's transaction.

The bridge commits and only then acknowledges the MQTT messages (QoS 1), so a crash between the two makes the broker
resend them: readings are keyed by (device, ts) and the engine ignores a reading not newer than the last it
evaluated, so nothing is stored or raised twice.
"""

from __future__ import annotations

import re
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.bulk import convert
from chengguan.core.config import Settings
from chengguan.iot import alarms
from chengguan.iot.directory import DeviceInfo, Directory
from chengguan.iot.enums import AlarmState
from chengguan.iot.models import IotAlarm, IotDevice, IotReading, IotRuleState
from chengguan.iot.rules import EventKind, Phase, State, run

OFFLINE = "offline"
_readings = IotReading.__table__
_devices = IotDevice.__table__
_states = IotRuleState.__table__
_alarms = IotAlarm.__table__
_STATE_COLUMNS = (
    "device_id",
    "rule_key",
    "phase",
    "since",
    "last_ts",
    "ref_value",
    "ref_ts",
    "raised_at",
    "escalated",
    "alarm_id",
)


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


def _state(row: Any) -> State:
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
    # Driver-level executemany of converted columns (core.bulk): the ORM's and Core's per-row handling cost more
    # than SQLite's whole write (bench/iot.py).
    connection = session.connection()
    flat = [(d, r) for d, rs in by_device.items() for r in rs]
    _executemany(
        connection,
        _readings,
        _INSERT_READING,
        {
            "device_id": [d for d, _ in flat],
            "ts": [r.ts for _, r in flat],
            "values": [r.values for _, r in flat],
            "received_at": [now] * len(flat),
        },
    )
    out.stored = len(flat)
    came_back = _offline_ids(connection, sorted(by_device))  # before their health turns online below
    newest = {d: max(rs, key=lambda r: r.ts) for d, rs in by_device.items()}
    _executemany(
        connection,
        _devices,
        _UPDATE_DEVICE,
        {"last_seen_at": [now] * len(newest), "last_values": [r.values for r in newest.values()], "id": list(newest)},
    )
    ids = sorted(by_device)
    state_query = select(_states).where(_states.c.device_id.in_(ids))
    if session.get_bind().dialect.name == "postgresql":
        state_query = state_query.with_for_update()  # two bridges never evaluate one device at once
    stored = {(s.device_id, s.rule_key): s for s in connection.execute(state_query)}
    if came_back:  # heard from again: the offline alarm clears at once
        out.cleared += _clear_offline(session, sorted(came_back), now)
    t1 = time.perf_counter()

    updates: list[dict[str, Any]] = []
    inserts: list[dict[str, Any]] = []
    happened: list[tuple[DeviceInfo, Any, Any, Any, dict[str, Any]]] = []
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

    known = alarms.existing(
        session, [(i.id, c.rule.key, e.at) for i, c, e, _, _ in happened if e.kind is EventKind.raised]
    )
    ends: dict[str, list[tuple[uuid.UUID, datetime]]] = {"cleared": [], "escalated": []}
    for info, compiled, event, _row, values in happened:
        if event.kind is EventKind.raised:
            alarm = alarms.raise_alarm(session, settings, info, compiled, event, known)
            values["alarm_id"] = alarm.id
            out.raised.append(alarm.id)
        elif event.kind is EventKind.cleared:
            if values["alarm_id"] is not None:
                ends["cleared"].append((values["alarm_id"], utc(event.at)))
            values["alarm_id"] = None
            out.cleared += 1
        elif event.kind is EventKind.escalated and values["alarm_id"] is not None:
            ends["escalated"].append((values["alarm_id"], utc(event.at)))
    session.flush()
    # Escalations, then clears, of the batch's alarms in two statements (a lookup per alarm made each one flush
    # the session: four fifths of a batch whose readings raised and cleared many alarms, bench/iot_profile.py).
    for kind, template in (("escalated", _ESCALATE_ALARM), ("cleared", _CLEAR_ALARM)):
        if ends[kind]:
            _executemany(connection, _alarms, template,
                         {f"{kind}_at": [at for _, at in ends[kind]], "id": [a for a, _ in ends[kind]]})  # fmt: skip
    if inserts:
        _executemany(connection, _states, _INSERT_STATE, {c: [u[c] for u in inserts] for c in _STATE_COLUMNS})
    if updates:
        order = (*_STATE_COLUMNS[2:], "device_id", "rule_key")
        _executemany(connection, _states, _UPDATE_STATE, {c: [u[c] for u in updates] for c in order})
    t3 = time.perf_counter()
    out.rules_s = t2 - t1
    out.database_s = (t1 - t0) + (t3 - t2)
    return out


def _offline_ids(connection: Connection, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of the devices are marked offline (one indexed-by-key query; usually none)."""
    rows = connection.execute(select(_devices.c.id).where(_devices.c.id.in_(ids), _devices.c.health == "offline"))
    return set(rows.scalars())


def _clear_offline(session: Session, device_ids: list[uuid.UUID], now: datetime) -> int:
    back = session.scalars(
        select(IotAlarm).where(
            IotAlarm.device_id.in_(device_ids), IotAlarm.rule_key == OFFLINE, IotAlarm.state == AlarmState.active
        )
    ).all()
    for alarm in back:
        alarm.state, alarm.cleared_at = AlarmState.cleared, now
    return len(back)


def _marker(dialect: Dialect, table: Table, name: str) -> str:
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    json = dialect.name == "postgresql" and table.c[name].type.__class__.__name__ == "JSON"
    return mark + ("::json" if json else "")  # psycopg sends JSON as text


def _sql(template: str, dialect: Dialect, table: Table, names: tuple[str, ...]) -> str:
    marks = {f"m_{n}": _marker(dialect, table, n) for n in names}
    table_name = dialect.identifier_preparer.format_table(table)
    return template.format(table=table_name, q_values=dialect.identifier_preparer.quote("values"), **marks)


def _executemany(
    connection: Connection, table: Table, template: tuple[str, tuple[str, ...]], columns: dict[str, list[Any]]
) -> None:
    """One statement, one driver executemany; ``columns`` in the template's parameter order."""
    sql_template, names = template
    dialect = connection.dialect
    converted = [
        convert(dialect, table, n, v, repeated=n in ("received_at", "last_seen_at")) for n, v in columns.items()
    ]
    if dialect.name == "postgresql":  # one statement over arrays: one round trip, one plan, however many rows
        if converted and converted[0]:
            by_name = dict(zip(columns, converted, strict=True))
            arrays = tuple(by_name[n] for n in names)
            connection.exec_driver_sql(_pg_sql(sql_template, dialect, table, names), arrays)
        return
    rows = list(zip(*converted, strict=True))
    if rows:
        connection.exec_driver_sql(_sql(sql_template, dialect, table, names), rows)


_PG_SQL: dict[str, str] = {}


def _pg_sql(template: str, dialect: Dialect, table: Table, names: tuple[str, ...]) -> str:
    """The template as one PostgreSQL statement over ``unnest`` of one array a column: an INSERT … VALUES becomes
    INSERT … SELECT * FROM unnest(…), an UPDATE … WHERE key = value becomes UPDATE … FROM unnest(…) AS v."""
    cached = _PG_SQL.get(template)
    if cached is not None:
        return cached
    prep = dialect.identifier_preparer
    arrays = ", ".join(f"%s::{table.c[n].type.compile(dialect)}[]" for n in names)
    sql = template.format(table=prep.format_table(table), q_values=prep.quote("values"),
                          **{f"m_{n}": f"v.{prep.quote(n)}" for n in names})  # fmt: skip
    if sql.startswith("INSERT"):
        sql = re.sub(r"VALUES \(.*?\)(?= ON CONFLICT|$)", f"SELECT * FROM unnest({arrays})", sql)
    else:
        head, where = sql.split(" WHERE ", 1)
        where = re.sub(r"\b([a-z_]+) = ", r"t.\1 = ", where)
        alias = ", ".join(prep.quote(n) for n in names)
        table_name = prep.format_table(table)
        sql = f"{head.replace(table_name, table_name + ' AS t', 1)} FROM unnest({arrays}) AS v({alias}) WHERE {where}"
    _PG_SQL[template] = sql
    return sql


_INSERT_READING = (
    "INSERT INTO {table} (device_id, ts, {q_values}, received_at) VALUES ({m_device_id}, {m_ts}, {m_values}, "
    "{m_received_at}) ON CONFLICT (device_id, ts) DO NOTHING",
    ("device_id", "ts", "values", "received_at"),
)
_UPDATE_DEVICE = (
    "UPDATE {table} SET last_seen_at = {m_last_seen_at}, health = 'online', last_values = {m_last_values} "
    "WHERE id = {m_id}",
    ("last_seen_at", "last_values", "id"),
)
_CLEAR_ALARM = (
    "UPDATE {table} SET state = 'cleared', cleared_at = {m_cleared_at} WHERE id = {m_id} AND state = 'active'",
    ("cleared_at", "id"),
)
_ESCALATE_ALARM = (
    "UPDATE {table} SET level = 2, escalated_at = {m_escalated_at} WHERE id = {m_id} AND state = 'active'",
    ("escalated_at", "id"),
)
_INSERT_STATE = (
    "INSERT INTO {table} ("
    + ", ".join(_STATE_COLUMNS)
    + ") VALUES ("
    + ", ".join("{m_" + c + "}" for c in _STATE_COLUMNS)
    + ")",
    _STATE_COLUMNS,
)
_UPDATE_STATE = (
    "UPDATE {table} SET "
    + ", ".join(c + " = {m_" + c + "}" for c in _STATE_COLUMNS[2:])
    + " WHERE device_id = {m_device_id} AND rule_key = {m_rule_key}",
    _STATE_COLUMNS,
)


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)
