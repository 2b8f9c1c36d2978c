"""Adapters for the JSON alarm pushes of AI edge boxes (AI 算法盒子), so a bureau keeps the boxes it owns: each push
becomes one frame of tracked detections for the event engine, which then applies our zones, schedules, dwell and
one-alarm-per-event on top of the box's own classification (a box that pushes every 10 s while a stall stays
builds the dwell; it does not raise ten alarms).

Supported shapes (docs/api-video.md shows full examples; fields not listed are ignored):

* ``generic`` — the common push of edge boxes: ``deviceSn`` (our device code), ``alarmTime`` (ISO-8601 or
  ``YYYY-MM-DD HH:MM:SS`` local time), ``width``/``height`` of the picture, ``imageBase64`` (optional JPEG),
  ``targets``: ``[{"label", "score", "trackId"?, "bbox": [x, y, w, h] in pixels}]``, ``videoBase64`` (optional
  short clip, MP4/WebM).
* ``isapi`` — an ISAPI-style ``EventNotificationAlert`` in JSON: ``channelName`` or ``deviceID`` (our device code),
  ``dateTime``, ``eventType``, ``targets``/``DetectionTarget``: ``[{"targetType", "confidence", "targetID"?,
  "Rect": {"x", "y", "width", "height"}}]`` with the rectangle normalised to 0–1000, and an optional
  ``picture`` (base64 JPEG) and ``video`` (base64 short clip).

A clip reaches us as bytes in the push; a clip URL on the box is not fetched (the platform reaches out to no
address a push names). A clip kept is fixed as evidence with the alarm's snapshots when the camera may record
evidence.

A target without a track id gets a stable one from its class and where it stands (its bottom-centre on a 5 % grid),
so the same stall pushed again is the same track.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chengguan.core import clock
from chengguan.core.errors import NotFound, field_error
from chengguan.video.alarms import FrameData
from chengguan.video.engine import Detection


@dataclass(frozen=True, slots=True)
class Push:
    camera_code: str
    frame: FrameData
    clip: bytes | None = None  # the box's short video of the event, when it sends one


def _time(value: Any, field: str) -> datetime:
    if not isinstance(value, str) or not value:
        raise field_error(field, "缺少告警时间")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("/", "-"))
    except ValueError:
        raise field_error(field, f"无法识别的时间：{value[:40]}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=clock.SHANGHAI)  # boxes speak local time


def _image(value: Any, field: str) -> bytes | None:
    if not value:
        return None
    text = str(value)
    text = text.split(",", 1)[1] if text.startswith("data:") else text
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise field_error(field, "图片须为 base64 编码") from None


def _track(given: Any, label: str, box: tuple[float, float, float, float]) -> str:
    if given not in (None, ""):
        return str(given)[:64]
    foot_x, foot_y = (box[0] + box[2]) / 2, box[3]
    return f"{label}@{round(foot_x * 20)},{round(foot_y * 20)}"


def _clip(v: float) -> float:
    return min(1.0, max(0.0, v))


def _number(target: dict[str, Any], *names: str) -> float:
    for name in names:
        if isinstance(target.get(name), int | float):
            return float(target[name])
    raise field_error("targets", f"目标缺少数值字段 {names[0]}")


def generic(body: dict[str, Any]) -> Push:
    code = str(body.get("deviceSn") or body.get("device_id") or "")
    width, height = body.get("width"), body.get("height")
    if not isinstance(width, int | float) or not isinstance(height, int | float) or width <= 0 or height <= 0:
        raise field_error("width", "须提供图片宽度 width 与高度 height（像素）")
    objects = []
    for t in body.get("targets") or []:
        if not isinstance(t, dict) or not isinstance(t.get("bbox"), list) or len(t["bbox"]) != 4:
            raise field_error("targets", "每个目标须有 bbox: [x, y, w, h]（像素）")
        x, y, w, h = (float(v) for v in t["bbox"])
        box = (_clip(x / width), _clip(y / height), _clip((x + w) / width), _clip((y + h) / height))
        label = str(t.get("label") or "")[:40]
        objects.append(Detection(_track(t.get("trackId"), label, box), label, box, _clip(float(t.get("score", 1)))))
    return Push(
        code,
        FrameData(_time(body.get("alarmTime"), "alarmTime"), objects, _image(body.get("imageBase64"), "imageBase64")),
        _image(body.get("videoBase64"), "videoBase64"),
    )


def isapi(body: dict[str, Any]) -> Push:
    alert = body.get("EventNotificationAlert", body)
    code = str(alert.get("channelName") or alert.get("deviceID") or "")
    objects = []
    for t in alert.get("targets") or alert.get("DetectionTarget") or []:
        rect = t.get("Rect") if isinstance(t, dict) else None
        if not isinstance(rect, dict):
            raise field_error("targets", "每个目标须有 Rect: {x, y, width, height}（0–1000 归一化）")
        x, y = _number(rect, "x") / 1000, _number(rect, "y") / 1000
        w, h = _number(rect, "width") / 1000, _number(rect, "height") / 1000
        box = (_clip(x), _clip(y), _clip(x + w), _clip(y + h))
        label = str(t.get("targetType") or "")[:40]
        score = float(t.get("confidence", 100))
        score = score / 100 if score > 1 else score
        objects.append(Detection(_track(t.get("targetID"), label, box), label, box, _clip(score)))
    return Push(
        code,
        FrameData(_time(alert.get("dateTime"), "dateTime"), objects, _image(alert.get("picture"), "picture")),
        _image(alert.get("video"), "video"),
    )


ADAPTERS: dict[str, Callable[[dict[str, Any]], Push]] = {"generic": generic, "isapi": isapi}


def adapt(vendor: str, body: Any) -> Push:
    """The push as one frame of detections; 404 for a vendor we have no adapter for, 422 for a push we cannot read."""
    adapter = ADAPTERS.get(vendor)
    if adapter is None:
        raise NotFound(f"不支持的设备厂商格式：{vendor}（支持 {', '.join(ADAPTERS)}）", code="video.unknown_vendor")
    if not isinstance(body, dict):
        raise field_error("body", "推送内容须为 JSON 对象")
    push = adapter(body)
    if not push.camera_code:
        raise field_error("deviceSn", "推送中缺少设备编号", code="video.camera_code_missing")
    return push
