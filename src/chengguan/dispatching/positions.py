"""Fixes in (positions:batch, the officer's phone, a GPS patrol report): validated per item, an older fix never
overwrites a newer one, a simulated fix never overwrites a real device's, and an officer's own 上班/下班 switch wins
over whatever status a gateway or the simulator sends."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.config import get_settings
from chengguan.core.counters import reserve
from chengguan.core.geo import out_of_china, to_wgs84
from chengguan.core.principals import StaffPrincipal
from chengguan.dispatching import duty
from chengguan.dispatching.live import COLUMNS, POSITION_SEQ, pending_rows
from chengguan.dispatching.models import DutyStatus, FixSource, Position, TrackPoint
from chengguan.dispatching.rules import gateway_fix_status, phone_fix_status, simulated_fix_refused
from chengguan.dispatching.schemas import PositionIn, PositionProblem
from chengguan.intake.schemas import SignalIn
from chengguan.org.enums import ActiveStatus
from chengguan.org.models import Officer, Vehicle


def _known_subjects(session: Session, ids: dict[str, set[uuid.UUID]]) -> dict[tuple[str, uuid.UUID], uuid.UUID]:
    """(kind, id) → unit of the active officers and the vehicles among ``ids`` (unknown ones are refused)."""
    found: dict[tuple[str, uuid.UUID], uuid.UUID] = {}
    if ids.get("officer"):
        statement = select(Officer.id, Officer.unit_id).where(
            Officer.id.in_(ids["officer"]), Officer.status == ActiveStatus.active
        )
        found |= {("officer", i): u for i, u in session.execute(statement)}
    if ids.get("vehicle"):
        statement = select(Vehicle.id, Vehicle.unit_id).where(Vehicle.id.in_(ids["vehicle"]))
        found |= {("vehicle", i): u for i, u in session.execute(statement)}
    return found


def ingest_positions(session: Session, items: list[Any], *, phone: bool = False) -> list[PositionProblem]:
    """Upsert the latest fix of each subject (an older fix never overwrites a newer one; a simulated fix never
    overwrites a recent real-device one); problems per item. ``phone``: the officer's own phone (or patrol report),
    whose fix says the officer is on duty (``rules.phone_fix_status``)."""
    now = clock.now()
    problems: list[PositionProblem] = []
    parsed: list[tuple[int, PositionIn]] = []
    for n, raw in enumerate(items):
        try:
            parsed.append((n, PositionIn.model_validate(raw)))
        except ValidationError as exc:
            fields = "；".join(".".join(str(x) for x in e["loc"]) for e in exc.errors()[:5])
            problems.append(PositionProblem(index=n, code="position.invalid", detail=f"定位数据不合法：{fields}"))
    wanted: dict[str, set[uuid.UUID]] = {}
    for _, p in parsed:
        wanted.setdefault(p.subject_kind.value, set()).add(p.subject_id)
    units = _known_subjects(session, wanted)
    device_at = _device_fix_times(session, {p.subject_id for _, p in parsed if p.source is FixSource.simulator})
    priority = timedelta(minutes=get_settings().device_fix_priority_minutes)
    switched = duty.latest(session, wanted.get("officer", set()))
    off = {("officer", oid) for oid, s in switched.items() if not s.on_duty}
    latest: dict[tuple[str, uuid.UUID], dict[str, Any]] = {}
    track: list[dict[str, Any]] = []
    for n, p in parsed:
        key = (p.subject_kind.value, p.subject_id)
        if key not in units:
            problems.append(
                PositionProblem(index=n, code="position.unknown_subject", detail="未登记或已停用的人员/车辆")
            )
            continue
        lng, lat = to_wgs84(p.lng, p.lat, p.crs)
        if out_of_china(lng, lat):
            problems.append(PositionProblem(index=n, code="position.out_of_area", detail="坐标不在中国境内"))
            continue
        if p.at > now + timedelta(minutes=10):
            problems.append(PositionProblem(index=n, code="position.in_future", detail="定位时间晚于当前时间"))
            continue
        if p.source is FixSource.simulator and key in off:
            detail = "该执法队员已在执法通下班，模拟定位不予采用"
            problems.append(PositionProblem(index=n, code="position.off_duty", detail=detail))
            continue
        if simulated_fix_refused(p.source, device_at.get(key), now, priority):
            detail = "该人员/车辆的执法终端正在上报定位，模拟定位不予采用"
            problems.append(PositionProblem(index=n, code="position.device_active", detail=detail))
            continue
        status = gateway_fix_status(p.status, key in off)
        row = {
            "subject_kind": p.subject_kind.value,
            "subject_id": p.subject_id,
            "unit_id": units[key],
            "lng": lng,
            "lat": lat,
            "accuracy_m": p.accuracy_m,
            "speed_mps": p.speed_mps,
            "heading": p.heading,
            "at": p.at,
            "received_at": now,
            "status": (status or DutyStatus.available).value,
            "source": p.source.value,
            "device_at": p.at if p.source is FixSource.device else None,
            "_explicit": status is not None,
        }
        track.append({k: row[k] for k in _TRACK_COLUMNS})
        if key not in latest or latest[key]["at"] <= row["at"]:
            latest[key] = row
    if latest:
        rows = list(latest.values())
        # The counter first, then any position row: every writer (dispatch, duty switch, fixes) locks in this order.
        first = reserve(session, POSITION_SEQ, len(rows))
        if phone:
            for row in rows:
                row["status"], row["_explicit"] = _phone_status(session, row).value, True
        for n, row in enumerate(rows):
            row["seq"] = first + n
        _upsert(session, rows)
        # What this process's index learns at commit (the stored status may differ when none was sent: reread).
        stored = session.execute(select(*COLUMNS).where(Position.seq.between(first, first + len(rows) - 1))).tuples()
        pending_rows(session).extend((str(r[0]), r[1], r[2], r[3], str(r[4]), r[5], r[6], r[7]) for r in stored)
    if track:  # after the counter and the position rows, the order every writer locks in
        _append_track(session, track)
    problems.sort(key=lambda p: p.index)
    return problems


_TRACK_COLUMNS = ("subject_kind", "subject_id", "at", "unit_id", "lng", "lat", "speed_mps", "source")


def _append_track(session: Session, rows: list[dict[str, Any]]) -> None:
    """Every accepted fix goes to the playback history in one multi-row statement (older fixes too: a late batch
    fills the track in); a fix already stored (same subject and time, e.g. a resent batch) is kept once."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(TrackPoint.__table__).on_conflict_do_nothing(), rows)


def _device_fix_times(session: Session, ids: set[uuid.UUID]) -> dict[tuple[str, uuid.UUID], datetime]:
    """(kind, id) → time of the latest real-device fix, for the subjects a simulated fix is about."""
    if not ids:
        return {}
    statement = select(Position.subject_kind, Position.subject_id, Position.device_at).where(
        Position.subject_id.in_(ids), Position.device_at.is_not(None)
    )
    return {(str(kind), sid): at for kind, sid, at in session.execute(statement).tuples()}


def _phone_status(session: Session, row: dict[str, Any]) -> DutyStatus:
    # The stored row is locked (PostgreSQL) so that a dispatch marking the officer busy meanwhile is not undone.
    stored = session.execute(
        select(Position.status)
        .where(Position.subject_kind == row["subject_kind"], Position.subject_id == row["subject_id"])
        .with_for_update()
    ).scalar()
    return phone_fix_status(None if stored is None else DutyStatus(stored))


def _upsert(session: Session, rows: list[dict[str, Any]]) -> None:
    table = Position.__table__
    dialect = session.get_bind().dialect.name
    explicit: list[dict[str, Any]] = []
    implicit: list[dict[str, Any]] = []
    for row in rows:
        (explicit if row.pop("_explicit") else implicit).append(row)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for batch, keep_status in ((explicit, False), (implicit, True)):
        if not batch:
            continue
        statement = insert(table)
        columns = ("unit_id", "lng", "lat", "accuracy_m", "speed_mps", "heading", "at", "received_at", "seq", "source")
        values = {c: statement.excluded[c] for c in columns}
        values["device_at"] = func.coalesce(statement.excluded.device_at, table.c.device_at)
        if not keep_status:
            values["status"] = statement.excluded.status
        # A position report without a status keeps the current one (busy stays busy while on a task). A real
        # device's fix replaces a simulated one even when its timestamp is older (a phone's GPS time lags a little).
        newer = table.c.at <= statement.excluded.at
        real_over_simulated = (statement.excluded.source == FixSource.device.value) & (
            table.c.source == FixSource.simulator.value
        )
        statement = statement.on_conflict_do_update(
            index_elements=["subject_kind", "subject_id"], set_=values, where=newer | real_over_simulated
        )
        session.execute(statement, batch)


def fix_from_report(session: Session, principal: StaffPrincipal, signal: SignalIn) -> None:
    """An officer's patrol report made on the spot with the phone's GPS (``attributes.fix = "gps"``) is also their
    position fix: the reporter is offered as the nearest officer for what they found. Nothing is recorded for other
    reports, or for an officer who is off duty."""
    attributes = signal.attributes or {}
    if principal.officer_id is None or attributes.get("fix") != "gps":
        return
    if duty.is_off_duty(session, principal.officer_id):
        return
    accuracy = attributes.get("fix_accuracy_m")
    fix = {
        "subject_id": str(principal.officer_id),
        "lng": signal.lng,
        "lat": signal.lat,
        "crs": signal.crs.value,
        "at": min(signal.occurred_at, clock.now()).isoformat(),
        "accuracy_m": float(accuracy) if isinstance(accuracy, str) and _is_number(accuracy) else None,
    }
    ingest_positions(session, [fix], phone=True)  # a fix that cannot be used (out of area) is simply not kept


def _is_number(text: str) -> bool:
    try:
        return 0 <= float(text) <= 100_000
    except ValueError:
        return False
