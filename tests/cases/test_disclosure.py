"""行政处罚决定公开 (《行政处罚法》第四十八条): published masked once decided, withdrawn with a reason when changed."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from cases.helpers import decided, ric
from chengguan.cases.disclosure import mask_address, mask_id, mask_name, mask_phone

Login = Callable[..., dict[str, str]]


def test_masking_of_personal_data():
    assert mask_name("张三丰") == "张**"
    assert mask_name("李四") == "李*"
    assert mask_id("370202198001010011") == "370202********0011"
    assert mask_phone("17012345678") == "170****5678"
    assert mask_address("青岛市中山路12号3单元") == "青岛市中山路**号**单元"
    assert mask_address("2026年11月4日15时在永平路8号楼顶搭建约20平方米，罚款500元") == (
        "2026年11月4日15时在永平路**号楼顶搭建约20平方米，罚款500元"
    )
    assert mask_id(None) is None and mask_phone("") == ""


def test_decision_is_published_masked_and_withdrawn_when_changed(client: TestClient, login: Login, setup: dict):
    case = decided(
        client,
        login,
        setup,
        party={"type": "individual", "name": "王小明", "id_no": ric(8), "address": "青岛市市南区中山路8号"},
        facts="王小明在中山路8号门前占用人行道堆放货物约6平方米",
    )
    assert case["disclosure"] is not None and case["disclosure"]["withdrawn_at"] is None
    public = client.get("/api/v1/public/disclosures", params={"page_size": 200}).json()  # no login
    mine = next(item for item in public["items"] if item["case_code"] == case["code"])
    assert mine["party"] == "王**" and "王小明" not in mine["facts"] and "8号" not in mine["facts"]
    assert "罚款 500.00 元" in mine["penalty"]
    refused = client.post(
        f"/api/v1/cases/{case['id']}/disclosure:withdraw", json={"reason": "复议撤销"}, headers=login("bdg_officer")
    )
    assert refused.status_code == 403
    done = client.post(
        f"/api/v1/cases/{case['id']}/disclosure:withdraw",
        json={"reason": "行政复议决定撤销原处罚决定"},
        headers=login("shinan_leader"),
    )
    assert done.status_code == 200, done.text
    withdrawn = done.json()["disclosure"]
    assert withdrawn["withdrawn_at"] is not None and withdrawn["withdraw_reason"] == "行政复议决定撤销原处罚决定"
    assert withdrawn["withdraw_due_on"] is not None  # 三个工作日内（第四十八条第二款）
    assert done.json()["timeline"][-1]["action"] == "withdraw_disclosure"
    public = client.get("/api/v1/public/disclosures", params={"page_size": 200}).json()
    assert case["code"] not in {item["case_code"] for item in public["items"]}
    again = client.post(
        f"/api/v1/cases/{case['id']}/disclosure:withdraw", json={"reason": "x"}, headers=login("shinan_leader")
    )
    assert again.status_code == 409 and again.json()["code"] == "case.disclosure.not_published"


def test_organisation_name_stays_public(client: TestClient, login: Login, setup: dict):
    party = {
        "type": "organization",
        "name": "青岛示例餐饮有限公司",
        "id_no": "91110000600037341L",
        "address": "青岛市市南区香港中路10号",
    }
    case = decided(client, login, setup, party=party)
    assert case["disclosure"]["content"]["party"] == "青岛示例餐饮有限公司"
