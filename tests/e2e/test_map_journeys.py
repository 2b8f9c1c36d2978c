"""一张图 through the real UI: the command map shows the offline base with its street names (no tile server is
reachable here), the place search flies to a street, and 轨迹回放 draws a patrol's route with its stops."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser_support import DESKTOP
from browser_support import api as _api
from browser_support import field as _field
from browser_support import login as _login

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
