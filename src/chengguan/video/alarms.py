"""Detections in, alarms out: the event engine run over a camera's batch of tracked detections (from our worker or
an AI edge box), each alarm stored with its snapshots, fixed as machine evidence when the camera may produce
evidence (第四十一条), and sent into intake as an ``ai_video`` signal that deduplicates with officers' and
citizens' reports as any signal does."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeAlias

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.calendar.service import work_calendar
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import NotFound
from chengguan.core.principals import Actor
from chengguan.evidence.enums import EvidenceKind
from chengguan.evidence.machine import record_for_source, seal_full_batches
from chengguan.intake import media
from chengguan.intake.enums import Channel
from chengguan.intake.ingest import ingest
from chengguan.intake.schemas import SignalIn
from chengguan.kit.media import detect
from chengguan.law.seed import categories
from chengguan.org.enums import DeviceStatus
from chengguan.org.models import Device
from chengguan.video import repository
from chengguan.video.engine import Alarm, Detection, Frame, Zone, new_state, snapshot_refs, step
from chengguan.video.models import VideoAlarm, VideoEngineState, VideoZone
from chengguan.video.registry import standing_of
from chengguan.video.schedule import from_json
from chengguan.video.standing import CLUE_NOTE, EVIDENCE_NOTE
from chengguan.video.throttle import admit

MEDIA_PREFIX = "/api/v1/media/"
_FRAME = "frame:"
CLIP_TYPES = frozenset({"video/mp4", "video/webm", "video/x-msvideo", "video/x-matroska", "video/quicktime"})
# A clip for an alarm: the bytes a push carried, or a function cutting one from what the source still holds.
ClipSource: TypeAlias = bytes | Callable[[Alarm], bytes | None] | None


@dataclass(frozen=True, slots=True)
class FrameData:
    """One frame as a source hands it over: time, tracked objects, and the picture when it has one."""

    ts: datetime
    objects: Sequence[Detection]
    image: bytes | None = None


def camera_by_code(session: Session, code: str) -> Device:
    device = repository.device_by_code(session, code)
    if device is None:
        raise NotFound(f"设备编号 {code} 未登记为视频设备", code="video.camera_not_found")
    return device


def engine_zones(rows: Sequence[VideoZone]) -> list[Zone]:
    return [
        Zone(
            id=str(z.id), name=z.name, category_code=z.category_code,
            polygon=[tuple(p) for p in z.polygon], classes=frozenset(z.classes),  # type: ignore[misc]
            min_dwell_s=z.min_dwell_s, cooldown_s=z.cooldown_s, schedule=from_json(z.schedule),
        )
        for z in rows
    ]  # fmt: skip


def _state_row(session: Session, device: Device, now: datetime) -> VideoEngineState:
    # The row lock serialises two pushes of one camera (the worker and a retry): each sees the other's tracks.
    row = session.get(VideoEngineState, device.id, with_for_update=True)
    if row is None:
        row = VideoEngineState(device_id=device.id, state=new_state(), stream_ok=True, updated_at=now)
        session.add(row)
        session.flush()
    return row


def process(
    session: Session,
    settings: Settings,
    device: Device,
    frames: Sequence[FrameData],
    actor: Actor,
    *,
    source: str = "api",
    clip: ClipSource = None,
) -> list[VideoAlarm]:
    """Run the camera's frames (time order) through its zones; the alarms raised, stored and signalled (a camera
    over its hourly alarm limit has the rest counted, not raised: video.throttle)."""
    now = clock.now()
    row = _state_row(session, device, now)
    state = copy.deepcopy(row.state) or new_state()  # a new object: the JSON column sees the change
    zones = engine_zones(repository.zones_of(session, device.id))
    calendar = work_calendar(session)
    raised: list[Alarm] = []
    for i, f in enumerate(sorted(frames, key=lambda f: f.ts)):
        ref = f"{_FRAME}{i}" if f.image else None
        raised += step(zones, state, Frame(f.ts, f.objects, ref), calendar)
    ordered = sorted(frames, key=lambda f: f.ts)
    stored: dict[str, str] = {}

    def url_of(ref: Any) -> Any:
        if isinstance(ref, str) and ref.startswith(_FRAME):
            if ref not in stored:
                image = ordered[int(ref.removeprefix(_FRAME))].image
                assert image is not None
                stored[ref] = MEDIA_PREFIX + media.store(settings.data_dir, image)[0]
            return stored[ref]
        return ref

    for holder, key in list(snapshot_refs(state)):
        holder[key] = url_of(holder[key])
    last = next((f for f in reversed(ordered) if f.image), None)
    if last is not None:
        row.snapshot, row.snapshot_at = url_of(f"{_FRAME}{ordered.index(last)}"), last.ts
    row.state, row.updated_at = state, now
    if ordered:
        row.last_frame_at = ordered[-1].ts
    if not row.stream_ok:
        _set_stream(device, row, True, None)
    alarms = [_store(session, settings, device, row, a, [url_of(s) for s in a.snapshots], actor, source, now, clip)
              for a in raised]  # fmt: skip
    session.flush()
    kept = [a for a in alarms if a is not None]
    if any(a.evidence_ids for a in kept):
        seal_full_batches(session, settings)
    return kept


def _store(
    session: Session,
    settings: Settings,
    device: Device,
    state: VideoEngineState,
    alarm: Alarm,
    snapshots: list[str],
    actor: Actor,
    source: str,
    now: datetime,
    clip: ClipSource,
) -> VideoAlarm | None:
    key = f"video:{device.code}:{alarm.zone_id}:{int(alarm.started_at.timestamp())}"
    existing = session.scalar(select(VideoAlarm).where(VideoAlarm.idempotency_key == key))
    if existing is not None:
        return existing
    if not admit(session, settings, device, state, alarm.raised_at):
        return None
    review = repository.review_of(session, device.id)
    usable = standing_of(review, clock.local_date(alarm.raised_at)).evidence_capable
    category = categories().get(alarm.category_code, alarm.category_code)
    minutes = max(1, round(alarm.dwell_s / 60))
    what = f"视频识别：{device.name}「{alarm.zone_name}」{category}，目标停留约 {minutes} 分钟"
    row = VideoAlarm(
        id=uuid.uuid4(), idempotency_key=key, device_id=device.id, zone_id=uuid.UUID(alarm.zone_id),
        zone_name=alarm.zone_name, category_code=alarm.category_code, track_id=alarm.track_id[:64],
        object_class=alarm.cls[:40], score=round(alarm.score, 4), bbox=[round(v, 4) for v in alarm.bbox],
        started_at=alarm.started_at, raised_at=alarm.raised_at, source=source[:40], evidence_usable=usable,
        snapshots=snapshots, evidence_ids=[], created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(row)
    if device.lng is not None and device.lat is not None:
        signal = SignalIn(
            idempotency_key=key, channel=Channel.ai_video, category_code=alarm.category_code,
            lng=device.lng, lat=device.lat, occurred_at=alarm.raised_at,
            description=f"{what}。{EVIDENCE_NOTE if usable else CLUE_NOTE}", address=review.site if review else None,
            device_id=device.code, media=snapshots,
            attributes={"video_alarm_id": str(row.id), "zone": alarm.zone_name,
                        "evidence_usable": "true" if usable else "false"},
        )  # fmt: skip
        [result] = ingest(session, [signal], actor)
        row.signal_id, row.case_source_id = result.signal_id, result.case_source_id
    if usable:
        fix = _Fixer(session, settings, device, row, what, review.site if review else None, actor, now)
        row.evidence_ids = [
            str(fix.snapshot(url, at, f"{i + 1}/{len(snapshots)}"))
            for i, (url, at) in enumerate(zip(snapshots, alarm.snapshot_times, strict=True))
        ]
        data = clip(alarm) if callable(clip) else clip
        if data:
            row.clip_evidence_id = fix.clip(data, alarm)
            if row.clip_evidence_id is not None:
                row.evidence_ids = [*row.evidence_ids, str(row.clip_evidence_id)]
    return row


@dataclass(frozen=True)
class _Fixer:
    """An alarm's snapshots and clip fixed as machine evidence on its case source (evidence.machine)."""

    session: Session
    settings: Settings
    device: Device
    alarm: VideoAlarm
    what: str
    site: str | None
    actor: Actor
    now: datetime

    def _fix(self, data: bytes, mime: str, kind: EvidenceKind, title: str, at: datetime, ext: str) -> uuid.UUID:
        d = self.device
        return record_for_source(
            self.session, self.settings, self.actor, self.alarm.case_source_id, data, kind=kind, mime=mime,
            filename=f"{d.code}-{at.astimezone(UTC):%Y%m%dT%H%M%S}.{ext}", title=title, device=d.code,
            captured_at=at, lng=d.lng, lat=d.lat, address=self.site, now=self.now,
            description=f"{self.what}。告警编号 {self.alarm.id}，设备 {d.code}。",
        ).id  # fmt: skip

    def snapshot(self, url: str, at: datetime, nth: str) -> uuid.UUID:
        path, mime = media.locate(self.settings.data_dir, url.removeprefix(MEDIA_PREFIX))
        title = f"视频抓拍 {nth}：{self.device.name}「{self.alarm.zone_name}」"
        ext = "png" if mime == "image/png" else "jpg"
        return self._fix(path.read_bytes(), mime, EvidenceKind.photo, title, at, ext)

    def clip(self, data: bytes, alarm: Alarm) -> uuid.UUID | None:
        mime = detect(data[:4096])
        if mime not in CLIP_TYPES:  # not a video we keep: the alarm stands on its snapshots
            return None
        title = f"视频片段：{self.device.name}「{self.alarm.zone_name}」"
        ext = {"video/webm": "webm", "video/x-msvideo": "avi", "video/x-matroska": "mkv", "video/quicktime": "mov"}
        return self._fix(data, mime, EvidenceKind.video, title, alarm.started_at, ext.get(mime, "mp4"))


def _set_stream(device: Device, row: VideoEngineState, ok: bool, error: str | None) -> None:
    row.stream_ok, row.stream_error = ok, None if ok else (error or "视频流不可用")[:300]
    if device.status is not DeviceStatus.retired:
        device.status = DeviceStatus.online if ok else DeviceStatus.offline


def report_stream(session: Session, device: Device, ok: bool, error: str | None = None) -> VideoEngineState:
    """The worker's word on a stream: up (在线) or broken, stalled, unreachable (离线, with the reason)."""
    now = clock.now()
    row = _state_row(session, device, now)
    _set_stream(device, row, ok, error)
    row.updated_at = now
    session.flush()
    return row
