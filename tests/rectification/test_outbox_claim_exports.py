"""短信发件箱导出 and 店铺认领导出: as many rows as the list's total for the same filter, Chinese headers, the numbers
masked in the file, the list's scope (another squad's reader sees none of these claims; the outbox is for its
readers only), the download audited."""

from __future__ import annotations

from fastapi.testclient import TestClient

from chengguan.core.db import Database
from rectification.helpers import Login, jpeg, new_shop, outbox, phone, sms_code
from xlsx_support import column, exported, last_audit, list_total

SMS, CLAIMS = "/api/v1/sms-messages", "/api/v1/shop-claims"


def test_the_outbox_export_is_every_message_of_the_filter(client: TestClient, login: Login, place, db: Database):
    shop, number, other = new_shop(client, login, place), phone(), phone()
    sms_code(client, login, shop, number)
    sms_code(client, login, shop, other)
    admin = login("admin")
    mine = {"phone": number}
    total = list_total(client, admin, SMS, mine, size="limit")
    assert total == len(outbox(client, login, number)) >= 1
    rows = exported(client, admin, SMS, mine)
    assert len(rows) - 1 == total and rows[0][:3] == ("发送时间", "手机号码", "用途")
    assert set(column(rows, "手机号码")) == {number[:3] + "****" + number[-4:]}  # masked, as on the screen
    assert all(number not in str(cell) for row in rows for cell in row)
    assert set(column(rows, "用途")) == {"店铺认领验证码"}
    entry = last_audit(db, "sms_export.download")
    assert entry is not None and entry.summary["rows"] == total and number not in str(entry.summary)

    everything = list_total(client, admin, SMS, {}, size="limit")
    assert everything > total and len(exported(client, admin, SMS, {})) - 1 == everything
    # The outbox has no unit: its scope is who may read it (短信 or 审计), the rest are refused.
    assert client.get(f"{SMS}/export.xlsx", headers=login("bdg_leader")).status_code == 403
    assert len(exported(client, login("auditor"), SMS, mine)) - 1 == total


def _agent_claim(client: TestClient, login: Login, shop: dict) -> None:
    number = phone()
    code = sms_code(client, login, shop, number)
    asked = client.post(f"/api/v1/portal/shops/{shop['code']}/claim-agent",
                        data={"phone": number, "sms_code": code, "agent_name": "李代理"},
                        files={"letter": ("授权委托书.jpg", jpeg(), "image/jpeg")})  # fmt: skip
    assert asked.status_code == 200, asked.text


def test_the_claim_export_follows_the_lists_filter_and_scope(client: TestClient, login: Login, place, db: Database):
    shops = [new_shop(client, login, place) for _ in range(3)]
    for shop in shops:
        _agent_claim(client, login, shop)
    leader = login("bdg_leader")
    first = client.get(CLAIMS, params={"merchant_id": shops[0]["id"]}, headers=leader).json()[0]
    decided = client.post(f"{CLAIMS}/{first['id']}/decision", json={"approve": True}, headers=leader)
    assert decided.status_code == 200, decided.text

    pending = {"status": "pending"}
    listed = client.get(CLAIMS, params=pending, headers=leader).json()
    rows = exported(client, leader, CLAIMS, pending)
    assert len(rows) - 1 == len(listed) >= 2 and rows[0][:2] == ("商户编码", "店铺名称")
    assert column(rows, "商户编码") == [c["merchant_code"] for c in listed]  # the list's order
    assert set(column(rows, "状态")) == {"待审核"}
    assert shops[0]["code"] not in column(rows, "商户编码")
    assert all("****" in p for p in column(rows, "手机号码"))
    everything = exported(client, leader, CLAIMS, {})
    assert len(everything) - 1 == len(client.get(CLAIMS, headers=leader).json()) > len(rows) - 1
    entry = last_audit(db, "shop_claim_export.download")
    assert entry is not None and entry.summary["rows"] == len(everything) - 1

    elsewhere = exported(client, login("licun_officer"), CLAIMS, {})  # another district's squad
    assert not {s["code"] for s in shops} & set(column(elsewhere, "商户编码"))
    assert len(elsewhere) - 1 == len(client.get(CLAIMS, headers=login("licun_officer")).json())
    assert client.get(f"{CLAIMS}/export.xlsx", params={"status": "lost"}, headers=leader).status_code == 422
