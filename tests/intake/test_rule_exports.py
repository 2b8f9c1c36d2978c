"""Exports of the rule tables (环节时限, 合并规则, 静默规则) and the approval chains: the lists' rows — built-in
defaults included — under the same filter and the same configuration scope (another unit's rules are not in a
squad leader's file), Chinese headers, audited."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi.testclient import TestClient

from chengguan.core import clock
from chengguan.core.db import Database
from intake.test_config_scope import CHAINS, DEDUP, LIMITS, SNOOZE, Login, _limit
from support import staff_account
from xlsx_support import column, exported, last_audit


def test_time_limit_export_is_the_list_in_scope(client: TestClient, login: Login, units: dict, db: Database):
    leader, admin = login("bdg_leader"), login("admin")
    assert client.put(LIMITS, json=_limit(unit_id=units["mine"]), headers=leader).status_code == 200
    assert client.put(LIMITS, json=_limit(unit_id=units["other"], amount=7), headers=admin).status_code == 200
    listed = client.get(LIMITS, headers=leader).json()
    rows = exported(client, leader, LIMITS, {})
    assert len(rows) - 1 == len(listed) and rows[0][:2] == ("环节", "适用单位")
    assert column(rows, "时限") == [r["amount"] for r in listed]  # the list's order
    assert 7 not in column(rows, "时限")  # the other squad's rule is out of scope
    assert {"内置默认", "已配置"} == set(column(rows, "来源"))
    entry = last_audit(db, "time_limit_export.download")
    assert entry is not None and entry.summary["rows"] == len(rows) - 1
    assert 7 in column(exported(client, admin, LIMITS, {}), "时限")


def test_dedup_rule_export(client: TestClient, login: Login) -> None:
    admin = login("admin")
    made = client.put(DEDUP, json={"category_code": "10000", "radius_m": 80, "window_minutes": 30}, headers=admin)
    assert made.status_code == 200
    listed = client.get(DEDUP, headers=admin).json()
    rows = exported(client, login("bdg_leader"), DEDUP, {})  # city-wide rules: every reader sees them all
    assert len(rows) - 1 == len(listed) >= 1 and rows[0][:2] == ("类别编码", "事项类别")
    assert ("10000", 80, 30) in {(r[0], r[2], r[3]) for r in rows[1:]}


def test_snooze_rule_export_follows_filter_and_scope(client: TestClient, login: Login, units: dict, db: Database):
    leader, admin = login("bdg_leader"), login("admin")

    def rule(point: tuple, reason: str, days: int = 1) -> dict:
        until = (clock.now() + timedelta(days=days)).isoformat()
        return {"category_code": "10000", "lng": point[0], "lat": point[1], "radius_m": 50, "until": until,
                "reason": reason}  # fmt: skip

    own = client.post(SNOOZE, json=rule(units["my_point"], "已报修-本中队"), headers=leader)
    old = client.post(SNOOZE, json=rule(units["my_point"], "已停用-本中队"), headers=leader)
    theirs = client.post(SNOOZE, json=rule(units["other_point"], "已报修-其他中队"), headers=admin)
    assert own.status_code == old.status_code == theirs.status_code == 201
    assert client.post(f"{SNOOZE}/{old.json()['id']}/deactivate", headers=leader).status_code == 200
    everything = exported(client, leader, SNOOZE, {})
    assert len(everything) - 1 == len(client.get(SNOOZE, headers=leader).json())
    reasons = column(everything, "原因")
    assert {"已报修-本中队", "已停用-本中队"} <= set(reasons) and "已报修-其他中队" not in reasons
    active = exported(client, leader, SNOOZE, {"active": True})
    assert len(active) - 1 == len(client.get(SNOOZE, params={"active": True}, headers=leader).json())
    assert "已停用-本中队" not in column(active, "原因") and set(column(active, "状态")) == {"生效中"}
    entry = last_audit(db, "snooze_rule_export.download")
    assert entry is not None and entry.summary["filters"] == {"active": True}


def test_approval_chain_export_in_the_configurers_scope(client: TestClient, login: Login, units: dict):
    admin, secadmin = login("admin"), login("secadmin")
    code = f"chain_x_{uuid.uuid4().hex[:6]}"
    role = client.post("/api/v1/roles", json={"code": code, "name": "审批链配置（导出）", "data_scope": "unit",
                                              "permissions": ["case:configure"]}, headers=secadmin)  # fmt: skip
    assert role.status_code == 201, role.text
    password = f"Cfg-{uuid.uuid4().hex}!"
    staff_account(client, username=code, password=password, roles=[role.json()["id"]], display_name="审批链导出员",
                  unit_id=units["mine"])  # fmt: skip
    configurer = login(code, password)
    chain = {"procedure": "ordinary", "stage": "filing_approval",
             "steps": [{"role": "squad_leader", "label": "中队长审批"}]}  # fmt: skip
    assert client.put(CHAINS, json=chain | {"unit_id": units["mine"]}, headers=configurer).status_code == 200
    theirs = client.put(CHAINS, json=chain | {"unit_id": units["other"]}, headers=admin).json()
    listed = client.get(CHAINS, headers=configurer).json()
    rows = exported(client, configurer, CHAINS, {})
    assert len(rows) - 1 == len(listed) and rows[0][:3] == ("适用单位", "程序", "环节")
    assert theirs["unit_name"] not in column(rows, "适用单位")
    assert theirs["unit_name"] in column(exported(client, admin, CHAINS, {}), "适用单位")
    assert "中队长审批（squad_leader）" in column(rows, "审批步骤") and "默认" in column(rows, "来源")
    assert client.get(f"{CHAINS}/export.xlsx", headers=login("bdg_officer")).status_code == 403
