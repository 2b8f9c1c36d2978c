"""Configuration writes are scoped like data: a squad leader sets the squad's rules, never the city's nor another
unit's (403 problem+json); reads show the city's, the units in scope and the units above; every write is audited.
Covers the intake rules (time limits, merge rules, snooze rules) and the approval chains."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from chengguan.audit.models import AuditEntry
from chengguan.core import clock
from chengguan.core.db import Database
from chengguan.core.geo import haversine_m
from support import signal, staff_account

Login = Callable[..., dict[str, str]]
LIMITS, DEDUP, SNOOZE, CHAINS = (
    "/api/v1/time-limits",
    "/api/v1/dedup-rules",
    "/api/v1/snooze-rules",
    "/api/v1/approval-chains",
)


def _limit(**extra) -> dict:
    return {"stage": "pending", "category_code": "10000", "channel": "transfer", "amount": 3, "unit": "hours"} | extra


def _refused(response, code: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code and response.json()["detail"]


def _audited(db: Database, action: str, target_id: str) -> bool:
    with db.session(write=False) as s:
        found = select(AuditEntry.id).where(AuditEntry.action == action, AuditEntry.target_id == target_id)
        return s.scalar(found) is not None


def test_a_squad_leader_sets_the_squads_time_limits_only(client: TestClient, login: Login, units: dict, db: Database):
    leader, admin = login("bdg_leader"), login("admin")
    _refused(client.put(LIMITS, json=_limit(), headers=leader), "config.city_wide_forbidden")  # the probe
    _refused(client.put(LIMITS, json=_limit(unit_id=units["other"]), headers=leader), "config.unit_out_of_scope")
    _refused(client.put(LIMITS, json=_limit(unit_id=units["district"]), headers=leader), "config.unit_out_of_scope")
    own = client.put(LIMITS, json=_limit(unit_id=units["mine"]), headers=leader)
    assert own.status_code == 200 and own.json()["unit_id"] == units["mine"], own.text
    assert _audited(db, "time_limit.put", own.json()["id"])
    city = client.put(LIMITS, json=_limit(amount=5), headers=admin)
    elsewhere = client.put(LIMITS, json=_limit(unit_id=units["other"], amount=7), headers=admin)
    assert city.status_code == elsewhere.status_code == 200
    try:
        seen = {(r["unit_id"], r["amount"]) for r in client.get(LIMITS, headers=leader).json() if not r["builtin"]}
        assert {(units["mine"], 3), (None, 5)} <= seen and (units["other"], 7) not in seen
        _refused(client.delete(f"{LIMITS}/{city.json()['id']}", headers=leader), "config.city_wide_forbidden")
        _refused(client.delete(f"{LIMITS}/{elsewhere.json()['id']}", headers=leader), "config.unit_out_of_scope")
        assert client.delete(f"{LIMITS}/{own.json()['id']}", headers=leader).status_code == 204
        assert _audited(db, "time_limit.delete", own.json()["id"])
    finally:
        for rule in (city, elsewhere):
            client.delete(f"{LIMITS}/{rule.json()['id']}", headers=admin)


def test_a_units_time_limit_applies_to_its_sources_only(client: TestClient, login: Login, units: dict):
    admin = login("admin")
    rule = client.put(LIMITS, json=_limit(unit_id=units["mine"], amount=1, unit="days"), headers=admin).json()
    try:
        batch = [signal(*units["my_point"], category="10000", channel="transfer"),
                 signal(*units["other_point"], category="10000", channel="transfer")]  # fmt: skip
        mine, other = client.post("/api/v1/signals:batch", json={"signals": batch}, headers=login("command")).json()[
            "results"
        ]
        due = {}
        for name, result in (("mine", mine), ("other", other)):
            source = client.get(f"/api/v1/case-sources/{result['case_source_id']}", headers=admin).json()
            due[name] = datetime.fromisoformat(source["due_at"]) - datetime.fromisoformat(source["created_at"])
        assert timedelta(hours=23) < due["mine"] <= timedelta(days=1)  # the squad's own rule: 1 day
        assert due["other"] < timedelta(days=1)  # elsewhere the default (2 working hours) still applies
    finally:
        client.delete(f"{LIMITS}/{rule['id']}", headers=admin)


def test_merge_rules_are_city_wide_and_need_a_city_wide_account(client: TestClient, login: Login, db: Database):
    leader, admin = login("bdg_leader"), login("admin")
    body = {"category_code": "10000", "radius_m": 80, "window_minutes": 30}
    _refused(client.put(DEDUP, json=body, headers=leader), "config.city_wide_forbidden")
    made = client.put(DEDUP, json=body, headers=admin)
    assert made.status_code == 200 and _audited(db, "dedup_rule.put", made.json()["id"])
    _refused(client.delete(f"{DEDUP}/{made.json()['id']}", headers=leader), "config.city_wide_forbidden")
    assert client.delete(f"{DEDUP}/{made.json()['id']}", headers=admin).status_code == 204


def test_snooze_rules_belong_to_the_unit_of_their_spot(client: TestClient, login: Login, units: dict, db: Database):
    leader, admin = login("bdg_leader"), login("admin")
    until = (clock.now() + timedelta(days=1)).isoformat()

    def rule(point, **extra) -> dict:  # type: ignore[no-untyped-def]
        return {"category_code": "10000", "lng": point[0], "lat": point[1], "radius_m": 5000, "until": until,
                "reason": "已报修"} | extra  # fmt: skip

    _refused(client.post(SNOOZE, json=rule(units["other_point"]), headers=leader), "config.unit_out_of_scope")
    _refused(client.post(SNOOZE, json=rule(units["my_point"], unit_id=units["other"]), headers=leader),
             "config.unit_out_of_scope")  # fmt: skip
    _refused(client.post(SNOOZE, json=rule((121.9, 36.9)), headers=leader), "config.city_wide_forbidden")  # no grid
    own = client.post(SNOOZE, json=rule(units["my_point"]), headers=leader)
    assert own.status_code == 201 and own.json()["unit_id"] == units["mine"], own.text
    assert _audited(db, "snooze_rule.create", own.json()["id"])
    theirs = client.post(SNOOZE, json=rule(units["other_point"], radius_m=100), headers=admin).json()
    try:
        listed = {r["id"] for r in client.get(SNOOZE, headers=leader).json()}
        assert own.json()["id"] in listed and theirs["id"] not in listed
        _refused(client.post(f"{SNOOZE}/{theirs['id']}/deactivate", headers=leader), "config.unit_out_of_scope")
    finally:
        client.post(f"{SNOOZE}/{theirs['id']}/deactivate", headers=admin)
    # A squad's rule silences its own grids only, however far its radius reaches.
    assert haversine_m(*units["my_point"], *units["near_point"]) < 5000  # inside the rule's radius
    batch = [signal(*units["my_point"], category="10000"), signal(*units["near_point"], category="10000")]
    got = client.post("/api/v1/signals:batch", json={"signals": batch}, headers=admin).json()["results"]
    assert got[0]["snoozed"] and not got[1]["snoozed"]
    off = client.post(f"{SNOOZE}/{own.json()['id']}/deactivate", headers=leader)
    assert off.status_code == 200 and _audited(db, "snooze_rule.deactivate", own.json()["id"])


def test_approval_chains_are_configured_within_the_writers_scope(client: TestClient, login: Login, units: dict,
                                                                 db: Database):  # fmt: skip
    """A bureau may give its squad leaders case:configure: they set the squad's chain, not the city's."""
    admin, secadmin = login("admin"), login("secadmin")
    code = f"chain_cfg_{uuid.uuid4().hex[:6]}"
    role = client.post("/api/v1/roles", json={"code": code, "name": "审批链配置（中队）", "data_scope": "unit",
                                              "permissions": ["case:configure"]}, headers=secadmin)  # fmt: skip
    assert role.status_code == 201, role.text
    password = f"Cfg-{uuid.uuid4().hex}!"
    staff_account(client, username=code, password=password, roles=[role.json()["id"]], display_name="审批链配置员",
                  unit_id=units["mine"])  # fmt: skip
    configurer = login(code, password)
    chain = {
        "procedure": "ordinary",
        "stage": "filing_approval",
        "steps": [{"role": "squad_leader", "label": "中队长审批"}],
    }
    _refused(client.put(CHAINS, json=chain, headers=configurer), "config.city_wide_forbidden")
    _refused(
        client.put(CHAINS, json=chain | {"unit_id": units["other"]}, headers=configurer), "config.unit_out_of_scope"
    )
    own = client.put(CHAINS, json=chain | {"unit_id": units["mine"]}, headers=configurer)
    assert own.status_code == 200, own.text
    assert _audited(db, "approval_chain.put", own.json()["id"])
    theirs = client.put(CHAINS, json=chain | {"unit_id": units["other"]}, headers=admin).json()
    try:
        listed = {c["id"] for c in client.get(CHAINS, headers=configurer).json()}
        assert own.json()["id"] in listed and theirs["id"] not in listed
        _refused(client.delete(f"{CHAINS}/{theirs['id']}", headers=configurer), "config.unit_out_of_scope")
    finally:
        client.delete(f"{CHAINS}/{theirs['id']}", headers=admin)
    assert client.delete(f"{CHAINS}/{own.json()['id']}", headers=configurer).status_code == 204
