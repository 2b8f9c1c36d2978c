"""Deterministic synthetic people and equipment for the demo city: officers, vehicles, cameras, body cameras, sensors.

Every value comes from the ``random.Random`` passed in, so the same seed gives the same city. Names are random
surname + given-name combinations, never real persons; phone numbers use the 170 prefix and plates/certificate
numbers are made up. Ranks are the 行政执法类公务员 职级 (《行政执法类公务员管理规定》, 2016), lowest to highest
in ``RANKS``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shapely import Point

if TYPE_CHECKING:
    from chengguan.demo.geography import DemoGrid, DemoUnit

__all__ = ["RANKS", "DemoDevice", "DemoOfficer", "DemoVehicle", "cameras", "officers", "vehicles"]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤隋曲宫"
)
_MALE_CHARS = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"  # noqa: E501
_FEMALE_CHARS = "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱霞香月莺媛艳瑞佳嘉琼珍莉桂叶璐娅琦晶妍茜秋珊莎锦青倩婷婉娴瑾颖露瑶怡蓓仪荷丹蓉君琴蕊薇菁梦岚婕馨韵园咏卿澜纯悦昭冰琬茗羽宁欣滢筠柔竹凝晓欢枫芸菲寒伊亚宜可舒丽阳妮雯萱彦雨曼紫蝶"  # noqa: E501

# 行政执法类公务员职级 (lowest → highest); auxiliaries (协管员) hold none.
RANKS = (
    "二级行政执法员",
    "一级行政执法员",
    "四级主办",
    "三级主办",
    "二级主办",
    "一级主办",
    "四级高级主办",
    "三级高级主办",
    "二级高级主办",
    "一级高级主办",
    "督办",
)
_RANK_WEIGHTS = (14, 18, 16, 14, 10, 8, 6, 5, 4, 3, 2)
AUXILIARY_RANK = "协管员"
CERT_YEAR = "2026"

# Staffing per unit: (certified, auxiliary). Squads carry the auxiliaries (~25% of everyone overall).
_STAFF = {"city": (8, 0), "district": (10, 2), "squad": (12, 5)}


@dataclass(frozen=True, slots=True)
class DemoOfficer:
    """An enforcement officer (执法队员); only ``certified`` ones hold a 执法证号 and may enforce."""

    code: str  # stable key, e.g. OF0001
    name: str
    gender: str  # "male" | "female"
    rank: str  # a RANKS entry, or 协管员 for auxiliaries
    kind: str  # "certified" | "auxiliary"
    certificate_no: str | None  # 14 digits: unit division code (6) + year (4) + sequence (4); None for auxiliaries
    position: str  # 局长 / 副局长 / 中队长 / 副中队长 / 队员 / 协管员 …
    unit_code: str
    phone: str
    status: str = "active"


@dataclass(frozen=True, slots=True)
class DemoVehicle:
    """An enforcement vehicle (执法车辆) with a synthetic 鲁B (Qingdao) plate."""

    plate_no: str
    model: str
    kind: str  # "patrol_car" | "truck" | "motorcycle" | "e_bike"
    unit_code: str
    status: str = "in_service"


@dataclass(frozen=True, slots=True)
class DemoDevice:
    """A device: fixed camera (探头), body camera (执法记录仪) or IoT sensor; fixed ones sit inside a grid."""

    code: str  # CAM-370202-0001 / BWC-370202-0001 / IOT-370202-0001
    kind: str  # "camera" | "body_camera" | "sensor"
    name: str
    unit_code: str
    grid_code: str | None
    lng: float | None  # WGS-84; None for body cameras, which move with their officer
    lat: float | None
    status: str = "online"


def _name(rng: random.Random, gender: str, taken: set[str]) -> str:
    chars = _MALE_CHARS if gender == "male" else _FEMALE_CHARS
    while True:
        given = "".join(rng.choice(chars) for _ in range(1 if rng.random() < 0.3 else 2))
        name = rng.choice(SURNAMES) + given
        if name not in taken:  # unique so demo users can tell people apart
            taken.add(name)
            return name


def _positions(level: str, n: int) -> list[str]:
    heads = {
        "city": ["局长", "副局长", "副局长"],
        "district": ["局长", "副局长", "法制审核员"],
        "squad": ["中队长", "副中队长"],
    }[level]
    rest = {"city": "科员", "district": "科员", "squad": "队员"}[level]
    return (heads + [rest] * n)[:n]


def officers(
    rng: random.Random, squads: Sequence[DemoUnit], districts: Sequence[DemoUnit], city: DemoUnit
) -> list[DemoOfficer]:
    """≥200 officers across all units; certified ones get unique 14-digit 执法证号, ~25% are 协管员 (no certificate)."""
    out: list[DemoOfficer] = []
    taken: set[str] = set()
    # Certificate numbers are issued per district (the city bureau uses its own code), numbered in order of issue.
    cert_seq: dict[str, int] = {}
    for unit in (city, *districts, *squads):
        certified, auxiliary = _STAFF[unit.level]
        issuer = unit.division_code[:6]
        for position in _positions(unit.level, certified):
            gender = "male" if rng.random() < 0.72 else "female"
            # Leaders come from the upper half of the ladder; everyone else is drawn by the weights.
            if position in ("局长", "副局长", "中队长"):
                rank = rng.choice(RANKS[5:])
            else:
                rank = rng.choices(RANKS, weights=_RANK_WEIGHTS)[0]
            cert_seq[issuer] = cert_seq.get(issuer, 0) + 1
            out.append(
                DemoOfficer(
                    code=f"OF{len(out) + 1:04d}",
                    name=_name(rng, gender, taken),
                    gender=gender,
                    rank=rank,
                    kind="certified",
                    certificate_no=f"{issuer}{CERT_YEAR}{cert_seq[issuer]:04d}",
                    position=position,
                    unit_code=unit.code,
                    phone=f"170{len(out) + 1:08d}",
                )
            )
        for _ in range(auxiliary):
            gender = "male" if rng.random() < 0.6 else "female"
            out.append(
                DemoOfficer(
                    code=f"OF{len(out) + 1:04d}",
                    name=_name(rng, gender, taken),
                    gender=gender,
                    rank=AUXILIARY_RANK,
                    kind="auxiliary",
                    certificate_no=None,
                    position="协管员",
                    unit_code=unit.code,
                    phone=f"170{len(out) + 1:08d}",
                )
            )
    return out


_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I/O, as on real plates
_FLEET = (  # (kind, model, new-energy plate?, count)
    ("patrol_car", "比亚迪秦PLUS EV 执法车", True, 18),
    ("patrol_car", "长安CS55 执法车", False, 8),
    ("truck", "江铃顺达 渣土巡查皮卡", False, 4),
    ("truck", "福田祥菱 清障运输车", False, 2),
    ("motorcycle", "新大洲本田 巡逻摩托", False, 4),
    ("e_bike", "雅迪 巡逻电动车", True, 4),
)


def _plate(rng: random.Random, new_energy: bool, taken: set[str]) -> str:
    while True:
        if new_energy:  # 新能源号牌: D (pure electric) + 5 characters
            plate = "鲁BD" + "".join(rng.choice("0123456789") for _ in range(5))
        else:
            plate = "鲁B" + rng.choice(_PLATE_LETTERS) + "".join(rng.choice("0123456789") for _ in range(4))
        if plate not in taken:
            taken.add(plate)
            return plate


def vehicles(rng: random.Random, units: Sequence[DemoUnit]) -> list[DemoVehicle]:
    """40 vehicles, round-robin over squads first (they patrol), then bureaus; unique synthetic 鲁B plates."""
    owners = [u for u in units if u.level == "squad"] + [u for u in units if u.level != "squad"]
    taken: set[str] = set()
    out: list[DemoVehicle] = []
    for kind, model, new_energy, count in _FLEET:
        for _ in range(count):
            owner = owners[len(out) % len(owners)]
            status = "maintenance" if rng.random() < 0.08 else "in_service"
            out.append(DemoVehicle(_plate(rng, new_energy, taken), model, kind, owner.code, status))
    return out


_SENSORS = ("垃圾满溢传感器", "扬尘监测仪", "噪声监测仪", "井盖位移传感器")
_CAMERA_KINDS = ("高点监控", "路口监控", "沿街商铺监控", "广场监控")
N_CAMERAS = 60
BODY_CAMERAS_PER_SQUAD = 2
SENSORS_PER_SQUAD = 2


def _point_in(rng: random.Random, grid: DemoGrid) -> tuple[float, float]:
    # Rejection sampling in the bounding box; fall back to the label point, which is always inside.
    minx, miny, maxx, maxy = grid.polygon.bounds
    for _ in range(50):
        lng, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if grid.polygon.contains(Point(lng, lat)):
            return lng, lat
    return grid.label_point


def cameras(rng: random.Random, grids: Sequence[DemoGrid]) -> list[DemoDevice]:
    """60 fixed cameras inside distinct grids, plus body cameras and IoT sensors for every squad.

    Codes are ``<CAM|BWC|IOT|UAV|RLY>-<district code>-<4-digit sequence per district and kind>``.
    """
    seq: dict[tuple[str, str], int] = {}

    def code(prefix: str, district: str) -> str:
        seq[prefix, district] = seq.get((prefix, district), 0) + 1
        return f"{prefix}-{district}-{seq[prefix, district]:04d}"

    out: list[DemoDevice] = []
    for grid in sorted(rng.sample(list(grids), N_CAMERAS), key=lambda g: g.grid_code):
        lng, lat = _point_in(rng, grid)
        street = grid.name.split("第")[0]
        status = "offline" if rng.random() < 0.05 else "online"
        out.append(
            DemoDevice(
                code("CAM", grid.district_code),
                "camera",
                f"{street}{rng.choice(_CAMERA_KINDS)}",
                grid.squad_code,
                grid.grid_code,
                lng,
                lat,
                status,
            )
        )
    squads = sorted({(g.squad_code, g.district_code, g.name.split("第")[0]) for g in grids})
    for squad_code, district, street in squads:
        for k in range(BODY_CAMERAS_PER_SQUAD):
            out.append(
                DemoDevice(
                    code("BWC", district), "body_camera", f"{street}执法记录仪{k + 1:02d}", squad_code, None, None, None
                )
            )
    for squad_code, district, street in squads:
        own = [g for g in grids if g.squad_code == squad_code]
        for _ in range(SENSORS_PER_SQUAD):
            grid = rng.choice(own)
            lng, lat = _point_in(rng, grid)
            out.append(
                DemoDevice(
                    code("IOT", district),
                    "sensor",
                    f"{street}{rng.choice(_SENSORS)}",
                    squad_code,
                    grid.grid_code,
                    lng,
                    lat,
                )
            )
    # One drone (无人机) and one relay vehicle (中继车) per district, kept by its first squad (no draw: the rest of the
    # demo's random choices stay as they were).
    for district in sorted({d for _, d, _ in squads}):
        squad_code, _, street = next(s for s in squads if s[1] == district)
        for prefix, kind, name in (("UAV", "drone", "巡查无人机"), ("RLY", "relay_vehicle", "视频中继车")):
            out.append(DemoDevice(code(prefix, district), kind, f"{street}{name}", squad_code, None, None, None))
    return out
