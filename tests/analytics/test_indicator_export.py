"""指标目录导出: every indicator of the page's table with its 统计口径, Chinese headers, audited; refused to a caller
the catalogue is refused to."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from chengguan.core.db import Database
from xlsx_support import column, exported, last_audit

LIST = "/api/v1/analytics/indicators"


def test_indicator_export_is_the_catalogue(client: TestClient, login: Callable[..., dict[str, str]], db: Database):
    officer = login("bdg_officer")
    listed = client.get(LIST, headers=officer).json()["items"]
    rows = exported(client, officer, LIST, {})
    assert len(rows) - 1 == len(listed) >= 5 and rows[0][:3] == ("指标", "单位", "统计口径（定义）")
    assert column(rows, "指标") == [i["name"] for i in listed]
    assert column(rows, "计算公式") == [i["formula"] for i in listed]
    entry = last_audit(db, "indicator_export.download")
    assert entry is not None and entry.summary["rows"] == len(listed)
    assert client.get(LIST, headers=login("auditor")).status_code == 403
    assert client.get(f"{LIST}/export.xlsx", headers=login("auditor")).status_code == 403
