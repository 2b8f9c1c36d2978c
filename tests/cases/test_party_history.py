"""The party's record shown with a case (on creation and in the detail) and with a shop: only the cases the reader
may read, a bare count of the others, and the city-wide count of penalty decisions (the repeat-offence rule)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fastapi.testclient import TestClient

from cases.helpers import act, new_case, ric

Login = Callable[..., dict[str, str]]


def _licun_case(client: TestClient, login: Login, setup: dict, party: dict, **overrides) -> dict:
    """A case of the 李村 squad (another district) against ``party``, by its own officers."""
    officer = login("licun_officer")
    colleagues = client.get("/api/v1/cases/colleagues", headers=officer).json()
    me = client.get("/api/v1/auth/me", headers=officer).json()["officer"]["id"]
    partner = next(c["id"] for c in colleagues if c["kind"] == "certified" and c["id"] != me)
    facts = "当事人在李村集市东侧人行道占道经营，摆放货架约4平方米"
    return new_case(client, officer, setup, party=party, officer_ids=[me, partner], facts=facts, **overrides)


def test_an_officer_sees_only_the_cases_in_scope_and_a_count_of_the_others(client: TestClient, login: Login,
                                                                          setup: dict):  # fmt: skip
    officer, admin = login("bdg_officer"), login("admin")
    party = {"type": "individual", "name": "跨区当事人", "id_no": ric(uuid.uuid4().int)}
    # elsewhere: a decided on-the-spot penalty of another district's squad
    licun = _licun_case(client, login, setup, party, procedure="simple", signed_or_refused=True,
                        penalty={"kinds": ["fine"], "fine_fen": 5_000, "reasoning": "当场"})  # fmt: skip
    act(client, login("licun_officer"), licun, "deliver_on_site", signed_or_refused=True)
    mine = new_case(client, officer, setup, party=party)
    assert mine["party_history"] == []  # the response of the creation itself
    assert (mine["party_history_hidden"], mine["repeat_offences"]) == (1, 1)  # counted, not shown

    detail = client.get(f"/api/v1/cases/{mine['id']}", headers=officer).json()
    assert detail["party_history"] == [] and detail["party_history_hidden"] == 1
    assert licun["code"] not in str(detail)  # no code, matter or unit of the other district's case
    # the administrator (scope: all) sees the whole record
    full = client.get(f"/api/v1/cases/{mine['id']}", headers=admin).json()
    assert [h["code"] for h in full["party_history"]] == [licun["code"]] and full["party_history_hidden"] == 0
    assert full["repeat_offences"] == 1
    # a later case of the same officer lists the earlier one they handle, still not the other district's
    later = new_case(client, officer, setup, party=party)
    assert [h["code"] for h in later["party_history"]] == [mine["code"]]
    assert later["party_history_hidden"] == 1


def test_a_shops_record_is_scoped_the_same_way(client: TestClient, login: Login, setup: dict):
    leader, officer, admin = login("bdg_leader"), login("bdg_officer"), login("admin")
    operator = ric(uuid.uuid4().int)
    body = {"name": "跨区水果店", "kind": "individual_business", "operator_name": "王测试", "operator_id_no": operator,
            "business_type": "零售", "address": "青岛市中山路1号", "unit_id": str(setup["unit_id"])}  # fmt: skip
    made = client.post("/api/v1/merchants", headers=leader, json=body)
    assert made.status_code == 201, made.text
    party = {"type": "individual", "name": "王测试", "id_no": operator}
    licun = _licun_case(client, login, setup, party)
    mine = new_case(client, officer, setup, party=party)
    seen = client.get(f"/api/v1/merchants/{made.json()['id']}", headers=officer).json()
    assert [c["code"] for c in seen["cases"]] == [mine["code"]] and seen["cases_hidden"] == 1
    everything = client.get(f"/api/v1/merchants/{made.json()['id']}", headers=admin).json()
    assert {c["code"] for c in everything["cases"]} == {mine["code"], licun["code"]}
    assert everything["cases_hidden"] == 0
