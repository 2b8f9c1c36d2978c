"""Exports of the knowledge base's lists: the law catalogue, the matters (the list's filters, the region defaulting to
the caller's unit's as the list does; the file is the import template and imports back unchanged), the hearing
thresholds and a standard's tiers — rows equal to the list, Chinese headers, money as yuan cells, dates as dates,
audited; a caller without ``law:read`` refused as by the list."""

from __future__ import annotations

import datetime as dt
import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from chengguan.core.db import Database
from xlsx_support import assert_refused_filter, column, exported, last_audit, list_total

LAW = "/api/v1/law"


def test_law_catalogue_export_follows_the_lists_filters(client: TestClient, login, db: Database) -> None:  # type: ignore[no-untyped-def]
    officer = login("bdg_officer")  # a 市南区 unit: national, Shandong and Qingdao texts by default
    for params in ({}, {"region": "all"}, {"level": "local_regulation", "region": "all"}, {"q": "条例"}):
        rows = exported(client, officer, f"{LAW}/laws", params)
        assert len(rows) - 1 == list_total(client, officer, f"{LAW}/laws", params), params
    mine = exported(client, officer, f"{LAW}/laws", {})
    everywhere = exported(client, officer, f"{LAW}/laws", {"region": "all"})
    region = "适用地区（区划代码）"
    assert rows_of(mine, region) < rows_of(everywhere, region)  # Beijing's and Shanghai's texts only in "all"
    assert all(r == "全国" or r.startswith("37") for r in column(mine, region))
    assert all(isinstance(d, dt.datetime) for d in column(mine, "施行日期"))  # a real date cell
    listed = client.get(f"{LAW}/laws", params={"page_size": 200}, headers=officer).json()["items"]
    assert column(mine, "名称") == [law["title"] for law in listed]  # the list's order
    everywhere = exported(client, officer, f"{LAW}/laws", {"region": "all"})
    entry = last_audit(db, "law_export.download")  # the last one: every region's
    assert entry is not None and entry.summary["rows"] == len(everywhere) - 1
    assert entry.summary["filters"]["region"] == "all"
    assert client.get(f"{LAW}/laws/export.xlsx", headers=login("auditor")).status_code == 403
    assert_refused_filter(client, officer, f"{LAW}/laws", {"level": "decree"})


def rows_of(rows: list[tuple], header: str) -> set:
    return set(column(rows, header))


def test_matter_export_takes_the_lists_filters_and_imports_back(client: TestClient, login, db: Database) -> None:  # type: ignore[no-untyped-def]
    officer, admin = login("bdg_officer"), login("admin")
    matters = f"{LAW}/matters"
    for params in ({}, {"category": "06"}, {"q": "烧烤"}, {"region": "110105", "status": "active"}):
        rows = exported(client, officer, matters, params)
        assert len(rows) - 1 == list_total(client, officer, matters, params), params
    qingdao = exported(client, officer, matters, {})
    assert not any(str(c).endswith("-BJ-01") for c in column(qingdao, "事项编码"))  # another region's matters
    beijing = exported(client, officer, matters, {"region": "110105"})
    assert "09006-BJ-01" in column(beijing, "事项编码")
    listed = client.get(matters, params={"page_size": 200, "category": "06"}, headers=officer).json()["items"]
    sixes = exported(client, officer, matters, {"category": "06"})
    assert column(sixes, "事项编码") == [m["code"] for m in listed]
    assert set(column(sixes, "状态")) <= {"有效", "已停用"} and "罚款" in "".join(column(sixes, "处罚种类"))
    at = column(sixes, "事项编码").index("06029-QG-01")
    fen = next(m for m in listed if m["code"] == "06029-QG-01")["individual_max_fen"]
    assert column(sixes, "公民罚款上限（元）")[at] == fen / 100
    entry = last_audit(db, "law_matter_export.download")
    assert entry is not None and entry.summary["rows"] == len(sixes) - 1
    assert entry.summary["filters"]["category"] == "06"
    assert client.get(f"{matters}/export.xlsx", headers=login("auditor")).status_code == 403
    assert_refused_filter(client, officer, matters, {"category": "x"})

    # the filtered file is the import template: imported back, nothing changes
    response = client.get(f"{matters}/export.xlsx", params={"category": "06"}, headers=admin)
    again = client.post(f"{matters}:import", files={"file": ("m.xlsx", response.content)}, headers=admin)
    assert again.status_code == 200, again.text
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (0, 0, len(sixes) - 1)


def test_hearing_threshold_export(client: TestClient, login, db: Database) -> None:  # type: ignore[no-untyped-def]
    admin, officer = login("admin"), login("bdg_officer")
    body = {"individual_fen": 1_234_56, "organization_fen": 5_000_000, "basis": "导出测试省规定"}
    assert client.put(f"{LAW}/hearing-thresholds/990000", json=body, headers=admin).status_code == 200
    listed = client.get(f"{LAW}/hearing-thresholds", headers=officer).json()
    rows = exported(client, officer, f"{LAW}/hearing-thresholds", {})
    assert len(rows) - 1 == len(listed) and rows[0][:2] == ("适用范围", "省级区划代码")
    assert column(rows, "省级区划代码") == [r["region_code"] for r in listed] and listed[0]["region_code"] is None
    at = column(rows, "省级区划代码").index("990000")
    assert (column(rows, "公民（元）")[at], column(rows, "法人或其他组织（元）")[at]) == (1234.56, 50_000)
    assert last_audit(db, "hearing_threshold_export.download") is not None
    assert client.get(f"{LAW}/hearing-thresholds/export.xlsx", headers=login("auditor")).status_code == 403


def test_standard_tier_export(client: TestClient, login, db: Database) -> None:  # type: ignore[no-untyped-def]
    officer = login("bdg_officer")
    detail = client.get(f"{LAW}/standards/beijing", headers=officer).json()
    response = client.get(f"{LAW}/standards/beijing/export.xlsx", headers=officer)
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("适用事项", "当事人", "阶次", "适用情形") and len(rows) - 1 == len(detail["tiers"]) >= 4
    assert column(rows, "阶次") == [t["tier_label"] for t in detail["tiers"]]
    money = [t for t in detail["tiers"] if t["max_fen"] is not None]
    if money:  # a fixed amount as a money cell in yuan
        at = rows[0].index("金额上限（元）") + 1
        cell = sheet.cell(row=2 + detail["tiers"].index(money[0]), column=at)
        assert cell.value == money[0]["max_fen"] / 100 and cell.number_format == "#,##0.00"
    entry = last_audit(db, "discretion_tier_export.download")
    assert entry is not None and entry.summary["filters"] == {"standard": "beijing"}
    assert client.get(f"{LAW}/standards/nowhere/export.xlsx", headers=officer).status_code == 404
    assert client.get(f"{LAW}/standards/beijing/export.xlsx", headers=login("auditor")).status_code == 403
