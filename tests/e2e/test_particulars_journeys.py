"""What a decision states (《行政处罚法》第五十九条) through the real UI: an officer opens a case without the place of
the act; the case detail names what the decision will lack; at 提请处罚决定 the server refuses and the dialog lists
the missing particular and says a case already noticed cannot simply be corrected (第四十四条); once 法制审核 sends it
back to investigation, the officer is warned again before the new prior notice, corrects the place in the 补正 dialog
(第五十四条; the timeline shows 补正案件信息 and what changed), notices again, and the decision goes through."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from browser_support import DESKTOP, national_matter, pick_matter, walk
from browser_support import act_in_dialog as _act
from browser_support import api as _api
from browser_support import field as _field
from browser_support import login as _login
from browser_support import open_case as _open_case
from support import synthetic_ric

PLACE = "市南区正阳关路 8 号门前人行道"


def _create_without_place(page, base: str, matter: dict, party: str, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """新建案件 in the console with everything but 违法地点; returns the new case's id."""
    page.goto(f"{base}/console/cases")
    page.get_by_test_id("case-new").click()
    form = page.get_by_test_id("case-create-dialog")
    expect(form).to_be_visible(timeout=10_000)
    pick_matter(page, "matter-picker", matter)
    _field(page, "case-party-name").fill(party)
    _field(page, "case-party-id").fill(synthetic_ric(uuid.uuid4().int))
    _field(page, "case-party-address").fill("青岛市市南区正阳关路 8 号")
    _field(page, "case-facts", "textarea").fill("当事人在正阳关路 8 号门前人行道摆摊销售水果，占用人行道约 4 平方米")
    page.get_by_test_id("case-officers").click()
    colleague = page.locator(
        ".el-select-dropdown__item[data-login='no']:not(.is-disabled):visible", has_not_text="本人"
    ).first
    expect(colleague).to_be_visible(timeout=15_000)
    colleague.click()
    page.keyboard.press("Escape")
    page.get_by_test_id("case-assess").click()
    expect(page.get_by_test_id("case-assess-result")).to_contain_text("建议罚款", timeout=15_000)
    expect(form).to_contain_text("作出处罚决定前须填写")  # the ordinary procedure only hints at the place
    page.set_viewport_size({"width": 1440, "height": 1800})  # the whole dialog in one picture
    page.wait_for_timeout(400)  # the dialog's fade-in
    form.screenshot(path=str(tmp_path / "case-create-dialog.png"))
    page.set_viewport_size(DESKTOP["viewport"])
    page.get_by_test_id("case-create-submit").click()
    page.wait_for_url(re.compile(r".*/console/cases/[0-9a-f-]{36}$"), timeout=15_000)
    return page.url.rsplit("/", 1)[1]


@pytest.mark.e2e
def test_a_decision_without_the_place_is_refused_corrected_and_then_made(browser, live_server, tmp_path):
    officer = _api(live_server, "bdg_officer")
    squad, district = _api(live_server, "bdg_leader"), _api(live_server, "shinan_leader")
    legal = _api(live_server, "shinan_legal")
    party = f"补正当事人{uuid.uuid4().hex[:4]}"
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    try:
        _login(page, live_server, "bdg_officer")
        page.wait_for_url("**/console/**", timeout=15_000)
        case_id = _create_without_place(page, live_server, national_matter(officer), party, tmp_path)
        gaps = page.get_by_test_id("case-particulars-gaps")
        expect(gaps).to_contain_text("违法地点")
        expect(gaps).not_to_contain_text("当事人")  # the identity and address were given
        expect(page.get_by_test_id("case-address")).to_have_text("—")

        # Walked past the prior notice without the place (the API does not stop it: notices state no place)
        case = officer.get(f"/cases/{case_id}").json()
        case = walk(case, [
            (officer, "start_check"), (officer, "submit_filing"), (squad, "approve"), (district, "approve"),
            (officer, "end_investigation"), (officer, "issue_notice"), (officer, "serve_notice"),
            (officer, "waive_statement"),
        ])  # fmt: skip
        _open_case(page, live_server, case_id)
        expect(page.get_by_test_id("case-status")).to_have_text("陈述申辩")
        expect(page.get_by_test_id("case-amend")).to_have_count(0)  # noticed: no more corrections
        expect(page.get_by_test_id("case-particulars-gaps")).to_have_count(0)

        # 提请处罚决定 is refused: the dialog lists the missing particular and why it cannot be corrected now
        page.get_by_test_id("case-action-submit_decision").click()
        dialog = page.locator(".case-action-dialog:visible")
        dialog.get_by_test_id("action-submit").click()
        missing = dialog.get_by_test_id("case-action-missing")
        expect(missing).to_be_visible(timeout=15_000)
        expect(missing.locator("li")).to_have_count(1)
        expect(missing.locator("li[data-field='address']")).to_contain_text("违法地点")
        expect(missing.locator("li[data-field='address']")).to_contain_text("第五十九条")
        expect(dialog.get_by_test_id("case-action-amend-closed")).to_contain_text("第四十四条")
        expect(dialog.get_by_test_id("case-action-amend")).to_have_count(0)
        page.wait_for_timeout(300)
        dialog.screenshot(path=str(tmp_path / "decision-refused.png"))
        dialog.get_by_role("button", name="取消").click()
        expect(dialog).to_have_count(0, timeout=10_000)
        assert officer.get(f"/cases/{case_id}").json()["status"] == "statement"

        # 法制审核 sends it back for further investigation (the lawful way back before the prior notice)
        case = walk(officer.get(f"/cases/{case_id}").json(), [(officer, "send_legal_review")])
        failed = legal.post(
            f"/cases/{case_id}/actions/fail_legal_review",
            json={"version": case["version"], "reason": "决定书须载明违法地点，退回补充调查"},
        )
        assert failed.status_code == 200, failed.text
        _open_case(page, live_server, case_id)
        expect(page.get_by_test_id("case-status")).to_have_text("调查取证")
        expect(page.get_by_test_id("case-particulars-gaps")).to_contain_text("违法地点")
        expect(page.get_by_test_id("case-amend")).to_be_visible()  # the handler may correct it again
        t = len(failed.json()["timeline"])
        t = _act(page, "end_investigation", t)

        # Before the new notice the dialog warns and opens the 补正 dialog with the place marked
        page.get_by_test_id("case-action-issue_notice").click()
        notice = page.locator(".case-action-dialog:visible")
        expect(notice.get_by_test_id("case-action-notice-gaps")).to_contain_text("违法地点")
        notice.get_by_test_id("case-action-amend").click()
        amend = page.get_by_test_id("case-amend-dialog")
        expect(amend).to_be_visible(timeout=10_000)
        expect(amend.get_by_test_id("case-amend-gaps")).to_contain_text("违法地点")
        expect(amend.locator(".el-form-item", has_text="违法地点")).to_contain_text("请填写违法地点")
        assert re.fullmatch(
            r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", amend.get_by_test_id("amend-act-at").locator("input").input_value()
        )
        amend.get_by_test_id("amend-submit").click()
        expect(amend.locator(".el-form-item", has_text="补正理由")).to_contain_text("请填写补正理由")
        _field(amend, "amend-address").fill(PLACE)
        _field(amend, "amend-reason", "textarea").fill("现场复核后补正违法地点")
        expect(amend.get_by_test_id("case-amend-gaps")).to_have_count(0)
        page.wait_for_timeout(300)
        amend.screenshot(path=str(tmp_path / "case-amend-dialog.png"))
        amend.get_by_test_id("amend-submit").click()
        expect(amend).to_be_hidden(timeout=15_000)
        t += 1
        expect(page.get_by_test_id("case-timeline-count")).to_have_text(f"共 {t} 条", timeout=15_000)
        expect(page.get_by_test_id("case-address")).to_have_text(PLACE)
        expect(page.get_by_test_id("case-particulars-gaps")).to_have_count(0)
        entry = page.get_by_test_id("case-timeline").locator(".el-table__row", has_text="补正案件信息")
        expect(entry).to_contain_text("现场复核后补正违法地点")
        expect(entry).to_contain_text(f"违法地点：（空） → {PLACE}")

        # Noticed again with the place; the decision now goes through
        t = _act(page, "issue_notice", t)
        t = _act(page, "serve_notice", t)
        t = _act(page, "waive_statement", t, lambda d: _field(d, "action-note", "textarea").fill("当事人书面放弃"))
        t = _act(page, "submit_decision", t)
        expect(page.get_by_test_id("case-status")).to_have_text("决定审批")
        page.set_viewport_size({"width": 1440, "height": 2200})
        page.screenshot(path=str(tmp_path / "case-amended.png"))
    finally:
        context.close()

    case = officer.get(f"/cases/{case_id}").json()
    assert case["status"] == "decision_approval" and case["address"] == PLACE
    amended = [e for e in case["timeline"] if e["action"] == "amend"]
    assert len(amended) == 1 and amended[0]["data"]["changes"]["address"] == [None, PLACE]
