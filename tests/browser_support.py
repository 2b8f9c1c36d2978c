"""Shared helpers of the browser journeys (tests/e2e): viewports, demo passwords, logging in, Element Plus fields."""

from __future__ import annotations

import math

import httpx
from playwright.sync_api import expect

from chengguan.demo.loader import DEMO_LOGINS

PASSWORDS = {login.username: login.password for login in DEMO_LOGINS}
DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN"}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "device_scale_factor": 2,
}


def field(page, testid: str, tag: str = "input"):  # type: ignore[no-untyped-def]
    """The native control of an Element Plus field, wherever its data-testid landed (wrapper or control)."""
    return page.get_by_test_id(testid).locator(tag).or_(page.get_by_test_id(testid)).first


def login(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    field(page, "login-username").fill(username)
    field(page, "login-password").fill(PASSWORDS[username])
    page.get_by_test_id("login-submit").click()


def draw_signature(page, scope) -> None:  # type: ignore[no-untyped-def]
    """Write a signature on the pad with the pointer (a wavy stroke and a second short one)."""
    canvas = scope.get_by_test_id("signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 60
    x0, y0 = box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.55
    page.mouse.move(x0, y0)
    page.mouse.down()
    for i in range(1, 31):
        page.mouse.move(x0 + i * box["width"] * 0.022, y0 - math.sin(i / 3) * box["height"] * 0.2, steps=2)
    page.mouse.up()
    page.mouse.move(x0 + box["width"] * 0.3, y0 - box["height"] * 0.3)
    page.mouse.down()
    page.mouse.move(x0 + box["width"] * 0.35, y0 + box["height"] * 0.2, steps=6)
    page.mouse.up()
    expect(scope.get_by_test_id("signature-state")).to_have_text("已签名")


def draw_signature_by_finger(page, scope) -> None:  # type: ignore[no-untyped-def]
    """Write a signature with a finger: real touch events (touchstart/move/end) through the DevTools protocol."""
    canvas = scope.get_by_test_id("signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 60
    cdp = page.context.new_cdp_session(page)
    x0, y0 = box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.55

    def touch(kind: str, x: float, y: float) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1, "radiusX": 4, "radiusY": 4, "force": 0.6}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", x0, y0)
    for i in range(1, 31):
        touch("touchMove", x0 + i * box["width"] * 0.022, y0 - math.sin(i / 2.5) * box["height"] * 0.22)
    touch("touchEnd", 0, 0)
    cdp.detach()
    expect(scope.get_by_test_id("signature-state")).to_have_text("已签名")


def api(base: str, username: str) -> httpx.Client:
    """An API client of the running server, logged in as a demo user (base URL /api/v1, no proxy from the env)."""
    client = httpx.Client(base_url=f"{base}/api/v1", timeout=60, trust_env=False)
    res = client.post("/auth/login", json={"username": username, "password": PASSWORDS[username]})
    res.raise_for_status()
    client.headers["Authorization"] = f"Bearer {res.json()['access_token']}"
    return client


def colleague_and_matter(officer: httpx.Client, squad: httpx.Client) -> tuple[dict, dict, dict]:
    """The officer's own record, a certified active colleague of the squad without a login (so no approver is
    taken), and a city-wide active matter with a fine for individuals."""
    me = officer.get("/auth/me").json()
    colleague = next(
        o
        for o in squad.get("/officers", params={"unit_id": me["unit"]["id"], "page_size": 200}).json()["items"]
        if o["user_id"] is None and o["kind"] == "certified" and o["status"] == "active"
    )
    matter = next(
        m
        for m in officer.get("/law/matters", params={"status": "active", "page_size": 200}).json()["items"]
        if m["region_code"] is None and "fine" in m["penalty_kinds"] and m["individual_max_fen"]
    )
    return me, colleague, matter


def walk(case: dict, steps: list) -> dict:  # type: ignore[type-arg]
    """Take (client, action) steps on the case in order, each on the version the last one returned."""
    for who, action in steps:
        res = who.post(f"/cases/{case['id']}/actions/{action}", json={"version": case["version"]})
        assert res.status_code == 200, f"{action}: {res.text}"
        case = res.json()
    return case


def number_input(page, testid: str):  # type: ignore[no-untyped-def]
    """The input of an el-input-number (its data-testid stays on the wrapper)."""
    return page.get_by_test_id(testid).locator("input")


def national_matter(client: httpx.Client) -> dict:
    """A nationwide matter with a fine range for citizens (the penalty calculator can suggest an amount)."""
    items = client.get("/law/matters", params={"status": "active", "page_size": 200}).json()["items"]
    return next(
        m
        for m in items
        if m["region_code"] is None
        and "fine" in m["penalty_kinds"]
        and m["individual_max_fen"]
        and m["individual_min_fen"]
    )


def picked(select, pick, attempts: int = 3) -> None:  # type: ignore[no-untyped-def]
    """Run ``pick`` (which returns the text the select should then show) until the select shows it: on a loaded
    machine a click can land while the dropdown is still animating and be lost, which is no fault of the page."""
    for attempt in range(attempts):
        text = pick()
        try:
            expect(select).to_contain_text(text, timeout=5_000)
            return
        except AssertionError:
            if attempt == attempts - 1:
                raise


def pick_matter(page, testid: str, matter: dict) -> None:  # type: ignore[no-untyped-def]
    """Search the matter picker for ``matter`` by name and choose it."""
    picker = page.get_by_test_id(testid)

    def pick() -> str:
        picker.click()
        picker.locator("input").first.fill(matter["name"])
        option = page.locator(f".matter-picker-pop .el-select-dropdown__item[data-code='{matter['code']}']:visible")
        expect(option).to_have_count(1, timeout=15_000)
        option.click()
        return matter["name"][:8]

    picked(picker, pick)


def open_case(page, base: str, case_id: str) -> None:  # type: ignore[no-untyped-def]
    """The console's case detail page, loaded."""
    page.goto(f"{base}/console/cases/{case_id}")
    expect(page.get_by_test_id("case-code")).to_be_visible(timeout=15_000)


def act_in_dialog(page, action: str, timeline: int, fill=None) -> int:  # type: ignore[no-untyped-def]
    """Click an open action of the panel, fill its dialog, submit; wait until the timeline has one more entry."""
    button = page.get_by_test_id(f"case-action-{action}")
    expect(button).to_be_enabled(timeout=15_000)
    button.click()
    dialog = page.locator(".case-action-dialog:visible")
    expect(dialog).to_have_count(1, timeout=10_000)
    if fill is not None:
        fill(dialog)
    dialog.get_by_test_id("action-submit").click()
    expect(dialog).to_have_count(0, timeout=15_000)
    expect(page.get_by_test_id("case-timeline-count")).to_have_text(f"共 {timeline + 1} 条", timeout=15_000)
    return timeline + 1
