"""审批流程配置 through the real UI: the administrator sees the default 决定审批 chain, adds a platform-wide 结案审批
chain of one step (中队长), finds it in the table, deletes it, and the default is back, also per the API."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser_support import DESKTOP
from browser_support import api as _api
from browser_support import field as _field
from browser_support import login as _login

LABEL = "中队长审批（新）"


def _rows(page, text: str):  # type: ignore[no-untyped-def]
    return page.locator("[data-testid='chain-table'] .el-table__body-wrapper .el-table__row", has_text=text)


@pytest.mark.e2e
def test_admin_adds_and_removes_a_platform_closure_chain(browser, live_server, tmp_path):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    api = _api(live_server, "admin")
    try:
        _login(page, live_server, "admin")
        page.wait_for_url("**/console/**", timeout=15_000)
        page.get_by_test_id("menu-case-chains").click()
        page.wait_for_url("**/console/cases/chains", timeout=15_000)

        decision = _rows(page, "决定审批")
        expect(decision).to_have_count(1, timeout=15_000)
        expect(decision).to_contain_text("默认")
        expect(decision).to_contain_text(
            "中队长审核（squad_leader） → 法制科审核（legal_reviewer） → 分管局长审批（district_leader）"
        )
        page.screenshot(path=str(tmp_path / "chains.png"), full_page=True)

        page.get_by_test_id("chain-create").click()
        form = page.get_by_test_id("chain-form")
        expect(form).to_be_visible(timeout=10_000)
        page.get_by_test_id("chain-stage").click()
        page.locator(".el-select-dropdown__item:visible", has_text="结案审批").click()
        page.get_by_test_id("chain-step-add").click()
        page.get_by_test_id("chain-step-role").click()
        page.locator(".el-select-dropdown__item:visible", has_text="squad_leader").click()
        _field(page, "chain-step-label").fill(LABEL)
        page.screenshot(path=str(tmp_path / "chain-dialog.png"))
        page.get_by_test_id("chain-save").click()
        expect(form).to_have_count(0, timeout=15_000)

        closure = _rows(page, "结案审批")
        expect(closure).to_have_count(1, timeout=15_000)  # the platform chain replaces the default one
        expect(closure).to_contain_text(f"{LABEL}（squad_leader）")
        expect(closure).to_contain_text("全平台")
        expect(closure.get_by_test_id("chain-default")).to_have_count(0)
        chains = api.get("/approval-chains").json()
        mine = [c for c in chains if c["stage"] == "closure_approval" and c["unit_id"] is None]
        assert [(c["default"], c["steps"]) for c in mine] == [(False, [{"role": "squad_leader", "label": LABEL}])]

        closure.get_by_test_id("chain-delete").click()
        page.locator(".el-message-box:visible").get_by_role("button", name="删除").click()
        expect(_rows(page, LABEL)).to_have_count(0, timeout=15_000)
        expect(_rows(page, "结案审批").get_by_test_id("chain-default")).to_have_count(1)

        chains = api.get("/approval-chains").json()
        assert not [c for c in chains if any(s["label"] == LABEL for s in c["steps"])]
        assert [c["default"] for c in chains if c["stage"] == "closure_approval" and c["unit_id"] is None] == [True]
    finally:
        api.close()
        context.close()
