"""当场收缴台账导出: as many rows as the list's total for the same filters, in the list's order, amounts in yuan,
the list's scope, a bad filter refused, the download audited."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from chengguan.core.db import Database
from payments.helpers import Login
from payments.test_cash import LIST, _collect, _on_the_spot
from xlsx_support import assert_refused_filter, column, exported, last_audit, list_total


@pytest.mark.commits  # the download's audit entry is written in a transaction of its own
def test_export_matches_the_list_and_is_audited(client: TestClient, login: Login, setup, db: Database) -> None:  # type: ignore[no-untyped-def]
    officer = login("bdg_officer")
    first = _collect(client, officer, _on_the_spot(client, login, setup, 10_000))
    _collect(client, officer, _on_the_spot(client, login, setup, 5_050))
    district = login("shinan_leader")
    assert client.post(f"{LIST}/{first['id']}/hand-in", json={}, headers=district).status_code == 200

    total = list_total(client, district, LIST, {})
    rows = exported(client, district, LIST, {})
    assert rows[0][0] == "案号" and len(rows) - 1 == total >= 2
    listed = client.get(LIST, headers=district).json()["items"]
    assert column(rows, "罚款收据编号") == [c["bill_no"] for c in listed]  # the list's order
    assert {100.0, 50.5} <= set(column(rows, "金额（元）"))
    entry = last_audit(db, "cash_export.download")
    assert entry is not None and entry.summary["rows"] == total

    response = client.get(f"{LIST}/export.xlsx", headers=district)
    sheet = load_workbook(io.BytesIO(response.content)).active
    amount = rows[0].index("金额（元）") + 1
    assert all(sheet.cell(row=r, column=amount).number_format == "#,##0.00" for r in range(2, sheet.max_row + 1))

    narrowed = {"status": "handed_in"}
    fewer = exported(client, district, LIST, narrowed)
    assert len(fewer) - 1 == list_total(client, district, LIST, narrowed) < total
    assert first["bill_no"] in column(fewer, "罚款收据编号") and len(set(column(fewer, "状态"))) == 1

    squad = login("bdg_leader")
    own = exported(client, squad, LIST, {})
    assert len(own) - 1 == list_total(client, squad, LIST, {}) >= 2
    assert client.get(f"{LIST}/export.xlsx", headers=login("licun_officer")).status_code == 403


def test_a_bad_filter_is_refused(client: TestClient, login: Login) -> None:
    assert_refused_filter(client, login("shinan_leader"), LIST, {"status": "spent"})
