"""督办台账导出: as many rows as the list's total for the same filter, in the list's order, the list's scope, a bad
filter refused, the download audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from chengguan.core.db import Database
from xlsx_support import assert_refused_filter, column, exported, last_audit, list_total

Login = Callable[..., dict[str, str]]
PATH = "/api/v1/supervisions"


@pytest.mark.commits  # the download's audit entry is written in a transaction of its own
def test_export_matches_the_list_and_is_audited(client: TestClient, admin: dict[str, str], login: Login,
                                                db: Database) -> None:  # fmt: skip
    total = list_total(client, admin, PATH, {})
    rows = exported(client, admin, PATH, {})
    assert rows[0][0] == "案源编号" and len(rows) - 1 == total > 0
    listed = client.get(PATH, params={"page_size": 200}, headers=admin).json()["items"]
    assert column(rows, "案源编号")[: len(listed)] == [s["case_source_code"] for s in listed]  # the list's order
    entry = last_audit(db, "supervision_export.download")
    assert entry is not None and entry.summary["rows"] == total

    narrowed = {"open": False}
    fewer = exported(client, admin, PATH, narrowed)
    assert len(fewer) - 1 == list_total(client, admin, PATH, narrowed) < total
    assert set(column(fewer, "状态")) <= {"已解除"}

    squad = login("bdg_leader")
    own = exported(client, squad, PATH, {})
    assert len(own) - 1 == list_total(client, squad, PATH, {}) < total


def test_a_bad_filter_is_refused(client: TestClient, login: Login) -> None:
    assert_refused_filter(client, login("shinan_leader"), PATH, {"open": "maybe"})
