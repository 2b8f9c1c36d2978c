"""``chengguan video-worker``: read RTSP streams or files with OpenCV, gate frames by motion, detect with the
operator's ONNX model, track, and feed the event engine — one thread per camera.

A broken, stalled or unreachable stream is retried with exponential backoff (1 s … ``max_backoff_s``) and the camera
is reported offline (设备离线, with the reason) until it comes back; a failing database write or a bad frame is
logged and skipped. Nothing a camera does stops the other cameras or the worker. The model and its class map are
checked at start (``detector.ModelError``), and so are the camera codes.
"""

from __future__ import annotations

import logging
import threading
import time
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
from pydantic import BaseModel, Field, ValidationError

from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.core.principals import Actor
from chengguan.video import alarms
from chengguan.video.clips import FrameRing
from chengguan.video.detector import Detector, ModelError
from chengguan.video.engine import Alarm, Detection
from chengguan.video.motion import MotionGate
from chengguan.video.tracker import IouTracker

log = logging.getLogger(__name__)
ACTOR = Actor("system", None, "视频分析进程")
NETWORK = ("rtsp://", "rtsps://", "rtmp://", "http://", "https://")


class CameraConfig(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    url: str = Field(min_length=1, description="RTSP 地址或视频文件路径")
    interval_s: float = Field(10.0, gt=0, le=3600, description="抽帧间隔")


class WorkerConfig(BaseModel):
    """The worker's configuration file (TOML): the model, its class map, and the cameras."""

    model: Path
    classes: dict[int, str] = Field(description="模型类别编号 → 区域规则中的目标类别")
    score_threshold: float = Field(0.4, gt=0, lt=1)
    nms_iou: float = Field(0.45, gt=0, lt=1)
    motion_gating: bool = True
    motion_threshold: float = Field(0.002, gt=0, lt=1)
    refresh_s: float = Field(60.0, gt=0, description="无运动时至少每隔多久重新检测一次（静止目标确认仍在）")
    batch_frames: int = Field(6, ge=1, le=600)
    max_backoff_s: float = Field(60.0, gt=0)
    open_timeout_s: float = Field(10.0, gt=0)
    cameras: list[CameraConfig] = Field(min_length=1)


class ConfigError(ValueError):
    """The configuration cannot be used (message for the operator)."""


def load_config(path: Path) -> WorkerConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"无法读取配置文件 {path}：{exc}") from None
    try:
        config = WorkerConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"配置文件 {path} 有误：{exc.errors()[0]['loc']} {exc.errors()[0]['msg']}") from None
    if not config.model.is_absolute():
        config = config.model_copy(update={"model": (path.parent / config.model).resolve()})
    return config


@dataclass
class Stats:
    frames: int = 0
    detections_run: int = 0
    alarms: int = 0
    reconnects: int = 0
    errors: list[str] = field(default_factory=list)


class CameraLoop:
    """One camera: capture with retry, sample, gate, detect, track, batch into the event engine."""

    def __init__(self, worker: Worker, camera: CameraConfig) -> None:
        self.worker, self.camera, self.config = worker, camera, worker.config
        self.detector = Detector(self.config.model, self.config.classes, score_threshold=self.config.score_threshold,
                                 nms_iou=self.config.nms_iou)  # fmt: skip
        self.gate = MotionGate(threshold=self.config.motion_threshold)
        self.tracker = IouTracker()
        self.stats = Stats()
        self.online: bool | None = None
        self.batch: list[alarms.FrameData] = []
        self.ring = FrameRing()  # recent sampled frames: an alarm's clip is cut from them
        self.last_detect = -1e18

    @property
    def is_file(self) -> bool:
        return not self.camera.url.lower().startswith(NETWORK)

    def run(self, stop: threading.Event) -> None:
        backoff = 1.0
        while not stop.is_set():
            try:
                finished = self._session(stop)
            except Exception as exc:  # whatever a stream or a frame does, the worker goes on
                log.exception("camera %s: %s", self.camera.code, exc)
                self.stats.errors.append(str(exc)[:200])
                finished = False
            if finished or stop.is_set():
                return
            self.stats.reconnects += 1
            stop.wait(backoff)
            backoff = min(backoff * 2, self.config.max_backoff_s)

    def _open(self) -> cv2.VideoCapture:
        timeout = int(self.config.open_timeout_s * 1000)
        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, timeout, cv2.CAP_PROP_READ_TIMEOUT_MSEC, timeout]
        return cv2.VideoCapture(self.camera.url, cv2.CAP_FFMPEG, params)

    def _session(self, stop: threading.Event) -> bool:
        """One connection; True when a file has been read to its end (nothing to retry)."""
        cap = self._open()
        try:
            if not cap.isOpened():
                self._report(False, "无法连接视频流（地址不可达或认证失败）")
                return False
            self._report(True, None)
            start = self._file_start(cap) if self.is_file else None
            next_due = 0.0
            while not stop.is_set():
                if not cap.grab():
                    self._flush()
                    if self.is_file:
                        return True
                    self._report(False, "视频流中断或超时无画面")
                    return False
                if start is not None:
                    offset = cap.get(cv2.CAP_PROP_POS_MSEC) / 1000
                    at = start + timedelta(seconds=offset)
                else:
                    offset, at = time.monotonic(), clock.now()
                if offset < next_due:
                    continue
                next_due = offset + self.camera.interval_s
                ok, frame = cap.retrieve()
                if not ok or frame is None:
                    continue
                self._frame(frame, at, offset)
            self._flush()
            return True
        finally:
            cap.release()

    def _file_start(self, cap: cv2.VideoCapture) -> datetime:
        # A recording is replayed as if it ended a moment ago: its frames are never "in the future".
        fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
        n = cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0
        return clock.now() - timedelta(seconds=n / fps + 1)

    def _frame(self, frame: np.ndarray, at: datetime, t: float) -> None:
        self.stats.frames += 1
        moved = self.gate.moved(frame) if self.config.motion_gating else True
        if moved or t - self.last_detect >= self.config.refresh_s:
            tracks = self.tracker.update(self.detector.detect(frame))
            self.last_detect = t
            self.stats.detections_run += 1
        else:
            tracks = self.tracker.current()  # nothing moved: the stationary objects are still where they were
        objects = [Detection(str(tr.id), tr.cls, tr.box, tr.score) for tr in tracks]
        ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])
        image = jpeg.tobytes() if ok else None
        if image is not None:
            self.ring.add(at, image)
        self.batch.append(alarms.FrameData(at, objects, image))
        if len(self.batch) >= self.config.batch_frames:
            self._flush()

    def _flush(self) -> None:
        if not self.batch:
            return
        frames, self.batch = self.batch, []
        try:
            with self.worker.db.session() as session, session.begin():
                device = alarms.camera_by_code(session, self.camera.code)
                raised = alarms.process(
                    session, self.worker.settings, device, frames, ACTOR, source="worker", clip=self._clip
                )
                self.stats.alarms += len(raised)
        except Exception as exc:  # the database is away: these frames are lost, the next batch tries again
            log.exception("camera %s: frames not stored: %s", self.camera.code, exc)
            self.stats.errors.append(str(exc)[:200])

    def _clip(self, alarm: Alarm) -> bytes | None:
        try:
            return self.ring.clip(alarm.started_at, alarm.raised_at)
        except Exception as exc:  # no clip is no reason to lose the alarm
            log.warning("camera %s: clip not cut: %s", self.camera.code, exc)
            return None

    def _report(self, ok: bool, error: str | None) -> None:
        if self.online is ok:
            return
        self.online = ok
        try:
            with self.worker.db.session() as session, session.begin():
                alarms.report_stream(session, alarms.camera_by_code(session, self.camera.code), ok, error)
        except Exception as exc:
            log.warning("camera %s: status not stored: %s", self.camera.code, exc)


class Worker:
    """All cameras of one configuration; ``check`` refuses a bad model, class map or unknown camera at start."""

    def __init__(self, config: WorkerConfig, db: Database, settings: Settings) -> None:
        self.config, self.db, self.settings = config, db, settings
        Detector(config.model, config.classes)  # refuses a malformed model or a map that does not fit it
        with db.session() as session:
            unknown = [c.code for c in config.cameras if alarms.repository.device_by_code(session, c.code) is None]
        if unknown:
            raise ConfigError(f"以下设备编号未在设备台账中登记为视频设备：{', '.join(unknown)}")
        self.loops = [CameraLoop(self, c) for c in config.cameras]

    def run(self, stop: threading.Event | None = None) -> list[Stats]:
        stop = stop or threading.Event()
        threads = [threading.Thread(target=loop.run, args=(stop,), name=f"cam-{loop.camera.code}", daemon=True)
                   for loop in self.loops]  # fmt: skip
        for t in threads:
            t.start()
        try:
            while any(t.is_alive() for t in threads):
                for t in threads:
                    t.join(timeout=0.5)
        except KeyboardInterrupt:
            stop.set()
            for t in threads:
                t.join(timeout=5)
        return [loop.stats for loop in self.loops]


__all__ = ["ConfigError", "ModelError", "Worker", "WorkerConfig", "load_config"]
