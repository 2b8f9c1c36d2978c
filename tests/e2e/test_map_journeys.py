"""一张图 through the real UI: the command map shows the offline base with its street names (no tile server is
reachable here), the place search flies to a street, and 轨迹回放 draws a patrol's route with its stops."""

from __future__ import annotations

import math
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser_support import DESKTOP
from browser_support import api as _api
from browser_support import field as _field
from browser_support import login as _login
from chengguan.core.geo import wgs84_to_gcj02
from support import demo_server

GCJ_TILES = "http://127.0.0.1:9/gcj/{z}/{x}/{y}.png"
SHOTS = Path(os.environ.get("CHENGGUAN_E2E_SHOTS", "/tmp"))


def _tracked_subject(command) -> dict:  # type: ignore[no-untyped-def]
    """An officer or vehicle of the command centre's scope with demo history in the last hours."""
    now = datetime.now(UTC)
    for p in command.get("/dispatch/map").json()["positions"]:
        window = {"kind": p["kind"], "id": p["id"], "from": (now - timedelta(hours=11)).isoformat(),
                  "to": now.isoformat()}  # fmt: skip
        track = command.get("/map/tracks", params=window).json()
        if len(track["points"]) > 30 and track["stops"]:
            return p | {"label": track["name"]}
    raise AssertionError("no officer or vehicle of the demo has a track")


@pytest.mark.e2e
def test_the_command_map_orients_a_user_with_no_tile_server(browser, live_server):
    command = _api(live_server, "command")
    subject = _tracked_subject(command)
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(page, live_server, "command")
    page.wait_for_url("**/console/**", timeout=15_000)
    page.goto(f"{live_server}/console/dispatch/map")

    # The offline base: district and street names over their boundaries, and the switcher offers it by default.
    streets = page.get_by_test_id("map-label-street")
    expect(streets.filter(has_text="八大关街道")).to_be_visible(timeout=20_000)
    expect(streets.filter(has_text="台东街道")).to_be_visible()
    expect(streets.filter(has_text="李村街道")).to_have_count(0)  # 李沧区 is outside the command centre's scope
    expect(page.get_by_test_id("base-layer-select")).to_contain_text("离线底图")
    page.screenshot(path=str(SHOTS / "map-offline-city.png"))

    # Search flies to the street: zoomed in, its name and its grids' names still orient the user.
    _field(page, "map-search").fill("八大关")
    page.get_by_test_id("map-search-hit").filter(has_text="八大关街道").first.click()
    expect(page.locator(".cg-search-tip")).to_contain_text("八大关街道")
    page.wait_for_timeout(1200)  # the fly-to animation
    page.screenshot(path=str(SHOTS / "map-offline-street.png"))
    expect(page.get_by_test_id("map-label-community").first).to_be_visible()
    expect(streets.filter(has_text="八大关街道")).to_be_visible()
    for _ in range(2):  # closer still, where the old map showed blank squares: the grids are named
        page.locator(".leaflet-control-zoom-in").click()
        page.wait_for_timeout(500)
    expect(page.get_by_test_id("map-label-grid").first).to_be_visible()
    expect(page.get_by_test_id("map-label-grid").filter(has_text="八大关街道第").first).to_be_visible()
    expect(page.get_by_test_id("map-where")).to_contain_text("市南区 · 八大关街道 · 八大关街道第")  # the centre's areas
    page.screenshot(path=str(SHOTS / "map-offline-zoomed.png"))

    # 轨迹回放: pick the subject, the route and its stops are drawn; playing moves the marker along it.
    page.get_by_test_id("track-toggle").click()
    page.get_by_test_id("track-subject").click()
    page.locator(".el-select-dropdown__item:visible", has_text=subject["label"]).first.click()
    page.get_by_test_id("track-load").click()
    expect(page.locator("path.cg-track-route")).to_have_count(1)
    expect(page.get_by_test_id("track-stop").first).to_be_visible()
    expect(page.get_by_test_id("track-summary")).to_contain_text("个定位点")
    start = page.get_by_test_id("track-clock").inner_text()
    page.get_by_test_id("track-play").click()
    page.wait_for_timeout(1500)
    assert page.get_by_test_id("track-clock").inner_text() > start  # 300× real time: minutes of the track played
    page.screenshot(path=str(SHOTS / "map-track.png"))

    # The other layers: shops from the platform's register, and the sources' heat map.
    page.get_by_test_id("track-toggle").click()
    page.get_by_test_id("layer-shops").click()
    page.get_by_test_id("layer-heat").click()
    expect(page.locator("path.cg-place-shop").first).to_be_attached()
    expect(page.get_by_test_id("map-heat")).to_be_attached()
    page.locator(".leaflet-control-zoom-out").click()
    page.wait_for_timeout(600)
    page.screenshot(path=str(SHOTS / "map-layers.png"))
    assert not errors, errors
    context.close()


def _global_px(lng: float, lat: float, zoom: int) -> tuple[float, float]:
    """Web Mercator pixel of a point at an integer zoom (256-pixel tiles)."""
    size = 256 * 2**zoom
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return size * (lng + 180) / 360, size * (1 - y / math.pi) / 2


@pytest.fixture(scope="module")
def gcj_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    # A GCJ-02 provider that cannot be reached (nothing listens on port 9): the tiles fail, their places do not.
    with demo_server(tmp_path_factory.mktemp("e2e-gcj"), CHENGGUAN_GCJ02_TILE_URL=GCJ_TILES) as base:
        yield base


@pytest.mark.e2e
def test_on_a_gcj02_base_map_the_overlays_are_shifted_onto_its_tiles_and_back(browser, gcj_server):
    command = _api(gcj_server, "command")
    squad = _api(gcj_server, "bdg_officer").get("/auth/me").json()["unit"]["id"]
    officer = next(p for p in command.get("/dispatch/map").json()["positions"]
                   if p["kind"] == "officer" and p["unit_id"] == squad)  # fmt: skip
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    _login(page, gcj_server, "command")
    page.wait_for_url("**/console/**", timeout=15_000)
    page.goto(f"{gcj_server}/console/dispatch/map")
    marker = page.get_by_test_id(f"map-officer-{officer['id']}")
    expect(marker).to_be_visible(timeout=20_000)
    _field(page, "map-search").fill("八大关")
    page.get_by_test_id("map-search-hit").filter(has_text="八大关街道").first.click()
    page.wait_for_timeout(1200)
    box = marker.bounding_box()  # wheel in over the officer, where a few hundred metres are many pixels
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -120)  # two zoom levels (Leaflet: 60 px a level)
    page.wait_for_timeout(900)
    expect(marker).to_be_visible()
    before = marker.bounding_box()

    page.get_by_test_id("base-layer-select").click()
    page.locator(".el-select-dropdown__item:visible", has_text="高德地图").click()
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / "map-gcj.png"))
    tile = page.locator("img.leaflet-tile[src*='/gcj/']").first
    expect(tile).to_be_attached()
    z, x, y = (int(v) for v in re.search(r"/gcj/(\d+)/(\d+)/(\d+)", tile.get_attribute("src")).groups())
    box, at = tile.bounding_box(), marker.bounding_box()
    scale = box["width"] / 256  # fractional zooms scale the tiles
    on_screen = ((at["x"] + at["width"] / 2 - box["x"]) / scale, (at["y"] + at["height"] / 2 - box["y"]) / scale)
    gx, gy = _global_px(*wgs84_to_gcj02(officer["lng"], officer["lat"]), z)
    wx, _ = _global_px(officer["lng"], officer["lat"], z)
    assert on_screen == pytest.approx((gx - 256 * x, gy - 256 * y), abs=2.0)  # drawn where the GCJ-02 tiles show it
    assert abs(on_screen[0] - (wx - 256 * x)) > 20  # not where its WGS-84 coordinates would fall on those tiles

    page.get_by_test_id("base-layer-select").click()
    page.locator(".el-select-dropdown__item:visible", has_text="离线底图").click()
    page.wait_for_timeout(800)
    after = marker.bounding_box()  # the view came back through GCJ→WGS: the same place on screen
    assert (after["x"], after["y"]) == pytest.approx((before["x"], before["y"]), abs=1.0)
    context.close()


@pytest.mark.e2e
def test_the_grid_register_and_the_device_map_draw_the_offline_base_too(browser, live_server):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(page, live_server, "admin")
    page.wait_for_url("**/console/**", timeout=15_000)
    page.goto(f"{live_server}/console/grids")
    expect(page.get_by_test_id("map-label-street").first).to_be_visible(timeout=20_000)
    page.screenshot(path=str(SHOTS / "map-grid-register.png"))
    page.goto(f"{live_server}/console/iot/devices")
    page.get_by_role("tab", name="地图", exact=True).click()
    expect(page.get_by_test_id("iot-map").get_by_test_id("map-label-street").first).to_be_visible(timeout=20_000)
    page.screenshot(path=str(SHOTS / "map-iot-devices.png"))
    assert not errors, errors
    context.close()
