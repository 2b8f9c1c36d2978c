"""The merchant H5 over HTTP: the public shop page (门前三包 quoted from the knowledge base, the trade's matters),
claiming the shop (the code, then the licence: a wrong USCC refused; an agent's letter approved in the console),
the shop's own details, its reports on channel ``merchant``, and a merchant account seeing its own shops only."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select

from chengguan.core.db import Database
from chengguan.intake.models import Signal
from rectification.helpers import Login, claim, jpeg, new_shop, outbox, phone, send, sms_code
from support import synthetic_ric


def test_the_public_page_shows_the_shop_its_squad_and_its_obligations(client: TestClient, login: Login, place):
    shop = new_shop(client, login, place, business_type="餐饮")
    page = client.get(f"/api/v1/portal/shops/{shop['code'].lower()}")
    assert page.status_code == 200, page.text
    body = page.json()
    assert (body["name"], body["claimed"], body["mine"]) == (shop["name"], False, False)
    assert body["squad"] == shop["unit_name"] and body["bureau"].endswith("综合行政执法局")
    frontage = {p["citation"]: p["text"] for p in body["obligations"]["frontage"]}
    assert frontage["《青岛市市容和环境卫生管理条例》第十一条第一款第（四）项"].endswith("临街门店由经营者负责；")
    assert "无乱堆乱放" in frontage["《青岛市市容和环境卫生管理条例》第十二条第一款"]
    assert "不得超出门、窗外墙经营" in frontage["《青岛市市容和环境卫生管理条例》第二十四条第一款"]
    codes = [m["code"] for m in body["obligations"]["matters"]]
    assert "09005-QD-01" in codes and "06027-QG-01" in codes  # 店外经营, 油烟 (a restaurant)
    assert "uscc" not in body and "phone" not in body  # nothing personal on the public page
    assert client.get("/api/v1/portal/shops/SH99999999").json()["code"] == "portal.shop_not_found"


def test_claim_refuses_a_wrong_uscc_then_takes_the_right_one(client: TestClient, login: Login, place):
    shop = new_shop(client, login, place)
    number = phone()
    code = sms_code(client, login, shop, number)
    assert shop["name"] in outbox(client, login, number)[0]["body"]
    wrong = shop["uscc"][:-1] + ("1" if shop["uscc"][-1] != "1" else "2")
    refused = client.post(f"/api/v1/portal/shops/{shop['code']}/claim",
                          json={"phone": number, "code": code, "uscc": wrong})  # fmt: skip
    assert refused.status_code == 422 and refused.json()["code"] == "portal.claim_mismatch"
    assert refused.json()["errors"][0]["field"] == "uscc" and "不一致" in refused.json()["detail"]
    bad_code = client.post(f"/api/v1/portal/shops/{shop['code']}/claim",
                           json={"phone": number, "code": "000000" if code != "000000" else "111111",
                                 "uscc": shop["uscc"]})  # fmt: skip
    assert bad_code.status_code == 401 and bad_code.json()["code"] == "portal.code_invalid"
    done = client.post(f"/api/v1/portal/shops/{shop['code']}/claim",
                       json={"phone": number, "code": code, "uscc": shop["uscc"].lower()})  # fmt: skip
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["shop_code"]) == ("approved", shop["code"])
    portal = {"Authorization": f"Bearer {done.json()['access_token']}"}
    assert client.get(f"/api/v1/portal/shops/{shop['code']}", headers=portal).json()["mine"] is True
    assert [s["code"] for s in client.get("/api/v1/portal/shops", headers=portal).json()] == [shop["code"]]
    assert client.get(f"/api/v1/merchants/{shop['id']}", headers=login("bdg_leader")).json()["has_account"]
    # someone else cannot take it over
    other = phone()
    second = sms_code(client, login, shop, other)
    taken = client.post(f"/api/v1/portal/shops/{shop['code']}/claim",
                        json={"phone": other, "code": second, "uscc": shop["uscc"]})  # fmt: skip
    assert taken.status_code == 409 and taken.json()["code"] == "portal.shop_claimed"
    # the claimed shop's phone logs in with the portal's usual codes from now on
    sent = client.post("/api/v1/portal/login-code", json={"phone": number})
    assert sent.status_code == 202 or sent.json()["code"] == "portal.too_soon"


def test_five_wrong_licence_numbers_spend_the_code(client: TestClient, login: Login, place):
    operator = synthetic_ric(uuid.uuid4().int)
    shop = new_shop(client, login, place, kind="individual_business", operator_id_no=operator)
    someone = synthetic_ric(uuid.uuid4().int)
    number = phone()
    code = sms_code(client, login, shop, number)
    for _ in range(5):
        tried = client.post(f"/api/v1/portal/shops/{shop['code']}/claim",
                            json={"phone": number, "code": code, "operator_id_no": someone})  # fmt: skip
        assert tried.status_code == 422 and tried.json()["errors"][0]["field"] == "operator_id_no"
    spent = client.post(f"/api/v1/portal/shops/{shop['code']}/claim",
                        json={"phone": number, "code": code, "operator_id_no": operator})  # fmt: skip
    assert spent.status_code == 401


def test_an_agent_claims_with_a_letter_that_staff_approve(client: TestClient, login: Login, place):
    shop = new_shop(client, login, place)
    number = phone()
    code = sms_code(client, login, shop, number)
    not_a_letter = client.post(f"/api/v1/portal/shops/{shop['code']}/claim-agent",
                               data={"phone": number, "sms_code": code, "agent_name": "李代理"},
                               files={"letter": ("letter.pdf", b"MZ\x90\x00 a program", "application/pdf")})
    assert not_a_letter.status_code == 415
    asked = client.post(f"/api/v1/portal/shops/{shop['code']}/claim-agent",
                        data={"phone": number, "sms_code": code, "agent_name": "李代理"},
                        files={"letter": ("授权委托书.jpg", jpeg(), "image/jpeg")})  # fmt: skip
    assert asked.status_code == 200, asked.text
    assert asked.json()["status"] == "pending"
    portal = {"Authorization": f"Bearer {asked.json()['access_token']}"}
    assert client.get(f"/api/v1/portal/shops/{shop['code']}/notices", headers=portal).status_code == 404
    assert client.get(f"/api/v1/portal/shops/{shop['code']}", headers=portal).json()["pending_claim"] is True
    leader = login("bdg_leader")
    [pending] = client.get("/api/v1/shop-claims", params={"status": "pending", "merchant_id": shop["id"]},
                           headers=leader).json()  # fmt: skip
    assert (pending["agent_name"], pending["account_phone"], pending["has_letter"]) == ("李代理", number, True)
    letter = client.get(f"/api/v1/shop-claims/{pending['id']}/letter", headers=leader)
    assert letter.status_code == 200 and letter.headers["content-type"] == "image/jpeg"
    officer = client.post(f"/api/v1/shop-claims/{pending['id']}/decision", json={"approve": True},
                          headers=login("bdg_officer"))  # fmt: skip
    assert officer.status_code == 403  # merchant:write
    no_reason = client.post(f"/api/v1/shop-claims/{pending['id']}/decision", json={"approve": False}, headers=leader)
    assert no_reason.status_code == 422
    approved = client.post(f"/api/v1/shop-claims/{pending['id']}/decision", json={"approve": True}, headers=leader)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert client.get(f"/api/v1/portal/shops/{shop['code']}/notices", headers=portal).json() == []


def test_the_shop_completes_its_details_and_only_sees_its_own(client: TestClient, login: Login, place):
    shop, other = new_shop(client, login, place), new_shop(client, login, place)
    portal = claim(client, login, shop)
    claim(client, login, other)
    details = client.patch(f"/api/v1/portal/shops/{shop['code']}/details", headers=portal,
                           json={"business_hours": "08:00-21:30", "contact_name": "王店长"})  # fmt: skip
    assert details.status_code == 200 and details.json()["business_hours"] == "08:00-21:30"
    front = client.post(f"/api/v1/portal/shops/{shop['code']}/storefront", headers=portal,
                        files={"file": ("front.jpg", jpeg((200, 30, 30)), "image/jpeg")})  # fmt: skip
    assert front.status_code == 200 and front.json()["storefront_url"]
    page = client.get(f"/api/v1/portal/shops/{shop['code']}").json()
    assert page["obligations"]["business_hours"] == "08:00-21:30"
    assert client.get(page["storefront_url"]).headers["content-type"] == "image/jpeg"
    notice = send(client, login, other)
    for path in (f"/portal/shops/{other['code']}/details", f"/portal/shops/{other['code']}/notices",
                 f"/portal/shops/{other['code']}/notices/{notice['id']}", f"/portal/shops/{other['code']}/reports"):
        refused = client.get(f"/api/v1{path}", headers=portal)
        assert refused.status_code == 404 and refused.json()["code"] == "portal.shop_not_owned", path
    assert client.get(f"/api/v1/portal/shops/{shop['code']}/notices/{notice['id']}", headers=portal).status_code == 404
    staff = login("bdg_officer")
    assert client.get(f"/api/v1/portal/shops/{shop['code']}/notices", headers=staff).status_code == 403


def test_a_shop_reports_a_problem_on_channel_merchant(client: TestClient, login: Login, place, db: Database):
    shop = new_shop(client, login, place)
    portal = claim(client, login, shop)
    _, lng, lat = place["grid"]
    report = client.post(f"/api/v1/portal/shops/{shop['code']}/reports", headers=portal,
                         data={"category_code": "06010", "description": "隔壁空铺门口堆积垃圾三天无人清运",
                               "lng": str(lng + 0.0003), "lat": str(lat), "idempotency_key": "r-1"},
                         files={"photo": ("trash.jpg", jpeg((90, 90, 90)), "image/jpeg")})  # fmt: skip
    assert report.status_code == 201, report.text
    body = report.json()
    assert body["case_source_code"] and body["status"] == "pending" and body["photo_url"].startswith("/api/v1/media/")
    assert [s["label"] for s in body["steps"]] == ["已提交"]
    with db.session(write=False) as s:
        signal = s.scalar(select(Signal).where(Signal.idempotency_key == "merchant:r-1"))
        assert signal.channel == "merchant" and signal.reporter["phone"] and signal.external_ref == shop["code"]
    listed = client.get(f"/api/v1/portal/shops/{shop['code']}/reports", headers=portal).json()
    assert [r["id"] for r in listed] == [body["id"]]
    console = client.get("/api/v1/merchant-reports", params={"merchant_id": shop["id"]},
                         headers=login("bdg_officer")).json()  # fmt: skip
    assert [r["case_source_code"] for r in console] == [body["case_source_code"]]
    unknown = client.post(f"/api/v1/portal/shops/{shop['code']}/reports", headers=portal,
                          data={"category_code": "99999", "description": "乱七八糟的东西"})  # fmt: skip
    assert unknown.status_code == 422 and unknown.json()["code"] == "report.category_unknown"
