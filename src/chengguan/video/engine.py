"""The event engine: tracked detections in, one alarm per real event out — pure functions, no session, no I/O.

How it decides (the rules mature NVR analytics use, plus what their users keep asking for):

* an object is in a zone by the **bottom-centre** of its box (where it stands on the ground, not where its head is);
* **jitter**: a track counts as inside only after ``ENTER_FRAMES`` consecutive frames inside, and as gone only after
  ``EXIT_FRAMES`` consecutive frames outside — a box flickering across the edge neither enters nor leaves;
* a track **lost** for a few frames (occlusion by a bus) and found again under the same id keeps its dwell; a track
  unseen for longer than ``LOST_GRACE_S`` is forgotten;
* **dwell** is counted while the zone's schedule is armed (a stall present since before 08:00 is counted from 08:00);
* **one alarm per camera × zone × category × event**: once raised, the event stays open while any track is still in
  the zone, so a stall that stays all afternoon raises one alarm; a new event needs the zone emptied first and the
  ``cooldown_s`` since the last alarm to have passed.

The state is a plain JSON-able dict the caller keeps between batches (one per camera); ``step`` updates it in place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import shapely
from shapely.geometry import Polygon

from chengguan.calendar.workdays import WorkCalendar
from chengguan.video.schedule import ALWAYS, Schedule, armed

ENTER_FRAMES = 3  # Frigate's "inertia": consecutive frames inside before a track counts as in the zone
EXIT_FRAMES = 3  # consecutive frames outside before it counts as gone
LOST_GRACE_S = 120.0  # a track unseen this long is forgotten (a re-found id after that starts a new dwell)
MIN_DWELL_S, MAX_DWELL_S = 30, 4 * 3600
SNAPSHOTS = 3


@dataclass(frozen=True, slots=True)
class Zone:
    """One rule of a camera: the polygon (0–1 image coordinates), the classes that count, the violation category,
    minimum dwell, schedule and cooldown."""

    id: str
    name: str
    category_code: str
    polygon: Sequence[tuple[float, float]]
    classes: frozenset[str]
    min_dwell_s: float
    cooldown_s: float = 1800.0
    schedule: Schedule = ALWAYS
    shape: Polygon = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        shape = Polygon(self.polygon)
        shapely.prepare(shape)
        object.__setattr__(self, "shape", shape)

    def contains(self, x: float, y: float) -> bool:
        # covers: a point exactly on the edge is inside (an edge drawn along a kerb line)
        return bool(shapely.intersects_xy(self.shape, x, y))


@dataclass(frozen=True, slots=True)
class Detection:
    """One tracked object in one frame: ``bbox`` is (x1, y1, x2, y2) in 0–1 image coordinates, y downwards."""

    track_id: str
    cls: str
    bbox: tuple[float, float, float, float]
    score: float = 1.0

    @property
    def foot(self) -> tuple[float, float]:
        """The bottom-centre of the box: where the object touches the ground."""
        x1, _, x2, y2 = self.bbox
        return (x1 + x2) / 2, y2


@dataclass(frozen=True, slots=True)
class Frame:
    """The detections of one frame; ``snapshot`` is an opaque reference the caller resolves (an image, a URL)."""

    ts: datetime
    objects: Sequence[Detection]
    snapshot: Any = None


@dataclass(frozen=True, slots=True)
class Alarm:
    """An event the engine raised: which zone and track, since when the object dwelt, and up to 3 snapshots (entry,
    half-way, the alarm frame)."""

    zone_id: str
    zone_name: str
    category_code: str
    track_id: str
    cls: str
    started_at: datetime
    raised_at: datetime
    bbox: tuple[float, float, float, float]
    score: float
    snapshots: tuple[Any, ...]
    snapshot_times: tuple[datetime, ...] = ()

    @property
    def dwell_s(self) -> float:
        return (self.raised_at - self.started_at).total_seconds()


def new_state() -> dict[str, Any]:
    """An empty engine state: ``tracks`` per zone and track, ``events`` per zone and category, the last frame time."""
    return {"tracks": {}, "events": {}, "last_ts": None}


def _epoch(ts: datetime) -> float:
    return ts.timestamp()


def _dt(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def step(zones: Iterable[Zone], state: dict[str, Any], frame: Frame, calendar: WorkCalendar) -> list[Alarm]:
    """Apply one frame to the state; the alarms it raises. A frame not later than the last one is ignored (a
    replayed or reordered push must not count twice)."""
    now = _epoch(frame.ts)
    last = state.get("last_ts")
    if last is not None and now <= last:
        return []
    state["last_ts"] = now
    alarms: list[Alarm] = []
    for zone in zones:
        alarm = _zone_step(zone, state, frame, now, armed(zone.schedule, calendar, frame.ts))
        if alarm is not None:
            alarms.append(alarm)
    _forget_zones(state, {z.id for z in zones})
    return alarms


def _zone_step(zone: Zone, state: dict[str, Any], frame: Frame, now: float, is_armed: bool) -> Alarm | None:
    tracks: dict[str, dict[str, Any]] = state["tracks"].setdefault(zone.id, {})
    event: dict[str, Any] = state["events"].setdefault(zone.id, {"open": False, "last_alarm": None})
    seen: set[str] = set()
    for obj in frame.objects:
        if obj.cls not in zone.classes:
            continue
        tid = str(obj.track_id)
        seen.add(tid)
        inside = zone.contains(*obj.foot)
        t = tracks.get(tid)
        if t is None:
            if not inside:
                continue  # only tracks that ever touched the zone are kept
            t = tracks[tid] = {"in": 0, "out": 0, "confirmed": False, "since": None, "snaps": [], "mid": None}
        t["last_seen"] = now
        t["bbox"], t["score"], t["cls"] = list(obj.bbox), obj.score, obj.cls
        if inside:
            t["in"] += 1
            t["out"] = 0
            if t["in"] == 1 and not t["confirmed"]:
                t["first_in"] = now  # dwell counts from the first frame inside, confirmed or not
                t["entry_snap"], t["entry_ts"] = frame.snapshot, now
            if t["in"] >= ENTER_FRAMES:
                t["confirmed"] = True
        else:
            t["out"] += 1
            if not t["confirmed"]:
                t["in"] = 0  # a flicker inside never confirmed: start again
            elif t["out"] >= EXIT_FRAMES:
                del tracks[tid]
                continue
    # Tracks lost for too long are gone; the ones lost briefly keep their dwell.
    for tid in [k for k, t in tracks.items() if now - t.get("last_seen", now) > LOST_GRACE_S]:
        del tracks[tid]
    if not is_armed:
        for t in tracks.values():
            # Dwell restarts when the rule is armed again, counted from then (the object was there before).
            t["since"], t["mid"], t["disarmed"] = None, None, True
        event["open"] = False
        return None
    present = [(tid, t) for tid, t in tracks.items() if t["confirmed"]]
    if not present:
        event["open"] = False  # the zone is empty: the next object is a new event (after the cooldown)
        return None
    best: tuple[float, str, dict[str, Any]] | None = None
    for tid, t in present:
        if t["since"] is None:
            if t.get("disarmed"):
                t["since"], t["snaps"], t["snaps_ts"] = now, [frame.snapshot], now
            else:
                t["since"], t["snaps"], t["snaps_ts"] = t.get("first_in", now), [t.get("entry_snap")], t["first_in"]
        if t["mid"] is None and now - t["since"] >= zone.min_dwell_s / 2:
            t["mid"], t["mid_ts"] = frame.snapshot, now
        dwell = now - t["since"]
        if best is None or dwell > best[0]:
            best = (dwell, tid, t)
    assert best is not None
    dwell, tid, t = best
    if event["open"] or dwell < zone.min_dwell_s:
        return None
    if event["last_alarm"] is not None and now - event["last_alarm"] < zone.cooldown_s:
        return None
    event["open"], event["last_alarm"] = True, now
    picked = [(t["snaps"][0] if t["snaps"] else None, t.get("snaps_ts")), (t["mid"], t.get("mid_ts")),
              (frame.snapshot, now)]  # fmt: skip
    shots = [(ref, ts) for ref, ts in picked if ref is not None][:SNAPSHOTS]
    return Alarm(
        zone_id=zone.id,
        zone_name=zone.name,
        category_code=zone.category_code,
        track_id=tid,
        cls=t["cls"],
        started_at=_dt(t["since"]),
        raised_at=frame.ts,
        bbox=tuple(t["bbox"]),  # type: ignore[arg-type]
        score=float(t["score"]),
        snapshots=tuple(ref for ref, _ in shots),
        snapshot_times=tuple(_dt(ts) for _, ts in shots),
    )


def _forget_zones(state: dict[str, Any], live: set[str]) -> None:
    """Zones deleted or replaced since the last frame leave no state behind."""
    for key in ("tracks", "events"):
        for zone_id in [z for z in state[key] if z not in live]:
            del state[key][zone_id]


def snapshot_refs(state: dict[str, Any]) -> Iterable[tuple[dict[str, Any], str]]:
    """Every (holder, key) of the state that keeps a snapshot reference (the caller swaps frame-local references
    for stored ones after a batch)."""
    for tracks in state["tracks"].values():
        for t in tracks.values():
            for key in ("entry_snap", "mid"):
                if key in t:
                    yield t, key
            snaps = t.get("snaps") or []
            for i in range(len(snaps)):
                yield snaps, i  # type: ignore[misc]
