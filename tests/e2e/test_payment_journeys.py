"""码上付 through the real UI on a phone (390×844): the party logs in to the merchant portal, opens the decision (its
service), sees the amount due and pays it on the simulated gateway's page; the gateway calls the server back with
its signed callback, and the portal turns to 已缴款 with the electronic receipt, whose QR page says it is genuine.
A tampered copy of the gateway's callback is refused and a replay changes nothing. On the console, the district
leader reads the day's reconciliation."""

from __future__ import annotations

import re
import uuid

import httpx
from playwright.sync_api import expect

from browser_support import DESKTOP, PHONE
from browser_support import api as _api
from browser_support import field as _field
from browser_support import login as _login
from e2e.test_document_journeys import _decided_case, _scribble


def _served_on_the_portal(base: str) -> tuple[dict, str, dict]:
    """A 500-yuan decision sealed and sent to a fresh phone whose consent chose the portal."""
    officer = _api(base, "bdg_officer")
    case = _decided_case(base, f"码上付商户{uuid.uuid4().hex[:4]}")
    phone = f"136{uuid.uuid4().int % 10**8:08d}"
    body = {"party_name": case["party_name"], "phone": phone, "channels": ["portal"], "signature": _scribble()}
    consent = officer.post(f"/cases/{case['id']}/service-consents", json=body)
    assert consent.status_code == 201, consent.text
    doc = officer.post(f"/cases/{case['id']}/documents", json={"kind": "penalty_decision"}).json()
    assert officer.post(f"/documents/{doc['id']}/seal", json={"algorithm": "rsa"}).status_code == 200
    assert officer.post(f"/documents/{doc['id']}/deliveries", json={"method": "electronic"}).status_code == 201
    return case, phone, doc


def _portal_login(page, base: str, phone: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/portal/login")
    _field(page, "portal-phone").fill(phone)
    page.get_by_test_id("portal-send-code").click()
    expect(page.get_by_test_id("portal-send-code")).to_contain_text("秒", timeout=15_000)
    outbox = _api(base, "admin").get("/sms-messages", params={"phone": phone}).json()["items"]
    _field(page, "portal-code").fill(re.search(r"验证码为 (\d{6})", outbox[0]["body"]).group(1))
    page.get_by_test_id("portal-login").click()
    page.wait_for_url("**/portal", timeout=15_000)


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    """Nothing wider than the phone: no sideways scrolling."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_party_pays_a_decision_from_the_phone_and_gets_the_receipt(browser, live_server, tmp_path):
    case, phone, doc = _served_on_the_portal(live_server)
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        _portal_login(page, live_server, phone)
        card = page.get_by_test_id("portal-doc").first
        expect(card).to_contain_text(doc["document_no"], timeout=15_000)
        expect(card.get_by_test_id("pay-unserved")).to_be_visible()  # the 15 days run from service
        card.get_by_test_id("portal-open").click()
        page.wait_for_url("**/s/**", timeout=15_000)
        page.get_by_test_id("portal-back").click()
        page.wait_for_url("**/portal", timeout=15_000)
        block = page.get_by_test_id("pay-block").first
        expect(block.get_by_test_id("pay-amount")).to_have_text("¥500", timeout=15_000)
        _fits(page)
        page.screenshot(path=str(tmp_path / "portal-amount-due.png"), full_page=True)

        block.get_by_test_id("pay-go").click()
        page.wait_for_url("**/sim-pay/**", timeout=15_000)
        expect(page.get_by_test_id("sim-amount")).to_have_text("¥500", timeout=15_000)
        _fits(page)
        page.screenshot(path=str(tmp_path / "sim-pay.png"), full_page=True)
        order_no = page.url.rsplit("/", 1)[1]
        page.get_by_test_id("sim-pay").click()
        expect(page.get_by_test_id("sim-paid")).to_be_visible(timeout=15_000)
        page.screenshot(path=str(tmp_path / "sim-paid.png"), full_page=True)
        page.get_by_test_id("sim-back").click()
        page.wait_for_url("**/portal?paid=*", timeout=15_000)
        paid = page.get_by_test_id("pay-paid").first
        expect(paid).to_contain_text("已缴款", timeout=30_000)  # once the server has verified the callback
        receipt = page.get_by_test_id("pay-receipt").first
        expect(receipt).to_contain_text("电子缴款凭证")
        _fits(page)
        page.screenshot(path=str(tmp_path / "portal-paid.png"), full_page=True)
        pdf = httpx.get(receipt.get_attribute("href"), trust_env=False)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

        status = _api(live_server, "bdg_officer").get(f"/payments/{order_no}").json()
        assert (status["status"], status["paid_fen"]) == ("paid", 50_000)
        page.goto(status["verify_url"])
        expect(page.get_by_test_id("verify-state-text")).to_have_text("凭证真实有效", timeout=30_000)
        _fits(page)
        page.screenshot(path=str(tmp_path / "receipt-verified.png"), full_page=True)
    finally:
        context.close()

    # The gateway's callback for this payment, handed over: tampered it is refused, replayed it changes nothing.
    officer = _api(live_server, "bdg_officer")
    before = officer.get(f"/cases/{case['id']}").json()
    callback = httpx.post(f"{live_server}/api/v1/sim-gateway/orders/{order_no}/pay", json={"deliver": "caller"},
                          trust_env=False).json()["callback"]  # fmt: skip
    body = bytearray(callback["body"].encode())
    body[len(body) // 2] ^= 0x01
    notify = f"{live_server}/api/v1/payments/notify/sim"
    tampered = httpx.post(notify, content=bytes(body), headers=callback["headers"], trust_env=False)
    assert tampered.status_code == 401 and tampered.json()["code"] == "payment.notify.signature"
    replayed = httpx.post(notify, content=callback["body"].encode(), headers=callback["headers"], trust_env=False)
    assert replayed.status_code == 200 and replayed.json()["code"] == "SUCCESS"
    after = officer.get(f"/cases/{case['id']}").json()
    assert (after["version"], after["paid_fen"], len(after["timeline"])) == (before["version"], 50_000,
                                                                             len(before["timeline"]))  # fmt: skip


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
