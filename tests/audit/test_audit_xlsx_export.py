"""审计日志导出（Excel）: as many rows as the log list's total for the same filters, newest first, actions and object
types in Chinese, the reader's scope, a bad filter refused, only audit:read, and the export itself audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from chengguan.core.db import Database
from xlsx_support import assert_refused_filter, column, exported, last_audit, list_total

Login = Callable[..., dict[str, str]]
PATH = "/api/v1/audit"


@pytest.mark.commits  # the export's own entry is written in a transaction of its own
def test_export_matches_the_list_and_is_itself_audited(client: TestClient, login: Login, db: Database) -> None:
    auditor = login("auditor")
    narrowed = {"action": "auth."}
    total = list_total(client, auditor, PATH, narrowed)
    rows = exported(client, auditor, PATH, narrowed)
    assert rows[0][:3] == ("序号", "时间", "操作人") and len(rows) - 1 == total > 0
    assert all(code.startswith("auth.") for code in column(rows, "动作代码"))
    assert "登录" in column(rows, "动作")
    listed = client.get(PATH, params={**narrowed, "page_size": 50}, headers=auditor).json()["items"]
    assert column(rows, "序号")[: len(listed)] == [e["seq"] for e in listed]  # newest first, as the list
    entry = last_audit(db, "audit.export")
    assert entry is not None and entry.summary["format"] == "xlsx" and entry.summary["entries"] == total
    assert entry.summary["filters"] == narrowed

    everything = list_total(client, auditor, PATH, {})
    assert total < everything
    district = login("shinan_leader")  # audit:read over 市南 only: entries of its units' actors and its own
    theirs_total = list_total(client, district, PATH, {})  # before the export, which is itself an entry of theirs
    theirs = exported(client, district, PATH, {})
    assert len(theirs) - 1 == theirs_total < everything


def test_refusals(client: TestClient, login: Login) -> None:
    assert client.get(f"{PATH}/export.xlsx", headers=login("admin")).status_code == 403  # 三员分立
    assert_refused_filter(client, login("auditor"), PATH, {"since": "2026-02-30T00:00:00+08:00"})
