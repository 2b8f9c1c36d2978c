"""Live positions: batch intake (upsert of the latest fix), this process's nearest-officer index kept in step with
the table, and the nearest available officers to a case source with distance and ETA."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.config import get_settings
from chengguan.core.counters import Counter, reserve
from chengguan.core.geo import haversine_m, out_of_china, to_wgs84
from chengguan.dispatching.eta import EtaEstimator, StraightLineEta
from chengguan.dispatching.models import DutyStatus, FixSource, Position
from chengguan.dispatching.nearest import LiveIndex
from chengguan.dispatching.rules import phone_fix_status, simulated_fix_refused
from chengguan.dispatching.schemas import PositionIn, PositionProblem
from chengguan.intake.models import CaseSource
from chengguan.org.enums import ActiveStatus
from chengguan.org.models import Officer, Vehicle

ESTIMATOR: EtaEstimator = StraightLineEta()
"""Straight-line ETA by default; a road-network router implementing ``EtaEstimator`` can replace it."""

POSITION_SEQ = "position_seq"
REFRESH_EVERY_S = 0.1
_PENDING = "live.pending_rows"


def eta_for(from_lng: float, from_lat: float, to_lng: float, to_lat: float, kind: str = "officer") -> tuple[float, int]:
    """(distance in metres, ETA in seconds) from one point to another."""
    distance = haversine_m(from_lng, from_lat, to_lng, to_lat)
    return round(distance, 1), ESTIMATOR.eta_s(from_lng, from_lat, to_lng, to_lat, kind=kind)


_COLUMNS = (
    Position.subject_kind,
    Position.subject_id,
    Position.lng,
    Position.lat,
    Position.status,
    Position.unit_id,
    Position.at,
    Position.seq,
)


class LiveState:
    """This process's copy of the live positions: the spatial index plus the fix times, kept in step by ``seq``.

    Every write of a position takes the next numbers of the ``position_seq`` counter inside its transaction; the
    counter row stays locked until commit, so sequence order is commit order. A reader that has applied everything
    up to ``applied`` therefore only needs the rows with ``seq > applied`` — and nothing at all when the counter has
    not moved, which is one primary-key read. Writes of this process are applied at commit without a read; those of
    other processes by a background thread every ``REFRESH_EVERY_S``, so a nearest query never waits on the database.
    A row older (by ``seq``) than what the index holds for its subject is ignored, whatever order they arrive in.
    """

    def __init__(self, engine: Any = None) -> None:
        self.lock = threading.Lock()
        self.index = LiveIndex()
        self.fix_at: dict[tuple[str, uuid.UUID], tuple[datetime, int]] = {}
        self.applied: int | None = None
        self.engine = engine
        self._follower: threading.Thread | None = None

    def reset(self) -> None:
        with self.lock:
            self.index, self.fix_at, self.applied = LiveIndex(), {}, None

    def _apply(self, rows: list[tuple[Any, ...]]) -> None:
        fresh = []
        for row in rows:
            key, seq = (row[0], row[1]), row[7]
            known = self.fix_at.get(key)
            if known is None or known[1] <= seq:
                self.fix_at[key] = (row[6], seq)
                fresh.append(row)
        self.index.upsert_many(
            ((kind, sid), lng, lat, status == DutyStatus.available, kind, unit)
            for kind, sid, lng, lat, status, unit, _at, _seq in fresh
        )

    def refresh(self, session: Session) -> None:
        """Apply what other processes committed since ``applied`` (everything on first use)."""
        current = session.execute(select(Counter.value).where(Counter.key == POSITION_SEQ)).scalar() or 0
        applied = self.applied
        if applied is not None and current <= applied:
            return
        statement = select(*_COLUMNS)
        if applied is not None:
            statement = statement.where(Position.seq > applied)
        rows = [(str(r[0]), r[1], r[2], r[3], str(r[4]), r[5], r[6], r[7]) for r in session.execute(statement).tuples()]
        with self.lock:
            if self.applied is None:
                self.index, self.fix_at = LiveIndex(), {}
            self._apply(rows)
            self.applied = max([current, self.applied or 0, *(r[7] for r in rows)])

    def ensure(self, session: Session) -> None:
        """Load on first use (in the caller's session), then keep following in the background."""
        if self.applied is None:
            self.refresh(session)
        if self._follower is None and self.engine is not None:
            with self.lock:
                if self._follower is None:
                    self._follower = threading.Thread(target=self._follow, name="live-positions", daemon=True)
                    self._follower.start()

    def _follow(self) -> None:
        failures = 0
        while failures < 30:  # a database that went away (a test's dropped schema) ends the thread
            time.sleep(REFRESH_EVERY_S)
            try:
                # A plain (deferred) read: never the write lock a writer's engine would take on SQLite.
                with Session(bind=self.engine.execution_options(sqlite_immediate=False)) as session:
                    self.refresh(session)
                failures = 0
            except Exception:
                failures += 1
                time.sleep(1.0)

    def committed(self, rows: list[tuple[Any, ...]]) -> None:
        """Rows this process just committed; when nobody else wrote in between, ``applied`` moves past them."""
        with self.lock:
            if self.applied is None:
                return  # not loaded yet: the first refresh reads everything
            self._apply(rows)
            seqs = sorted(r[7] for r in rows)
            if seqs and seqs[0] == self.applied + 1 and seqs[-1] - seqs[0] == len(seqs) - 1:
                self.applied = seqs[-1]


_states: dict[str, LiveState] = {}
_states_lock = threading.Lock()


def state_for(session: Session) -> LiveState:
    """The live state of the session's database (a process may serve more than one, e.g. in tests)."""
    key = session.get_bind().url.render_as_string(hide_password=True)
    with _states_lock:
        found = _states.get(key)
        if found is None:
            found = _states[key] = LiveState(session.get_bind())
        return found


def reset_all() -> None:
    """Forget every cached position (after the demo wipes the tables)."""
    with _states_lock:
        _states.clear()


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
    """The nearest available officers (on duty, not on a task, fix not stale) to the source, nearest first."""
    live = state_for(session)
    live.ensure(session)
    stale_before = clock.now() - timedelta(minutes=get_settings().position_stale_minutes)
    skip = {("officer", o) for o in exclude}
    out: list[Nearby] = []
    with live.lock:
        while len(out) < limit:
            # Staleness is not in the index (it changes with the clock): skip stale fixes and ask again.
            hits = live.index.nearest(
                source.lng,
                source.lat,
                limit - len(out),
                kind="officer",
                available_only=True,
                exclude=frozenset(skip),
                unit_ids=unit_ids,
            )
            if not hits:
                break
            for key, distance in hits:
                skip.add(key)
                fix = live.fix_at.get(key)
                at = fix[0] if fix else None
                if at is None or at < stale_before:
                    continue
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
                        at=at,
                    )
                )
    return out


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
    latest: dict[tuple[str, uuid.UUID], dict[str, Any]] = {}
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
        if simulated_fix_refused(p.source, device_at.get(key), now, priority):
            problems.append(
                PositionProblem(
                    index=n, code="position.device_active", detail="该人员/车辆的执法终端正在上报定位，模拟定位不予采用"
                )
            )
            continue
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
            "status": (p.status or DutyStatus.available).value,
            "source": p.source.value,
            "device_at": p.at if p.source is FixSource.device else None,
            "_explicit": p.status is not None,
        }
        if key not in latest or latest[key]["at"] <= row["at"]:
            latest[key] = row
    if phone:
        for row in latest.values():
            row["status"], row["_explicit"] = _phone_status(session, row).value, True
    if latest:
        rows = list(latest.values())
        first = reserve(session, POSITION_SEQ, len(rows))
        for n, row in enumerate(rows):
            row["seq"] = first + n
        _upsert(session, rows)
        # What this process's index learns at commit (the stored status may differ when none was sent: reread).
        stored = session.execute(select(*_COLUMNS).where(Position.seq.between(first, first + len(rows) - 1))).tuples()
        _pending(session).extend((str(r[0]), r[1], r[2], r[3], str(r[4]), r[5], r[6], r[7]) for r in stored)
    problems.sort(key=lambda p: p.index)
    return problems


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


def touch_status(session: Session, position: Position, status: DutyStatus, now: datetime) -> None:
    """Change a subject's duty status (busy while on a task) so that every process's index sees it."""
    position.status, position.received_at = status, now
    position.seq = reserve(session, POSITION_SEQ)
    _pending(session).append(
        (
            position.subject_kind.value,
            position.subject_id,
            position.lng,
            position.lat,
            status.value,
            position.unit_id,
            position.at,
            position.seq,
        )
    )


def _pending(session: Session) -> list[tuple[Any, ...]]:
    if _PENDING not in session.info:
        session.info[_PENDING] = (state_for(session), [])
    return session.info[_PENDING][1]


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending and pending[1]:
        pending[0].committed(pending[1])


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


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
