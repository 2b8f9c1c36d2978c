"""Synthetic demo city on real Qingdao (青岛市, GB/T 2260 code 370200) coordinates.

Three real districts — 市南区 370202, 市北区 370203, 李沧区 370213 — drawn as rough hand-made WGS-84 outlines of
their land area, four real streets (街道) each, and unit grids (单元网格) that partition every street. Org units,
names, street/community codes and every boundary are synthetic approximations for demos, never official data:
street codes are 001–004 inside the 街道 range 000–099 of the township level (legal-facts §6), community codes
001–004, and grid codes follow the 15-digit rule 12-digit division code + 3-digit sequence (legal-facts §5).
The geography is fixed; only people and devices (``chengguan.demo.people``) depend on the seed.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import cache

import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from chengguan.core.geo import polygon_area_m2
from chengguan.core.grid_index import GridShape
from chengguan.demo import people
from chengguan.demo.people import DemoDevice, DemoOfficer, DemoVehicle

__all__ = ["DemoCity", "DemoGrid", "DemoUnit", "build_demo_city", "build_geography"]

CITY_CODE = "370200"
CITY_NAME = "青岛市"

# Land outline of 市南 + 市北 + 李沧 (counter-clockwise from 团岛): the south coast, the 崂山区 border, the 城阳区
# border, then the east shore of 胶州湾 back south. Rough (±0.5 km) but on land and where the districts really are.
_OUTLINE = [
    (120.283, 36.050),
    (120.300, 36.055),
    (120.317, 36.058),
    (120.333, 36.054),
    (120.350, 36.051),
    (120.360, 36.046),
    (120.378, 36.050),
    (120.388, 36.056),
    (120.398, 36.053),
    (120.425, 36.058),
    (120.437, 36.066),
    (120.438, 36.082),
    (120.428, 36.097),
    (120.425, 36.115),
    (120.440, 36.132),
    (120.470, 36.140),
    (120.495, 36.160),
    (120.500, 36.185),
    (120.485, 36.210),
    (120.455, 36.232),
    (120.420, 36.240),
    (120.392, 36.236),
    (120.376, 36.215),
    (120.362, 36.185),
    (120.354, 36.158),
    (120.345, 36.135),
    (120.332, 36.115),
    (120.318, 36.095),
    (120.308, 36.078),
    (120.296, 36.068),
    (120.286, 36.060),
]
# District borders as west→east cut lines extending past the outline: 市南|市北, then 市北|李沧.
_CUT_SOUTH = [
    (120.25, 36.073),
    (120.305, 36.073),
    (120.33, 36.074),
    (120.36, 36.078),
    (120.39, 36.084),
    (120.42, 36.090),
    (120.47, 36.092),
]
_CUT_NORTH = [
    (120.25, 36.148),
    (120.35, 36.148),
    (120.38, 36.140),
    (120.41, 36.132),
    (120.44, 36.128),
    (120.55, 36.125),
]

# (division code, district name, how its streets split it, the four real streets in that layout's order).
# "strips" = west→east bands (市南区 is a coastal strip); "quads" = SW, SE, NW, NE.
_DISTRICTS = (
    ("370202", "市南区", "strips", ("八大峡街道", "中山路街道", "八大关街道", "香港中路街道")),
    ("370203", "市北区", "quads", ("台东街道", "宁夏路街道", "四方街道", "敦化路街道")),
    ("370213", "李沧区", "quads", ("兴华路街道", "李村街道", "楼山街道", "九水街道")),
)
_COMMUNITIES_PER_STREET = 4
_GRIDS_PER_STREET = (25, 35)  # the lattice is resized until the count lands in this range
_SLIVER_SHARE = 0.35  # clipped lattice pieces under this share of a full cell are merged into a neighbour
_ORDINALS = "一二三四五六七八九十"


@dataclass(frozen=True, slots=True)
class DemoUnit:
    """An org unit (OrgUnit): the city bureau, a district bureau or a street squad, with its area of duty."""

    code: str  # stable key; equals division_code (unique: 6 digits for city/district, 9 for a street)
    name: str
    short_name: str
    level: str  # "city" | "district" | "squad" (org.enums.OrgLevel)
    division_code: str  # GB/T 2260 (+ 3-digit street code for squads)
    parent_code: str | None
    sort_order: int
    phone: str
    address: str
    region: Polygon | MultiPolygon


@dataclass(frozen=True, slots=True)
class DemoGrid:
    """A unit grid (单元网格): 15-digit code = 12-digit community division code + squad-wide 3-digit sequence."""

    grid_code: str
    name: str  # e.g. 八大关街道第007网格 — the number is the code's last three digits
    sequence: int
    squad_code: str
    district_code: str
    community_code: str
    community_name: str
    polygon: Polygon
    area_m2: float
    centroid: tuple[float, float]  # (lng, lat); may fall outside a concave grid — use label_point to place things
    label_point: tuple[float, float]  # a point guaranteed inside the polygon


@dataclass(frozen=True, slots=True)
class DemoCity:
    """Everything the demo seeds: org tree, grids, people and devices (plain values, no database)."""

    seed: int
    city: DemoUnit
    districts: tuple[DemoUnit, ...]
    squads: tuple[DemoUnit, ...]
    grids: tuple[DemoGrid, ...]
    officers: tuple[DemoOfficer, ...]
    vehicles: tuple[DemoVehicle, ...]
    devices: tuple[DemoDevice, ...]

    @property
    def units(self) -> tuple[DemoUnit, ...]:
        """City, districts and squads, parents before children."""
        return (self.city, *self.districts, *self.squads)

    @property
    def cameras(self) -> tuple[DemoDevice, ...]:
        """Fixed video cameras (探头) only."""
        return tuple(d for d in self.devices if d.kind == "camera")

    def grid_shapes(self) -> list[GridShape]:
        """Grids as ``GridIndex`` input, keyed by grid_code with the squad's division code as squad_id."""
        return [GridShape(g.grid_code, g.grid_code, g.squad_code, g.polygon) for g in self.grids]


def _south_of(cut: list[tuple[float, float]]) -> Polygon:
    # The cut line closed far to the south: intersecting with it keeps what lies south of the border.
    return Polygon([*cut, (cut[-1][0], 35.0), (cut[0][0], 35.0)])


def _only_polygon(geom) -> Polygon:
    # Overlay results can carry zero-area lines or crumbs; the demo regions are single polygons by construction.
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon) and p.area > 0]
    return max(parts, key=lambda p: p.area)


def _district_regions() -> list[Polygon]:
    outline = Polygon(_OUTLINE)
    south, north = _south_of(_CUT_SOUTH), _south_of(_CUT_NORTH)
    return [
        _only_polygon(outline.intersection(south)),
        _only_polygon(outline.intersection(north).difference(south)),
        _only_polygon(outline.difference(north)),
    ]


def _cut_value(region: Polygon, axis: int, share: float) -> float:
    """The x (axis 0) or y (axis 1) line leaving ``share`` of the region's area on its low side (bisection)."""
    lo, hi = region.bounds[axis], region.bounds[axis + 2]
    target = region.area * share
    for _ in range(60):
        mid = (lo + hi) / 2
        low_side = box(lo - 1, -90, mid, 90) if axis == 0 else box(-180, lo - 1, 180, mid)
        if region.intersection(low_side).area < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _slab(region: Polygon, axis: int, a: float, b: float) -> Polygon | MultiPolygon:
    # Clipping both neighbours with the same line keeps their shared border bit-identical.
    return region.intersection(box(a, -90, b, 90) if axis == 0 else box(-180, a, 180, b))


def _split(region: Polygon, layout: str) -> list[Polygon | MultiPolygon]:
    """Four street regions of roughly equal area partitioning the district (strips W→E, or quads SW, SE, NW, NE)."""
    if layout == "strips":
        cuts = [_cut_value(region, 0, k / 4) for k in (1, 2, 3)]
        edges = [region.bounds[0] - 1, *cuts, region.bounds[2] + 1]
        return [_slab(region, 0, edges[i], edges[i + 1]) for i in range(4)]
    xc = _cut_value(region, 0, 0.5)
    west, east = _slab(region, 0, -180, xc), _slab(region, 0, xc, 180)
    yw, ye = _cut_value(west, 1, 0.5), _cut_value(east, 1, 0.5)
    return [_slab(west, 1, -90, yw), _slab(east, 1, -90, ye), _slab(west, 1, yw, 90), _slab(east, 1, ye, 90)]


def _lattice(region: Polygon | MultiPolygon, side: float) -> list[Polygon]:
    """Clip a square-on-the-ground lattice of ``side`` degrees latitude to the region; merge slivers into neighbours."""
    minx, miny, maxx, maxy = region.bounds
    height, width = side, side / math.cos(math.radians((miny + maxy) / 2))
    cols, rows = math.ceil((maxx - minx) / width), math.ceil((maxy - miny) / height)
    cells = [
        box(minx + i * width, miny + j * height, minx + (i + 1) * width, miny + (j + 1) * height)
        for j in range(rows)
        for i in range(cols)
    ]
    pieces = [
        p
        for c in shapely.intersection(cells, region)
        for p in shapely.get_parts(c)
        if isinstance(p, Polygon) and p.area > 0
    ]
    threshold = _SLIVER_SHARE * width * height
    big = [p for p in pieces if p.area >= threshold]
    small = sorted((p for p in pieces if p.area < threshold), key=lambda p: -p.area)
    for sliver in small:
        # Merge into the neighbour sharing the longest border, so the grids still cover the street without gaps.
        ranked = sorted(range(len(big)), key=lambda k: -sliver.intersection(big[k]).length)
        for k in ranked[:3]:
            if sliver.intersection(big[k]).length <= 0:
                break
            merged = shapely.union(big[k], sliver)
            if isinstance(merged, Polygon):
                big[k] = merged
                break
        else:
            big.append(sliver)  # nothing to merge with: keep it as a (small) grid rather than leave a gap
    return big


def _street_grids(region: Polygon | MultiPolygon) -> list[Polygon]:
    """Grids for one street: resize the lattice until the count is within _GRIDS_PER_STREET."""
    lo, hi = _GRIDS_PER_STREET
    target = (lo + hi) / 2
    lat0 = (region.bounds[1] + region.bounds[3]) / 2
    side = math.sqrt(region.area * math.cos(math.radians(lat0)) / target)
    best: list[Polygon] = []
    for _ in range(25):
        grids = _lattice(region, side)
        if not best or abs(len(grids) - target) < abs(len(best) - target):
            best = grids
        if lo <= len(grids) <= hi:
            break
        side *= math.sqrt(len(grids) / target) * (0.97 if len(grids) < lo else 1.03)
    return best


def _grid_records(region, street: str, street_code: str, district_code: str) -> list[DemoGrid]:
    polys = _street_grids(region)
    # Number north→south in rows, west→east within a row, so neighbouring numbers are neighbouring grids.
    top = region.bounds[3]
    row_h = math.sqrt(region.area / max(len(polys), 1))
    keyed = [(math.floor((top - p.representative_point().y) / row_h), p.representative_point().x, p) for p in polys]
    keyed.sort(key=lambda t: (t[0], t[1]))
    out = []
    per_community = math.ceil(len(keyed) / _COMMUNITIES_PER_STREET)
    for seq, (_row, _x, poly) in enumerate(keyed, start=1):
        community = (seq - 1) // per_community + 1
        community_code = f"{street_code}{community:03d}"
        label = poly.representative_point()
        out.append(
            DemoGrid(
                grid_code=f"{community_code}{seq:03d}",
                name=f"{street}第{seq:03d}网格",
                sequence=seq,
                squad_code=street_code,
                district_code=district_code,
                community_code=community_code,
                community_name=f"{street.removesuffix('街道')}第{_ORDINALS[community - 1]}社区",
                polygon=poly,
                area_m2=round(polygon_area_m2(poly), 1),
                centroid=(poly.centroid.x, poly.centroid.y),
                label_point=(label.x, label.y),
            )
        )
    return out


def _fake_phone(n: int) -> str:
    # A local number starting with 0 cannot exist, so these never reach a real Qingdao (0532) line.
    return f"0532-0{n:07d}"


@cache
def _geography() -> tuple[DemoUnit, tuple[DemoUnit, ...], tuple[DemoUnit, ...], tuple[DemoGrid, ...]]:
    regions = _district_regions()
    districts, squads, grids = [], [], []
    for d_order, ((d_code, d_name, layout, streets), region) in enumerate(zip(_DISTRICTS, regions, strict=True)):
        districts.append(
            DemoUnit(
                code=d_code,
                name=f"{d_name}综合行政执法局",
                short_name=f"{d_name}局",
                level="district",
                division_code=d_code,
                parent_code=CITY_CODE,
                sort_order=d_order + 1,
                phone=_fake_phone(int(d_code[-2:]) * 1000),
                address=f"{CITY_NAME}{d_name}（演示地址）",
                region=region,
            )
        )
        for s_order, (street, s_region) in enumerate(zip(streets, _split(region, layout), strict=True)):
            s_code = f"{d_code}{s_order + 1:03d}"
            short = street.removesuffix("街道")
            squads.append(
                DemoUnit(
                    code=s_code,
                    name=f"{street}执法中队",
                    short_name=f"{short}中队",
                    level="squad",
                    division_code=s_code,
                    parent_code=d_code,
                    sort_order=s_order + 1,
                    phone=_fake_phone(int(d_code[-2:]) * 1000 + s_order + 1),
                    address=f"{CITY_NAME}{d_name}{street}（演示地址）",
                    region=s_region,
                )
            )
            grids.extend(_grid_records(s_region, street, s_code, d_code))
    city = DemoUnit(
        code=CITY_CODE,
        name=f"{CITY_NAME}城市管理综合行政执法局",
        short_name="市局",
        level="city",
        division_code=CITY_CODE,
        parent_code=None,
        sort_order=1,
        phone=_fake_phone(1),
        address=f"{CITY_NAME}市南区（演示地址）",
        region=shapely.union_all(regions),
    )
    return city, tuple(districts), tuple(squads), tuple(grids)


def build_geography() -> tuple[DemoUnit, tuple[DemoUnit, ...], tuple[DemoUnit, ...], tuple[DemoGrid, ...]]:
    """(city bureau, 3 district bureaus, 12 street squads, unit grids) — fixed, independent of any seed."""
    return _geography()


def build_demo_city(seed: int = 2026) -> DemoCity:
    """The whole demo city; same seed → identical output (all randomness comes from ``random.Random(seed)``)."""
    city, districts, squads, grids = _geography()
    rng = random.Random(seed)
    officers = people.officers(rng, squads, districts, city)
    vehicles = people.vehicles(rng, [*districts, *squads])
    devices = people.cameras(rng, grids)
    return DemoCity(
        seed=seed,
        city=city,
        districts=districts,
        squads=squads,
        grids=grids,
        officers=tuple(officers),
        vehicles=tuple(vehicles),
        devices=tuple(devices),
    )
