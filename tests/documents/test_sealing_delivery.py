"""Sealing, public verification and service of documents over HTTP (《行政处罚法》第五十九条、第六十一条).

A sealed decision validates with pyHanko against the platform's seal CA and on the public page; one changed byte
fails both. Electronic service needs the party's signed consent first; the party's first opening of the link is the
time of service and moves the case on; paper service records the recipient and date."""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from pdfminer.high_level import extract_text
from PIL import Image, ImageDraw

from cases.helpers import decided, new_case
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.documents.credentials import keys_dir
from chengguan.documents.sign import validate_pdf

Login = Callable[..., dict[str, str]]


def signature() -> str:
    img = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
    ImageDraw.Draw(img).line([(10, 90), (80, 20), (150, 100), (290, 30)], fill=(0, 0, 0, 255), width=4)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _decision(client: TestClient, login: Login, setup: dict) -> tuple[dict, dict, dict]:
    officer = login("bdg_officer")
    case = decided(client, login, setup)
    made = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "penalty_decision"}, headers=officer)
    assert made.status_code == 201, made.text
    return officer, case, made.json()


def _seal(client: TestClient, officer: dict, doc: dict, algorithm: str = "rsa") -> dict:
    sealed = client.post(f"/api/v1/documents/{doc['id']}/seal", json={"algorithm": algorithm}, headers=officer)
    assert sealed.status_code == 200, sealed.text
    return sealed.json()


def _public_check(client: TestClient, token: str, data: bytes) -> dict:
    files = {"file": ("decision.pdf", data, "application/pdf")}
    response = client.post(f"/api/v1/public/verify/{token}", files=files)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_sealed_decision_validates_and_one_changed_byte_fails(
    client: TestClient, login: Login, setup: dict, settings: Settings
):
    officer, case, doc = _decision(client, login, setup)
    token = doc["verify_url"].rsplit("/", 1)[1]
    draft = client.get(f"/api/v1/public/verify/{token}").json()
    assert (draft["sealed"], draft["ok"], draft["message"]) == (False, False, "该文书尚未签章，不具有法律效力")
    sealed = _seal(client, officer, doc)
    assert (sealed["status"], sealed["sealed"], sealed["algorithm"]) == ("sealed", True, "rsa")
    assert sealed["sealed_by_name"] and sealed["document_no"] == doc["document_no"]
    pdf = client.get(sealed["download_url"], headers=officer).content
    root = json.loads((keys_dir(settings) / "platform-ca.json").read_text())["cert_pem"]
    result = validate_pdf(pdf, [root])
    assert result.ok and result.signer
    public = client.get(f"/api/v1/public/verify/{token}").json()
    assert public["ok"] and public["signature"]["trusted"] and public["bureau"] == "市南区综合行政执法局"
    assert _public_check(client, token, pdf)["ok"]
    tampered = bytearray(pdf)
    tampered[len(pdf) // 3] ^= 0x01
    assert not validate_pdf(bytes(tampered), [root]).ok
    check = _public_check(client, token, bytes(tampered))
    assert (check["ok"], check["matches"]) == (False, False) and "篡改" in check["message"]
    # sealed documents are locked
    again = client.post(f"/api/v1/documents/{doc['id']}/seal", json={"algorithm": "rsa"}, headers=officer)
    assert again.status_code == 409 and again.json()["code"] == "document.sealed"
    locked = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "penalty_decision"}, headers=officer)
    assert locked.status_code == 409 and locked.json()["code"] == "document.sealed"


def test_sm2_option_adds_a_national_signature_checked_on_the_page(client: TestClient, login: Login, setup: dict):
    officer, _, doc = _decision(client, login, setup)
    sealed = _seal(client, officer, doc, "sm2")
    assert sealed["algorithm"] == "sm2"
    token = sealed["verify_url"].rsplit("/", 1)[1]
    public = client.get(f"/api/v1/public/verify/{token}").json()
    assert public["ok"] and public["signature"]["sm2_ok"] is True and public["algorithm"] == "sm2"


def test_electronic_service_needs_consent_and_opening_is_the_service_time(
    client: TestClient, login: Login, setup: dict
):
    officer, case, doc = _decision(client, login, setup)
    unsealed = client.post(f"/api/v1/documents/{doc['id']}/deliveries", json={"method": "electronic"}, headers=officer)
    assert unsealed.status_code == 409 and unsealed.json()["code"] == "delivery.not_sealed"
    _seal(client, officer, doc)
    no_consent = client.post(f"/api/v1/documents/{doc['id']}/deliveries", json={"method": "electronic"},
                             headers=officer)  # fmt: skip
    assert no_consent.status_code == 409 and no_consent.json()["code"] == "delivery.no_consent"
    assert "第六十一条第二款" in no_consent.json()["detail"]
    url = f"/api/v1/cases/{case['id']}/service-consents"
    bad = client.post(url, json={"party_name": "测试当事人", "phone": "123", "signature": signature()}, headers=officer)
    assert bad.status_code == 422 and bad.json()["code"] == "consent.phone"
    unsigned = client.post(f"/api/v1/cases/{case['id']}/service-consents",
                           json={"party_name": "测试当事人", "phone": "13900001111", "signature": "data:,"},
                           headers=officer)  # fmt: skip
    assert unsigned.status_code == 422 and unsigned.json()["code"] == "signature.invalid"
    consent = client.post(f"/api/v1/cases/{case['id']}/service-consents",
                          json={"party_name": "测试当事人", "phone": "13900001111", "channels": ["sms"],
                                "signature": signature()}, headers=officer)  # fmt: skip
    assert consent.status_code == 201, consent.text
    png = client.get(consent.json()["signature_url"], headers=officer)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    sent = client.post(f"/api/v1/documents/{doc['id']}/deliveries", json={"method": "electronic"}, headers=officer)
    assert sent.status_code == 201, sent.text
    delivery = sent.json()
    assert (delivery["status"], delivery["sent_to"], delivery["opened_at"]) == ("sent", "139****1111", None)
    token = delivery["link"].rsplit("/", 1)[1]
    outbox = client.get("/api/v1/sms-messages", params={"phone": "13900001111"}, headers=login("admin")).json()
    assert outbox["items"][0]["status"] == "sent" and f"/s/{token}" in outbox["items"][0]["body"]
    assert client.get("/api/v1/sms-messages", headers=officer).status_code == 403
    # not served until opened: the case still waits for service
    assert client.get(f"/api/v1/cases/{case['id']}", headers=officer).json()["status"] == "service"
    early = client.post(f"/api/v1/public/deliveries/{token}/receipt", json={"signature": signature()})
    assert early.status_code == 409 and early.json()["code"] == "delivery.not_opened"
    opened = client.get(f"/api/v1/public/deliveries/{token}")
    assert opened.status_code == 200 and opened.json()["opened_at"] is not None
    assert opened.json()["served_on"] == clock.local_now().date().isoformat()
    first_open = opened.json()["opened_at"]
    assert client.get(f"/api/v1/public/deliveries/{token}").json()["opened_at"] == first_open  # recorded once
    pdf = client.get(opened.json()["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    signed = client.post(f"/api/v1/public/deliveries/{token}/receipt", json={"signature": signature()})
    assert signed.status_code == 200 and signed.json()["receipt_signed"]
    after = client.get(f"/api/v1/cases/{case['id']}", headers=officer).json()
    assert after["status"] == "execution" and after["decision_served_on"] == clock.local_now().date().isoformat()
    listed = client.get(f"/api/v1/cases/{case['id']}/deliveries", headers=officer).json()["items"]
    assert [(d["status"], d["opened_at"] is not None, d["receipt_signed_at"] is not None) for d in listed] == [
        ("served", True, True)
    ]
    assert client.get("/api/v1/public/deliveries/not-a-real-token-123").status_code == 404
    receipt = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "service_receipt"}, headers=officer)
    pdf = client.get(receipt.json()["download_url"], headers=officer).content
    text = re.sub(r"\s", "", extract_text(io.BytesIO(pdf)))
    assert doc["document_no"] in text and "电子送达" in text and "测试当事人（电子签收）" in text


def test_paper_service_records_recipient_and_date(client: TestClient, login: Login, setup: dict):
    officer, case, doc = _decision(client, login, setup)
    _seal(client, officer, doc)
    url = f"/api/v1/documents/{doc['id']}/deliveries"
    missing = client.post(url, json={"method": "paper"}, headers=officer)
    assert missing.status_code == 422 and missing.json()["code"] == "delivery.recipient"
    refused = client.post(url, json={"method": "paper", "recipient": "测试当事人", "refused": True,
                                     "served_on": clock.local_now().date().isoformat()}, headers=officer)  # fmt: skip
    assert refused.status_code == 422 and refused.json()["code"] == "delivery.witness"
    today = clock.local_now().date().isoformat()
    served = client.post(url, json={"method": "paper", "recipient": "测试当事人", "served_on": today},
                         headers=officer)  # fmt: skip
    assert served.status_code == 201 and served.json()["status"] == "served"
    after = client.get(f"/api/v1/cases/{case['id']}", headers=officer).json()
    assert (after["status"], after["decision_served_on"]) == ("execution", today)


def test_a_failed_sms_asks_for_paper_service(
    client: TestClient, login: Login, setup: dict, settings: Settings, monkeypatch
):
    monkeypatch.setattr(settings, "sms_unreachable", "13900002222")
    officer, case, doc = _decision(client, login, setup)
    _seal(client, officer, doc)
    consent = {"party_name": "测试当事人", "phone": "13900002222", "signature": signature()}
    client.post(f"/api/v1/cases/{case['id']}/service-consents", json=consent, headers=officer)
    sent = client.post(f"/api/v1/documents/{doc['id']}/deliveries", json={"method": "electronic"}, headers=officer)
    assert sent.status_code == 201 and sent.json()["status"] == "failed" and "直接送达" in sent.json()["note"]
    assert client.get(f"/api/v1/public/deliveries/{sent.json()['link'].rsplit('/', 1)[1]}").status_code == 404


def test_documents_of_a_case_not_yet_decided_cannot_be_sealed_as_decisions(
    client: TestClient, login: Login, setup: dict
):
    officer = login("bdg_officer")
    case = new_case(client, officer, setup)
    doc = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "filing_approval"}, headers=officer)
    sealed = _seal(client, officer, doc.json())  # internal forms are signed too (invisible signature)
    assert sealed["sealed"]
    edit = client.put(f"/api/v1/documents/{sealed['id']}/fields", json={"fields": {"filing_reason": "改"}},
                      headers=officer)  # fmt: skip
    assert edit.status_code == 409 and edit.json()["code"] == "document.sealed"
