"""指挥调度 through the real UI: the command center dispatches the nearest officer from the one-map, the officer works
the task on the phone (接收 → 到场 → 处置反馈; 到场 judged by the phone's own GPS fix: too far, it asks for a reason,
near the source it goes through), and the console sees the source waiting for verification; the officer goes off duty
on the phone and the map shows it; the source list counts a stage clock down to 临期 and 超期."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from browser_support import DESKTOP, PHONE
from browser_support import api as _api
from browser_support import field as _field
from browser_support import login as _login


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _points_in_squad(command: httpx.Client, squad_id: str, count: int) -> list[tuple[float, float]]:
    """Grid centres that the server itself locates in the squad's grids."""
    grids = command.get("/grids", params={"squad_id": squad_id, "page_size": 50}).json()["items"]
    points = []
    for grid in grids:
        lng, lat = grid["centroid"]
        hit = command.get("/grids/locate", params={"lng": lng, "lat": lat})
        if hit.status_code == 200 and hit.json()["squad"]["id"] == squad_id:
            points.append((lng, lat))
            if len(points) == count:
                return points
    raise AssertionError(f"fewer than {count} grids of the squad contain their own centre")


@pytest.mark.e2e
def test_command_dispatches_nearest_officer_who_works_the_task_on_the_phone(browser, live_server, tmp_path):
    command = _api(live_server, "command")
    officer_api = _api(live_server, "bdg_officer")
    me = officer_api.get("/auth/me").json()
    officer_id, officer_name, squad_id = me["officer"]["id"], me["officer"]["name"], me["unit"]["id"]

    lng, lat = _points_in_squad(command, squad_id, 2)[0]  # the overdue journey uses the second grid
    batch = command.post(
        "/signals:batch",
        json={
            "signals": [
                {
                    "idempotency_key": f"e2e-{uuid.uuid4()}",
                    "channel": "ai_video",
                    "category_code": "09001",
                    "lng": lng,
                    "lat": lat,
                    "occurred_at": _now(),
                    "description": "端到端测试：路口有流动摊贩占道经营",
                    "address": "端到端测试路 1 号",
                }
            ]
        },
    )
    batch.raise_for_status()
    result = batch.json()["results"][0]
    assert result["problem"] is None, result
    assert not result["merged"], "a fresh source was expected (no open 无照经营游商 source at this grid centre)"
    code, source_id = result["case_source_code"], result["case_source_id"]
    # The officer stands about 20 m away, on duty, with a fresh fix.
    positions = command.post(
        "/positions:batch",
        json={
            "positions": [
                {
                    "subject_kind": "officer",
                    "subject_id": officer_id,
                    "lng": lng + 0.0002,
                    "lat": lat,
                    "at": _now(),
                    "status": "available",
                }
            ]
        },
    )
    positions.raise_for_status()
    assert positions.json()["accepted"] == 1, positions.json()

    desk = browser.new_context(**DESKTOP)
    console = desk.new_page()
    phone = None
    try:
        _login(console, live_server, "command")
        console.wait_for_url("**/console/**", timeout=15_000)
        console.get_by_test_id("menu-dispatch-map").click()
        console.wait_for_url("**/console/dispatch/map", timeout=15_000)
        expect(console.get_by_test_id("stream-status")).to_have_text(re.compile("实时"), timeout=15_000)

        # Narrow the map to this source, then click its marker on the map.
        _field(console, "map-filter-q").fill(code)
        marker = console.get_by_test_id(f"map-source-{code}")
        expect(marker).to_have_count(1, timeout=15_000)
        marker.click()
        expect(console.get_by_test_id("source-card-code")).to_have_text(code, timeout=15_000)

        nearest = console.get_by_test_id("nearest-officer").filter(has_text=officer_name)
        expect(nearest).to_have_count(1, timeout=15_000)
        assert re.fullmatch(r"\d+ 米", nearest.get_by_test_id("nearest-distance").inner_text().strip())
        assert "约" in nearest.inner_text() and "分钟" in nearest.inner_text()
        nearest.get_by_test_id("dispatch-btn").click()

        expect(console.get_by_test_id("source-card-status")).to_have_text("已派遣", timeout=15_000)
        expect(console.get_by_test_id("source-card-officer")).to_contain_text(officer_name)
        expect(console.get_by_test_id(f"map-officer-{officer_id}")).to_have_attribute(
            "data-status", "busy", timeout=15_000
        )
        expect(marker).to_have_attribute("data-status", "dispatched")
        console.screenshot(path=str(tmp_path / "command-map.png"))

        # The officer's phone, still ~500 m away: the task arrives, is acknowledged; 到场 from there asks for a reason.
        far = {"longitude": lng, "latitude": lat + 500 / 111_320}
        phone = browser.new_context(**PHONE, geolocation=far, permissions=["geolocation"])
        mobile = phone.new_page()
        _login(mobile, live_server, "bdg_officer")
        mobile.wait_for_url("**/m/**", timeout=15_000)
        card = mobile.locator(f"[data-testid='task-card'][data-code='{code}']")
        expect(card).to_have_count(1, timeout=20_000)
        expect(card.get_by_test_id("task-code")).to_have_text(code)
        expect(card.get_by_test_id("task-ack-countdown")).to_contain_text("内接收")
        card.get_by_test_id("task-ack").click()
        expect(card.get_by_test_id("task-status")).to_have_text("已接收", timeout=15_000)
        expect(card.get_by_test_id("task-here")).to_have_attribute("data-far", "true", timeout=15_000)
        expect(card.get_by_test_id("task-here")).to_contain_text("超出到场范围（200 米）")
        card.get_by_test_id("task-arrive").click()
        reason_box = mobile.locator(".arrive-reason-box")
        expect(reason_box).to_be_visible(timeout=15_000)
        assert re.search(r"您距案源约 (4[89]\d|50\d) 米，超出到场范围（200 米）", reason_box.inner_text())
        mobile.screenshot(path=str(tmp_path / "phone-arrive-too-far.png"))
        reason_box.get_by_role("button", name="取消").click()
        expect(reason_box).to_be_hidden()
        expect(card.get_by_test_id("task-status")).to_have_text("已接收")
        # At the spot: the phone takes a fresh fix as 到场 is pressed, and the arrival goes through.
        phone.set_geolocation({"longitude": lng + 0.0002, "latitude": lat})
        card.get_by_test_id("task-arrive").click()
        expect(card.get_by_test_id("task-status")).to_have_text("已到场", timeout=15_000)
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 390  # nothing overflows the phone
        card.get_by_test_id("task-complete").click()
        mobile.get_by_test_id("outcome-warning").click()
        _field(mobile, "outcome-note", "textarea").fill("已劝导摊主离开，现场恢复正常")
        mobile.screenshot(path=str(tmp_path / "phone-outcome.png"))
        mobile.get_by_test_id("outcome-submit").click()
        expect(card).to_have_count(0, timeout=15_000)
        mobile.screenshot(path=str(tmp_path / "phone-tasks.png"))

        # Back in the console: the map card follows the live feed, and the source list agrees.
        expect(console.get_by_test_id("source-card-status")).to_have_text("待核查", timeout=20_000)
        console.get_by_test_id("menu-sources").click()
        _field(console, "sources-search").fill(code)
        _field(console, "sources-search").press("Enter")
        row = console.get_by_test_id("source-table").locator(".el-table__row", has_text=code)
        expect(row).to_have_count(1, timeout=15_000)
        expect(row.get_by_test_id("source-status-tag")).to_have_text("待核查")
        row.click()
        drawer = console.get_by_test_id("source-detail")
        expect(drawer.get_by_test_id("source-status")).to_have_text("待核查", timeout=15_000)
        expect(drawer.get_by_test_id("source-timeline")).to_contain_text("处置反馈")
        expect(drawer.get_by_test_id("source-actions")).to_contain_text("核查通过并结案")
        console.screenshot(path=str(tmp_path / "source-detail.png"))
    finally:
        desk.close()
        if phone is not None:
            phone.close()

    detail = command.get(f"/case-sources/{source_id}").json()
    assert detail["status"] == "verifying"
    assert detail["outcome"] == "warning"
    assert [t["officer"]["id"] for t in detail["tasks"]] == [officer_id]
    arrival = next(e for e in detail["timeline"] if e["action"] == "arrive")
    assert arrival["data"]["on_site"] is True and arrival["data"]["distance_m"] < 50 and arrival["reason"] is None


@pytest.mark.e2e
def test_officer_goes_off_duty_on_the_phone_and_the_map_shows_it(browser, live_server, tmp_path):
    officer_api = _api(live_server, "bdg_officer")
    officer_id = officer_api.get("/auth/me").json()["officer"]["id"]
    command = _api(live_server, "command")
    squad_id = officer_api.get("/auth/me").json()["unit"]["id"]
    lng, lat = _points_in_squad(command, squad_id, 3)[2]
    desk = browser.new_context(**DESKTOP)
    phone = browser.new_context(**PHONE, geolocation={"longitude": lng, "latitude": lat}, permissions=["geolocation"])
    try:
        mobile = phone.new_page()
        _login(mobile, live_server, "bdg_officer")
        mobile.wait_for_url("**/m/**", timeout=15_000)
        expect(mobile.get_by_test_id("gps-status")).to_contain_text("位置已上报", timeout=20_000)
        console = desk.new_page()
        _login(console, live_server, "command")
        console.wait_for_url("**/console/**", timeout=15_000)
        console.get_by_test_id("menu-dispatch-map").click()
        expect(console.get_by_test_id("stream-status")).to_have_text(re.compile("实时"), timeout=15_000)
        marker = console.get_by_test_id(f"map-officer-{officer_id}")
        expect(marker).to_have_attribute("data-status", "available", timeout=15_000)
        expect(marker).to_have_attribute("data-source", "device")

        mobile.get_by_test_id("tab-me").click()
        expect(mobile.get_by_test_id("duty-state")).to_have_text("上班中", timeout=15_000)
        mobile.get_by_test_id("duty-switch").click()
        mobile.locator(".duty-off-box").get_by_role("button", name="下班").click()
        expect(mobile.get_by_test_id("duty-state")).to_have_text("已下班", timeout=15_000)
        expect(mobile.get_by_test_id("duty-switch")).not_to_have_class(re.compile("is-checked"))
        expect(mobile.locator(".duty-off-box")).to_be_hidden()
        mobile.screenshot(path=str(tmp_path / "phone-off-duty.png"))
        assert officer_api.get("/dispatch/me/duty").json()["on_duty"] is False

        # The command map follows the stream: grey, and the tooltip says who switched and when.
        expect(marker).to_have_attribute("data-status", "off_duty", timeout=20_000)
        marker.dispatch_event("mouseover")  # a source's pin may lie over the officer: hovering by pointer would hit it
        tip = console.locator(".leaflet-tooltip", has_text="下班")
        expect(tip).to_contain_text(officer_api.get("/auth/me").json()["display_name"], timeout=15_000)
        console.screenshot(path=str(tmp_path / "command-map-off-duty.png"))
        mobile.get_by_test_id("tab-tasks").click()
        expect(mobile.get_by_test_id("tasks-off-duty")).to_be_visible(timeout=15_000)
        expect(mobile.get_by_test_id("gps-status")).to_have_text("已下班，不上报定位")

        mobile.get_by_test_id("tab-me").click()
        mobile.get_by_test_id("duty-switch").click()
        expect(mobile.get_by_test_id("duty-state")).to_have_text("上班中", timeout=15_000)
        expect(marker).to_have_attribute("data-status", "available", timeout=20_000)
    finally:
        desk.close()
        phone.close()
        officer_api.put("/dispatch/me/duty", json={"on_duty": True})


def _move_stage_clock(database_url: str, code: str, *, seconds: int) -> None:
    from sqlalchemy import create_engine, select, update

    from chengguan.intake.models import CaseSource

    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            due, warn = connection.execute(
                select(CaseSource.due_at, CaseSource.warn_at).where(CaseSource.code == code)
            ).one()
            shift = timedelta(seconds=seconds)
            connection.execute(
                update(CaseSource).where(CaseSource.code == code).values(due_at=due + shift, warn_at=warn + shift)
            )
    finally:
        engine.dispose()


@pytest.mark.e2e
def test_source_list_counts_the_stage_clock_down_to_overdue(browser, live_server, tmp_path):
    command = _api(live_server, "command")
    squad_id = _api(live_server, "bdg_officer").get("/auth/me").json()["unit"]["id"]
    # A one-minute 待受理 limit of the squad (in the centre's scope) for a rarely used category + channel, warning
    # from the first second (99 %).
    rule = command.put(
        "/time-limits",
        json={
            "stage": "pending",
            "category_code": "10000",
            "channel": "transfer",
            "unit_id": squad_id,
            "amount": 1,
            "unit": "minutes",
            "warn_percent": 99,
        },
    )
    rule.raise_for_status()
    lng, lat = _points_in_squad(command, squad_id, 2)[1]
    created = command.post(
        "/signals",
        json={
            "idempotency_key": f"e2e-{uuid.uuid4()}",
            "channel": "transfer",
            "category_code": "10000",
            "lng": lng,
            "lat": lat,
            "occurred_at": _now(),
            "description": "端到端测试：部门移送的其他事项",
        },
    )
    assert created.status_code == 201, created.text
    assert not created.json()["merged"]
    code = created.json()["case_source_code"]
    # Fifty of the sixty seconds pass at once: the stored deadline and warning move back, as if the source had been
    # taken in 50 s earlier, so the browser counts the last ten seconds down instead of the whole minute.
    _move_stage_clock(live_server.database_url, code, seconds=-50)

    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    try:
        _login(page, live_server, "command")
        page.wait_for_url("**/console/**", timeout=15_000)
        page.get_by_test_id("menu-sources").click()
        _field(page, "sources-search").fill(code)
        _field(page, "sources-search").press("Enter")
        row = page.get_by_test_id("source-table").locator(".el-table__row", has_text=code)
        expect(row).to_have_count(1, timeout=15_000)
        badge = row.get_by_test_id("source-countdown")
        # Counted down in the browser from the server's remaining time: 临期 now, 超期 once the minute is up.
        expect(badge).to_have_attribute("data-level", re.compile("warning|overdue"), timeout=15_000)
        expect(badge).to_have_attribute("data-level", "overdue", timeout=40_000)
        expect(badge).to_contain_text("超期")

        # The server agrees: the 仅超期 filter lists it.
        page.get_by_test_id("sources-filter-overdue").click()
        page.locator(".el-select-dropdown__item:visible", has_text="仅超期").click()
        row = page.get_by_test_id("source-table").locator(".el-table__row", has_text=code)
        expect(row).to_have_count(1, timeout=15_000)
        expect(row.get_by_test_id("source-countdown")).to_have_attribute("data-level", "overdue")
        page.screenshot(path=str(tmp_path / "sources-overdue.png"))
    finally:
        context.close()
        command.delete(f"/time-limits/{rule.json()['id']}")
