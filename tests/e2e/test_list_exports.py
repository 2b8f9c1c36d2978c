"""List exports through the real UI: a district leader filters the merchant register, presses 导出 and gets the
filtered list as the list counts it; the notice page's 导出 with its 逾期 view the same way. No console error."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from browser_support import DESKTOP
from browser_support import api as _api
from browser_support import login as _login


def _rows(download) -> list[tuple]:  # type: ignore[no-untyped-def]
    book = load_workbook(BytesIO(Path(download.value.path()).read_bytes()), read_only=True).active
    return list(book.iter_rows(values_only=True))


@pytest.mark.e2e
def test_leader_exports_the_filtered_merchant_register_and_notices(browser, live_server, tmp_path):
    leader = _api(live_server, "shinan_leader")
    shops = leader.get("/merchants", params={"kind": "individual_business", "page_size": 1}).json()["total"]
    notices = leader.get("/notices", params={"page_size": 1}).json()["total"]
    context = browser.new_context(**DESKTOP, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        _login(page, live_server, "shinan_leader")
        page.get_by_test_id("menu-merchants").click()
        page.wait_for_url("**/console/merchants", timeout=15_000)
        page.get_by_test_id("merchants-filter-kind").click()
        page.get_by_role("option", name="个体工商户").click()
        expect(page.get_by_test_id("merchants-export")).to_be_enabled()
        page.wait_for_load_state("networkidle")
        with page.expect_download(timeout=60_000) as download:
            page.get_by_test_id("merchants-export").click()
        rows = _rows(download)
        assert rows[0][0] == "一店一码" and len(rows) - 1 == shops > 0
        assert {r[2] for r in rows[1:]} == {"个体工商户"}
        page.screenshot(path=str(tmp_path / "merchants.png"))

        page.get_by_test_id("menu-notices").click()
        page.wait_for_url("**/console/notices**", timeout=15_000)
        with page.expect_download(timeout=60_000) as download:
            page.get_by_test_id("notices-export").click()
        rows = _rows(download)
        assert rows[0][0] == "通知编号" and len(rows) - 1 == notices
        assert not errors, errors
    finally:
        page.screenshot(path=str(tmp_path / "notices.png"), full_page=True)
        context.close()
