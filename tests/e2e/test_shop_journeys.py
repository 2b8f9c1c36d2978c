"""The merchant's side of non-contact enforcement through the real UI, on a 390×844 phone: the officer sends a shop a
温馨提醒 (warning first allows it) and a 责令（限期）整改通知; the shop opens the URL its door sign's QR code carries,
claims itself (a wrong USCC refused first, then the right one), sees both notices, photographs the rectification and
submits it; the officer confirms it in the console (desktop), and the shop sees it done. Then a statement after the
window: the H5 says the day it ended and the server refuses with that day (problem+json)."""

from __future__ import annotations

import io
import re
import uuid
from datetime import date, timedelta

import httpx
import pytest
from PIL import Image
from playwright.sync_api import expect

from browser_support import DESKTOP, PHONE, api, field, login

FRONTAGE, STREET = "06012-QD-01", "09005-QD-01"


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (60, 140, 90)).save(out, "JPEG")
    return out.getvalue()


def _fresh_shop(leader: httpx.Client) -> dict:
    """An operating shop of the 八大关 squad that nobody claimed and no notice or case names."""
    me = leader.get("/auth/me").json()
    shops = leader.get("/merchants", params={"unit_id": me["unit"]["id"], "status": "operating",
                                              "page_size": 200}).json()["items"]  # fmt: skip
    for shop in reversed(shops):
        if shop["has_account"] or not shop["uscc"]:
            continue
        if leader.get("/notices", params={"merchant_id": shop["id"]}).json()["total"]:
            continue
        if leader.get(f"/merchants/{shop['id']}").json()["cases"]:
            continue
        return shop
    raise AssertionError("no fresh demo shop in the squad")


def _send(officer: httpx.Client, shop: dict, kind: str, matter: str, facts: str, requirement: str) -> dict:
    res = officer.post("/notices", json={"kind": kind, "merchant_id": shop["id"], "matter_code": matter, "facts": facts,
                                         "requirement": requirement,
                                         "due_date": (date.today() + timedelta(days=3)).isoformat()})  # fmt: skip
    assert res.status_code == 201, res.text
    return res.json()


def _sms_code(admin: httpx.Client, phone: str) -> str:
    for message in admin.get("/sms-messages", params={"phone": phone}).json()["items"]:
        found = re.search(r"验证码 (\d{6})", message["body"])
        if found:
            return found.group(1)
    raise AssertionError("no code sent")


def _late_case(base: str, shop: dict) -> dict:
    """A case against the shop whose prior notice was served twenty days ago (the statement window is over)."""
    officer, squad, district = api(base, "bdg_officer"), api(base, "bdg_leader"), api(base, "shinan_leader")
    me = officer.get("/auth/me").json()
    squad_officers = squad.get("/officers", params={"unit_id": me["unit"]["id"], "page_size": 200}).json()["items"]
    colleague = next(o for o in squad_officers
                     if o["user_id"] is None and o["kind"] == "certified" and o["status"] == "active")  # fmt: skip
    party = {"type": "organization", "name": shop["name"], "id_no": shop["uscc"],
             "representative": shop["operator_name"], "address": shop["address"]}  # fmt: skip
    created = officer.post("/cases", json={
        "procedure": "ordinary", "matter_code": STREET, "merchant_id": shop["id"], "party": party,
        "facts": f"当事人在{shop['address']}门外人行道摆放货架展示商品，经责令改正后拒不改正",
        "address": shop["address"],
        "act_on": (date.today() - timedelta(days=25)).isoformat(),
        "officer_ids": [me["officer"]["id"], colleague["id"]], "penalty": {"kinds": ["fine"], "fine_fen": 80_000},
    })  # fmt: skip
    assert created.status_code == 201, created.text
    case = created.json()
    served = (date.today() - timedelta(days=20)).isoformat()
    for who, action in ((officer, "start_check"), (officer, "submit_filing"), (squad, "approve"),
                        (district, "approve"), (officer, "end_investigation"), (officer, "issue_notice"),
                        (officer, "serve_notice")):  # fmt: skip
        body = {"version": case["version"], **({"on": served} if action == "serve_notice" else {})}
        res = who.post(f"/cases/{case['id']}/actions/{action}", json=body)
        assert res.status_code == 200, f"{action}: {res.text}"
        case = res.json()
    return case


@pytest.mark.e2e
def test_a_shop_claims_itself_rectifies_online_and_the_officer_confirms(browser, live_server, tmp_path):
    shots = tmp_path
    leader, officer, admin = api(live_server, "bdg_leader"), api(live_server, "bdg_officer"), api(live_server, "admin")
    shop = _fresh_shop(leader)
    warning = _send(officer, shop, "warning", FRONTAGE, "当事人门前责任区堆放纸箱，地面有污水", "清理门前杂物和污水")
    order = _send(officer, shop, "rectification_order", STREET, "当事人在店门外人行道摆放货架展示商品",
                  "将货架和商品移回店内")  # fmt: skip
    assert warning["decision"]["rule"] == "first_minor" and order["document_no"]
    phone_number = f"136{uuid.uuid4().int % 10**8:08d}"
    wrong = shop["uscc"][:-1] + ("1" if shop["uscc"][-1] != "1" else "2")

    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    try:
        # the door sign's QR code: {public_base_url}/portal/shop/{code}
        page.goto(f"{live_server}/portal/shop/{shop['code']}")
        expect(page.get_by_test_id("shop-name")).to_have_text(shop["name"], timeout=15_000)
        expect(page.get_by_test_id("shop-provision").first).to_contain_text("青岛市市容和环境卫生管理条例")
        page.screenshot(path=str(shots / "1-shop-page.png"), full_page=True)
        page.get_by_test_id("shop-claim").click()
        field(page, "claim-phone").fill(phone_number)
        page.get_by_test_id("claim-send-code").click()
        expect(page.get_by_test_id("claim-code-sent")).to_be_visible(timeout=15_000)
        field(page, "claim-code").fill(_sms_code(admin, phone_number))
        field(page, "claim-uscc").fill(wrong)
        page.get_by_test_id("claim-submit").click()
        problem = page.get_by_test_id("claim-problem")
        expect(problem).to_have_attribute("data-code", "portal.claim_mismatch", timeout=15_000)
        expect(problem).to_contain_text("不一致")
        page.screenshot(path=str(shots / "2-claim-refused.png"), full_page=True)
        field(page, "claim-uscc").fill(shop["uscc"])
        page.get_by_test_id("claim-submit").click()
        page.wait_for_url(f"**/portal/shop/{shop['code']}/home", timeout=15_000)

        items = page.get_by_test_id("notice-item")
        expect(items).to_have_count(2, timeout=15_000)
        expect(page.locator("[data-testid='notice-item'][data-kind='warning']")).to_have_count(1)
        page.screenshot(path=str(shots / "3-my-notices.png"), full_page=True)
        page.locator("[data-testid='notice-item'][data-kind='rectification_order']").click()
        expect(page.get_by_test_id("notice-number")).to_have_text(order["document_no"], timeout=15_000)
        expect(page.get_by_test_id("notice-basis")).to_contain_text("第二十八条第一款")
        page.get_by_test_id("rectify-file").set_input_files(
            files=[{"name": "after.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
        )
        expect(page.get_by_test_id("rectify-thumb")).to_have_count(1)
        page.get_by_test_id("rectify-submit").click()
        expect(page.get_by_test_id("notice-status")).to_have_attribute("data-status", "submitted", timeout=20_000)
        expect(page.get_by_test_id("rectify-photo")).to_have_count(1)
        page.screenshot(path=str(shots / "4-rectification-submitted.png"), full_page=True)

        desk = browser.new_context(**DESKTOP)
        console = desk.new_page()
        try:
            login(console, live_server, "bdg_officer")
            console.wait_for_url("**/console/**", timeout=15_000)
            console.goto(f"{live_server}/console/notices?view=awaiting")
            row = console.locator(f"[data-testid='notice-row'][data-code='{order['code']}']")
            expect(row).to_have_count(1, timeout=15_000)
            row.click()
            expect(console.get_by_test_id("notice-detail-photo")).to_have_count(1, timeout=15_000)
            console.get_by_test_id("notice-confirm").click()
            expect(console.get_by_test_id("notice-detail-status")).to_have_attribute("data-status", "confirmed",
                                                                                     timeout=15_000)  # fmt: skip
            console.screenshot(path=str(shots / "5-console-confirmed.png"))
        finally:
            desk.close()

        page.reload()
        expect(page.get_by_test_id("notice-status")).to_have_attribute("data-status", "confirmed", timeout=15_000)
        expect(page.get_by_test_id("notice-status")).to_have_text("已整改")

        # a statement after the window: the H5 shows when it ended, the server refuses with that day
        case = _late_case(live_server, shop)
        page.goto(f"{live_server}/portal/cases/{case['id']}")
        closed = page.get_by_test_id("statement-closed")
        expect(closed).to_contain_text("届满", timeout=15_000)
        ended = re.search(r"\d{4}-\d{2}-\d{2}", closed.inner_text()).group(0)  # type: ignore[union-attr]
        page.screenshot(path=str(shots / "6-statement-closed.png"), full_page=True)
        refused = page.evaluate(
            """async (id) => {
                const form = new FormData(); form.append('text', '我对事实有异议');
                const r = await fetch(`/api/v1/portal/cases/${id}/statements`, { method: 'POST', body: form,
                    headers: { Authorization: `Bearer ${localStorage.getItem('cg-portal-token')}` } });
                return { status: r.status, type: r.headers.get('content-type'), body: await r.json() };
            }""",
            case["id"],
        )
        assert refused["status"] == 409 and refused["type"].startswith("application/problem+json")
        assert refused["body"]["code"] == "portal.statement_late" and refused["body"]["expired_on"] == ended
    finally:
        phone.close()
