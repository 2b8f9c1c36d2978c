"""码上付 on the console: the district leader reads the day's reconciliation and the cash hand-in ledger. (Paying
from the phone is part of the whole merchant journey, tests/e2e/test_merchant_whole_journey.py.)"""

from __future__ import annotations

from playwright.sync_api import expect

from browser_support import DESKTOP
from browser_support import login as _login


def test_the_district_leader_reads_the_days_reconciliation(browser, live_server, tmp_path):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    try:
        _login(page, live_server, "shinan_leader")
        page.wait_for_url("**/console/**", timeout=15_000)
        page.get_by_test_id("menu-payment-reconciliation").click()
        page.wait_for_url("**/console/payments/reconciliation", timeout=15_000)
        expect(page.get_by_test_id("recon-verdict")).to_be_visible(timeout=15_000)
        page.get_by_test_id("recon-run").click()
        expect(page.get_by_test_id("recon-verdict")).to_contain_text("每日对账已于", timeout=15_000)
        page.screenshot(path=str(tmp_path / "reconciliation.png"), full_page=True)
        page.get_by_test_id("menu-payment-cash").click()
        page.wait_for_url("**/console/payments/cash", timeout=15_000)
        expect(page.get_by_test_id("cash-table")).to_be_visible(timeout=15_000)
        page.get_by_test_id("cash-overdue").click()  # every collection, not just the overdue ones
        expect(page.get_by_test_id("cash-table").locator(".el-table__row").first).to_be_visible(timeout=15_000)
        page.screenshot(path=str(tmp_path / "cash.png"), full_page=True)
    finally:
        context.close()
