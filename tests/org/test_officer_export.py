"""执法人员导出: as many rows as the list's total for the same filters, in the list's order, phones masked, the list's
scope, a bad filter refused, the download audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from chengguan.core.db import Database
from xlsx_support import assert_refused_filter, column, exported, last_audit, list_total

Login = Callable[..., dict[str, str]]
PATH = "/api/v1/officers"


@pytest.mark.commits  # the download's audit entry is written in a transaction of its own
def test_export_matches_the_list_and_is_audited(client: TestClient, admin: dict[str, str], login: Login,
                                                db: Database) -> None:  # fmt: skip
    total = list_total(client, admin, PATH, {})
    rows = exported(client, admin, PATH, {})
    assert rows[0][:3] == ("姓名", "性别", "执法证号") and len(rows) - 1 == total > 0
    listed = client.get(PATH, params={"page_size": 200}, headers=admin).json()["items"]
    assert column(rows, "执法证号")[: len(listed)] == [o["certificate_no"] for o in listed]  # the list's order
    phones = [p for p in column(rows, "联系电话") if p]
    assert phones and all("*" in p for p in phones)  # never in plain
    entry = last_audit(db, "officer_export.download")
    assert entry is not None and entry.summary["rows"] == total

    narrowed = {"kind": "auxiliary"}
    fewer = exported(client, admin, PATH, narrowed)
    assert len(fewer) - 1 == list_total(client, admin, PATH, narrowed) < total
    assert set(column(fewer, "人员类别")) == {"协管"}

    squad = login("bdg_leader")
    own = exported(client, squad, PATH, {})
    assert len(own) - 1 == list_total(client, squad, PATH, {}) < total
    assert len(set(column(own, "所属单位"))) == 1


def test_a_bad_filter_is_refused(client: TestClient, login: Login) -> None:
    assert_refused_filter(client, login("shinan_leader"), PATH, {"status": "retired"})
