"""Organisation registry over HTTP: tree rules, closure on move, delete guards, officers, grids and locate."""

from __future__ import annotations

import uuid

import pytest

from chengguan.core.geo import wgs84_to_bd09, wgs84_to_gcj02
from chengguan.demo.accounts import demo_id


def _code() -> str:
    return f"{uuid.uuid4().int % 900 + 100:03d}"


@pytest.fixture
def district(client, admin):
    """A new district bureau under the city bureau, with one squad."""
    city = demo_id("unit", "370200")
    code = f"3702{uuid.uuid4().int % 80 + 20:02d}"
    d = client.post(
        "/api/v1/org-units",
        headers=admin,
        json={"name": f"测试区局{code}", "level": "district", "division_code": code, "parent_id": str(city)},
    )
    assert d.status_code == 201, d.text
    s = client.post(
        "/api/v1/org-units",
        headers=admin,
        json={
            "name": f"测试中队{code}",
            "level": "squad",
            "division_code": code + _code(),
            "parent_id": d.json()["id"],
        },
    )
    assert s.status_code == 201, s.text
    return d.json(), s.json()


@pytest.mark.parametrize(
    ("level", "parent", "code", "field"),
    [
        ("city", "370202", "370200", "parent_id"),  # a city bureau has no parent
        ("district", None, "370299", "parent_id"),  # a district needs one
        ("squad", "370200", "370202999", "parent_id"),  # a squad hangs under a district
        ("squad", "370202", "370203999", "division_code"),  # street code must start with its district's
        ("squad", "370202", "370202", "division_code"),  # squads carry a 9-digit street code
    ],
)
def test_tree_rules(client, admin, level, parent, code, field):
    body = {
        "name": "规则测试",
        "level": level,
        "division_code": code,
        "parent_id": str(demo_id("unit", parent)) if parent else None,
    }
    response = client.post("/api/v1/org-units", headers=admin, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field


def test_moving_a_squad_moves_its_scope(client, admin, login, district):
    _, squad = district
    leader = login("shinan_leader")
    assert client.get(f"/api/v1/org-units/{squad['id']}", headers=leader).status_code == 404
    moved = client.patch(
        f"/api/v1/org-units/{squad['id']}",
        headers=admin,
        json={"parent_id": str(demo_id("unit", "370202")), "division_code": "370202" + _code()},
    )
    assert moved.status_code == 200, moved.text
    # The closure table followed: 市南区's leader now sees the squad, and the tree nests it under 市南区.
    assert client.get(f"/api/v1/org-units/{squad['id']}", headers=leader).status_code == 200
    tree = client.get("/api/v1/org-units/tree", headers=leader).json()
    assert squad["id"] in {c["id"] for c in tree[0]["children"]}


def test_cannot_move_under_own_descendant(client, admin, district):
    parent, squad = district
    response = client.patch(f"/api/v1/org-units/{parent['id']}", headers=admin, json={"parent_id": squad["id"]})
    assert response.status_code == 422


def test_delete_guards(client, admin, district):
    parent, squad = district
    blocked = client.delete(f"/api/v1/org-units/{parent['id']}", headers=admin)
    assert blocked.status_code == 409 and blocked.json()["code"] == "org_unit.has_children"
    officer = client.post(
        "/api/v1/officers",
        headers=admin,
        json={"name": "王测试", "gender": "female", "rank": "四级主办", "kind": "auxiliary", "unit_id": squad["id"]},
    )
    assert officer.status_code == 201
    in_use = client.delete(f"/api/v1/org-units/{squad['id']}", headers=admin)
    assert in_use.status_code == 409 and in_use.json()["code"] == "org_unit.in_use"
    assert client.delete(f"/api/v1/officers/{officer.json()['id']}", headers=admin).status_code == 204
    assert client.delete(f"/api/v1/org-units/{squad['id']}", headers=admin).status_code == 204
    assert client.delete(f"/api/v1/org-units/{parent['id']}", headers=admin).status_code == 204


def test_certified_officer_needs_unique_certificate(client, admin, district):
    _, squad = district
    base = {"name": "李测试", "gender": "male", "rank": "三级主办", "kind": "certified", "unit_id": squad["id"]}
    missing = client.post("/api/v1/officers", headers=admin, json=base)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "certificate_no"
    number = f"3702{uuid.uuid4().int % 10**10:010d}"
    assert client.post("/api/v1/officers", headers=admin, json=base | {"certificate_no": number}).status_code == 201
    duplicate = client.post("/api/v1/officers", headers=admin, json=base | {"certificate_no": number})
    assert duplicate.status_code == 409 and duplicate.json()["errors"][0]["field"] == "certificate_no"


def test_squad_leader_cannot_write_outside_scope(client, login):
    headers = login("bdg_leader")
    other_squad = str(demo_id("unit", "370213002"))
    response = client.post(
        "/api/v1/officers",
        headers=headers,
        json={"name": "越权", "gender": "male", "rank": "队员", "kind": "auxiliary", "unit_id": other_squad},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "unit_id"


SQUARE = [(120.90, 36.90), (120.91, 36.90), (120.91, 36.91), (120.90, 36.91), (120.90, 36.90)]


def _grid_body(squad_id: str, ring, crs="wgs84") -> dict:
    code = f"37029{uuid.uuid4().int % 10**10:010d}"
    return {
        "grid_code": code,
        "name": f"测试网格{code[-3:]}",
        "squad_id": squad_id,
        "crs": crs,
        "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in ring]]},
    }


def test_grid_from_gcj02_is_stored_in_wgs84_and_located(client, admin, district):
    _, squad = district
    gcj_ring = [wgs84_to_gcj02(lng, lat) for lng, lat in SQUARE]
    created = client.post("/api/v1/grids", headers=admin, json=_grid_body(squad["id"], gcj_ring, "gcj02"))
    assert created.status_code == 201, created.text
    detail = client.get(f"/api/v1/grids/{created.json()['id']}", headers=admin).json()
    for (lng, lat), (want_lng, want_lat) in zip(detail["geometry"]["coordinates"][0], SQUARE, strict=True):
        assert abs(lng - want_lng) < 1e-6 and abs(lat - want_lat) < 1e-6
    assert 980_000 < detail["area_m2"] < 995_000  # 1111.9 m × 889 m (0.01° of longitude at 36.9° N)
    for crs, convert in [
        ("wgs84", lambda p: p),
        ("gcj02", lambda p: wgs84_to_gcj02(*p)),
        ("bd09", lambda p: wgs84_to_bd09(*p)),
    ]:
        lng, lat = convert((120.905, 36.905))
        hit = client.get(f"/api/v1/grids/locate?lng={lng}&lat={lat}&crs={crs}", headers=admin).json()
        assert hit["grid_id"] == created.json()["id"] and hit["squad"]["id"] == squad["id"], crs
        assert abs(hit["lng"] - 120.905) < 1e-6 and hit["crs_in"] == crs


def test_grid_validation(client, admin, district):
    parent, squad = district
    bowtie = [(120.90, 36.90), (120.91, 36.91), (120.91, 36.90), (120.90, 36.91), (120.90, 36.90)]
    invalid = client.post("/api/v1/grids", headers=admin, json=_grid_body(squad["id"], bowtie))
    assert invalid.status_code == 422 and invalid.json()["errors"][0]["field"] == "geometry"
    open_ring = client.post("/api/v1/grids", headers=admin, json=_grid_body(squad["id"], SQUARE[:-1]))
    assert open_ring.status_code == 422
    abroad = client.post(
        "/api/v1/grids",
        headers=admin,
        json=_grid_body(squad["id"], [(2.3 + x - 120.9, y - 36.9 + 48.8) for x, y in SQUARE]),
    )
    assert abroad.status_code == 422
    not_squad = client.post("/api/v1/grids", headers=admin, json=_grid_body(parent["id"], SQUARE))
    assert not_squad.status_code == 422 and not_squad.json()["errors"][0]["field"] == "squad_id"
    body = _grid_body(squad["id"], [(x + 0.05, y) for x, y in SQUARE])
    assert client.post("/api/v1/grids", headers=admin, json=body).status_code == 201
    duplicate = client.post("/api/v1/grids", headers=admin, json=body)
    assert duplicate.status_code == 409 and duplicate.json()["errors"][0]["field"] == "grid_code"


def test_locate_demo_grid_returns_squad_and_district(client, login):
    headers = login("bdg_officer")  # any staff may locate, whatever their scope
    grid = client.get("/api/v1/grids?q=370213", headers=login("admin")).json()["items"][0]
    lng, lat = grid["centroid"]
    hit = client.get(f"/api/v1/grids/locate?lng={lng}&lat={lat}", headers=headers)
    assert hit.status_code == 200, hit.text
    body = hit.json()
    assert body["grid_code"].startswith("370213") and body["district"]["name"].startswith("李沧区")
    outside = client.get("/api/v1/grids/locate?lng=121.5&lat=31.2", headers=headers)
    assert outside.status_code == 404 and outside.json()["code"] == "grid.not_found"


def test_geojson_feature_collection(client, admin):
    squad = str(demo_id("unit", "370202003"))
    fc = client.get(f"/api/v1/grids/geojson?squad_id={squad}", headers=admin).json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) >= 20
    assert all(f["geometry"]["type"] == "Polygon" for f in fc["features"])


def test_unit_filter_includes_units_below(client, admin):
    district = str(demo_id("unit", "370202"))
    officers = client.get(f"/api/v1/officers?unit_id={district}&page_size=200", headers=admin).json()
    units = {o["unit_name"] for o in officers["items"]}
    assert any("街道" in u for u in units) and any("区" in u and "街道" not in u for u in units)
    squad = str(demo_id("unit", "370202003"))
    only_squad = client.get(f"/api/v1/officers?unit_id={squad}&page_size=200", headers=admin).json()["items"]
    assert {o["unit_id"] for o in only_squad} == {squad}
    assert client.get("/api/v1/vehicles?kind=patrol_car&page_size=200", headers=admin).json()["total"] > 0
