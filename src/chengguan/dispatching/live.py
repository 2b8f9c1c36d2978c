"""Live positions: this process's nearest-officer index kept in step with the table (every write of a position goes
through ``pending_rows`` or ``touch_status``), and the nearest available officers to a case source with distance and
ETA. Fixes come in through ``positions.ingest_positions``."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from chengguan.core import bus, clock
from chengguan.core.config import get_settings
from chengguan.core.counters import Counter, reserve
from chengguan.core.geo import haversine_m
from chengguan.dispatching.eta import EtaEstimator, StraightLineEta
from chengguan.dispatching.models import DutyStatus, Position
from chengguan.dispatching.nearest import LiveIndex
from chengguan.intake.models import CaseSource

ESTIMATOR: EtaEstimator = StraightLineEta()
"""Straight-line ETA by default; a road-network router implementing ``EtaEstimator`` can replace it."""

POSITION_SEQ = "position_seq"
REFRESH_EVERY_S = 0.1
SHARED_BUS_REFRESH_S = 1.0
_PENDING = "live.pending_rows"


def eta_for(from_lng: float, from_lat: float, to_lng: float, to_lat: float, kind: str = "officer") -> tuple[float, int]:
    """(distance in metres, ETA in seconds) from one point to another."""
    distance = haversine_m(from_lng, from_lat, to_lng, to_lat)
    return round(distance, 1), ESTIMATOR.eta_s(from_lng, from_lat, to_lng, to_lat, kind=kind)


COLUMNS = (
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
    other processes by a background thread woken by core.bus (and every ``REFRESH_EVERY_S`` without a bus that
    reaches them), so a nearest query never waits on the database.
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
        statement = select(*COLUMNS)
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
        # core.bus wakes the follower when another process commits positions; with a bus that reaches the other
        # processes (PostgreSQL, Redis) the poll is only the fallback for a lost wake-up.
        changes = bus.lookup(self.engine.url.render_as_string(hide_password=False))
        wake = changes.event("positions")
        every = SHARED_BUS_REFRESH_S if changes.shared else REFRESH_EVERY_S
        failures = 0
        while failures < 30:  # a database that went away (a test's dropped schema) ends the thread
            wake.wait(every)
            wake.clear()
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
    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    with _states_lock:
        found = _states.get(key)
        if found is None:
            bind = session.get_bind()
            # Sessions bound to one connection (a test's rolled-back transaction) have no other process to follow.
            found = _states[key] = LiveState(bind if isinstance(bind, Engine) else None)
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


def touch_status(session: Session, position: Position, status: DutyStatus, now: datetime) -> None:
    """Change a subject's duty status (busy while on a task) so that every process's index sees it."""
    position.status, position.received_at = status, now
    position.seq = reserve(session, POSITION_SEQ)
    pending_rows(session).append(
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


def pending_rows(session: Session) -> list[tuple[Any, ...]]:
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
