"""Shared helpers of the browser journeys (tests/e2e): viewports, demo passwords, logging in, Element Plus fields."""

from __future__ import annotations

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
