"""Video test data: a zone, frames with real JPEG snapshots of a stall standing in it."""

from __future__ import annotations

import base64
import io
from datetime import datetime, timedelta
from typing import Any

from PIL import Image

from chengguan.core import clock

ZONE = {
    "name": "人行道东段",
    "category_code": "09006",
    "polygon": [[0.2, 0.5], [0.8, 0.5], [0.8, 0.95], [0.2, 0.95]],
    "classes": ["stall", "person"],
    "min_dwell_s": 60,
    "cooldown_s": 1800,
}


def jpeg(i: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (i * 7 % 255, 90, 160)).save(out, "JPEG", comment=f"帧 {i}".encode())
    return out.getvalue()


def stall_frames(
    n: int, *, start: datetime | None = None, every_s: int = 10, images: bool = True
) -> list[dict[str, Any]]:
    """``n`` frames of one stall standing inside ZONE (a frame every ``every_s`` seconds, ending a minute ago)."""
    start = start or clock.now() - timedelta(seconds=every_s * n + 60)
    return [
        {
            "ts": (start + timedelta(seconds=i * every_s)).isoformat(),
            "objects": [{"track_id": 7, "class": "stall", "bbox": [0.4, 0.6, 0.6, 0.8], "score": 0.88}],
            **({"snapshot": base64.b64encode(jpeg(i)).decode()} if images else {}),
        }
        for i in range(n)
    ]
