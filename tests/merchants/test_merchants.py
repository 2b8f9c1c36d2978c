"""The merchant register over HTTP — licence check digits, grid and squad from coordinates, data scope, audited
writes — and its link to cases: automatic by identity number, checked when named, and the party's record."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cases.helpers import act, new_case, ric
from chengguan.core.db import Database
from chengguan.core.idnumbers import uscc_check_char
from chengguan.identity.models import User
from chengguan.merchants.models import Merchant
from chengguan.org.models import Grid, OrgUnit

Login = Callable[..., dict[str, str]]


def wrong_check(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


def uscc(individual: bool = False) -> str:
    body = f"{'92' if individual else '91'}370202MA{random.randrange(10**7):07d}"[:17]
    return body + uscc_check_char(body)


@pytest.fixture(scope="module")
def place(shared_db: Database) -> dict:
    """A grid of the 八大关 squad (the demo officer's) and a squad elsewhere."""
    with shared_db.session(write=False) as s:
        me = s.scalar(select(User).where(User.username == "bdg_officer"))
        grid = s.scalars(select(Grid).where(Grid.squad_id == me.unit_id).order_by(Grid.grid_code)).first()
        other = s.scalars(select(Grid).where(Grid.squad_id != me.unit_id).order_by(Grid.grid_code)).first()
        return {
            "squad": str(me.unit_id),
            "grid": (grid.grid_code, grid.centroid_lng, grid.centroid_lat),
            "other_squad": str(other.squad_id),
            "other_name": s.get(OrgUnit, other.squad_id).name,
        }


def shop(**overrides) -> dict:
    return {
        "name": "测试水果店",
        "kind": "enterprise",
        "uscc": uscc(),
        "operator_name": "王测试",
        "business_type": "零售",
        "address": "青岛市中山路1号",
    } | overrides


def test_a_shop_located_by_coordinates_gets_its_grid_squad_and_code(client: TestClient, login: Login, place: dict):
    leader = login("bdg_leader")
    code, lng, lat = place["grid"]
    made = client.post("/api/v1/merchants", json=shop(lng=lng, lat=lat), headers=leader)
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["grid_code"], body["unit_id"]) == (code, place["squad"])
    assert body["code"].startswith("SH") and len(body["code"]) == 10 and body["status"] == "operating"
    found = client.get("/api/v1/merchants", params={"q": body["uscc"]}, headers=leader).json()
    assert [m["id"] for m in found["items"]] == [body["id"]]
    audit = client.get("/api/v1/audit", params={"target_id": body["id"]}, headers=login("auditor")).json()
    assert [e["action"] for e in audit["items"]] == ["merchant.create"]


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        ({"uscc": "91370202MA00000000"}, "uscc", 422),  # wrong check character (GB 32100)
        ({"uscc": None}, "uscc", 422),  # a company always has one
        ({"kind": "individual_business", "uscc": None, "operator_id_no": wrong_check(ric(7))}, "operator_id_no", 422),
        ({"lng": None, "lat": None}, "unit_id", 422),  # no squad and no place to find one
        ({"unit_id": "OTHER"}, "unit_id", 422),  # a squad outside the writer's scope
    ],
)
def test_bad_shops_are_refused_with_the_field_named(client, login, place, change, field, status):
    _, lng, lat = place["grid"]
    body = shop(lng=lng, lat=lat) | change
    if body.get("unit_id") == "OTHER":
        body["unit_id"] = place["other_squad"]
    response = client.post("/api/v1/merchants", json=body, headers=login("bdg_leader"))
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in {e["field"] for e in response.json()["errors"]}


def test_a_licence_number_is_registered_once(client: TestClient, login: Login, place: dict):
    leader = login("bdg_leader")
    body = shop(unit_id=place["squad"])
    assert client.post("/api/v1/merchants", json=body, headers=leader).status_code == 201
    again = client.post("/api/v1/merchants", json=body | {"name": "另一家"}, headers=leader)
    assert again.status_code == 409 and again.json()["code"] == "conflict.duplicate"


def test_officers_see_their_squads_shops_only_and_cannot_register(client, login, place, db: Database):
    officer = login("bdg_officer")
    mine = client.get("/api/v1/merchants", params={"page_size": 200}, headers=officer).json()
    assert mine["total"] >= 30 and {m["unit_id"] for m in mine["items"]} == {place["squad"]}
    with db.session(write=False) as s:
        elsewhere = s.scalars(select(Merchant.id).where(Merchant.unit_id == uuid.UUID(place["other_squad"]))).first()
    assert client.get(f"/api/v1/merchants/{elsewhere}", headers=officer).status_code == 404
    assert client.post("/api/v1/merchants", json=shop(), headers=officer).status_code == 403


def test_a_case_links_to_the_shop_of_its_party_and_shows_the_record(client, login, setup, place):
    officer, leader = login("bdg_officer"), login("bdg_leader")
    operator_id = ric(uuid.uuid4().int)
    made = client.post(
        "/api/v1/merchants",
        json=shop(kind="individual_business", uscc=uscc(True), operator_id_no=operator_id, unit_id=place["squad"]),
        headers=leader,
    ).json()
    party = {"type": "individual", "name": "王测试", "id_no": operator_id}
    first = new_case(client, officer, setup, party=party)  # no merchant named: found by the operator's number
    assert first["merchant"]["id"] == made["id"] and first["party_history"] == []
    # an on-the-spot penalty is a decided offence: it counts in the record of the next case
    simple = new_case(client, officer, setup, party=party, procedure="simple", signed_or_refused=True,
                      penalty={"kinds": ["fine"], "fine_fen": 5_000, "reasoning": "当场"})  # fmt: skip
    act(client, officer, simple, "deliver_on_site", signed_or_refused=True)
    third = new_case(client, officer, setup, party=party, merchant_id=made["id"])
    assert [h["code"] for h in third["party_history"]] == [simple["code"], first["code"]]
    assert third["repeat_offences"] == 1 and third["merchant"]["code"] == made["code"]
    detail = client.get(f"/api/v1/merchants/{made['id']}", headers=officer).json()
    assert {c["code"] for c in detail["cases"]} == {first["code"], simple["code"], third["code"]}
    assert detail["penalties"] == 1
    gone = client.delete(f"/api/v1/merchants/{made['id']}", headers=leader)
    assert gone.status_code == 409 and gone.json()["code"] == "merchant.has_cases"


def test_a_named_shop_must_be_the_party(client, login, setup, place):
    leader = login("bdg_leader")
    made = client.post("/api/v1/merchants", json=shop(unit_id=place["squad"]), headers=leader).json()
    body = {
        "procedure": "ordinary",
        "matter_code": setup["matter"],
        "party": {"type": "organization", "name": "别的公司", "id_no": uscc()},
        "merchant_id": made["id"],
        "act_on": "2026-11-01",
        "officer_ids": setup["officers"],
    }
    response = client.post("/api/v1/cases", json=body, headers=login("bdg_officer"))
    assert response.status_code == 422 and response.json()["code"] == "case.merchant_mismatch"
    body["party"]["id_no"] = made["uscc"]
    assert client.post("/api/v1/cases", json=body, headers=login("bdg_officer")).status_code == 201
    unknown = client.post("/api/v1/cases", json=body | {"merchant_id": str(uuid.uuid4())}, headers=leader)
    assert unknown.status_code == 422 and unknown.json()["code"] == "case.merchant_unknown"


def test_a_shop_without_cases_can_be_deleted(client: TestClient, login: Login, place: dict):
    leader = login("bdg_leader")
    made = client.post("/api/v1/merchants", json=shop(unit_id=place["squad"]), headers=leader).json()
    assert client.delete(f"/api/v1/merchants/{made['id']}", headers=leader).status_code == 204
    assert client.get(f"/api/v1/merchants/{made['id']}", headers=leader).status_code == 404
