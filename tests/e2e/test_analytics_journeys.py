"""数据分析 through the real UI: a district leader opens the analytics page, reads the figures (the same as the API's
for the default window), switches measure and dimension, exports the table to Excel, reads the indicator catalogue;
and exports the case-source list with its filters. No console error on the way."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from browser_support import DESKTOP
from browser_support import api as _api
from browser_support import login as _login


def _total_text(value: int) -> str:
    return f"合计 {value:,} 件"


@pytest.mark.e2e
def test_leader_reads_and_exports_analytics(browser, live_server, tmp_path):
    leader = _api(live_server, "shinan_leader")
    today = date.fromisoformat(leader.get("/analytics/today").json()["items"][0]["filters"]["created_from"])
    span = {"from": (today - timedelta(days=29)).isoformat(), "to": today.isoformat()}
    sources = leader.get("/analytics/cube", params={**span, "measure": "sources", "by": "district"}).json()
    cases = leader.get("/analytics/cube", params={**span, "measure": "cases", "by": "district"}).json()
    context = browser.new_context(**DESKTOP, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        _login(page, live_server, "shinan_leader")
        page.get_by_test_id("menu-analytics").click()
        page.wait_for_url("**/console/analytics", timeout=15_000)
        expect(page.get_by_test_id("analytics-total")).to_have_text(_total_text(sources["total"]), timeout=20_000)
        expect(page.get_by_test_id("analytics-chart").locator("canvas")).to_have_count(1)
        page.get_by_test_id("analytics-measure-cases").click()
        expect(page.get_by_test_id("analytics-total")).to_have_text(_total_text(cases["total"]), timeout=20_000)
        rows = page.get_by_test_id("analytics-table").locator(".el-table__row")
        expect(rows.first).to_be_visible()
        assert "市南区" in page.get_by_test_id("analytics-table").inner_text()

        with page.expect_download(timeout=30_000) as download:
            page.get_by_test_id("analytics-export").click()
        path = Path(tmp_path / "cube.xlsx")
        download.value.save_as(path)
        sheet = load_workbook(path).active
        assert [c.value for c in sheet[2]] == ["编码", "区（市）", "案件数（件）"]

        page.get_by_role("tab", name="指标目录").click()
        expect(page.get_by_test_id("indicators-table")).to_contain_text("诉求与处罚吻合度", timeout=10_000)
        expect(page.get_by_test_id("indicators-common")).to_contain_text("北京时间")

        page.get_by_role("tab", name="诉求与处罚吻合度").click()
        expect(page.get_by_test_id("match-score")).to_contain_text("吻合度", timeout=15_000)

        # The case-source list exports what it lists (its filters), as the list counts it.
        page.get_by_test_id("menu-sources").click()
        page.wait_for_url("**/console/sources", timeout=15_000)
        total = leader.get("/case-sources", params={"open": True, "page_size": 1}).json()["total"]
        with page.expect_download(timeout=60_000) as download:
            page.get_by_test_id("sources-export").click()
        book = load_workbook(BytesIO(Path(download.value.path()).read_bytes()), read_only=True).active
        assert len(list(book.iter_rows(values_only=True))) - 1 == total
        assert not errors, errors
    finally:
        page.screenshot(path=str(tmp_path / "analytics.png"), full_page=True)
        context.close()
