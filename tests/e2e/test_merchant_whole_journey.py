"""The whole merchant journey of non-contact enforcement through the real UI, on a 390×844 phone, one shop from the
door sign to the receipt:

1. the officer sends the shop a 温馨提醒 (warning first allows it) and a 责令（限期）整改通知;
2. the shop opens the URL its door sign's QR code carries and claims itself (a wrong USCC refused first);
3. it sees both notices, photographs the rectification and submits it; the officer confirms it in the console;
4. later a case against the shop: its prior notice served today, the shop states its case on the phone inside the
   window, and the statement lands in the case's timeline; the shop then waives the rest of the window in writing
   (recorded by the officer), the decision is approved, sealed and served to the shop's portal;
5. the shop pays on the simulated gateway's page, the gateway's signed callback moves the case on, and the receipt's
   QR page says it is genuine;
6. the refusals: a wrong USCC (step 2), a statement after the window (the H5 says the day it ended, the server
   refuses with that day), a tampered callback (401, nothing changes) and a replayed one (acknowledged, nothing
   changes)."""

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
from e2e.test_document_journeys import _scribble

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


def _case_against(base: str, shop: dict, acted_days_ago: int, served_days_ago: int) -> dict:
    """A case against the shop for goods displayed on the pavement that many days ago, walked by API to the service of
    its prior notice (served that many days ago)."""
    officer, squad, district = api(base, "bdg_officer"), api(base, "bdg_leader"), api(base, "shinan_leader")
    me = officer.get("/auth/me").json()
    squad_officers = squad.get("/officers", params={"unit_id": me["unit"]["id"], "page_size": 200}).json()["items"]
    colleague = next(o for o in squad_officers
                     if o["user_id"] is None and o["kind"] == "certified" and o["status"] == "active")  # fmt: skip
    party = {"type": "organization", "name": shop["name"], "id_no": shop["uscc"],
             "representative": shop["operator_name"], "address": shop["address"]}  # fmt: skip
    created = officer.post("/cases", json={
        "procedure": "ordinary", "matter_code": STREET, "merchant_id": shop["id"], "party": party,
        "facts": f"当事人在{shop['address']}门外人行道摆放货架展示商品",
        "address": shop["address"],
        "act_on": (date.today() - timedelta(days=acted_days_ago)).isoformat(),
        "officer_ids": [me["officer"]["id"], colleague["id"]], "penalty": {"kinds": ["fine"], "fine_fen": 80_000},
    })  # fmt: skip
    assert created.status_code == 201, created.text
    case = created.json()
    served = (date.today() - timedelta(days=served_days_ago)).isoformat()
    for who, action in ((officer, "start_check"), (officer, "submit_filing"), (squad, "approve"),
                        (district, "approve"), (officer, "end_investigation"), (officer, "issue_notice"),
                        (officer, "serve_notice")):  # fmt: skip
        body = {"version": case["version"], **({"on": served} if action == "serve_notice" else {})}
        res = who.post(f"/cases/{case['id']}/actions/{action}", json=body)
        assert res.status_code == 200, f"{action}: {res.text}"
        case = res.json()
    return case


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    """Nothing wider than the phone: no sideways scrolling."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _claim(page, base: str, shop: dict, phone_number: str, shots) -> None:  # type: ignore[no-untyped-def]
    """Scan the door sign (open its QR URL) and claim the shop: a wrong USCC is refused, the right one accepted."""
    wrong = shop["uscc"][:-1] + ("1" if shop["uscc"][-1] != "1" else "2")
    page.goto(f"{base}/portal/shop/{shop['code']}")
    expect(page.get_by_test_id("shop-name")).to_have_text(shop["name"], timeout=15_000)
    expect(page.get_by_test_id("shop-provision").first).to_contain_text("青岛市市容和环境卫生管理条例")
    _fits(page)
    page.screenshot(path=str(shots / "1-shop-page.png"), full_page=True)
    page.get_by_test_id("shop-claim").click()
    field(page, "claim-phone").fill(phone_number)
    page.get_by_test_id("claim-send-code").click()
    expect(page.get_by_test_id("claim-code-sent")).to_be_visible(timeout=15_000)
    field(page, "claim-code").fill(_sms_code(api(base, "admin"), phone_number))
    field(page, "claim-uscc").fill(wrong)
    page.get_by_test_id("claim-submit").click()
    problem = page.get_by_test_id("claim-problem")
    expect(problem).to_have_attribute("data-code", "portal.claim_mismatch", timeout=15_000)
    expect(problem).to_contain_text("不一致")
    page.screenshot(path=str(shots / "2-claim-refused.png"), full_page=True)
    field(page, "claim-uscc").fill(shop["uscc"])
    page.get_by_test_id("claim-submit").click()
    page.wait_for_url(f"**/portal/shop/{shop['code']}/home", timeout=15_000)


def _rectify(page, order: dict, shots) -> None:  # type: ignore[no-untyped-def]
    """Both notices in the shop's list; the rectification order opened, photographed and submitted."""
    expect(page.get_by_test_id("notice-item")).to_have_count(2, timeout=15_000)
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
    _fits(page)
    page.screenshot(path=str(shots / "4-rectification-submitted.png"), full_page=True)


def _officer_confirms(browser, base: str, order: dict, shots) -> None:  # type: ignore[no-untyped-def]
    desk = browser.new_context(**DESKTOP)
    console = desk.new_page()
    try:
        login(console, base, "bdg_officer")
        console.wait_for_url("**/console/**", timeout=15_000)
        console.goto(f"{base}/console/notices?view=awaiting")
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


def _state_in_time(page, base: str, case: dict, shots) -> None:  # type: ignore[no-untyped-def]
    """From the shop's 案件 tab: the case open for statements; a statement with a photo submitted inside the window."""
    page.goto(f"{base}/portal/shop/{case['shop_code']}/home")
    page.get_by_role("tab", name="案件").click()
    page.locator(f"[data-testid='case-item'][data-code='{case['code']}']").click()
    expect(page.get_by_test_id("statement-open")).to_contain_text("陈述申辩期至", timeout=15_000)
    field(page, "statement-text", "textarea").fill("货架已当场移回店内，系初次，请求从轻处理")
    page.get_by_test_id("statement-files").set_input_files(
        files=[{"name": "moved.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    page.get_by_test_id("statement-submit").click()
    expect(page.get_by_test_id("submissions")).to_contain_text("货架已当场移回店内", timeout=15_000)
    expect(page.get_by_test_id("submissions")).to_contain_text("材料 1 份")
    assert page.get_by_test_id("statement-files").input_value() == ""  # the picker no longer names the sent photo
    _fits(page)
    page.screenshot(path=str(shots / "6-statement-submitted.png"), full_page=True)


def _decide_and_serve(base: str, case: dict, phone_number: str) -> dict:
    """The shop's written waiver of the rest of the window recorded, the decision approved, sealed and served to the
    portal of the phone that claimed the shop. Returns the decision document."""
    officer, squad = api(base, "bdg_officer"), api(base, "bdg_leader")
    district, legal = api(base, "shinan_leader"), api(base, "shinan_legal")
    case = officer.get(f"/cases/{case['id']}").json()  # the statement moved it on
    for who, action in ((officer, "waive_statement"), (officer, "submit_decision"), (squad, "approve"),
                        (legal, "approve"), (district, "approve")):  # fmt: skip
        res = who.post(f"/cases/{case['id']}/actions/{action}", json={"version": case["version"]})
        assert res.status_code == 200, f"{action}: {res.text}"
        case = res.json()
    assert case["status"] == "service"
    body = {"party_name": case["party_name"], "phone": phone_number, "channels": ["portal"], "signature": _scribble()}
    consent = officer.post(f"/cases/{case['id']}/service-consents", json=body)
    assert consent.status_code == 201, consent.text
    doc = officer.post(f"/cases/{case['id']}/documents", json={"kind": "penalty_decision"}).json()
    assert officer.post(f"/documents/{doc['id']}/seal", json={"algorithm": "rsa"}).status_code == 200
    assert officer.post(f"/documents/{doc['id']}/deliveries", json={"method": "electronic"}).status_code == 201
    return doc


def _pay(page, base: str, doc: dict, shots) -> str:  # type: ignore[no-untyped-def]
    """Open the served decision, pay the amount due on the simulated gateway, get the receipt. Returns the order no."""
    page.goto(f"{base}/portal")
    card = page.locator("[data-testid='portal-doc']", has_text=doc["document_no"])
    expect(card).to_have_count(1, timeout=15_000)
    card.get_by_test_id("portal-open").click()  # opening it serves it: the 15 days run from now
    page.wait_for_url("**/s/**", timeout=15_000)
    page.get_by_test_id("portal-back").click()
    page.wait_for_url("**/portal", timeout=15_000)
    block = page.locator("[data-testid='portal-doc']", has_text=doc["document_no"]).get_by_test_id("pay-block")
    expect(block.get_by_test_id("pay-amount")).to_have_text("¥800", timeout=15_000)
    _fits(page)
    page.screenshot(path=str(shots / "7-amount-due.png"), full_page=True)
    block.get_by_test_id("pay-go").click()
    page.wait_for_url("**/sim-pay/**", timeout=15_000)
    expect(page.get_by_test_id("sim-amount")).to_have_text("¥800", timeout=15_000)
    order_no = page.url.rsplit("/", 1)[1]
    page.get_by_test_id("sim-pay").click()
    expect(page.get_by_test_id("sim-paid")).to_be_visible(timeout=15_000)
    page.get_by_test_id("sim-back").click()
    page.wait_for_url("**/portal?paid=*", timeout=15_000)
    paid = page.locator("[data-testid='portal-doc']", has_text=doc["document_no"])
    expect(paid.get_by_test_id("pay-paid")).to_contain_text("已缴款", timeout=30_000)  # once the callback verified
    receipt = paid.get_by_test_id("pay-receipt")
    expect(receipt).to_contain_text("电子缴款凭证")
    _fits(page)
    page.screenshot(path=str(shots / "8-paid.png"), full_page=True)
    pdf = httpx.get(receipt.get_attribute("href"), trust_env=False)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    return order_no


def _late_statement_refused(page, base: str, case: dict, shots) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/portal/cases/{case['id']}")
    closed = page.get_by_test_id("statement-closed")
    expect(closed).to_contain_text("届满", timeout=15_000)
    ended = re.search(r"\d{4}-\d{2}-\d{2}", closed.inner_text()).group(0)  # type: ignore[union-attr]
    page.screenshot(path=str(shots / "10-statement-closed.png"), full_page=True)
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


def _forged_and_replayed_callbacks(base: str, case: dict, order_no: str) -> None:
    """The gateway's callback for this payment, handed over: tampered it is refused, replayed it changes nothing."""
    officer = api(base, "bdg_officer")
    before = officer.get(f"/cases/{case['id']}").json()
    callback = httpx.post(f"{base}/api/v1/sim-gateway/orders/{order_no}/pay", json={"deliver": "caller"},
                          trust_env=False).json()["callback"]  # fmt: skip
    body = bytearray(callback["body"].encode())
    body[len(body) // 2] ^= 0x01
    notify = f"{base}/api/v1/payments/notify/sim"
    tampered = httpx.post(notify, content=bytes(body), headers=callback["headers"], trust_env=False)
    assert tampered.status_code == 401 and tampered.json()["code"] == "payment.notify.signature"
    replayed = httpx.post(notify, content=callback["body"].encode(), headers=callback["headers"], trust_env=False)
    assert replayed.status_code == 200 and replayed.json()["code"] == "SUCCESS"
    after = officer.get(f"/cases/{case['id']}").json()
    assert (after["version"], after["paid_fen"], len(after["timeline"])) == (before["version"], 80_000,
                                                                             len(before["timeline"]))  # fmt: skip


@pytest.mark.e2e
def test_one_shop_from_the_door_sign_to_the_receipt(browser, live_server, tmp_path):
    leader, officer = api(live_server, "bdg_leader"), api(live_server, "bdg_officer")
    shop = _fresh_shop(leader)
    warning = _send(officer, shop, "warning", FRONTAGE, "当事人门前责任区堆放纸箱，地面有污水", "清理门前杂物和污水")
    order = _send(officer, shop, "rectification_order", STREET, "当事人在店门外人行道摆放货架展示商品",
                  "将货架和商品移回店内")  # fmt: skip
    assert warning["decision"]["rule"] == "first_minor" and order["document_no"]
    phone_number = f"136{uuid.uuid4().int % 10**8:08d}"

    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    try:
        _claim(page, live_server, shop, phone_number, tmp_path)
        _rectify(page, order, tmp_path)
        _officer_confirms(browser, live_server, order, tmp_path)
        page.reload()
        expect(page.get_by_test_id("notice-status")).to_have_attribute("data-status", "confirmed", timeout=15_000)
        expect(page.get_by_test_id("notice-status")).to_have_text("已整改")

        case = _case_against(live_server, shop, acted_days_ago=0, served_days_ago=0)
        _state_in_time(page, live_server, {**case, "shop_code": shop["code"]}, tmp_path)
        timeline = officer.get(f"/cases/{case['id']}").json()["timeline"]
        assert any("陈述申辩" in str(entry) for entry in timeline), timeline
        doc = _decide_and_serve(live_server, case, phone_number)
        order_no = _pay(page, live_server, doc, tmp_path)
        status = officer.get(f"/payments/{order_no}").json()
        assert (status["status"], status["paid_fen"]) == ("paid", 80_000) and status["receipt_url"]
        page.goto(status["verify_url"])
        expect(page.get_by_test_id("verify-state-text")).to_have_text("凭证真实有效", timeout=30_000)
        page.screenshot(path=str(tmp_path / "9-receipt-verified.png"), full_page=True)

        late = _case_against(live_server, shop, acted_days_ago=25, served_days_ago=20)
        _late_statement_refused(page, live_server, late, tmp_path)
    finally:
        phone.close()
    _forged_and_replayed_callbacks(live_server, case, order_no)
