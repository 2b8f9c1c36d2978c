"""执法文书, 电子签章 and 电子送达 through the real UI: on a decided case the officer generates the 行政处罚决定书,
previews it, seals it, records the party's 电子送达确认书 with a drawn signature and sends it electronically; the
party opens the SMS link on a phone without logging in (the opening is the time of service), sees the document and
signs for it; the console then shows the delivery 已送达 and the case has moved on to execution. Anyone can check a
sealed document on its public verification page, and a copy with one byte changed is told apart from the original."""

from __future__ import annotations

import base64
import io
import re
import uuid
from datetime import timedelta

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from browser_support import (
    DESKTOP,
    PHONE,
    colleague_and_matter,
    draw_signature,
    draw_signature_by_finger,
    walk,
)
from browser_support import api as _api
from browser_support import field as _field
from browser_support import login as _login
from chengguan.core import clock
from chengguan.core.masking import mask_phone
from support import synthetic_ric

PHONE_NO = "13912345678"
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def _decided_case(base: str, party: str) -> dict:
    """A fine case walked by API through filing, notice, waiver and the decision's approvals: waiting for service."""
    officer, squad = _api(base, "bdg_officer"), _api(base, "bdg_leader")
    district, legal = _api(base, "shinan_leader"), _api(base, "shinan_legal")
    me, colleague, matter = colleague_and_matter(officer, squad)
    fine = max(matter["individual_min_fen"] or 0, min(50_000, matter["individual_max_fen"]))
    created = officer.post(
        "/cases",
        json={
            "procedure": "ordinary",
            "matter_code": matter["code"],
            "party": {
                "type": "individual",
                "name": party,
                "id_no": synthetic_ric(uuid.uuid4().int),
                "phone": PHONE_NO,
                "address": "青岛市市南区正阳关路 8 号",
            },
            "facts": "在八大关景区正阳关路占道经营，经劝阻仍未停止",
            "address": "八大关景区正阳关路",
            "act_on": (clock.local_now().date() - timedelta(days=3)).isoformat(),
            "officer_ids": [me["officer"]["id"], colleague["id"]],
            "penalty": {"kinds": ["fine"], "fine_fen": fine, "reasoning": "一般情节"},
        },
    )
    assert created.status_code == 201, created.text
    case = walk(created.json(), [
        (officer, "start_check"), (officer, "submit_filing"), (squad, "approve"), (district, "approve"),
        (officer, "end_investigation"), (officer, "issue_notice"), (officer, "serve_notice"),
        (officer, "waive_statement"), (officer, "submit_decision"), (squad, "approve"), (legal, "approve"),
        (district, "approve"),
    ])  # fmt: skip
    assert case["status"] == "service"
    return case


def _open_case(page, base: str, case_id: str) -> None:
    page.goto(f"{base}/console/cases/{case_id}")
    expect(page.get_by_test_id("case-code")).to_be_visible(timeout=15_000)


def _doc_row(page, kind: str):
    return page.get_by_test_id("case-doc").and_(page.locator(f"[data-kind='{kind}']"))


@pytest.mark.e2e
def test_decision_generated_sealed_served_electronically_and_signed_for_on_a_phone(browser, live_server, tmp_path):
    party = f"送达当事人{uuid.uuid4().hex[:4]}"
    case = _decided_case(live_server, party)
    today = clock.local_now().date().isoformat()
    console = browser.new_context(**DESKTOP)
    page = console.new_page()
    phone = browser.new_context(**PHONE)  # the party's own phone: nobody logged in there
    try:
        _login(page, live_server, "bdg_officer")
        page.wait_for_url("**/console/**", timeout=15_000)
        _open_case(page, live_server, case["id"])
        expect(page.get_by_test_id("case-status")).to_have_text("送达")
        section = page.get_by_test_id("case-documents")
        expect(section.get_by_test_id("case-delivery-table")).to_contain_text("暂无送达记录", timeout=15_000)

        # 生成文书: the decision is offered now; kinds the case is not ready for say why.
        section.get_by_test_id("case-doc-generate").click()
        dialog = page.get_by_test_id("doc-generate-dialog")
        expect(dialog).to_be_visible(timeout=10_000)
        decision_kind = dialog.locator("[data-testid='doc-kind'][data-kind='penalty_decision']")
        expect(decision_kind).to_have_attribute("data-available", "yes", timeout=15_000)
        closed = dialog.locator("[data-testid='doc-kind'][data-available='no']").first
        expect(closed.get_by_test_id("doc-kind-generate")).to_be_disabled()
        page.wait_for_timeout(400)  # the dialog's fade-in
        page.screenshot(path=str(tmp_path / "doc-generate-dialog.png"))
        inspection = dialog.locator("[data-testid='doc-kind'][data-kind='inspection_record']")
        inspection.get_by_test_id("doc-kind-generate").click()
        expect(dialog).to_be_hidden(timeout=30_000)

        # 编辑: only the texts a person writes, labelled; saving re-renders the draft.
        record = _doc_row(page, "inspection_record")
        expect(record.get_by_test_id("case-doc-status")).to_have_text("草稿", timeout=15_000)
        record.get_by_test_id("case-doc-edit").click()
        editor = page.get_by_test_id("doc-edit-dialog")
        expect(editor).to_be_visible(timeout=10_000)
        expect(editor).to_contain_text("笔录内容")
        written = "现场发现当事人在正阳关路人行道摆设摊位三处，占用人行道约六平方米。"
        _field(editor, "doc-field-record", "textarea").fill(written)
        page.wait_for_timeout(400)
        page.screenshot(path=str(tmp_path / "doc-edit-dialog.png"))
        editor.get_by_test_id("doc-edit-save").click()
        expect(editor).to_be_hidden(timeout=30_000)
        fields = _api(live_server, "bdg_officer").get(f"/cases/{case['id']}/documents").json()["items"]
        assert next(d for d in fields if d["kind"] == "inspection_record")["fields"]["record"] == written

        section.get_by_test_id("case-doc-generate").click()
        expect(dialog).to_be_visible(timeout=10_000)
        decision_kind.get_by_test_id("doc-kind-generate").click()
        expect(dialog).to_be_hidden(timeout=30_000)
        row = _doc_row(page, "penalty_decision")
        expect(row).to_have_count(1, timeout=15_000)
        expect(row.get_by_test_id("case-doc-status")).to_have_text("草稿")
        document_no = row.get_by_test_id("case-doc-no").inner_text().strip()
        assert re.fullmatch(r"市南区综执罚决字〔\d{4}〕第\d{4}号", document_no), document_no

        # 预览: the PDF fetched with the officer's token, shown from an object URL.
        row.get_by_test_id("case-doc-preview").click()
        preview = page.get_by_test_id("doc-preview-dialog")
        frame = preview.get_by_test_id("doc-preview-frame")
        expect(frame).to_have_attribute("src", re.compile(r"^blob:"), timeout=30_000)
        page.wait_for_timeout(3000)  # Chromium's PDF viewer draws the pages
        page.screenshot(path=str(tmp_path / "doc-preview.png"))
        page.keyboard.press("Escape")
        expect(preview).to_be_hidden(timeout=10_000)

        # 签章 with 国密 SM2: the row turns 已签章 and offers no more writing.
        row.get_by_test_id("case-doc-seal").click()
        seal = page.get_by_test_id("doc-seal-dialog")
        expect(seal).to_be_visible(timeout=10_000)
        seal.locator("[data-algorithm='sm2']").click()
        expect(seal.locator("[data-algorithm='sm2']")).to_have_class(re.compile(r"is-checked"))
        page.wait_for_timeout(300)
        page.screenshot(path=str(tmp_path / "doc-seal-dialog.png"))
        seal.get_by_test_id("doc-seal-submit").click()
        expect(seal).to_be_hidden(timeout=30_000)
        expect(row.get_by_test_id("case-doc-status")).to_have_text("已签章", timeout=15_000)
        expect(row.get_by_test_id("case-doc-sealed-at")).to_contain_text("签章于")
        expect(row).to_contain_text("国密 SM2")
        expect(row.get_by_test_id("case-doc-seal")).to_have_count(0)
        # 下载 Word: the editable copy, fetched with the token and saved under the server's file name.
        row.get_by_test_id("case-doc-download").click()
        with page.expect_download() as download:
            page.locator("[data-testid='case-doc-download-docx']:visible").click()
        assert download.value.suggested_filename.endswith(".docx"), download.value.suggested_filename
        with open(download.value.path(), "rb") as f:
            assert f.read(2) == b"PK"  # a zip: Office Open XML

        # 送达 electronically: no consent yet, so the party signs the 电子送达确认书 first (name, phone from the case).
        row.get_by_test_id("case-doc-deliver").click()
        deliver = page.get_by_test_id("deliver-dialog")
        expect(deliver).to_be_visible(timeout=10_000)
        expect(deliver.get_by_test_id("deliver-consent")).to_have_attribute("data-consented", "no", timeout=15_000)
        expect(deliver.get_by_test_id("deliver-submit")).to_be_disabled()
        expect(deliver.get_by_test_id("deliver-blocked")).to_contain_text("第六十一条")
        deliver.get_by_test_id("consent-open").click()
        consent = page.get_by_test_id("consent-dialog")
        expect(consent).to_be_visible(timeout=10_000)
        expect(_field(consent, "consent-name")).to_have_value(party)
        expect(_field(consent, "consent-phone")).to_have_value(PHONE_NO)
        consent.get_by_test_id("consent-submit").click()
        expect(consent).to_contain_text("请当事人在签名板上亲笔签名")  # no signature, no consent
        draw_signature(page, consent)
        expect(consent).not_to_contain_text("请当事人在签名板上亲笔签名")
        page.screenshot(path=str(tmp_path / "doc-consent-dialog.png"))
        consent.get_by_test_id("consent-submit").click()
        expect(consent).to_be_hidden(timeout=15_000)
        expect(deliver.get_by_test_id("deliver-consent")).to_have_attribute("data-consented", "yes", timeout=15_000)
        # The consent was given with the full number; an officer without personal_data:view sees it masked.
        expect(deliver.get_by_test_id("deliver-consent")).to_contain_text(mask_phone(PHONE_NO))
        page.wait_for_timeout(300)
        page.screenshot(path=str(tmp_path / "doc-deliver-dialog.png"))
        deliver.get_by_test_id("deliver-submit").click()
        expect(deliver.get_by_test_id("deliver-result")).to_be_visible(timeout=30_000)
        link = _field(deliver, "deliver-link").input_value()
        assert re.fullmatch(rf"{re.escape(live_server)}/s/[A-Za-z0-9_-]+", link), link
        page.screenshot(path=str(tmp_path / "doc-deliver-sent.png"))
        deliver.get_by_test_id("deliver-close").click()
        expect(deliver).to_be_hidden(timeout=10_000)
        deliveries = section.get_by_test_id("case-delivery-table")
        expect(deliveries.get_by_test_id("case-delivery-status")).to_have_text("已发送", timeout=15_000)
        expect(deliveries).to_contain_text("待当事人查看")
        expect(page.get_by_test_id("case-status")).to_have_text("送达")  # not served until the party opens it

        # The party opens the SMS link on the phone: no login, the opening is the time of service.
        party_page = phone.new_page()
        party_page.goto(link)
        expect(party_page.get_by_test_id("delivery-title")).to_have_text("行政处罚决定书", timeout=15_000)
        expect(party_page.get_by_test_id("delivery-no")).to_have_text(document_no)
        expect(party_page.get_by_test_id("delivery-bureau")).to_contain_text("市南区")
        expect(party_page.get_by_test_id("delivery-doc")).to_contain_text(party)
        opened_at = party_page.get_by_test_id("delivery-opened-at").inner_text().strip()
        assert DATETIME.fullmatch(opened_at) and opened_at.startswith(today), opened_at
        assert "/login" not in party_page.url
        party_page.screenshot(path=str(tmp_path / "party-delivery.png"), full_page=True)
        # 查看文书 opens the sealed PDF itself (the phone's own viewer).
        with phone.expect_page() as popup:
            party_page.get_by_test_id("delivery-view").click()
        viewer = popup.value
        viewer.wait_for_load_state("commit", timeout=15_000)
        assert re.search(r"/api/v1/public/deliveries/[A-Za-z0-9_-]+\.pdf$", viewer.url), viewer.url
        pdf = phone.request.get(viewer.url)
        assert pdf.ok and pdf.body().startswith(b"%PDF"), pdf.status
        viewer.close()
        # 签收 with a handwritten signature.
        party_page.get_by_test_id("delivery-sign").click()
        expect(party_page.get_by_test_id("delivery-sign-error")).to_contain_text("手写签名")
        draw_signature_by_finger(party_page, party_page.get_by_test_id("delivery-receipt"))
        party_page.get_by_test_id("delivery-sign").click()
        expect(party_page.get_by_test_id("delivery-signed")).to_contain_text("您已签收", timeout=15_000)
        assert party_page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing overflows the phone
        party_page.screenshot(path=str(tmp_path / "party-signed.png"), full_page=True)
        # Opening the link again keeps the first opening as the time of service.
        party_page.reload()
        expect(party_page.get_by_test_id("delivery-opened-at")).to_have_text(opened_at, timeout=15_000)
        expect(party_page.get_by_test_id("delivery-signed")).to_be_visible()

        # Back on the console: the delivery is served at the opening time and the case moved on to execution.
        page.get_by_test_id("case-refresh").click()
        expect(page.get_by_test_id("case-status")).to_have_text("执行", timeout=15_000)
        expect(deliveries.get_by_test_id("case-delivery-status")).to_have_text("已送达", timeout=15_000)
        expect(deliveries.get_by_test_id("case-delivery-served")).to_have_text(opened_at)
        expect(deliveries.get_by_test_id("case-delivery-receipt")).to_have_text("已签收")
        expect(page.get_by_test_id("case-penalty")).to_contain_text(today)  # 决定书送达
        expect(page.get_by_test_id("case-payment")).to_contain_text("尚欠")
        section.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "case-documents-served.png"), full_page=True)
        section.screenshot(path=str(tmp_path / "case-documents-section.png"))
    finally:
        phone.close()
        console.close()

    officer = _api(live_server, "bdg_officer")
    after = officer.get(f"/cases/{case['id']}").json()
    assert after["status"] == "execution" and after["decision_served_on"] == today
    assert after["payment_due_on"]
    served = officer.get(f"/cases/{case['id']}/deliveries").json()["items"]
    masked = mask_phone(PHONE_NO)
    assert [(d["method"], d["status"], d["sent_to"]) for d in served] == [("electronic", "served", masked)]
    assert served[0]["opened_at"] and served[0]["served_on"] == today
    docs = officer.get(f"/cases/{case['id']}/documents").json()["items"]
    decision = next(d for d in docs if d["kind"] == "penalty_decision")
    assert decision["sealed"] and decision["algorithm"] == "sm2" and decision["deliveries_count"] == 1


@pytest.mark.e2e
def test_public_verification_tells_the_original_from_a_copy_with_one_byte_changed(browser, live_server, tmp_path):
    case = _decided_case(live_server, f"核验当事人{uuid.uuid4().hex[:4]}")
    officer = _api(live_server, "bdg_officer")
    made = officer.post(f"/cases/{case['id']}/documents", json={"kind": "penalty_decision"})
    assert made.status_code == 201, made.text
    sealed = officer.post(f"/documents/{made.json()['id']}/seal", json={"algorithm": "rsa"})
    assert sealed.status_code == 200, sealed.text
    doc = sealed.json()
    original = officer.get(doc["download_url"].removeprefix("/api/v1")).content
    assert original.startswith(b"%PDF")
    tampered = bytearray(original)
    middle = len(tampered) // 2
    tampered[middle] = tampered[middle] ^ 0x01

    context = browser.new_context(**DESKTOP)  # a citizen scanning the QR code: no login
    page = context.new_page()
    try:
        page.goto(f"{live_server}{doc['verify_url']}")
        state = page.get_by_test_id("verify-state")
        expect(state).to_have_attribute("data-state", "ok", timeout=15_000)
        expect(page.get_by_test_id("verify-state-text")).to_have_text("文书真实有效")
        expect(page.get_by_test_id("verify-no")).to_have_text(doc["document_no"])
        expect(page.get_by_test_id("verify-title")).to_have_text("行政处罚决定书")
        assert "/login" not in page.url
        page.screenshot(path=str(tmp_path / "verify-ok.png"), full_page=True)

        upload = page.get_by_test_id("verify-file")
        upload.set_input_files(files=[{"name": "决定书.pdf", "mimeType": "application/pdf", "buffer": original}])
        result = page.get_by_test_id("verify-result")
        expect(result).to_have_attribute("data-ok", "yes", timeout=30_000)
        expect(page.get_by_test_id("verify-result-title")).to_have_text("与存档原件一致，未被篡改")
        page.screenshot(path=str(tmp_path / "verify-upload-original.png"), full_page=True)

        upload.set_input_files(
            files=[{"name": "决定书（改）.pdf", "mimeType": "application/pdf", "buffer": bytes(tampered)}]
        )
        expect(result).to_have_attribute("data-ok", "no", timeout=30_000)
        expect(page.get_by_test_id("verify-result-title")).to_contain_text("不一致")
        page.screenshot(path=str(tmp_path / "verify-upload-tampered.png"), full_page=True)
    finally:
        context.close()

    unknown = browser.new_context(**PHONE)
    try:
        page = unknown.new_page()
        page.goto(f"{live_server}{doc['verify_url']}")  # the QR code scanned with a phone
        expect(page.get_by_test_id("verify-state")).to_have_attribute("data-state", "ok", timeout=15_000)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(tmp_path / "verify-ok-phone.png"), full_page=True)
        page.goto(f"{live_server}/verify/no-such-token")
        expect(page.get_by_test_id("verify-state")).to_have_attribute("data-state", "error", timeout=15_000)
        expect(page.get_by_test_id("verify-state")).to_contain_text("未找到该文书")
        assert "/login" not in page.url
        page.screenshot(path=str(tmp_path / "verify-unknown-phone.png"), full_page=True)
    finally:
        unknown.close()


@pytest.mark.e2e
def test_served_in_person_with_a_refusal_noted_moves_the_case_on(browser, live_server, tmp_path):
    case = _decided_case(live_server, f"留置当事人{uuid.uuid4().hex[:4]}")
    officer = _api(live_server, "bdg_officer")
    made = officer.post(f"/cases/{case['id']}/documents", json={"kind": "penalty_decision"})
    assert made.status_code == 201, made.text
    today = clock.local_now().date().isoformat()
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    try:
        _login(page, live_server, "bdg_officer")
        page.wait_for_url("**/console/**", timeout=15_000)
        _open_case(page, live_server, case["id"])
        row = _doc_row(page, "penalty_decision")
        expect(row.get_by_test_id("case-doc-status")).to_have_text("草稿", timeout=15_000)
        expect(row.get_by_test_id("case-doc-deliver")).to_be_disabled()  # 签章后方可送达
        row.get_by_test_id("case-doc-seal").click()
        seal = page.get_by_test_id("doc-seal-dialog")
        seal.get_by_test_id("doc-seal-submit").click()
        expect(seal).to_be_hidden(timeout=30_000)
        expect(row.get_by_test_id("case-doc-status")).to_have_text("已签章", timeout=15_000)

        row.get_by_test_id("case-doc-deliver").click()
        deliver = page.get_by_test_id("deliver-dialog")
        expect(deliver).to_be_visible(timeout=10_000)
        deliver.locator("[data-method='on_site']").click()
        expect(_field(deliver, "deliver-recipient")).to_have_value(case["party_name"])
        date_input = deliver.locator("[data-testid='deliver-date'] input, input[data-testid='deliver-date']")
        expect(date_input).to_have_value(today)
        deliver.locator(".el-checkbox", has_text="当事人拒绝签收").click()
        deliver.get_by_test_id("deliver-submit").click()
        expect(deliver).to_contain_text("拒收的须注明拒收事由和见证人")
        _field(deliver, "deliver-note", "textarea").fill("当事人拒绝签收，见证人：社区网格员王某")
        page.wait_for_timeout(300)
        page.screenshot(path=str(tmp_path / "doc-deliver-on-site.png"))
        deliver.get_by_test_id("deliver-submit").click()
        expect(deliver).to_be_hidden(timeout=30_000)
        table = page.get_by_test_id("case-delivery-table")
        expect(table.get_by_test_id("case-delivery-status")).to_have_text("已送达", timeout=15_000)
        expect(table.get_by_test_id("case-delivery-served")).to_have_text(today)
        expect(table).to_contain_text("当事人拒收")
        expect(page.get_by_test_id("case-status")).to_have_text("执行", timeout=15_000)
    finally:
        context.close()

    after = officer.get(f"/cases/{case['id']}").json()
    assert after["status"] == "execution" and after["decision_served_on"] == today


def _scribble() -> str:
    """A drawn signature as the pad sends it (a PNG data URL)."""
    img = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
    ImageDraw.Draw(img).line([(10, 90), (80, 20), (150, 100), (290, 30)], fill=(0, 0, 0, 255), width=4)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def test_party_logs_in_to_the_merchant_portal_and_opening_the_decision_serves_it(browser, live_server, tmp_path):
    """第六十一条: the consent chose the portal (商户端); the party logs in with phone + SMS code, opens the decision
    from the portal, and that opening is the recorded time of service."""
    officer = _api(live_server, "bdg_officer")
    case = _decided_case(live_server, f"门户商户{uuid.uuid4().hex[:4]}")
    phone = f"137{uuid.uuid4().int % 10**8:08d}"
    consent = officer.post(f"/cases/{case['id']}/service-consents",
                           json={"party_name": case["party_name"], "phone": phone, "channels": ["portal"],
                                 "signature": _scribble()})  # fmt: skip
    assert consent.status_code == 201, consent.text
    doc = officer.post(f"/cases/{case['id']}/documents", json={"kind": "penalty_decision"}).json()
    assert officer.post(f"/documents/{doc['id']}/seal", json={"algorithm": "rsa"}).status_code == 200
    sent = officer.post(f"/documents/{doc['id']}/deliveries", json={"method": "electronic"})
    assert sent.status_code == 201 and sent.json()["status"] == "sent", sent.text

    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.get_by_test_id("login-portal-link").click()
        page.wait_for_url("**/portal/login", timeout=15_000)
        _field(page, "portal-phone").fill(phone)
        page.get_by_test_id("portal-send-code").click()
        expect(page.get_by_test_id("portal-send-code")).to_contain_text("秒", timeout=15_000)
        outbox = _api(live_server, "admin").get("/sms-messages", params={"phone": phone}).json()["items"]
        code = re.search(r"验证码为 (\d{6})", outbox[0]["body"]).group(1)
        _field(page, "portal-code").fill(code)
        page.get_by_test_id("portal-login").click()
        page.wait_for_url("**/portal", timeout=15_000)
        card = page.get_by_test_id("portal-doc").first
        expect(card).to_have_attribute("data-status", "sent", timeout=15_000)
        expect(card).to_contain_text(doc["document_no"])
        page.screenshot(path=str(tmp_path / "portal-list.png"))
        card.get_by_test_id("portal-open").click()
        page.wait_for_url("**/s/**", timeout=15_000)
        # Opening is the service: wait until the page shows its time, or the list may be read before it is stored.
        expect(page.get_by_test_id("delivery-opened-at")).not_to_be_empty(timeout=15_000)
        page.get_by_test_id("portal-back").click()
        page.wait_for_url("**/portal", timeout=15_000)
        expect(page.get_by_test_id("portal-doc").first).to_have_attribute("data-status", "served", timeout=15_000)
        expect(page.get_by_test_id("portal-served").first).to_be_visible()
        page.screenshot(path=str(tmp_path / "portal-served.png"))
    finally:
        context.close()
    served = officer.get(f"/cases/{case['id']}/deliveries").json()["items"][0]
    assert served["status"] == "served" and served["opened_at"]
    assert officer.get(f"/cases/{case['id']}").json()["decision_served_on"]
