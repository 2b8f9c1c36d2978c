"""整改通知导出: as many rows as the list's total for the same filters, in the list's order, the list's scope, a bad
filter refused, the download audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from chengguan.core.db import Database
from xlsx_support import assert_refused_filter, column, exported, last_audit, list_total

Login = Callable[..., dict[str, str]]
PATH = "/api/v1/notices"


@pytest.mark.commits  # the download's audit entry is written in a transaction of its own
def test_export_matches_the_list_and_is_audited(client: TestClient, login: Login, db: Database) -> None:
    who = login("shinan_leader")
    total = list_total(client, who, PATH, {})
    rows = exported(client, who, PATH, {})
    assert rows[0][0] == "通知编号" and len(rows) - 1 == total > 0
    first = client.get(PATH, params={"page_size": 50}, headers=who).json()["items"]
    assert column(rows, "通知编号")[: len(first)] == [n["code"] for n in first]  # the list's order
    entry = last_audit(db, "notice_export.download")
    assert entry is not None and entry.summary["rows"] == total

    kind = first[0]["kind"]
    narrowed = {"kind": "warning" if kind != "warning" else "rectification_order"}
    fewer = exported(client, who, PATH, narrowed)
    assert len(fewer) - 1 == list_total(client, who, PATH, narrowed) < total


def test_a_squad_exports_only_its_own_notices(client: TestClient, login: Login) -> None:
    squad = login("bdg_leader")
    rows = exported(client, squad, PATH, {})
    assert len(rows) - 1 == list_total(client, squad, PATH, {}) > 0
    names = {n["unit_name"] for n in client.get(PATH, params={"page_size": 200}, headers=squad).json()["items"]}
    assert set(column(rows, "发出单位")) == names and len(names) == 1
    other = login("licun_officer")  # another district's squad: none of 八大关's notices
    theirs = exported(client, other, PATH, {})
    assert len(theirs) - 1 == list_total(client, other, PATH, {}) < list_total(client, login("shinan_leader"), PATH, {})
    assert not set(column(theirs, "通知编号")) & set(column(rows, "通知编号"))


def test_a_bad_filter_is_refused(client: TestClient, login: Login) -> None:
    assert_refused_filter(client, login("shinan_leader"), PATH, {"status": "lost"})
