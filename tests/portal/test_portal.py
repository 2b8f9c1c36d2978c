"""The merchant portal (商户端): a party whose 电子送达确认书 chose the portal logs in with the consent's phone and an
SMS code and sees the documents served to that phone; opening one is the time of service (《行政处罚法》第六十一条).

Codes go only to consenting phones (others get the same answer and no message), once a minute, ten minutes valid,
five tries; a portal token opens no staff route and a staff token no portal route."""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from cases.helpers import decided
from chengguan.core.masking import mask_phone
from documents.test_sealing_delivery import signature

Login = Callable[..., dict[str, str]]


def _phone() -> str:
    return f"139{random.randrange(10**8):08d}"


def _outbox(client: TestClient, login: Login, phone: str) -> list[dict]:
    return client.get("/api/v1/sms-messages", params={"phone": phone}, headers=login("admin")).json()["items"]


def _served_to(client: TestClient, login: Login, setup: dict, phone: str, channels: list[str]) -> tuple[dict, dict]:
    """A decision sealed and sent electronically to ``phone`` under a consent choosing ``channels``."""
    officer = login("bdg_officer")
    case = decided(client, login, setup)
    consent = client.post(f"/api/v1/cases/{case['id']}/service-consents", headers=officer,
                          json={"party_name": "青岛测试商行", "phone": phone, "channels": channels,
                                "signature": signature()})  # fmt: skip
    assert consent.status_code == 201, consent.text
    doc = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "penalty_decision"}, headers=officer)
    sealed = client.post(f"/api/v1/documents/{doc.json()['id']}/seal", json={"algorithm": "rsa"}, headers=officer)
    sent = client.post(f"/api/v1/documents/{doc.json()['id']}/deliveries", json={"method": "electronic"},
                       headers=officer)  # fmt: skip
    assert sent.status_code == 201, sent.text
    return sealed.json(), sent.json()


def _code(client: TestClient, login: Login, phone: str) -> str:
    sent = client.post("/api/v1/portal/login-code", json={"phone": phone})
    assert sent.status_code == 202, sent.text
    [message] = [m for m in _outbox(client, login, phone) if "验证码" in m["body"]][:1]
    return re.search(r"验证码为 (\d{6})", message["body"]).group(1)


def _portal_login(client: TestClient, phone: str, code: str) -> dict[str, str]:
    response = client.post("/api/v1/portal/login", json={"phone": phone, "code": code})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_the_party_logs_in_by_sms_code_sees_the_decision_and_opening_it_serves_it(
    client: TestClient, login: Login, setup: dict
):
    phone = _phone()
    doc, delivery = _served_to(client, login, setup, phone, ["sms", "portal"])
    code = _code(client, login, phone)
    again = client.post("/api/v1/portal/login-code", json={"phone": phone})
    assert again.status_code == 429 and again.json()["code"] == "portal.too_soon" and again.json()["retry_after"] > 0
    wrong = client.post("/api/v1/portal/login", json={"phone": phone, "code": "000000" if code != "000000" else "1"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "portal.code_invalid"
    me = _portal_login(client, phone, code)
    account = client.get("/api/v1/portal/me", headers=me).json()
    assert (account["phone"], account["display_name"]) == (phone, "青岛测试商行")
    [item] = client.get("/api/v1/portal/deliveries", headers=me).json()["items"]
    assert (item["title"], item["document_no"], item["status"], item["opened_at"]) == (
        "行政处罚决定书", doc["document_no"], "sent", None
    )  # fmt: skip
    assert item["link"] == f"/s/{delivery['link'].rsplit('/', 1)[1]}"
    opened = client.get(f"/api/v1/public/deliveries/{item['link'].rsplit('/', 1)[1]}")
    assert opened.status_code == 200 and opened.json()["opened_at"]
    [after] = client.get("/api/v1/portal/deliveries", headers=me).json()["items"]
    assert after["status"] == "served" and after["opened_at"] == opened.json()["opened_at"]
    # the code is used up
    assert client.post("/api/v1/portal/login", json={"phone": phone, "code": code}).status_code == 401


def test_a_phone_without_a_portal_consent_gets_no_code_and_no_login(client: TestClient, login: Login, setup: dict):
    sms_only = _phone()
    _served_to(client, login, setup, sms_only, ["sms"])
    for phone in (sms_only, _phone()):
        sent = client.post("/api/v1/portal/login-code", json={"phone": phone})
        assert sent.status_code == 202  # the same answer: the portal does not tell who is under enforcement
        assert not [m for m in _outbox(client, login, phone) if "验证码" in m["body"]]
    bad = client.post("/api/v1/portal/login-code", json={"phone": "12345"})
    assert bad.status_code == 422 and bad.json()["code"] == "portal.phone"


def test_a_portal_only_consent_sends_no_sms_and_the_document_waits_in_the_portal(
    client: TestClient, login: Login, setup: dict
):
    phone = _phone()
    _, delivery = _served_to(client, login, setup, phone, ["portal"])
    assert delivery["status"] == "sent" and delivery["sent_to"] == mask_phone(phone)  # masked like every phone
    assert [m["purpose"] for m in _outbox(client, login, phone)] == []
    me = _portal_login(client, phone, _code(client, login, phone))
    assert [d["status"] for d in client.get("/api/v1/portal/deliveries", headers=me).json()["items"]] == ["sent"]


def test_five_wrong_tries_spend_the_code_and_tokens_stay_on_their_side(client: TestClient, login: Login, setup: dict):
    phone = _phone()
    _served_to(client, login, setup, phone, ["portal"])
    code = _code(client, login, phone)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert client.post("/api/v1/portal/login", json={"phone": phone, "code": wrong}).status_code == 401
    spent = client.post("/api/v1/portal/login", json={"phone": phone, "code": code})
    assert spent.status_code == 401 and spent.json()["code"] == "portal.code_invalid"
    staff = login("bdg_officer")
    refused = client.get("/api/v1/portal/me", headers=staff)
    assert refused.status_code == 403 and refused.json()["code"] == "auth.wrong_principal_type"
    assert client.get("/api/v1/portal/me").status_code == 401


def test_a_portal_token_opens_no_staff_route_and_logout_ends_it(client: TestClient, login: Login, setup: dict):
    phone = _phone()
    _served_to(client, login, setup, phone, ["sms", "portal"])
    me = _portal_login(client, phone, _code(client, login, phone))
    refused = client.get("/api/v1/cases", headers=me)
    assert refused.status_code == 403 and refused.json()["code"] == "auth.wrong_principal_type"
    assert client.post("/api/v1/portal/logout", headers=me).status_code == 204
    assert client.get("/api/v1/portal/me", headers=me).status_code == 401


def test_spent_codes_are_purged_by_the_minute_job(client: TestClient, db):  # type: ignore[no-untyped-def]
    """jobs.run_once calls purge_codes each minute; here it is called alone (the other jobs would touch shared data)."""
    from datetime import timedelta

    from sqlalchemy import func, select

    from chengguan.core import clock
    from chengguan.portal.models import PortalLoginCode
    from chengguan.portal.service import purge_codes

    phone = _phone()
    assert client.post("/api/v1/portal/login-code", json={"phone": phone}).status_code == 202

    def purge_and_count() -> int:
        with db.session() as s, s.begin():
            purge_codes(s)
        with db.session(write=False) as s:
            return s.scalar(select(func.count()).where(PortalLoginCode.phone_hash == phone))

    assert purge_and_count() == 1  # still valid: kept
    with clock.frozen(clock.now() + timedelta(minutes=21)):
        assert purge_and_count() == 0
