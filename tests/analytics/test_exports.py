"""Excel exports: they open with openpyxl, hold as many rows as the list's total, have Chinese headers, format dates
and money, and each download is in the audit log; the monthly report as Excel and PDF."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pdfminer.high_level import extract_text
from sqlalchemy import select

from chengguan.audit.models import AuditEntry
from chengguan.core.db import Database


def _total(client: TestClient, who: dict[str, str], path: str, params: dict) -> int:
    return client.get(path, params={**params, "page_size": 1}, headers=who).json()["total"]


def _audited(db: Database, action: str) -> AuditEntry | None:
    with db.session(write=False) as session:
        return session.scalar(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq.desc()))


@pytest.mark.commits  # the download's audit entry is written in a transaction of its own
@pytest.mark.parametrize(
    ("path", "params", "header"),
    [
        ("/api/v1/cases", {}, "案号"),
        ("/api/v1/cases", {"status": ["closed", "archived"], "procedure": "ordinary"}, "案号"),
        ("/api/v1/case-sources", {}, "案源编号"),
        ("/api/v1/case-sources", {"channel": "complaint", "open": False}, "案源编号"),
    ],
)
def test_list_export_matches_the_list(client: TestClient, login: Callable[..., dict[str, str]], db: Database,
                                      path: str, params: dict, header: str) -> None:  # fmt: skip
    who = login("shinan_leader")
    total = _total(client, who, path, params)
    response = client.get(f"{path}/export.xlsx", params=params, headers=who)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == header and all(any("\u4e00" <= ch <= "\u9fff" for ch in str(h)) for h in rows[0])
    assert len(rows) - 1 == total > 0
    action = "case_export.download" if "cases" in path else "case_source_export.download"
    entry = _audited(db, action)
    assert entry is not None and entry.summary["rows"] == total


@pytest.mark.commits
def test_case_export_formats_dates_and_money(client: TestClient, admin: dict[str, str]) -> None:
    response = client.get("/api/v1/cases/export.xlsx", params={"status": ["closed", "archived"]}, headers=admin)
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    head = [c.value for c in sheet[1]]
    fine = head.index("罚款（元）") + 1
    created = head.index("登记时间") + 1
    money = [sheet.cell(row=r, column=fine) for r in range(2, sheet.max_row + 1)]
    assert any(c.value for c in money) and all(c.number_format == "#,##0.00" for c in money if c.value is not None)
    assert sheet.cell(row=2, column=created).number_format == "yyyy-mm-dd hh:mm"
    assert sheet.cell(row=2, column=created).is_date
    masked = sheet.cell(row=2, column=head.index("联系电话") + 1).value
    assert masked is None or "*" in masked


def test_list_export_refusals(client: TestClient, login: Callable[..., dict[str, str]]) -> None:
    command = login("command")
    assert client.get("/api/v1/cases/export.xlsx", headers=command).status_code == 403
    bad = client.get("/api/v1/case-sources/export.xlsx", params={"created_from": "2026-02-30"}, headers=command)
    assert bad.status_code == 422


@pytest.mark.commits
def test_analytics_tables_export(client: TestClient, admin: dict[str, str], span: dict[str, str],
                                 db: Database) -> None:  # fmt: skip
    cube = client.get("/api/v1/analytics/cube", params={**span, "measure": "fines", "by": "district"},
                      headers=admin).json()  # fmt: skip
    response = client.get("/api/v1/analytics/cube.xlsx", params={**span, "measure": "fines", "by": "district"},
                          headers=admin)  # fmt: skip
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1] == ("编码", "区（市）", "罚款金额（元）")
    assert float(rows[-1][2]) == cube["total"] / 100 and len(rows) == len(cube["rows"]) + 3
    assert _audited(db, "analytics_export.download") is not None
    for path, params in (("/api/v1/analytics/trend", {"measure": "cases"}), ("/api/v1/analytics/hotspots", {}),
                         ("/api/v1/analytics/repeat-offenders", {}), ("/api/v1/analytics/match", {}),
                         ("/api/v1/analytics/handling-times", {})):  # fmt: skip
        response = client.get(path, params={**span, **params, "format": "xlsx"}, headers=admin)
        assert response.status_code == 200, path
        assert load_workbook(io.BytesIO(response.content)).active.max_row >= 2


@pytest.mark.commits
def test_monthly_report(client: TestClient, admin: dict[str, str], span: dict[str, str], db: Database) -> None:
    month = span["to"][:7]
    response = client.get("/api/v1/analytics/monthly-report", params={"month": month}, headers=admin)
    assert response.status_code == 200, response.text
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "总览" and len(book.sheetnames) >= 8
    overview = list(book["总览"].iter_rows(values_only=True))
    assert overview[1][0] == "指标" and overview[2][0] == "案源数（件）"
    response = client.get("/api/v1/analytics/monthly-report", params={"month": month, "format": "pdf"}, headers=admin)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = extract_text(io.BytesIO(response.content))
    assert f"{int(month[:4])}年{int(month[5:])}月城市管理综合执法统计月报" in text and "吻合度" in text
    entry = _audited(db, "analytics_report.download")
    assert entry is not None and entry.summary["format"] == "pdf"
    bad = client.get("/api/v1/analytics/monthly-report", params={"month": "2026-13"}, headers=admin)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "month"
