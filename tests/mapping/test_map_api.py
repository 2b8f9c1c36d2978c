"""The map over HTTP: the offline base (names, unions of the grids, data scope), place search, track playback with
its stops, the base-layer configuration, and problem+json on bad input."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

import pytest
import shapely
from shapely.geometry import shape
from sqlalchemy import select

from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.headers import security_headers
from chengguan.dispatching.models import Position, SubjectKind, TrackPoint
from chengguan.iot.models import IotDevice
from chengguan.mapping.rules import MAX_TRACK_DAYS, STOP_MIN_MINUTES
from chengguan.mapping.tiles import config, image_origins
from chengguan.merchants.models import Merchant
from chengguan.org.models import Grid, Officer, OrgUnit

M_PER_DEG_LAT = 111_320.0


def _areas(client, headers, kind: str) -> dict[str, dict]:
    response = client.get("/api/v1/map/base", headers=headers)
    assert response.status_code == 200, response.text
    return {f["properties"]["name"]: f for f in response.json()["areas"]["features"] if f["properties"]["kind"] == kind}


def _squad(db, name: str) -> OrgUnit:
    with db.session(write=False) as session:
        return session.scalars(select(OrgUnit).where(OrgUnit.name == name)).one()


def test_the_offline_base_names_the_districts_and_streets_of_the_callers_scope(client, login):
    command = login("command")  # custom scope: 市南区 and 市北区
    streets = _areas(client, command, "street")
    assert {"八大关街道", "中山路街道", "台东街道"} <= streets.keys()
    assert not {"李村街道", "楼山街道"} & streets.keys()
    assert set(_areas(client, command, "district")) == {"市南区", "市北区"}
    squad = _areas(client, login("bdg_leader"), "street")
    assert set(squad) == {"八大关街道"}
    for feature in streets.values():  # every name sits inside its own area
        lng, lat = feature["properties"]["label"]
        assert shape(feature["geometry"]).buffer(1e-6).contains(shapely.Point(lng, lat))


def test_a_street_is_the_union_of_its_grids_and_a_district_of_its_streets(client, login, db):
    command = login("command")
    squad = _squad(db, "八大关街道执法中队")
    with db.session(write=False) as session:
        grids = [shape(g.geometry) for g in session.scalars(select(Grid).where(Grid.squad_id == squad.id))]
    street = shape(_areas(client, command, "street")["八大关街道"]["geometry"])
    expected = shapely.unary_union(grids)
    assert len(grids) > 1
    assert street.symmetric_difference(expected).area < expected.area * 1e-4
    assert street.area == pytest.approx(sum(g.area for g in grids), rel=1e-3)  # grids partition the street
    district = shape(_areas(client, command, "district")["市南区"]["geometry"])
    streets = _areas(client, command, "street")
    shinan = [shape(streets[n]["geometry"]) for n in ("八大峡街道", "中山路街道", "八大关街道", "香港中路街道")]
    assert district.symmetric_difference(shapely.unary_union(shinan)).area < district.area * 1e-4
    grid_names = _areas(client, command, "grid")
    assert any(n.startswith("八大关街道第") for n in grid_names)
    assert _areas(client, command, "community")  # grouped by the 12-digit code inside the grid code


def test_the_offline_base_places_shops_sites_and_cameras_in_scope(client, login, db):
    places = client.get("/api/v1/map/base", headers=login("bdg_leader")).json()["places"]["features"]
    kinds = {p["properties"]["kind"] for p in places}
    assert {"shop", "camera"} <= kinds
    with db.session(write=False) as session:
        squad = _squad(db, "八大关街道执法中队")
        placed = select(Merchant.name).where(Merchant.unit_id == squad.id, Merchant.lng.is_not(None))
        ours = set(session.scalars(placed))
        others = set(session.scalars(select(Merchant.name).where(Merchant.unit_id != squad.id))) - ours
    shops = {p["properties"]["name"] for p in places if p["properties"]["kind"] == "shop"}
    assert shops and shops <= ours
    assert not shops & others


def test_the_offline_base_labels_the_offices_of_the_callers_units_inside_their_areas(client, login, db):
    """A squad leader's base shows the squad's office (inside the squad's area), a district leader's every office of
    the district's units and no other district's; a unit without a position is left out."""
    squad_base = client.get("/api/v1/map/base", headers=login("bdg_leader")).json()
    offices = [p for p in squad_base["places"]["features"] if p["properties"]["kind"] == "office"]
    assert [p["properties"]["name"] for p in offices] == ["八大关街道执法中队"]
    street = next(a for a in squad_base["areas"]["features"] if a["properties"]["kind"] == "street")
    assert shape(street["geometry"]).contains(shapely.Point(offices[0]["geometry"]["coordinates"]))
    district = client.get("/api/v1/map/base", headers=login("shinan_leader")).json()["places"]["features"]
    names = {p["properties"]["name"] for p in district if p["properties"]["kind"] == "office"}
    assert "市南区综合行政执法局" in names and "八大关街道执法中队" in names
    assert not any(name.startswith("市北区") or name.startswith("李沧区") for name in names)
    admin = login("admin")
    unit = client.get("/api/v1/org-units", params={"q": "八大关"}, headers=admin).json()["items"][0]
    half = client.patch(f"/api/v1/org-units/{unit['id']}", json={"lng": None}, headers=admin)
    assert half.status_code == 422 and half.json()["errors"][0]["field"] == "lng"


def test_search_finds_streets_grids_shops_and_sites_in_scope(client, login, db):
    command = login("command")
    hits = client.get("/api/v1/map/search", params={"q": "八大关"}, headers=command).json()
    assert hits[0]["kind"] == "street" and hits[0]["name"] == "八大关街道"
    w, s, e, n = hits[0]["bbox"]
    assert w < hits[0]["lng"] < e and s < hits[0]["lat"] < n
    assert "grid" in {h["kind"] for h in hits}
    assert client.get("/api/v1/map/search", params={"q": "李村"}, headers=command).json() == []
    with db.session(write=False) as session:
        squad = _squad(db, "八大关街道执法中队")
        shop = session.scalars(select(Merchant).where(Merchant.unit_id == squad.id, Merchant.lng.is_not(None))).first()
        site = session.scalars(select(IotDevice).where(IotDevice.site.is_not(None), IotDevice.lng.is_not(None))).first()
    found = client.get("/api/v1/map/search", params={"q": shop.name}, headers=command).json()
    assert any(h["kind"] == "shop" and h["id"] == str(shop.id) for h in found)
    found = client.get("/api/v1/map/search", params={"q": site.site}, headers=login("admin")).json()
    assert any(h["kind"] == "site" and h["name"] == site.site for h in found)
    limited = client.get("/api/v1/map/search", params={"q": "街道", "limit": 3}, headers=command).json()
    assert len(limited) == 3


@pytest.mark.parametrize(("params", "field"), [({"q": ""}, "q"), ({"q": "   "}, "q"), ({"q": "路" * 51}, "q"),
                                                ({"q": "路", "limit": 0}, "limit"), ({}, "q")])  # fmt: skip
def test_search_refuses_bad_input_with_problem_json(client, login, params, field):
    response = client.get("/api/v1/map/search", params=params, headers=login("command"))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.text


def _officer_of(db, squad_name: str) -> uuid.UUID:
    squad = _squad(db, squad_name)
    with db.session(write=False) as session:
        return session.scalars(select(Officer.id).where(Officer.unit_id == squad.id).order_by(Officer.name)).first()


def test_track_playback_orders_the_fixes_and_finds_the_stops(client, login, db):
    command = login("command")
    officer = _officer_of(db, "八大关街道执法中队")
    squad = _squad(db, "八大关街道执法中队")
    with db.session(write=False) as session:
        g = session.scalars(select(Grid).where(Grid.squad_id == squad.id)).first()
    lng, lat = g.centroid_lng, g.centroid_lat
    t0 = clock.now().replace(microsecond=0) - timedelta(days=3)  # before any demo history
    # 8 minutes at the shop, 3 minutes walking 300 m north, 7 minutes at the next one
    legs = [0.0] * 8 + [100.0, 200.0, 300.0] + [300.0] * 7
    fixes = [{"subject_id": str(officer), "lng": lng, "lat": lat + north / M_PER_DEG_LAT,
              "at": (t0 + timedelta(minutes=i)).isoformat()} for i, north in enumerate(legs)]  # fmt: skip
    shuffled = random.Random(22).sample(fixes, len(fixes))  # a gateway's batch need not be in order
    response = client.post("/api/v1/positions:batch", json={"positions": shuffled}, headers=command)
    assert response.json()["accepted"] == len(fixes)
    client.post("/api/v1/positions:batch", json={"positions": fixes[:3]}, headers=command)  # resent: kept once
    window = {"kind": "officer", "id": str(officer), "from": (t0 - timedelta(minutes=1)).isoformat(),
              "to": (t0 + timedelta(minutes=30)).isoformat()}  # fmt: skip
    response = client.get("/api/v1/map/tracks", params=window, headers=command)
    assert response.status_code == 200, response.text
    track = response.json()
    ats = [p["at"] for p in track["points"]]
    assert len(ats) == len(fixes) == track["fixes"] and ats == sorted(ats)
    assert [(s["first"], s["last"]) for s in track["stops"]] == [(0, 7), (10, 17)]
    assert all(s["minutes"] >= STOP_MIN_MINUTES for s in track["stops"])
    assert track["distance_m"] == pytest.approx(300, rel=0.02)
    # outside the caller's scope: as if it did not exist
    licun = _officer_of(db, "李村街道执法中队")
    response = client.get("/api/v1/map/tracks", params=window | {"id": str(licun)}, headers=command)
    assert response.status_code == 404
    response = client.get("/api/v1/map/tracks", params=window, headers=login("licun_officer"))
    assert response.status_code in (403, 404)


def test_the_demo_history_ends_at_the_live_position_and_never_after_now(client, login, db):
    admin = login("admin")
    with db.session(write=False) as session:
        tracked = select(TrackPoint.subject_id).where(TrackPoint.subject_kind == SubjectKind.vehicle).limit(1)
        live = session.scalars(select(Position).where(Position.subject_id.in_(tracked.scalar_subquery()))).one()
    now = clock.now()
    window = {"kind": "vehicle", "id": str(live.subject_id), "from": (now - timedelta(days=1)).isoformat(),
              "to": (now + timedelta(hours=1)).isoformat()}  # fmt: skip
    track = client.get("/api/v1/map/tracks", params=window, headers=admin).json()
    assert len(track["points"]) > 60
    last = track["points"][-1]
    assert datetime.fromisoformat(last["at"]) <= now
    assert (last["lng"], last["lat"]) == pytest.approx((live.lng, live.lat), abs=1e-9)
    assert track["stops"], "a patrol stops somewhere"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"from": "2026-12-07T10:00:00+08:00", "to": "2026-12-07T09:00:00+08:00"}, "from"),
        ({"from": "2026-11-01T00:00:00+08:00", "to": f"2026-11-{1 + MAX_TRACK_DAYS}T00:00:01+08:00"}, "to"),
        ({"kind": "bicycle"}, "kind"),
        ({"from": "2026-12-07T08:00:00"}, "from"),  # no time zone: not guessed
        ({"id": "not-a-uuid"}, "id"),
    ],
)
def test_track_playback_refuses_bad_windows_with_problem_json(client, login, change, field):
    params = {"kind": "officer", "id": str(uuid.uuid4()), "from": "2026-12-07T08:00:00+08:00",
              "to": "2026-12-07T09:00:00+08:00"} | change  # fmt: skip
    response = client.get("/api/v1/map/tracks", params=params, headers=login("command"))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.text


def test_base_layers_are_offline_unless_configured():
    assert [layer.key for layer in config(Settings()).layers] == ["offline"]
    layers = config(Settings(tianditu_key="k+1", gcj02_tile_url="https://webrd0{s}.is.autonavi.com/{z}/{x}/{y}",
                             intranet_tile_url="http://10.1.2.3/wmts", intranet_wmts_layer="qd:base"))  # fmt: skip
    by_key = {layer.key: layer for layer in layers.layers}
    assert layers.default == "offline"
    assert "tk=k%2B1" in by_key["tianditu"].url and "/vec_w/" in by_key["tianditu"].url
    assert "/cva_w/" in by_key["tianditu"].labels_url
    assert by_key["gcj02"].crs == "gcj02" and by_key["gcj02"].subdomains == "1234"
    assert by_key["intranet"].url.startswith("http://10.1.2.3/wmts?SERVICE=WMTS")
    assert "LAYER=qd%3Abase" in by_key["intranet"].url and "{z}" not in by_key["intranet"].url.split("TILEMATRIX=")[0]


def test_the_config_route_serves_the_offline_default(client, login):
    response = client.get("/api/v1/map/config", headers=login("command"))
    assert response.status_code == 200
    assert response.json()["default"] == "offline"
    assert response.json()["layers"][0]["kind"] == "offline"


def test_only_the_configured_tile_hosts_are_allowed_as_images():
    assert image_origins(Settings()) == ()
    hosts = image_origins(Settings(tianditu_key="k", gcj02_tile_url="https://webrd0{s}.is.autonavi.com/{z}/{x}/{y}",
                                   intranet_tile_url="http://10.1.2.3:8080/tiles/{z}/{x}/{y}.png"))  # fmt: skip
    assert hosts == ("https://*.tianditu.gov.cn", "https://*.is.autonavi.com", "http://10.1.2.3:8080")
    policy = security_headers("/console/dispatch/map", hosts)["Content-Security-Policy"]
    assert f"img-src 'self' data: blob: {' '.join(hosts)};" in policy
    assert "connect-src 'self';" in policy  # images only
