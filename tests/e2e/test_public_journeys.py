"""The public's side on a phone (390×844), without a login: a citizen reports a problem with a photo and a place
found by name, gets a tracking code, and follows it; the 执法公示 page lists the monitoring sites and standards."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import expect

from browser_support import PHONE
from browser_support import field as _field


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_citizen_reports_with_a_photo_and_follows_the_code(browser, live_server, tmp_path):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/public/report")
        category = page.get_by_test_id("report-category")
        category.click()
        page.keyboard.type("占道经营")
        page.locator(".el-select-dropdown__item:visible", has_text="占道经营").first.click()
        page.get_by_test_id("report-photo").set_input_files(
            {"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
        )
        expect(page.locator(".thumb img")).to_have_count(1, timeout=15_000)
        _field(page, "report-address").fill("八大峡")
        page.locator(".el-autocomplete-suggestion li:visible").first.click()
        expect(page.get_by_test_id("report-point")).to_contain_text("已选位置", timeout=10_000)
        _field(page, "report-description", "textarea").fill("小区门口有人占道摆摊卖水果，影响通行")
        page.screenshot(path=str(tmp_path / "report-form.png"), full_page=True)
        page.get_by_test_id("report-submit").click()
        code = page.get_by_test_id("report-code")
        expect(code).to_have_text(re.compile(r"^[2-9A-HJKMNP-Z]{12}$"), timeout=15_000)
        tracking = code.inner_text().strip()
        page.get_by_test_id("report-track").click()
        page.wait_for_url(f"**/public/track/{tracking}")
        status = page.get_by_test_id("track-status")
        expect(status).to_have_attribute("data-status", "open", timeout=15_000)
        expect(page.get_by_test_id("track-steps")).to_contain_text("已提交")
        page.screenshot(path=str(tmp_path / "track.png"), full_page=True)

        _field(page, "track-code").fill("ABCDEFGHJKMN")
        page.get_by_test_id("track-query").click()
        expect(page.get_by_test_id("track-error")).to_contain_text("没有这个查询码", timeout=10_000)
    finally:
        context.close()


def test_the_enforcement_notice_page_lists_sites_standards_and_decisions(browser, live_server, tmp_path):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/public/notice")
        sites = page.get_by_test_id("notice-sites")
        expect(sites.locator(".el-table__row").first).to_be_visible(timeout=15_000)
        expect(page.locator(".basis").first).to_contain_text("第四十一条")
        page.get_by_role("tab", name="裁量基准").click()
        expect(page.get_by_test_id("notice-standard").first).to_contain_text("青岛")
        page.get_by_role("tab", name="处罚决定公开").click()
        expect(page.get_by_test_id("notice-decision").first).to_be_visible(timeout=10_000)
        page.screenshot(path=str(tmp_path / "notice.png"), full_page=True)
    finally:
        context.close()
