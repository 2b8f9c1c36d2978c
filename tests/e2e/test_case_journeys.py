"""执法办案 through the real UI: an ordinary-procedure case clicked from filing to archive by the officer, the squad
leader, the district leader and the legal reviewer (each in their own browser); the action panel shows a statutory
gate as a disabled button with its article; and the phone's 当场处罚 refuses 201 元 for a citizen with the server's
message (《行政处罚法》第五十一条) and then decides, delivers and collects 200 元."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from browser_support import DESKTOP, PHONE, draw_signature_by_finger
from browser_support import api as _api
from browser_support import field as _field
from browser_support import login as _login


def _number(page, testid: str):
    """The input of an el-input-number (its data-testid stays on the wrapper)."""
    return page.get_by_test_id(testid).locator("input")


def _matter(client: httpx.Client) -> dict:
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


def _picked(select, pick, attempts: int = 3) -> None:
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


def _pick_matter(page, testid: str, matter: dict) -> None:
    picker = page.get_by_test_id(testid)

    def pick() -> str:
        picker.click()
        picker.locator("input").first.fill(matter["name"])
        option = page.locator(f".matter-picker-pop .el-select-dropdown__item[data-code='{matter['code']}']:visible")
        expect(option).to_have_count(1, timeout=15_000)
        option.click()
        return matter["name"][:8]

    _picked(picker, pick)


def _open_case(page, base: str, case_id: str) -> None:
    page.goto(f"{base}/console/cases/{case_id}")
    expect(page.get_by_test_id("case-code")).to_be_visible(timeout=15_000)


def _act(page, action: str, timeline: int, fill=None) -> int:
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
    matter = _matter(officer_api)
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
        _pick_matter(officer, "matter-picker", matter)
        _field(officer, "case-party-name").fill(party)
        _field(officer, "case-party-phone").fill("13800000000")
        _field(officer, "case-facts", "textarea").fill("端到端测试：在人口集中地区露天焚烧落叶，经劝阻仍未停止")
        _field(officer, "case-address").fill("八大关景区正阳关路")
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
        fine = _number(officer, "case-fine").input_value()
        assert float(fine.replace(",", "")) > 0
        officer.screenshot(path=str(tmp_path / "case-create.png"))
        officer.get_by_test_id("case-create-submit").click()
        officer.wait_for_url(re.compile(r".*/console/cases/[0-9a-f-]{36}$"), timeout=15_000)
        case_id = officer.url.rsplit("/", 1)[1]
        code = officer.get_by_test_id("case-code").inner_text().strip()
        expect(officer.get_by_test_id("case-status")).to_have_text("案件来源")
        expect(officer.get_by_test_id("case-facts")).to_contain_text(colleague_name)
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
            assert float(_number(dialog, "action-amount").input_value().replace(",", "")) == float(fine)

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
            "matter_code": _matter(officer)["code"],
            "party": {"type": "individual", "name": "端到端陈述申辩"},
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


@pytest.mark.e2e
def test_phone_on_the_spot_penalty_is_capped_by_article_51(browser, live_server, tmp_path):
    matter = _matter(_api(live_server, "bdg_officer"))
    party = f"流动摊贩{uuid.uuid4().hex[:4]}"
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        _login(page, live_server, "bdg_officer")
        page.wait_for_url("**/m/**", timeout=15_000)
        page.get_by_test_id("m-quick-penalty").click()
        page.wait_for_url("**/m/penalty", timeout=15_000)
        _pick_matter(page, "matter-picker", matter)
        _field(page, "m-party-name").fill(party)
        _field(page, "m-address").fill("八大关景区路口")

        def pick_colleague() -> str:
            page.get_by_test_id("m-colleague").click()
            colleague = page.locator(".el-select-dropdown__item[data-login='no']:not(.is-disabled):visible").first
            expect(colleague).to_be_visible(timeout=15_000)
            name = colleague.locator("span").first.inner_text().strip()
            colleague.click()
            return name

        _picked(page.get_by_test_id("m-colleague"), pick_colleague)
        expect(page.get_by_test_id("m-cap")).to_contain_text("公民 200 元以下")
        _number(page, "m-fine").fill("201")
        _number(page, "m-fine").press("Tab")
        page.get_by_test_id("m-penalty-submit").click()
        problem = page.get_by_test_id("m-penalty-problem")
        expect(problem).to_contain_text("不得超过 200 元", timeout=15_000)
        expect(problem).to_contain_text("第五十一条")
        page.screenshot(path=str(tmp_path / "phone-penalty-refused.png"))

        _number(page, "m-fine").fill("200")
        _number(page, "m-fine").press("Tab")
        page.get_by_test_id("m-penalty-submit").click()
        expect(page.get_by_test_id("m-case-status")).to_have_text("当场处罚", timeout=15_000)
        expect(page.get_by_test_id("m-case-penalty")).to_contain_text("200.00 元")
        code = page.get_by_test_id("m-case-code").inner_text().strip()
        assert code.startswith("JY")

        # 第五十二条: the decision is signed by the officer and signed for by the party, by finger on the phone
        card = page.get_by_test_id("m-decision-sign")
        expect(card.get_by_test_id("m-decision-no")).to_contain_text("当罚字", timeout=15_000)
        expect(card.get_by_test_id("m-party-signature")).to_have_attribute("data-signed", "no")
        for button in ("m-sign-officer", "m-sign-party"):
            card.get_by_test_id(button).click()
            dialog = page.get_by_test_id("doc-sign-dialog")
            expect(dialog).to_be_visible()
            draw_signature_by_finger(page, dialog)
            dialog.get_by_test_id("doc-sign-submit").click()
            expect(dialog).to_be_hidden(timeout=15_000)
        expect(card.get_by_test_id("m-party-signature")).to_have_attribute("data-signed", "yes", timeout=15_000)
        expect(card.locator("[data-testid='m-officer-signature'][data-signed='yes']")).to_have_count(1)
        expect(page.get_by_test_id("m-signed").locator("input")).to_be_checked()  # the party signed for it
        page.screenshot(path=str(tmp_path / "phone-penalty-signed.png"))
        page.get_by_test_id("m-deliver").click()
        expect(page.get_by_test_id("m-case-status")).to_have_text("执行", timeout=15_000)
        assert float(_number(page, "m-pay-amount").input_value()) == 200
        page.get_by_test_id("m-pay").click()
        expect(page.get_by_test_id("m-case-paid")).to_have_text("200.00 元 / 0.00 元", timeout=15_000)
        page.get_by_test_id("m-close").click()
        expect(page.get_by_test_id("m-case-status")).to_have_text("已结案", timeout=15_000)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing overflows the phone
        page.screenshot(path=str(tmp_path / "phone-penalty-closed.png"))
    finally:
        context.close()

    found = _api(live_server, "bdg_officer").get("/cases", params={"q": code}).json()["items"]
    assert [(c["code"], c["procedure"], c["status"], c["party_name"]) for c in found] == [
        (code, "simple", "closed", party)
    ]
    docs = _api(live_server, "bdg_officer").get(f"/cases/{found[0]['id']}/documents").json()["items"]
    decision = next(d for d in docs if d["kind"] == "on_site_decision")
    assert sorted(s["role"] for s in decision["signatures"]) == ["officer", "party"]
