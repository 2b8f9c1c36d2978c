"""当场处罚 on the phone (简易程序): the form asks for what the decision states (《行政处罚法》第五十二条第二款: the
act's time to the minute, place and facts, the party's identity number with its check digit), refuses 201 元 for a
citizen with the server's message (第五十一条), then decides, is signed by finger, delivered, paid and closed."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.sync_api import expect

from browser_support import PHONE, draw_signature_by_finger, number_input, pick_matter, picked
from browser_support import api as _api
from browser_support import field as _field
from browser_support import login as _login
from chengguan.core.masking import mask_id_no
from support import synthetic_ric


def _on_the_spot_matter(client: httpx.Client) -> dict:
    """A matter in force for the caller whose citizen fine range holds both 200 元 and 201 元: only 第五十一条's cap
    tells them apart."""
    items = client.get("/law/matters", params={"status": "active", "page_size": 200}).json()["items"]
    return next(
        m
        for m in items
        if "fine" in m["penalty_kinds"]
        and m["individual_min_fen"] is not None
        and m["individual_min_fen"] <= 20_000 < 20_100 <= (m["individual_max_fen"] or 0)
    )


@pytest.mark.e2e
def test_phone_on_the_spot_penalty_is_capped_by_article_51(browser, live_server, tmp_path):
    matter = _on_the_spot_matter(_api(live_server, "bdg_officer"))
    party = f"流动摊贩{uuid.uuid4().hex[:4]}"
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        _login(page, live_server, "bdg_officer")
        page.wait_for_url("**/m/**", timeout=15_000)
        page.get_by_test_id("m-quick-penalty").click()
        page.wait_for_url("**/m/penalty", timeout=15_000)
        pick_matter(page, "matter-picker", matter)
        _field(page, "m-party-name").fill(party)
        _field(page, "m-address").fill("八大关景区路口")
        assert re.fullmatch(
            r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", page.get_by_test_id("m-act-at").locator("input").input_value()
        )  # now
        number = synthetic_ric(uuid.uuid4().int)
        wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
        _field(page, "m-party-id").fill(wrong)
        expect(page.get_by_test_id("m-party-id-hint")).to_contain_text("校验位")
        _field(page, "m-party-id").fill(number)
        expect(page.get_by_test_id("m-party-id-hint")).to_have_count(0)

        def pick_colleague() -> str:
            page.get_by_test_id("m-colleague").click()
            colleague = page.locator(".el-select-dropdown__item[data-login='no']:not(.is-disabled):visible").first
            expect(colleague).to_be_visible(timeout=15_000)
            name = colleague.locator("span").first.inner_text().strip()
            colleague.click()
            return name

        picked(page.get_by_test_id("m-colleague"), pick_colleague)
        expect(page.get_by_test_id("m-cap")).to_contain_text("公民 200 元以下")
        expect(page.get_by_test_id("m-range")).to_contain_text("法定幅度")
        number_input(page, "m-fine").fill("201")
        number_input(page, "m-fine").press("Tab")
        # 第五十二条: no decision without the facts it states, named next to the field
        page.get_by_test_id("m-penalty-submit").click()
        expect(page.get_by_test_id("m-err-facts")).to_contain_text("违法事实")
        expect(page.get_by_test_id("m-penalty-problem")).to_contain_text("请补全：违法事实")
        _field(page, "m-facts", "textarea").fill("在八大关景区路口占用人行道摆摊销售水果，经劝阻仍未离开")
        page.screenshot(path=str(tmp_path / "phone-penalty-form.png"), full_page=True)
        page.get_by_test_id("m-penalty-submit").click()
        problem = page.get_by_test_id("m-penalty-problem")
        expect(problem).to_contain_text("不得超过 200 元", timeout=15_000)
        expect(problem).to_contain_text("第五十一条")
        page.screenshot(path=str(tmp_path / "phone-penalty-refused.png"))

        number_input(page, "m-fine").fill("200")
        number_input(page, "m-fine").press("Tab")
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
        assert float(number_input(page, "m-pay-amount").input_value()) == 200
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
    case = _api(live_server, "bdg_officer").get(f"/cases/{found[0]['id']}").json()
    assert case["act_at"] and case["address"] == "八大关景区路口" and case["party_id_no"] == mask_id_no(number)
    docs = _api(live_server, "bdg_officer").get(f"/cases/{found[0]['id']}/documents").json()["items"]
    decision = next(d for d in docs if d["kind"] == "on_site_decision")
    assert sorted(s["role"] for s in decision["signatures"]) == ["officer", "party"]
