"""首违不罚规则导出: the rules as the list shows them (one row each, its matter, on/off and window), Chinese headers,
readers only, the download audited."""

from __future__ import annotations

from fastapi.testclient import TestClient

from chengguan.core.db import Database
from rectification.helpers import Login
from xlsx_support import column, exported, last_audit

PATH = "/api/v1/warning-first/rules"


def test_the_rules_export_as_the_list_shows_them(client: TestClient, login: Login, db: Database) -> None:
    manager = login("shinan_leader")
    matters = client.get("/api/v1/law/matters", params={"page_size": 2}, headers=manager).json()["items"]
    for matter, enabled in zip(matters, (True, False), strict=True):
        body = {"enabled": enabled, "window_days": 180, "note": "导出测试"}
        put = client.put(f"{PATH}/{matter['code']}", json=body, headers=manager)
        assert put.status_code == 200, put.text
    shown = client.get(PATH, headers=manager).json()
    rows = exported(client, manager, PATH, {})
    assert rows[0][:4] == ("事项编码", "执法事项", "首违不罚", "期限（天）")
    assert len(rows) - 1 == len(shown) >= 2
    assert column(rows, "事项编码") == [r["matter_code"] for r in shown]  # the list's order
    exported_by_code = dict(zip(column(rows, "事项编码"), column(rows, "首违不罚"), strict=True))
    assert exported_by_code[matters[0]["code"]] == "适用" and exported_by_code[matters[1]["code"]] == "不适用"
    entry = last_audit(db, "warning_rule_export.download")
    assert entry is not None and entry.summary["rows"] == len(shown)


def test_who_may_not_read_the_rules_may_not_export_them(client: TestClient, login: Login) -> None:
    auditor = login("auditor")
    assert client.get(PATH, headers=auditor).status_code == 403
    refused = client.get(f"{PATH}/export.xlsx", headers=auditor)
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/problem+json")
