"""Live positions: batch intake (upsert of the latest fix), this process's nearest-officer index kept in step with
the table, and the nearest available officers to a case source with distance and ETA."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.config import get_settings
from chengguan.core.geo import haversine_m, out_of_china, to_wgs84
from chengguan.dispatching.eta import EtaEstimator, StraightLineEta
from chengguan.dispatching.models import DutyStatus, Position, SubjectKind
from chengguan.dispatching.nearest import LiveIndex
from chengguan.dispatching.schemas import PositionIn, PositionProblem
from chengguan.intake.models import CaseSource
from chengguan.org.enums import ActiveStatus
from chengguan.org.models import Officer, Vehicle

ESTIMATOR: EtaEstimator = StraightLineEta()
"""Straight-line ETA by default; a road-network router implementing ``EtaEstimator`` can replace it."""

_OVERLAP = timedelta(seconds=5)  # re-read a little behind the watermark: a slow transaction may commit late
_FULL_EVERY = timedelta(seconds=60)


def eta_for(from_lng: float, from_lat: float, to_lng: float, to_lat: float, kind: str = "officer") -> tuple[float, int]:
    """(distance in metres, ETA in seconds) from one point to another."""
    distance = haversine_m(from_lng, from_lat, to_lng, to_lat)
    return round(distance, 1), ESTIMATOR.eta_s(from_lng, from_lat, to_lng, to_lat, kind=kind)


class LiveState:
    """This process's view of the live positions: the spatial index plus what the index cannot hold (fix times)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.index = LiveIndex()
        self.fix_at: dict[tuple[str, uuid.UUID], datetime] = {}
        self.watermark: datetime | None = None
        self.full_at: datetime | None = None

    def reset(self) -> None:
        with self.lock:
            self.index, self.fix_at, self.watermark, self.full_at = LiveIndex(), {}, None, None

    def refresh(self, session: Session) -> None:
        """Apply rows changed since the last refresh (and everything once a minute, so staleness is re-evaluated)."""
        now = clock.now()
        with self.lock:
            full = self.full_at is None or now - self.full_at > _FULL_EVERY or self.watermark is None
            statement = select(Position)
            if not full:
                statement = statement.where(Position.received_at >= self.watermark - _OVERLAP)
            rows = list(session.scalars(statement))
            stale_before = now - timedelta(minutes=get_settings().position_stale_minutes)
            if full:
                self.index, self.fix_at = LiveIndex(), {}
                self.full_at = now
            self.index.upsert_many(
                (
                    (p.subject_kind.value, p.subject_id),
                    p.lng,
                    p.lat,
                    p.status is DutyStatus.available and p.at >= stale_before,
                    p.subject_kind.value,
                    p.unit_id,
                )
                for p in rows
            )
            for p in rows:
                self.fix_at[(p.subject_kind.value, p.subject_id)] = p.at
            newest = max((p.received_at for p in rows), default=None)
            if newest is not None and (self.watermark is None or newest > self.watermark):
                self.watermark = newest


live = LiveState()


@dataclass(frozen=True)
class Nearby:
    officer_id: uuid.UUID
    distance_m: float
    eta_s: int
    lng: float
    lat: float
    unit_id: uuid.UUID | None
    at: datetime | None


def nearest_for_source(
    session: Session,
    source: CaseSource,
    *,
    limit: int = 5,
    exclude: set[uuid.UUID] | frozenset[uuid.UUID] = frozenset(),
    unit_ids: set[uuid.UUID] | None = None,
) -> list[Nearby]:
    """The nearest available officers (on duty, fresh fix, not on a task) to the source, nearest first."""
    live.refresh(session)
    with live.lock:
        hits = live.index.nearest(
            source.lng,
            source.lat,
            limit,
            kind="officer",
            available_only=True,
            exclude=frozenset(("officer", o) for o in exclude),
            unit_ids=unit_ids,
        )
        out = []
        for key, distance in hits:
            entry = live.index.get(key)
            assert entry is not None
            out.append(
                Nearby(
                    officer_id=key[1],
                    distance_m=round(distance, 1),
                    eta_s=ESTIMATOR.eta_s(entry.lng, entry.lat, source.lng, source.lat, kind="officer"),
                    lng=entry.lng,
                    lat=entry.lat,
                    unit_id=entry.unit_id,
                    at=live.fix_at.get(key),
                )
            )
    return out


class _Subjects:
    """Known officers and vehicles with their units (positions of unknown subjects are refused per item)."""

    def __init__(self, session: Session) -> None:
        self.units: dict[tuple[str, uuid.UUID], uuid.UUID] = {}
        for oid, unit in session.execute(
            select(Officer.id, Officer.unit_id).where(Officer.status == ActiveStatus.active)
        ):
            self.units[("officer", oid)] = unit
        for vid, unit in session.execute(select(Vehicle.id, Vehicle.unit_id)):
            self.units[("vehicle", vid)] = unit


def ingest_positions(session: Session, items: list[dict[str, Any]]) -> list[PositionProblem]:
    """Upsert the latest fix of each subject (an older fix never overwrites a newer one); problems per item."""
    now = clock.now()
    subjects = _Subjects(session)
    problems: list[PositionProblem] = []
    latest: dict[tuple[str, uuid.UUID], dict[str, Any]] = {}
    for n, raw in enumerate(items):
        try:
            p = PositionIn.model_validate(raw)
        except ValidationError as exc:
            fields = "；".join(".".join(str(x) for x in e["loc"]) for e in exc.errors()[:5])
            problems.append(PositionProblem(index=n, code="position.invalid", detail=f"定位数据不合法：{fields}"))
            continue
        key = (p.subject_kind.value, p.subject_id)
        if key not in subjects.units:
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
        row = {
            "subject_kind": p.subject_kind.value,
            "subject_id": p.subject_id,
            "unit_id": subjects.units[key],
            "lng": lng,
            "lat": lat,
            "accuracy_m": p.accuracy_m,
            "speed_mps": p.speed_mps,
            "heading": p.heading,
            "at": p.at,
            "received_at": now,
            "status": (p.status or DutyStatus.available).value,
            "_explicit": p.status is not None,
        }
        if key not in latest or latest[key]["at"] <= row["at"]:
            latest[key] = row
    if latest:
        _upsert(session, list(latest.values()))
    return problems


def _upsert(session: Session, rows: list[dict[str, Any]]) -> None:
    table = Position.__table__
    dialect = session.get_bind().dialect.name
    explicit = [r for r in rows if r.pop("_explicit")]
    implicit = [r for r in rows if r not in explicit]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for batch, keep_status in ((explicit, False), (implicit, True)):
        if not batch:
            continue
        statement = insert(table)
        values = {
            c: statement.excluded[c]
            for c in ("unit_id", "lng", "lat", "accuracy_m", "speed_mps", "heading", "at", "received_at")
        }
        if not keep_status:
            values["status"] = statement.excluded.status
        # A position report without a status keeps the current one (busy stays busy while on a task).
        statement = statement.on_conflict_do_update(
            index_elements=["subject_kind", "subject_id"], set_=values, where=table.c.at <= statement.excluded.at
        )
        session.execute(statement, batch)


def snapshot(session: Session, unit_ids: set[uuid.UUID] | None, since: datetime | None = None) -> list[dict[str, Any]]:
    """Live positions (with names) the map shows, optionally limited to some units or to changes since ``since``."""
    now = clock.now()
    stale_before = now - timedelta(minutes=get_settings().position_stale_minutes)
    rows = session.execute(
        select(Position, Officer.name, Vehicle.plate_no)
        .outerjoin(Officer, (Officer.id == Position.subject_id) & (Position.subject_kind == SubjectKind.officer))
        .outerjoin(Vehicle, (Vehicle.id == Position.subject_id) & (Position.subject_kind == SubjectKind.vehicle))
        .where(Position.received_at > since if since is not None else Position.received_at.is_not(None))
    ).tuples()
    out = []
    for p, officer_name, plate in rows:
        if unit_ids is not None and p.unit_id not in unit_ids:
            continue
        out.append(
            {
                "kind": p.subject_kind.value,
                "id": str(p.subject_id),
                "name": officer_name or plate or "",
                "unit_id": str(p.unit_id) if p.unit_id else None,
                "lng": p.lng,
                "lat": p.lat,
                "at": p.at.isoformat(),
                "status": p.status.value,
                "stale": p.at < stale_before,
                "speed_mps": p.speed_mps,
                "heading": p.heading,
            }
        )
    return out
