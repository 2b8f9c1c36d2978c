"""商户档案 through the real UI: the squad leader finds a demo shop with cases, opens its drawer and sees its record
(违法记录), follows a case code to the case detail, which names the shop (关联商户) and lists the party's other cases,
and the shop link leads back to the shop's drawer; then registers a new company — a wrong check character of the
统一社会信用代码 is refused by the server on that field (GB 32100), the corrected one is registered and listed."""

from __future__ import annotations

import random
import uuid

import httpx
import pytest
from playwright.sync_api import expect

from browser_support import DESKTOP
from browser_support import api as _api
from browser_support import field as _field
from browser_support import login as _login
from chengguan.core.idnumbers import uscc_check_char

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _shop_with_cases(client: httpx.Client) -> tuple[dict, dict]:
    """A demo shop of the squad with a penalty on record, and one of its cases that is linked to the shop itself."""
    shops = client.get("/merchants", params={"page_size": 200}).json()["items"]
    for shop in shops:
        detail = client.get(f"/merchants/{shop['id']}").json()
        if not detail["penalties"]:
            continue
        for row in detail["cases"]:
            case = client.get(f"/cases/{row['id']}").json()
            if (case.get("merchant") or {}).get("id") == shop["id"] and case["party_history"]:
                return detail, case
    raise AssertionError("no demo shop with a linked case and a penalty on record")


def _unique_uscc() -> tuple[str, str]:
    """A valid 统一社会信用代码 no demo shop has, and the same code with a wrong check character."""
    body = f"91370202MA{random.randint(0, 10**7 - 1):07d}"
    good = body + uscc_check_char(body)
    wrong = body + next(c for c in USCC_CHARS if c != good[-1])
    return good, wrong


def _search(page, text: str) -> None:  # type: ignore[no-untyped-def]
    _field(page, "merchants-search").fill(text)
    _field(page, "merchants-search").press("Enter")


@pytest.mark.e2e
def test_leader_reads_a_shop_record_and_registers_a_shop(browser, live_server, tmp_path):
    api = _api(live_server, "bdg_leader")
    shop, case = _shop_with_cases(api)
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    try:
        _login(page, live_server, "bdg_leader")
        page.wait_for_url("**/console/**", timeout=15_000)
        page.get_by_test_id("menu-merchants").click()
        page.wait_for_url("**/console/merchants", timeout=15_000)
        expect(page.get_by_test_id("merchant-row").first).to_be_visible(timeout=15_000)

        # Find the shop by name; its drawer shows the licence data and every case of the shop, penalties counted.
        _search(page, shop["name"])
        row = page.locator(f"[data-testid='merchant-row'][data-code='{shop['code']}']")
        expect(row).to_have_count(1, timeout=15_000)
        row.click()
        drawer = page.get_by_test_id("merchant-detail")
        expect(drawer.get_by_test_id("merchant-detail-name")).to_have_text(shop["name"], timeout=15_000)
        expect(drawer.get_by_test_id("merchant-detail-code")).to_have_text(shop["code"])
        expect(drawer.get_by_test_id("party-case-code")).to_have_count(len(shop["cases"]))
        expect(drawer.get_by_test_id("merchant-penalties")).to_have_text(f"已受行政处罚 {shop['penalties']} 次")
        page.screenshot(path=str(tmp_path / "merchant-drawer.png"))

        # The case code opens the case; the party card names the shop and the record lists the party's other cases.
        drawer.locator(f"[data-testid='party-case-code'][data-code='{case['code']}']").click()
        page.wait_for_url(f"**/console/cases/{case['id']}", timeout=15_000)
        expect(page.get_by_test_id("case-code")).to_have_text(case["code"], timeout=15_000)
        expect(page.get_by_test_id("case-merchant")).to_have_attribute("data-code", shop["code"])
        expect(page.get_by_test_id("case-merchant")).to_contain_text(shop["name"])
        history = page.get_by_test_id("case-history")
        expect(history.get_by_test_id("party-case-code")).to_have_count(len(case["party_history"]))
        others = len(case["party_history"])
        expect(history.get_by_test_id("case-history-count")).to_contain_text(f"其他案件 {others} 件")
        # The 执法文书 card lists the case's documents (the demo's cases carry theirs).
        documents = api.get(f"/cases/{case['id']}/documents").json()["items"]
        expect(page.get_by_test_id("case-documents").get_by_test_id("case-doc")).to_have_count(len(documents))
        evidence = api.get(f"/cases/{case['id']}/evidence").json()["items"]
        expect(page.get_by_test_id("case-evidence").get_by_test_id("evidence-card")).to_have_count(len(evidence))
        page.screenshot(path=str(tmp_path / "case-merchant.png"), full_page=True)

        # … and the shop link leads back to the shop's drawer.
        page.get_by_test_id("case-merchant-link").click()
        page.wait_for_url("**/console/merchants**", timeout=15_000)
        expect(page.get_by_test_id("merchant-detail-code")).to_have_text(shop["code"], timeout=15_000)
        page.get_by_test_id("merchant-drawer").locator(".el-drawer__close-btn").click()
        expect(page.get_by_test_id("merchant-detail")).to_have_count(0, timeout=10_000)

        # Register a company: a wrong check character is refused on the 信用代码 field, the right one goes through.
        name = f"青岛端到端{uuid.uuid4().hex[:4]}餐饮有限公司"
        good, wrong = _unique_uscc()
        page.get_by_test_id("merchant-create").click()
        dialog = page.get_by_test_id("merchant-dialog")
        expect(dialog).to_be_visible(timeout=10_000)
        _field(page, "merchant-name").fill(name)
        page.get_by_test_id("merchant-kind").locator("[data-kind='enterprise']").click()
        _field(page, "merchant-uscc").fill(wrong)
        _field(page, "merchant-operator").fill("端到端")
        _field(page, "merchant-phone").fill("13800000000")
        _field(page, "merchant-business-type").fill("餐饮")
        _field(page, "merchant-business-type").press("Tab")
        _field(page, "merchant-address").fill("青岛市太平路1号（八大关街道）")
        page.get_by_test_id("merchant-save").click()
        uscc_error = page.get_by_test_id("merchant-field-uscc").locator(".el-form-item__error")
        expect(uscc_error).to_contain_text("校验位不正确", timeout=15_000)
        expect(dialog).to_be_visible()
        page.screenshot(path=str(tmp_path / "merchant-uscc-refused.png"))

        _field(page, "merchant-uscc").fill(good)
        page.get_by_test_id("merchant-save").click()
        expect(dialog).to_be_hidden(timeout=15_000)
        created = page.locator("[data-testid='merchant-table'] .el-table__body-wrapper .el-table__row", has_text=name)
        expect(created).to_have_count(1, timeout=15_000)
        expect(created).to_contain_text(good)
        expect(created.get_by_test_id("merchant-status-tag")).to_have_text("营业中")
        page.screenshot(path=str(tmp_path / "merchant-created.png"))
    finally:
        context.close()

    found = api.get("/merchants", params={"q": good}).json()["items"]
    api.close()
    assert [(m["name"], m["kind"], m["uscc"], m["operator_name"], m["business_type"]) for m in found] == [
        (name, "enterprise", good, "端到端", "餐饮")
    ]
    assert found[0]["code"].startswith("SH")
