"""缴款对账导出: the day's report as the page shows it — one sheet of orders, one of mismatches, one of the reader's
cash collections — each as many rows as the report has, Chinese headers, yuan as money cells; finance only, the
cash of another unit's collector absent; the download audited."""

from __future__ import annotations

import io
import uuid

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from chengguan.core import clock
from chengguan.core.db import Database
from chengguan.org.models import OrgUnit
from payments.helpers import Login, gateway_pays, new_order, notify, served
from payments.test_cash import _collect, _on_the_spot
from support import staff_account
from xlsx_support import last_audit

URL = "/api/v1/payments/reconciliation"


def _sheets(client: TestClient, who: dict, day: str) -> dict[str, list[tuple]]:
    """Each sheet's rows below its caption, the header row first."""
    response = client.get(f"{URL}/export.xlsx", params={"day": day}, headers=who)
    assert response.status_code == 200, response.text
    book = load_workbook(io.BytesIO(response.content))
    for sheet in book.worksheets:  # money as numbers formatted in yuan, not text
        for row in sheet.iter_rows(min_row=3):
            for cell in row:
                if "（元）" in str(sheet.cell(row=2, column=cell.column).value) and cell.value is not None:
                    assert isinstance(cell.value, int | float) and cell.number_format == "#,##0.00"
    out = {s.title: list(s.iter_rows(min_row=2, values_only=True)) for s in book.worksheets}
    for rows in out.values():
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in str(h)) for h in rows[0]), rows[0]
    return out


def _col(rows: list[tuple], header: str) -> list:
    at = rows[0].index(header)
    return [r[at] for r in rows[1:]]


@pytest.mark.commits  # the download's audit entry is written in a transaction of its own
def test_reconciliation_export_is_the_days_report(client: TestClient, login: Login, setup, db: Database) -> None:  # type: ignore[no-untyped-def]
    officer, leader = login("bdg_officer"), login("bdg_leader")
    paid = new_order(client, officer, served(client, login, setup)["id"])
    assert notify(client, *gateway_pays(client, paid["order_no"])).status_code == 200
    lost = new_order(client, officer, served(client, login, setup)["id"])
    gateway_pays(client, lost["order_no"])  # paid at the gateway, its callback lost: a mismatch
    bill = _collect(client, officer, _on_the_spot(client, login, setup, 10_000))["bill_no"]
    day = clock.local_now().date().isoformat()

    report = client.get(URL, params={"day": day}, headers=leader).json()
    sheets = _sheets(client, leader, day)
    orders, mismatches, cash = sheets["当日缴款单"], sheets["差异"], sheets["当场收缴"]
    assert len(orders) - 1 == len(report["orders"]) >= 2
    assert _col(orders, "缴款单号") == [o["order_no"] for o in report["orders"]]  # the page's order
    at = _col(orders, "缴款单号").index(paid["order_no"])
    assert (_col(orders, "金额（元）")[at], _col(orders, "渠道账单（元）")[at], _col(orders, "状态")[at]) == (
        500.0, 500.0, "已缴款")  # fmt: skip
    assert len(mismatches) - 1 == len(report["mismatches"]) >= 1 and lost["order_no"] in _col(mismatches, "缴款单号")
    assert len(cash) - 1 == len(report["cash"]) >= 1 and bill in _col(cash, "罚款收据编号")
    entry = last_audit(db, "reconciliation_export.download")
    assert entry is not None and entry.summary["rows"] == len(report["orders"])
    assert entry.summary["filters"] == {"day": day}

    # another squad's leader: the day's channel orders, but not this squad's cash
    with db.session(write=False) as s:
        licun = s.scalar(select(OrgUnit.id).where(OrgUnit.division_code == "370213002"))
    name, password = f"licun_leader_{uuid.uuid4().hex[:6]}", f"Sq-{uuid.uuid4().hex}!"
    staff_account(client, username=name, password=password, roles=["squad_leader"], unit_id=licun)
    theirs = _sheets(client, login(name, password), day)["当场收缴"]
    assert bill not in _col(theirs, "罚款收据编号")
    assert client.get(f"{URL}/export.xlsx", params={"day": day}, headers=officer).status_code == 403
