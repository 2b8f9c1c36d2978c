"""Signal intake through the API: dedup/merge, replays, per-item problems, routing to squads, snooze rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient

from chengguan.core import clock
from chengguan.core.geo import wgs84_to_bd09, wgs84_to_gcj02
from chengguan.core.principals import cli_actor
from chengguan.intake.ingest import ingest
from support import signal

BATCH = "/api/v1/signals:batch"
M_PER_DEG_LAT = 111_320.0


def _post(client: TestClient, headers: dict[str, str], *items: dict) -> list[dict]:
    response = client.post(BATCH, json={"signals": list(items)}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["results"]


def test_same_spot_and_category_inside_window_merges(client, login, spot) -> None:
    h = login("command")
    lng, lat = spot()
    first, near, later = _post(
        client,
        h,
        signal(lng, lat),
        signal(lng, lat + 30 / M_PER_DEG_LAT),  # 30 m north
        signal(lng, lat, at=clock.now() - timedelta(minutes=1) + timedelta(seconds=5)),
    )
    assert first["merged"] is False and first["case_source_id"]
    assert near["merged"] and later["merged"]
    assert near["case_source_id"] == later["case_source_id"] == first["case_source_id"]
    # a later batch joins the same open source, and the count shows
    [again] = _post(client, h, signal(lng, lat))
    assert again["merged"] and again["case_source_id"] == first["case_source_id"]
    detail = client.get(f"/api/v1/case-sources/{first['case_source_id']}", headers=h).json()
    assert detail["signal_count"] == 4 and len(detail["signals"]) == 4


def test_outside_radius_window_or_category_does_not_merge(client, login, spot) -> None:
    h = login("command")
    lng, lat = spot()
    base = clock.now() - timedelta(hours=3)
    first, far, other_category, too_late = _post(
        client,
        h,
        signal(lng, lat, at=base),
        signal(lng, lat + 80 / M_PER_DEG_LAT, at=base),  # 80 m > 50 m radius
        signal(lng, lat, at=base, category="06036"),
        signal(lng, lat, at=base + timedelta(minutes=61)),  # outside the 60-minute window
    )
    ids = {r["case_source_id"] for r in (first, far, other_category, too_late)}
    assert len(ids) == 4 and not any(r["merged"] for r in (first, far, other_category, too_late))


def test_closed_sources_take_no_more_signals(client, login, spot) -> None:
    h = login("command")
    lng, lat = spot()
    [first] = _post(client, h, signal(lng, lat))
    sid = first["case_source_id"]
    voided = client.post(f"/api/v1/case-sources/{sid}/actions/void", json={"reason": "误报"}, headers=h)
    assert voided.status_code == 200, voided.text
    [again] = _post(client, h, signal(lng, lat))
    assert not again["merged"] and again["case_source_id"] != sid


def test_replays_are_idempotent(client, login, spot) -> None:
    h = login("command")
    lng, lat = spot()
    item = signal(lng, lat)
    [first] = _post(client, h, item)
    [replay] = _post(client, h, item)
    assert replay["duplicate_replay"] is True
    assert (replay["signal_id"], replay["case_source_id"]) == (first["signal_id"], first["case_source_id"])
    within_batch = signal(lng + 0.01, lat)
    one, two = _post(client, h, within_batch, within_batch)
    assert not one["duplicate_replay"] and two["duplicate_replay"] and one["signal_id"] == two["signal_id"]
    detail = client.get(f"/api/v1/case-sources/{first['case_source_id']}", headers=h).json()
    assert detail["signal_count"] == 1


def test_invalid_items_are_reported_and_valid_ones_kept(client, login, spot) -> None:
    h = login("command")
    lng, lat = spot()
    results = _post(
        client,
        h,
        signal(lng, lat),
        {"idempotency_key": "x-missing-fields"},
        signal(lng, lat, category="99999"),
        signal(2.35, 48.85),  # Paris
        signal(lng, lat, at=clock.now() + timedelta(days=1)),
        "not an object",
        signal(lng, lat) | {"lng": "NaN"},
    )
    codes = [r["problem"]["code"] if r["problem"] else None for r in results]
    assert codes == [
        None,
        "signal.invalid",
        "signal.unknown_category",
        "signal.out_of_area",
        "signal.occurred_in_future",
        "signal.invalid",
        "signal.invalid",
    ]
    assert results[0]["signal_id"] and results[1]["idempotency_key"] == "x-missing-fields"
    # the rejected keys were not stored: sending them again (fixed) works
    fixed = signal(lng + 0.02, lat) | {"idempotency_key": "x-missing-fields"}
    [ok] = _post(client, h, fixed)
    assert ok["problem"] is None and not ok["duplicate_replay"]


def test_nul_anywhere_in_a_signal_is_refused(client, login, spot, db) -> None:
    """PostgreSQL text cannot hold U+0000: refused at every way in, nested reporter fields included."""
    h = login("command")
    lng, lat = spot()
    bad = signal(lng, lat) | {"reporter": {"name": "张\x00三", "phone": "13800000000"}}
    batch = client.post(BATCH, json={"signals": [signal(lng, lat), bad]}, headers=h)
    assert batch.status_code == 422 and batch.json()["code"] == "request.validation"
    single = client.post("/api/v1/signals", json=bad | {"channel": "patrol"}, headers=h)
    assert single.status_code == 422
    # in-process callers (imports, demo, Open311) get a per-item problem and keep the valid items
    with db.session() as s, s.begin():
        good, refused = ingest(s, [signal(lng + 0.03, lat), bad], cli_actor("test"))
    assert good.problem is None and refused.problem is not None and refused.problem.code == "signal.invalid"


def test_batch_limits_and_permissions(client, login, spot) -> None:
    lng, lat = spot()
    too_many = {"signals": [signal(lng, lat) for _ in range(1001)]}
    assert client.post(BATCH, json=too_many, headers=login("command")).status_code == 422
    forbidden = client.post(BATCH, json={"signals": [signal(lng, lat)]}, headers=login("bdg_officer"))
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"].startswith("application/problem+json")


def test_every_demo_grid_routes_to_its_squad(client, login, grid_points) -> None:
    h = login("admin")
    items = [signal(lng, lat, category="10000") for _, _, lng, lat in grid_points]
    results = _post(client, h, *items)
    by_id = {r["case_source_id"]: (code, squad) for r, (code, squad, _, _) in zip(results, grid_points, strict=True)}
    assert len(by_id) == len(grid_points)  # grids are far enough apart that none merged
    for source_id, (grid_code, squad_id) in by_id.items():
        detail = client.get(f"/api/v1/case-sources/{source_id}", headers=h).json()
        assert detail["grid_code"] == grid_code
        assert detail["squad"]["id"] == str(squad_id)
        assert detail["needs_routing"] is False and detail["district"] is not None


def test_point_outside_every_grid_is_accepted_and_flagged(client, login) -> None:
    h = login("admin")
    [result] = _post(client, h, signal(121.9, 37.5, category="10000"))  # open sea east of Qingdao, still China
    assert result["problem"] is None and result["needs_routing"] is True
    detail = client.get(f"/api/v1/case-sources/{result['case_source_id']}", headers=h).json()
    assert detail["needs_routing"] and detail["squad"] is None and detail["grid_code"] is None
    flagged = client.get("/api/v1/case-sources", params={"needs_routing": True}, headers=h).json()
    assert result["case_source_id"] in {s["id"] for s in flagged["items"]}
    no_squad = client.post(f"/api/v1/case-sources/{result['case_source_id']}/actions/route", json={}, headers=h)
    assert no_squad.status_code == 422 and no_squad.json()["code"] == "source.squad_required"


def test_gcj02_and_bd09_inputs_are_stored_as_wgs84(client, login, spot) -> None:
    h = login("command")
    lng, lat = spot()
    g = wgs84_to_gcj02(lng, lat)
    b = wgs84_to_bd09(lng, lat)
    [r1, r2] = _post(
        client,
        h,
        signal(g[0], g[1], crs="gcj02", category="06010"),
        signal(b[0], b[1], crs="bd09", category="06010"),
    )
    assert r2["merged"] and r2["case_source_id"] == r1["case_source_id"]
    detail = client.get(f"/api/v1/case-sources/{r1['case_source_id']}", headers=h).json()
    assert abs(detail["lng"] - lng) < 1e-5 and abs(detail["lat"] - lat) < 1e-5
    assert {s["crs"] for s in detail["signals"]} == {"gcj02", "bd09"}


def test_snooze_rule_keeps_signal_but_opens_no_source(client, login, spot) -> None:
    h = login("admin")  # the spot may lie in any district: a city-wide account may silence it
    lng, lat = spot()
    rule = client.post(
        "/api/v1/snooze-rules",
        json={
            "category_code": "06042",
            "lng": lng,
            "lat": lat,
            "radius_m": 100,
            "until": (clock.now() + timedelta(days=1)).isoformat(),
            "reason": "已纳入环卫清运计划",
        },
        headers=h,
    )
    assert rule.status_code == 201, rule.text
    [snoozed, other] = _post(client, h, signal(lng, lat, category="06042"), signal(lng, lat, category="06036"))
    assert snoozed["snoozed"] and snoozed["case_source_id"] is None and snoozed["signal_id"]
    assert not other["snoozed"] and other["case_source_id"]
    off = client.post(f"/api/v1/snooze-rules/{rule.json()['id']}/deactivate", headers=h)
    assert off.status_code == 200
    [after] = _post(client, h, signal(lng, lat, category="06042"))
    assert not after["snoozed"] and after["case_source_id"]


def test_officer_patrol_report_is_visible_to_the_reporter(client, login, spot) -> None:
    h = login("bdg_officer")
    lng, lat = spot()
    created = client.post("/api/v1/signals", json=signal(lng, lat, channel="patrol", category="06036"), headers=h)
    assert created.status_code == 201, created.text
    body = created.json()
    assert client.get(f"/api/v1/case-sources/{body['case_source_id']}", headers=h).status_code == 200
    machine_only = client.post("/api/v1/signals", json=signal(lng, lat, channel="ai_video"), headers=h)
    assert machine_only.status_code == 422 and machine_only.json()["code"] == "signal.channel_not_allowed"


def test_hotline_import_is_idempotent(client, login, spot: Callable) -> None:
    h = login("command")
    lng, lat = spot()
    g = wgs84_to_gcj02(lng, lat)
    rows = [
        "工单号,事项类别码,经度,纬度,坐标系,发生时间,地址,诉求内容,来电人,联系电话",
        f"GD2026112200017,09005,{g[0]},{g[1]},gcj02,2026-11-22 09:30:00,某路 12 号,店外经营占用人行道,王先生,"
        "13800000000",
        "GD2026112200018,09005,abc,36.1,gcj02,2026-11-22 09:30:00,,,,",
    ]
    content = "\n".join(rows).encode("utf-8")
    first = client.post("/api/v1/signals/import", files={"file": ("12345.csv", content, "text/csv")}, headers=h)
    assert first.status_code == 200, first.text
    ok, bad = first.json()["results"]
    assert ok["problem"] is None and bad["problem"]["code"] == "signal.invalid"
    again = client.post("/api/v1/signals/import", files={"file": ("12345.csv", content, "text/csv")}, headers=h)
    assert again.json()["results"][0]["duplicate_replay"] is True
    missing = client.post(
        "/api/v1/signals/import", files={"file": ("x.csv", "工单号,经度\n1,2".encode(), "text/csv")}, headers=h
    )
    assert missing.status_code == 422 and missing.json()["code"] == "hotline.columns"
