"""工作台 and 指挥大屏 through the real UI: a figure of the home page leads to its list, filtered so that the list's
total is the figure; the big screen at 1920×1080 draws its figures, charts, map and alarms with no console error, in
at most three API calls (the login check, the bundle, the stream), and the time it takes is printed."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from browser_support import DESKTOP, PASSWORDS, field
from browser_support import api as _api
from browser_support import login as _login

WALL = {"viewport": {"width": 1920, "height": 1080}, "locale": "zh-CN"}


def _pager_total(page) -> int:  # type: ignore[no-untyped-def]
    text = page.locator(".el-pagination__total").first.inner_text(timeout=20_000)
    return int(re.sub(r"\D", "", text))


@pytest.mark.e2e
def test_home_figure_leads_to_its_filtered_list(browser, live_server, tmp_path):
    leader = _api(live_server, "shinan_leader")
    figures = {f["key"]: f for f in leader.get("/analytics/today").json()["items"]}
    assert figures["cases_running"]["value"] > 0 and figures["sources_open"]["value"] > 0
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        _login(page, live_server, "shinan_leader")
        page.wait_for_url("**/console/dashboard", timeout=15_000)
        for key, path in (("cases_running", "/console/cases"), ("sources_open", "/console/sources"),
                          ("cases_due_week", "/console/cases")):  # fmt: skip
            card = page.get_by_test_id(f"home-figure-{key}")
            expect(card).to_have_attribute("data-value", str(figures[key]["value"]), timeout=20_000)
            card.click()
            page.wait_for_url(f"**{path}?**", timeout=15_000)
            expect(page.locator(".el-pagination__total").first).to_contain_text(
                f"{figures[key]['value']}", timeout=20_000
            )
            assert _pager_total(page) == figures[key]["value"], key
            page.go_back()
            page.wait_for_url("**/console/dashboard", timeout=15_000)
        # The due-this-week list shows the range it was linked with.
        page.get_by_test_id("home-figure-cases_due_week").click()
        expect(page.get_by_test_id("linked-due_from")).to_contain_text("办案期限")
        assert not errors, errors
    finally:
        page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
        context.close()


@pytest.mark.e2e
def test_big_screen_renders_on_a_wall(browser, live_server, tmp_path):
    context = browser.new_context(**WALL)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{live_server}/screen")  # not logged in: to the login page, and back after it
        page.wait_for_url("**/login?redirect=/screen", timeout=15_000)
        field(page, "login-username").fill("admin")
        field(page, "login-password").fill(PASSWORDS["admin"])
        page.get_by_test_id("login-submit").click()
        page.wait_for_url(re.compile(r"^[^?]*/screen$"), timeout=15_000)
        expect(page.get_by_test_id("screen-stream")).to_contain_text("实时", timeout=20_000)
        # Then a fresh load of the wall (a browser opened on /screen with a session), counted and timed.
        calls: list[str] = []
        page.on("request", lambda r: calls.append(r.url) if "/api/" in r.url else None)
        started = time.monotonic()
        page.goto(f"{live_server}/screen")
        expect(page.get_by_test_id("screen-figure-sources_open")).to_be_visible(timeout=20_000)
        for chart in ("screen-map", "screen-trend", "screen-areas", "screen-categories", "screen-channels"):
            expect(page.get_by_test_id(chart).locator("canvas").first).to_be_attached(timeout=20_000)
        expect(page.get_by_test_id("screen-alarm").first).to_be_visible()
        rendered_s = time.monotonic() - started
        in_page_ms = page.evaluate("performance.now()")
        expect(page.get_by_test_id("screen-stream")).to_contain_text("实时", timeout=20_000)
        expect(page.get_by_test_id("screen-clock")).to_contain_text("北京时间")
        stage = page.get_by_test_id("screen-stage").bounding_box()
        assert stage and abs(stage["width"] - 1920) < 2 and abs(stage["height"] - 1080) < 2
        paths = sorted(re.sub(r"^https?://[^/]+", "", u).split("?")[0] for u in calls)
        print(f"\nbig screen: rendered in {rendered_s:.2f} s (page clock {in_page_ms:.0f} ms); API calls {paths}")
        assert paths == ["/api/v1/analytics/screen", "/api/v1/analytics/screen/stream", "/api/v1/auth/me"], paths
        figures = page.get_by_test_id("screen-figures").inner_text()
        assert "未办结案源" in figures and "在岗执法人员" in figures
        # A smaller window: the same design, scaled down whole.
        page.set_viewport_size({"width": 1280, "height": 720})
        page.wait_for_timeout(300)
        small = page.get_by_test_id("screen-stage").bounding_box()
        assert small and abs(small["width"] - 1280) < 2
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.wait_for_timeout(300)
        assert not errors, errors
    finally:
        page.screenshot(path=str(tmp_path / "screen.png"))
        context.close()
