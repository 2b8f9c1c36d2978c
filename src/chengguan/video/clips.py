"""A short video of an alarm cut from the frames the worker still holds (``cv2.VideoWriter``, MPEG-4 in MP4).

The worker samples a stream every few seconds, so the clip is the event as a time-lapse of the sampled frames from a
little before the object entered the zone to the alarm frame — what a reviewer needs to see that the stall stood
there, at a fraction of a recording's size. The worker keeps each camera's last ``KEEP`` sampled frames as JPEG
(tens of KB each), not as decoded pictures, so sixty cameras cost a few MB."""

from __future__ import annotations

import logging
import tempfile
from collections import deque
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)
KEEP = 24  # sampled frames held per camera
MAX_FRAMES = 16  # frames in one clip at most
FPS = 2.0


class FrameRing:
    """The last sampled frames of one camera, as (time, JPEG bytes)."""

    def __init__(self, keep: int = KEEP) -> None:
        self.frames: deque[tuple[datetime, bytes]] = deque(maxlen=keep)

    def add(self, at: datetime, jpeg: bytes) -> None:
        self.frames.append((at, jpeg))

    def clip(self, start: datetime, end: datetime, *, lead: timedelta = timedelta(seconds=30)) -> bytes | None:
        """An MP4 of the held frames from ``lead`` before ``start`` to ``end`` (the last ``MAX_FRAMES`` of them)."""
        chosen = [j for t, j in self.frames if start - lead <= t <= end][-MAX_FRAMES:]
        return encode(chosen) if len(chosen) >= 2 else None


def encode(jpegs: Iterable[bytes], fps: float = FPS) -> bytes | None:
    """JPEG frames → MP4 bytes (all frames scaled to the first one's size); None when nothing could be written."""
    pictures = [p for p in (cv2.imdecode(np.frombuffer(j, np.uint8), cv2.IMREAD_COLOR) for j in jpegs) if p is not None]
    if not pictures:
        return None
    height, width = pictures[0].shape[:2]
    with tempfile.TemporaryDirectory(prefix="cg-clip-") as tmp:
        path = Path(tmp) / "clip.mp4"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
        try:
            if not writer.isOpened():
                log.warning("no MP4 writer in this OpenCV build: alarm without a clip")
                return None
            for p in pictures:
                writer.write(p if p.shape[:2] == (height, width) else cv2.resize(p, (width, height)))
        finally:
            writer.release()
        data = path.read_bytes() if path.is_file() else b""
    return data or None
