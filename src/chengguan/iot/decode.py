"""MQTT messages → readings: the JSON topic and HJ 212 frames, the device's status topic — pure, no I/O.

Topics (``root`` is ``CHENGGUAN_MQTT_TOPIC_ROOT``, default ``chengguan``):
``{root}/devices/{device_code}/readings`` — ``{"ts": ISO-8601 with offset, "values": {metric: number}}`` or a list of
them (a device resending what it buffered); ``{root}/hj212/{mn}`` — one HJ 212-2017 frame; ``{root}/devices/
{device_code}/status`` — ``online`` / ``offline`` (the device's MQTT last will).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime

from pydantic_core import from_json

from chengguan.iot import hj212

MAX_VALUES = 64


class Malformed(ValueError):
    """A message that cannot be a reading (counted against the device, never retried)."""


@dataclass(frozen=True)
class Parsed:
    kind: str  # readings | hj212 | status | other
    ident: str  # device code or MN
    readings: list[tuple[datetime, dict[str, float]]] | None = None
    frame: hj212.Frame | None = None
    online: bool | None = None


def route(root: str, topic: str) -> tuple[str, str] | None:
    """(kind, identifier) of a topic under ``root``; None for topics that are not ours."""
    parts = topic.split("/")
    if len(parts) == 4 and parts[0] == root and parts[1] == "devices" and parts[3] in ("readings", "status"):
        return parts[3], parts[2]
    if len(parts) == 3 and parts[0] == root and parts[1] == "hj212":
        return "hj212", parts[2]
    return None


def _values(raw: object) -> dict[str, float]:
    if not isinstance(raw, dict) or not raw or len(raw) > MAX_VALUES:
        raise Malformed("values 须为非空对象（指标 → 数值）")
    out: dict[str, float] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not key or len(key) > 40:
            raise Malformed("指标名不合法")
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise Malformed(f"指标 {key[:40]} 不是有限数值")
        out[key] = float(value)
    return out


def _reading(item: object) -> tuple[datetime, dict[str, float]]:
    if not isinstance(item, dict) or "ts" not in item or "values" not in item:
        raise Malformed('读数须为 {"ts", "values"}')
    ts = item["ts"]
    if not isinstance(ts, str):
        raise Malformed("ts 须为带时区的 ISO-8601 时间")
    try:
        at = datetime.fromisoformat(ts)
    except ValueError as exc:
        raise Malformed("ts 须为带时区的 ISO-8601 时间") from exc
    if at.tzinfo is None:
        raise Malformed("ts 须带时区")
    return at, _values(item["values"])


def parse(root: str, topic: str, payload: bytes) -> Parsed:
    """Decode one message; Malformed (or hj212.FrameError) says why it is not a reading."""
    found = route(root, topic)
    if found is None:
        return Parsed("other", "")
    kind, ident = found
    if kind == "hj212":
        return Parsed(kind, ident, frame=hj212.decode(payload))
    if kind == "status":
        text = payload.decode(errors="replace").strip().lower()
        if text.startswith("{"):
            try:
                text = str(json.loads(text).get("status", "")).lower()
            except (ValueError, AttributeError) as exc:
                raise Malformed("状态消息不是 JSON") from exc
        if text not in ("online", "offline"):
            raise Malformed("状态须为 online 或 offline")
        return Parsed(kind, ident, online=text == "online")
    try:
        data = from_json(payload)  # pydantic-core: a third of json.loads' time on readings
    except ValueError as exc:
        raise Malformed("不是 JSON") from exc
    items = data if isinstance(data, list) else [data]
    if not items or len(items) > 1000:
        raise Malformed("一条消息至多 1000 个读数")
    return Parsed(kind, ident, readings=[_reading(i) for i in items])
