"""Video patrol of the demo city: the cameras' 第四十一条 reviews (most passed, some pending, one failed, one with its
calibration expired), zones drawn on their pictures, and alarms raised by the event engine itself from synthetic
detections of the past days — some confirmed into case sources, some dismissed as false alarms, some pending."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.config import get_settings
from chengguan.core.principals import Actor
from chengguan.demo.scenes import Shot, render
from chengguan.evidence.service import seal_pending
from chengguan.intake import service as intake_service
from chengguan.intake.enums import SourceAction, SourceStatus
from chengguan.intake.models import CaseSource
from chengguan.intake.workflow import ActionInput, Capabilities
from chengguan.org.enums import DeviceKind
from chengguan.org.models import Device
from chengguan.video import alarms
from chengguan.video.engine import Detection
from chengguan.video.enums import AlarmStatus
from chengguan.video.models import CameraReview, VideoEngineState, VideoZone

ENGINE = Actor("system", None, "视频智能分析平台")
OPERATOR = Actor("staff", None, "指挥中心值班员")
PAVEMENT = [[0.02, 0.57], [0.98, 0.57], [0.98, 0.86], [0.02, 0.86]]  # the pavement band of the demo pictures
SHOPFRONT = [[0.0, 0.5], [1.0, 0.5], [1.0, 0.66], [0.0, 0.66]]
DAYTIME = {"periods": [{"days": [1, 2, 3, 4, 5, 6, 7], "start": "07:00", "end": "21:00"}], "holidays": "all_day"}
SHOP_HOURS = {"periods": [], "holidays": "weekly", "business_hours": {"start": "09:00", "end": "22:00"}}
DISMISS_REASONS = ("行人短暂停留误识别", "树影遮挡误识别", "快递临时装卸，已离开", "环卫作业车辆")


def seed_video(session: Session, data_dir: Path | None, seed: int = 2026) -> int:
    """Reviews, zones, latest pictures and alarms of the demo cameras; returns the number of alarms."""
    rng = random.Random(f"video:{seed}")
    settings = get_settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": Path(data_dir)})
    now = clock.now()
    cameras = list(session.scalars(select(Device).where(Device.kind == DeviceKind.camera).order_by(Device.code)))
    for i, camera in enumerate(cameras):
        _review(session, camera, i, now, rng)
        _zones(session, camera, i, now)
    session.flush()
    raised = 0
    for i, camera in enumerate(cameras):
        if camera.lng is None or i % 3:
            continue  # alarms on a third of the cameras
        for days_ago in sorted(rng.sample(range(1, 8), 2), reverse=True):
            raised += _alarm(session, settings, camera, now, days_ago, rng)
    for camera in cameras:
        _latest_picture(session, settings, camera, now, rng)
    _handle(session, rng, now)
    seal_pending(session, settings)  # the demo leaves the ledger sealed, the alarms' snapshots included
    return raised


def _review(session: Session, camera: Device, i: int, now: datetime, rng: random.Random) -> None:
    """Four cameras in five passed; the others: not reviewed, legal review pending, technical failed, or expired."""
    if i % 5 == 4 and i % 15 == 4:
        return  # installed recently: no review yet
    reviewed = now - timedelta(days=rng.randint(40, 300))
    today = clock.local_date(now)
    row = CameraReview(device_id=camera.id, created_at=reviewed, updated_at=reviewed)
    row.technical_passed, row.technical_by, row.technical_at = True, "设备运维科 王工", reviewed
    row.technical_opinion = "安装高度、视角、补光符合要求；设备经计量检定合格"
    row.calibrated_on = clock.local_date(reviewed) - timedelta(days=rng.randint(1, 10))
    row.site, row.published_on = f"{camera.name}（{camera.code}）", clock.local_date(reviewed) + timedelta(days=3)
    row.legal_passed, row.legal_by, row.legal_at = True, "法制科 李审核", reviewed + timedelta(days=2)
    row.legal_opinion = "设置合理、标志明显，设置地点已向社会公布"
    if i % 5 == 4:
        kind = i % 15
        if kind == 9:
            row.legal_passed = row.legal_by = row.legal_at = row.legal_opinion = None  # legal review pending
        elif kind == 14:
            row.technical_passed, row.technical_opinion = False, "画面逆光，夜间无补光，识别区域看不清"
            row.calibrated_on = None
    if i == 7:
        row.calibrated_on = today - timedelta(days=400)  # calibration expired: its alarms are clues again
    if row.published_on and row.published_on > today:
        row.published_on = today
    session.add(row)


def _zones(session: Session, camera: Device, i: int, now: datetime) -> None:
    session.add(VideoZone(device_id=camera.id, name="人行道", category_code="09006", polygon=PAVEMENT,
                          classes=["stall", "person", "cart"], min_dwell_s=300, cooldown_s=3600, schedule=DAYTIME,
                          sort_order=0, created_at=now, updated_at=now))  # fmt: skip
    if "商铺" in camera.name:
        session.add(VideoZone(device_id=camera.id, name="店门外", category_code="09005", polygon=SHOPFRONT,
                              classes=["table", "chair", "goods"], min_dwell_s=600, cooldown_s=7200,
                              schedule=SHOP_HOURS, sort_order=1, created_at=now, updated_at=now))  # fmt: skip


def _alarm(session: Session, settings, camera: Device, now: datetime, days_ago: int, rng: random.Random) -> int:  # type: ignore[no-untyped-def]
    """A stall standing on the pavement for 6–9 minutes one day in the past week, seen once a minute."""
    local = clock.local_now().replace(hour=rng.randint(9, 17), minute=rng.randint(0, 59), second=0, microsecond=0)
    start = local - timedelta(days=days_ago)
    seed = rng.getrandbits(32)
    frames = []
    for k in range(rng.randint(6, 9)):
        at = start + timedelta(minutes=k)
        shot = Shot("stall", at, camera.name, "AI 智能识别", camera.lng, camera.lat, camera.code, seed,
                    detection=f"占道经营 0.{rng.randint(80, 97)}")  # fmt: skip
        x0 = random.Random(seed).randint(40, 330)  # where scenes._objects puts the stall for this seed
        box = ((x0 - 24) / 640, 274 / 480, (x0 + 186) / 640, 362 / 480)
        frames.append(alarms.FrameData(at, [Detection("1", "stall", box, 0.9)], render(shot)))
    with clock.frozen(frames[-1].ts):  # the alarm is raised, and its source registered, as the dwell is reached
        return len(alarms.process(session, settings, camera, frames, ENGINE, source="worker"))


def _latest_picture(session: Session, settings, camera: Device, now: datetime, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    from chengguan.intake import media

    at = now - timedelta(seconds=rng.randint(5, 600))
    shot = Shot("street", at, camera.name, "实时画面", camera.lng, camera.lat, camera.code, rng.getrandbits(32))
    url = alarms.MEDIA_PREFIX + media.store(settings.data_dir, render(shot))[0]
    row = session.get(VideoEngineState, camera.id)
    if row is None:
        row = VideoEngineState(device_id=camera.id, state={"tracks": {}, "events": {}, "last_ts": None},
                               stream_ok=True, updated_at=now)  # fmt: skip
        session.add(row)
    row.snapshot, row.snapshot_at = url, at
    row.stream_ok = camera.status.value != "offline"
    row.stream_error = None if row.stream_ok else "RTSP 连接超时（已重试 5 次）"


def _handle(session: Session, rng: random.Random, now: datetime) -> None:
    """Older alarms handled by the command center: most confirmed, some dismissed; the last day's still pending."""
    from chengguan.video.models import VideoAlarm

    rows = session.scalars(select(VideoAlarm).order_by(VideoAlarm.raised_at)).all()
    caps = Capabilities(manage=True, dispatch=True)
    for row in rows:
        if row.raised_at > now - timedelta(days=2, hours=12):
            continue
        source = session.get(CaseSource, row.case_source_id) if row.case_source_id else None
        at = row.raised_at + timedelta(minutes=rng.randint(3, 40))
        if rng.random() < 0.72:
            row.status = AlarmStatus.confirmed
            if source is not None and source.status is SourceStatus.pending:
                intake_service.transition(session, source, SourceAction.accept, OPERATOR, ActionInput(), caps, now=at)
        else:
            row.status, row.dismiss_reason = AlarmStatus.dismissed, rng.choice(DISMISS_REASONS)
            if source is not None and source.signal_count == 1 and source.status is SourceStatus.pending:
                reason = ActionInput(reason=f"视频告警误报：{row.dismiss_reason}")
                intake_service.transition(session, source, SourceAction.void, OPERATOR, reason, caps, now=at)
        row.handled_by, row.handled_at, row.updated_at = OPERATOR.actor_name, at, at
    session.flush()
