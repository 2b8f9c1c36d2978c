"""商户档案导出: as many rows as the list's total for the same filters, the list's scope (a squad sees its squad's
shops), identity numbers and phones masked as on the list, a bad filter refused, the download audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from chengguan.core.db import Database
from xlsx_support import assert_refused_filter, column, exported, last_audit, list_total

Login = Callable[..., dict[str, str]]
PATH = "/api/v1/merchants"


@pytest.mark.commits  # the download's audit entry is written in a transaction of its own
def test_export_matches_the_list_and_is_audited(client: TestClient, login: Login, db: Database) -> None:
    who = login("shinan_leader")
    total = list_total(client, who, PATH, {})
    rows = exported(client, who, PATH, {})
    assert rows[0][:2] == ("一店一码", "商户名称") and len(rows) - 1 == total > 0
    assert column(rows, "一店一码") == [m["code"] for m in _all(client, who, {})]  # the list's order
    assert all(v is None or "*" in v for v in column(rows, "联系电话") + column(rows, "经营者身份证号"))
    entry = last_audit(db, "merchant_export.download")
    assert entry is not None and entry.summary["rows"] == total

    narrowed = {"kind": "individual_business"}
    fewer = exported(client, who, PATH, narrowed)
    assert len(fewer) - 1 == list_total(client, who, PATH, narrowed) < total
    assert set(column(fewer, "类型")) == {"个体工商户"}


def test_a_squad_exports_only_its_own_shops(client: TestClient, login: Login) -> None:
    squad = login("bdg_leader")
    rows = exported(client, squad, PATH, {})
    assert len(rows) - 1 == list_total(client, squad, PATH, {}) < list_total(client, login("shinan_leader"), PATH, {})
    assert set(column(rows, "责任单位")) == {m["unit_name"] for m in _all(client, squad, {})}


def test_a_bad_filter_is_refused(client: TestClient, login: Login) -> None:
    assert_refused_filter(client, login("shinan_leader"), PATH, {"kind": "bank"})


def _all(client: TestClient, who: dict[str, str], params: dict) -> list[dict]:
    items, page = [], 1
    while True:
        body = client.get(PATH, params={**params, "page": page, "page_size": 100}, headers=who).json()
        items += body["items"]
        if len(items) >= body["total"]:
            return items
        page += 1


def test_an_export_past_the_row_limit_asks_for_narrower_filters(client: TestClient, login: Login,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr("chengguan.kit.xlsx.MAX_ROWS", 1)
    response = client.get(f"{PATH}/export.xlsx", headers=login("shinan_leader"))
    assert response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "export.too_many_rows" and "缩小筛选范围" in response.json()["detail"]
