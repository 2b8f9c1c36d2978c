"""The alarm mix of the demo traffic (``chengguan simulate``) and of the intake benchmarks (bench/intake*.py): which
channels report, in which categories, with which Chinese texts, where, and how often a spot is reported again.

About a fifth of the alarms repeat a recent spot within 30 m, so merging into open case sources shows on the map.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import shapely
from shapely.geometry import shape

from chengguan.core.geo import wgs84_to_gcj02

CST = timezone(timedelta(hours=8))
_M_PER_DEG = 111_320.0

# (channel, share) — roughly what a district command centre receives in a day.
CHANNEL_MIX = (("ai_video", 45), ("iot", 15), ("complaint", 25), ("hotline", 10), ("patrol", 5))
CATEGORIES: dict[str, tuple[str, ...]] = {
    "ai_video": ("09006", "09005", "06036", "06010", "07001", "09009"),
    "iot": ("08004", "06042", "06027"),
    "complaint": ("09006", "06027", "08001", "06029", "09009", "06010", "06036", "09012", "07001", "09010"),
    "hotline": ("08001", "06027", "06029", "09006", "09012", "06011", "08016", "09005"),
    "patrol": ("09006", "09005", "07001", "06036", "09010", "07003", "06010"),
}
NAMES = {
    "09006": "占道经营", "09005": "店外经营", "06036": "乱堆杂物", "06010": "暴露垃圾", "07001": "非法小广告",
    "09009": "机动车乱停放", "08004": "工地扬尘", "06042": "垃圾站（箱）满溢", "06027": "油烟污染",
    "08001": "施工扰民", "06029": "露天烧烤", "09012": "占用消防通道", "09010": "非机动车乱停放",
    "06011": "积存垃圾渣土", "08016": "无证建设", "07003": "违规户外广告",
}  # fmt: skip
COMPLAINTS: dict[str, tuple[str, ...]] = {
    "09006": ("小区门口有人摆摊卖水果，占了半条人行道", "早市摊贩占道经营，行人只能走机动车道",
              "路口有流动摊贩，把盲道堵了"),
    "06027": ("楼下饭店油烟直排，家里窗户都不敢开", "烧烤店排烟管道对着居民楼，油烟很大"),
    "08001": ("工地夜里十一点还在施工，噪音太大影响休息", "凌晨还在打桩，严重扰民"),
    "06029": ("夜市露天烧烤，烟雾飘进楼里", "路边有人支炉子烧烤，烟很大"),
    "09009": ("车辆长期停在人行道上，轮椅推不过去", "好几辆车停在路口，挡住视线"),
    "06010": ("路边垃圾堆了好几天没人清理，有异味", "垃圾桶旁边扔了很多垃圾袋"),
    "06036": ("楼道口堆满杂物，有消防隐患", "商户把货物堆在人行道上"),
    "09012": ("消防通道被私家车堵住了", "小区消防通道停满了车"),
    "07001": ("电线杆和墙上贴满了小广告", "单元门上全是开锁办证的小广告"),
    "09010": ("共享单车乱停，把人行道堵死了", "地铁口电动车停得到处都是"),
    "06011": ("空地上积存大量建筑垃圾渣土", "路边倒了一堆渣土没人管"),
    "08016": ("小区里有人私自加盖房屋", "楼顶在搭建彩钢房"),
    "09005": ("饭店把桌子摆到门外经营", "超市把货架摆到了店门外"),
}  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


@dataclass(frozen=True)
class GridArea:
    """One unit grid (WGS-84 polygon) and its squad."""

    id: str
    code: str
    name: str
    squad_id: str
    polygon: Any

    @classmethod
    def from_feature(cls, feature: dict[str, Any]) -> GridArea:
        p = feature["properties"]
        polygon = shape(feature["geometry"])
        shapely.prepare(polygon)
        return cls(p["id"], p["grid_code"], p["name"], p["squad_id"], polygon)


@dataclass(frozen=True)
class Site:
    """A fixed device (camera, sensor) at a WGS-84 position."""

    code: str
    lng: float
    lat: float


def offset(lng: float, lat: float, rng: random.Random, radius_m: float, min_m: float = 0.0) -> tuple[float, float]:
    """A point uniformly distributed in the annulus [min_m, radius_m] around (lng, lat)."""
    r = math.sqrt(rng.uniform(min_m**2, radius_m**2))
    a = rng.uniform(0.0, 2.0 * math.pi)
    return (lng + r * math.cos(a) / (_M_PER_DEG * math.cos(math.radians(lat))), lat + r * math.sin(a) / _M_PER_DEG)


def point_in(grid: GridArea, rng: random.Random) -> tuple[float, float]:
    """A uniformly random point inside the grid (rejection sampling in its bounds)."""
    x0, y0, x1, y1 = grid.polygon.bounds
    for _ in range(100):
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if shapely.contains_xy(grid.polygon, x, y):
            return x, y
    c = grid.polygon.representative_point()
    return c.x, c.y


def _phone(rng: random.Random) -> str:
    return rng.choice(("138", "139", "150", "186", "177")) + f"{rng.randrange(10**8):08d}"


class AlarmMix:
    """Signals as the channels send them (dicts as JSON gives them): mix, categories, Chinese texts, repeats.

    ``next(at)`` makes one signal occurring at ``at``; ``repeat_share`` of them repeat a spot seen in the last
    ``repeat_within`` (same category and channel, within ``repeat_radius_m``), so they merge under the default
    50 m / 60 min dedup rule. Grids get a skewed "hotness" (markets, night-market streets) so load is uneven.
    """

    def __init__(
        self,
        rng: random.Random,
        grids: Sequence[GridArea],
        cameras: Sequence[Site],
        sensors: Sequence[Site] = (),
        *,
        key_prefix: str = "sim",
        repeat_share: float = 0.2,
        repeat_radius_m: float = 30.0,
        repeat_within: timedelta = timedelta(minutes=30),
    ) -> None:
        if not grids:
            raise ValueError("AlarmMix needs at least one grid")
        self.rng, self.grids, self.key_prefix = rng, list(grids), key_prefix
        self.cameras = list(cameras) or [Site(f"CAM-SIM-{i:04d}", *point_in(g, rng)) for i, g in enumerate(grids)]
        self.sensors = list(sensors) or [Site(f"IOT-SIM-{i:04d}", *point_in(g, rng)) for i, g in enumerate(grids)]
        self.weights = [rng.lognormvariate(0.0, 0.9) * g.polygon.area for g in self.grids]
        self.channels, self.shares = zip(*CHANNEL_MIX, strict=True)
        self.repeat_share, self.repeat_radius_m, self.repeat_within = repeat_share, repeat_radius_m, repeat_within
        self.recent: deque[tuple[datetime, dict[str, Any], float, float]] = deque(maxlen=2000)
        self.count = 0
        self.repeats = 0
        self.repeat_keys: set[str] = set()

    def next(self, at: datetime, near: tuple[float, float] | None = None) -> dict[str, Any]:
        """One signal at ``at``; ``near`` (a patrolling officer's position) places patrol reports."""
        rng = self.rng
        self.count += 1
        key = f"{self.key_prefix}-{self.count:07d}"
        while self.recent and at - self.recent[0][0] > self.repeat_within:
            self.recent.popleft()
        if self.recent and rng.random() < self.repeat_share:
            _, base, lng0, lat0 = self.recent[rng.randrange(len(self.recent))]
            self.repeats += 1
            self.repeat_keys.add(key)
            lng, lat = offset(lng0, lat0, rng, self.repeat_radius_m)
            return self._signal(key, base["channel"], base["category_code"], lng, lat, at, base.get("device_id"))
        channel = rng.choices(self.channels, self.shares)[0]
        category = rng.choice(CATEGORIES[channel])
        device = None
        if channel == "ai_video":
            cam = rng.choice(self.cameras)
            device, (lng, lat) = cam.code, offset(cam.lng, cam.lat, rng, 80.0, 10.0)
        elif channel == "iot":
            sensor = rng.choice(self.sensors)
            device, (lng, lat) = sensor.code, offset(sensor.lng, sensor.lat, rng, 5.0)
        elif channel == "patrol" and near is not None:
            lng, lat = offset(*near, rng, 40.0)
        else:
            lng, lat = point_in(rng.choices(self.grids, self.weights)[0], rng)
        signal = self._signal(key, channel, category, lng, lat, at, device)
        self.recent.append((at, signal, lng, lat))
        return signal

    def _signal(
        self, key: str, channel: str, category: str, lng: float, lat: float, at: datetime, device: str | None
    ) -> dict[str, Any]:
        rng, name = self.rng, NAMES[category]
        s: dict[str, Any] = {"idempotency_key": key, "channel": channel, "category_code": category}
        phrase = rng.choice(COMPLAINTS.get(category, (f"发现{name}问题",)))
        if channel == "ai_video":
            s["description"] = f"视频智能分析告警：{name}"
            s["attributes"] = {"confidence": f"{rng.uniform(0.62, 0.98):.2f}", "algorithm": "street-order-v3"}
        elif channel == "iot":
            reading = {"08004": f"PM10 {rng.randint(160, 420)} μg/m³（限值 150）",
                       "06042": f"满溢度 {rng.randint(90, 100)}%",
                       "06027": f"油烟浓度 {rng.uniform(2.1, 6.5):.1f} mg/m³（限值 2.0）"}[category]  # fmt: skip
            s["description"] = f"物联感知告警：{name}，{reading}"
        elif channel == "complaint":
            lng, lat = wgs84_to_gcj02(lng, lat)  # phone apps send GCJ-02 (高德/腾讯 map SDKs)
            s["crs"] = "gcj02"
            s["description"] = phrase
            s["reporter"] = {"name": rng.choice(SURNAMES) + rng.choice(("先生", "女士")), "phone": _phone(rng)}
        elif channel == "hotline":
            s["description"] = f"市民来电反映：{phrase}"
            s["external_ref"] = f"12345-{at.astimezone(CST):%Y%m%d}-{rng.randrange(10**6):06d}"
            s["reporter"] = {"name": rng.choice(SURNAMES) + rng.choice(("先生", "女士")), "phone": _phone(rng)}
        else:
            s["description"] = f"巡查发现：{phrase}"
        s["lng"], s["lat"] = round(lng, 7), round(lat, 7)
        s["occurred_at"] = at.astimezone(CST).isoformat(timespec="seconds")
        if device:
            s["device_id"] = device
        return s
