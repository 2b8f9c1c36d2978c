"""执法办案 through the real UI: an ordinary-procedure case clicked from filing to archive by the officer, the squad
leader, the district leader and the legal reviewer (each in their own browser), with the particulars its decision
states filled in at filing (act time to the minute, place, facts, the party's checked identity and address); and the
action panel shows a statutory gate as a disabled button with its article."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from browser_support import DESKTOP, national_matter, number_input, pick_matter
from browser_support import act_in_dialog as _act
from browser_support import api as _api
from browser_support import field as _field
from browser_support import login as _login
from browser_support import open_case as _open_case
from support import synthetic_ric


def _approve_from_inbox(page, base: str, code: str, timeline: int, opinion: str) -> int:
    """An approver finds the case in 审批待办, opens it and signs the current step."""
    page.goto(f"{base}/console/cases/inbox")
    _field(page, "inbox-search").fill(code)
    _field(page, "inbox-search").press("Enter")
    row = page.get_by_test_id("inbox-table").locator(".el-table__row", has_text=code)
    expect(row).to_have_count(1, timeout=15_000)
    row.click()
    expect(page.get_by_test_id("case-code")).to_have_text(code, timeout=15_000)

    def fill(dialog):
        _field(dialog, "action-reason", "textarea").fill(opinion)

    return _act(page, "approve", timeline, fill)


@pytest.mark.e2e
def test_ordinary_case_from_filing_to_archive_by_the_roles_involved(browser, live_server, tmp_path):
    officer_api = _api(live_server, "bdg_officer")
    matter = national_matter(officer_api)
    party = f"端到端当事人{uuid.uuid4().hex[:4]}"
    contexts = {
        name: browser.new_context(**DESKTOP) for name in ("bdg_officer", "bdg_leader", "shinan_leader", "shinan_legal")
    }
    pages = {name: ctx.new_page() for name, ctx in contexts.items()}
    try:
        for name, page in pages.items():
            _login(page, live_server, name)
            page.wait_for_url("**/console/**", timeout=15_000)
        officer = pages["bdg_officer"]

        # 新建案件: matter, party, facts, two officers (the colleague has no login), penalty from 裁量计算.
        officer.get_by_test_id("menu-cases").click()
        officer.wait_for_url("**/console/cases", timeout=15_000)
        officer.get_by_test_id("case-new").click()
        form = officer.get_by_test_id("case-create-dialog")
        expect(form).to_be_visible(timeout=10_000)
        pick_matter(officer, "matter-picker", matter)
        _field(officer, "case-party-name").fill(party)
        _field(officer, "case-party-id").fill(synthetic_ric(uuid.uuid4().int))
        _field(officer, "case-party-phone").fill("13800000000")
        _field(officer, "case-party-address").fill("青岛市市南区正阳关路 8 号")
        _field(officer, "case-facts", "textarea").fill("端到端测试：在人口集中地区露天焚烧落叶，经劝阻仍未停止")
        _field(officer, "case-address").fill("八大关景区正阳关路")
        # 违法时间 defaults to now, to the minute (Beijing time)
        assert re.fullmatch(
            r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", officer.get_by_test_id("case-act-at").locator("input").input_value()
        )
        officer.get_by_test_id("case-officers").click()
        colleague = officer.locator(
            ".el-select-dropdown__item[data-login='no']:not(.is-disabled):visible", has_not_text="本人"
        ).first
        expect(colleague).to_be_visible(timeout=15_000)
        colleague_name = colleague.locator("span").first.inner_text().strip()
        colleague.click()
        officer.keyboard.press("Escape")
        officer.get_by_test_id("case-assess").click()
        expect(officer.get_by_test_id("case-assess-result")).to_contain_text("建议罚款", timeout=15_000)
        fine = number_input(officer, "case-fine").input_value()
        assert float(fine.replace(",", "")) > 0
        expect(officer.get_by_test_id("case-fine-range")).to_contain_text("法定幅度（公民）")
        officer.screenshot(path=str(tmp_path / "case-create.png"))
        officer.get_by_test_id("case-create-submit").click()
        officer.wait_for_url(re.compile(r".*/console/cases/[0-9a-f-]{36}$"), timeout=15_000)
        case_id = officer.url.rsplit("/", 1)[1]
        code = officer.get_by_test_id("case-code").inner_text().strip()
        expect(officer.get_by_test_id("case-status")).to_have_text("案件来源")
        expect(officer.get_by_test_id("case-facts")).to_contain_text(colleague_name)
        expect(officer.get_by_test_id("case-act-time")).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"))
        expect(officer.get_by_test_id("case-particulars-gaps")).to_have_count(0)  # nothing the decision lacks
        t = 1

        # 初查 → 提请立案; 中队长 and 区局领导 approve filing from their 审批待办.
        t = _act(officer, "start_check", t)
        t = _act(officer, "submit_filing", t)
        expect(officer.get_by_test_id("case-status")).to_have_text("立案审批")
        t = _approve_from_inbox(pages["bdg_leader"], live_server, code, t, "同意立案")
        t = _approve_from_inbox(pages["shinan_leader"], live_server, code, t, "同意")

        _open_case(officer, live_server, case_id)
        expect(officer.get_by_test_id("case-status")).to_have_text("调查取证")
        expect(officer.get_by_test_id("case-clock-decision")).to_contain_text("办案期限")
        t = _act(officer, "end_investigation", t)
        t = _act(officer, "issue_notice", t)  # the penalty is prefilled from the case
        t = _act(officer, "serve_notice", t)
        expect(officer.get_by_test_id("case-status")).to_have_text("陈述申辩")
        # The statement window is still open: 提请处罚决定 is closed and says why.
        expect(officer.get_by_test_id("case-action-submit_decision")).to_be_disabled()
        expect(officer.get_by_test_id("case-action-note-submit_decision")).to_contain_text("陈述申辩期")

        def waiver(dialog):
            _field(dialog, "action-note", "textarea").fill("当事人书面放弃陈述、申辩")

        t = _act(officer, "waive_statement", t, waiver)
        t = _act(officer, "submit_decision", t)
        expect(officer.get_by_test_id("case-status")).to_have_text("决定审批")

        for approver in ("bdg_leader", "shinan_legal", "shinan_leader"):
            t = _approve_from_inbox(pages[approver], live_server, code, t, "同意")

        _open_case(officer, live_server, case_id)
        expect(officer.get_by_test_id("case-status")).to_have_text("送达")
        t = _act(officer, "serve_decision", t)
        expect(officer.get_by_test_id("case-status")).to_have_text("执行")
        expect(officer.get_by_test_id("case-action-submit_closure")).to_be_disabled()  # the fine is unpaid

        def full_payment(dialog):
            # The dialog offers the amount still owed; the officer records it as paid in full.
            assert float(number_input(dialog, "action-amount").input_value().replace(",", "")) == float(fine)

        t = _act(officer, "record_payment", t, full_payment)
        expect(officer.get_by_test_id("case-payment")).to_contain_text("尚欠 0.00 元")
        t = _act(officer, "submit_closure", t)
        expect(officer.get_by_test_id("case-status")).to_have_text("结案审批")
        t = _approve_from_inbox(pages["bdg_leader"], live_server, code, t, "同意结案")

        _open_case(officer, live_server, case_id)
        expect(officer.get_by_test_id("case-status")).to_have_text("已结案")
        t = _act(officer, "archive", t)
        expect(officer.get_by_test_id("case-status")).to_have_text("已归档")
        expect(officer.get_by_test_id("case-actions-empty")).to_be_visible()
        rows = officer.get_by_test_id("case-timeline").locator(".el-table__body .el-table__row")
        expect(rows).to_have_count(18)
        expect(officer.get_by_test_id("case-approvals").locator(".el-table__body .el-table__row")).to_have_count(6)
        officer.set_viewport_size({"width": 1440, "height": 2000})
        officer.screenshot(path=str(tmp_path / "case-archived.png"))
    finally:
        for ctx in contexts.values():
            ctx.close()

    case = officer_api.get(f"/cases/{case_id}").json()
    assert case["status"] == "archived"
    assert len(case["timeline"]) == 18
    assert [e["action"] for e in case["timeline"]][:2] == ["create", "start_check"]
    assert [a["step_label"] for a in case["approvals"]] == [
        "中队长审核",
        "分管局长审批",
        "中队长审核",
        "法制科审核",
        "分管局长审批",
        "中队长审批",
    ]
    assert case["paid_fen"] == case["fine_fen"] and case["amount_due_fen"] == 0
    assert len(case["officers"]) == 2 and case["officers"][1]["name"] == colleague_name


def _case_in_statement(base: str) -> dict:
    """A case walked by API to 陈述申辩 (notice served today), by the same demo users."""
    officer, squad, district = _api(base, "bdg_officer"), _api(base, "bdg_leader"), _api(base, "shinan_leader")
    me = officer.get("/auth/me").json()
    colleague = next(
        o
        for o in squad.get("/officers", params={"unit_id": me["unit"]["id"], "page_size": 200}).json()["items"]
        if o["user_id"] is None and o["kind"] == "certified" and o["status"] == "active"
    )
    created = officer.post(
        "/cases",
        json={
            "procedure": "ordinary",
            "matter_code": national_matter(officer)["code"],
            "party": {
                "type": "individual",
                "name": "端到端陈述申辩",
                "id_no": synthetic_ric(uuid.uuid4().int),
                "address": "青岛市市南区山海关路 5 号",
            },
            "facts": "在山海关路 5 号门前人行道堆放建筑材料，占用人行道约 6 平方米",
            "address": "青岛市市南区山海关路 5 号门前人行道",
            "act_on": (date.today() - timedelta(days=1)).isoformat(),
            "officer_ids": [me["officer"]["id"], colleague["id"]],
            "penalty": {"kinds": ["fine"], "fine_fen": 60_000},
        },
    )
    assert created.status_code == 201, created.text
    case = created.json()
    for who, action in [
        (officer, "start_check"),
        (officer, "submit_filing"),
        (squad, "approve"),
        (district, "approve"),
        (officer, "end_investigation"),
        (officer, "issue_notice"),
        (officer, "serve_notice"),
    ]:
        res = who.post(f"/cases/{case['id']}/actions/{action}", json={"version": case["version"]})
        assert res.status_code == 200, res.text
        case = res.json()
    return case


@pytest.mark.e2e
def test_closed_gate_shows_its_article_in_the_action_panel(browser, live_server, tmp_path):
    case = _case_in_statement(live_server)
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    try:
        _login(page, live_server, "bdg_officer")
        page.wait_for_url("**/console/**", timeout=15_000)
        _open_case(page, live_server, case["id"])
        expect(page.get_by_test_id("case-status")).to_have_text("陈述申辩")
        decision = page.get_by_test_id("case-action-submit_decision")
        expect(decision).to_be_disabled()
        expect(decision).to_have_attribute("data-open", "false")
        note = page.get_by_test_id("case-action-note-submit_decision")
        expect(note).to_contain_text("陈述申辩期")
        expect(note).to_contain_text("第四十五条")
        # The tooltip over the disabled button says the same.
        decision.hover()
        expect(page.locator(".el-popper:visible", has_text="陈述申辩期")).to_have_count(1, timeout=10_000)
        clock = page.get_by_test_id("case-clock-statement")
        expect(clock).to_contain_text("陈述申辩期")
        expect(clock).to_contain_text("第四十五条")
        page.screenshot(path=str(tmp_path / "case-gate.png"))

        # Someone else records the party's statement meanwhile: the stale page's waiver is refused (409), the page
        # reloads and says so; the waiver on the fresh version goes through and opens the decision.
        officer = _api(live_server, "bdg_officer")
        noted = officer.post(
            f"/cases/{case['id']}/actions/record_statement",
            json={"version": case["version"], "data": {"note": "当事人口头陈述"}},
        )
        assert noted.status_code == 200, noted.text
        page.get_by_test_id("case-action-waive_statement").click()
        page.locator(".case-action-dialog:visible").get_by_test_id("action-submit").click()
        expect(page.locator(".el-message", has_text="已被他人更新")).to_have_count(1, timeout=15_000)
        expect(page.get_by_test_id("case-timeline-count")).to_have_text(f"共 {len(case['timeline']) + 1} 条")
        expect(page.get_by_test_id("case-timeline")).to_contain_text("当事人口头陈述")
        _act(page, "waive_statement", len(case["timeline"]) + 1)
        expect(page.get_by_test_id("case-action-submit_decision")).to_be_enabled()
    finally:
        context.close()
