"""Checks shared by the list exports' tests: the workbook's rows, the list's total for the same filters, the audit
entry of the download."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from chengguan.audit.models import AuditEntry
from chengguan.core.db import Database


def exported(client: TestClient, who: dict[str, str], path: str, params: dict[str, Any]) -> list[tuple]:
    """The export of the list at ``path`` with ``params``: its rows, the header row first."""
    response = client.get(f"{path}/export.xlsx", params=params, headers=who)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True))
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in str(h)) for h in rows[0]), rows[0]
    return rows


def list_total(client: TestClient, who: dict[str, str], path: str, params: dict[str, Any], *,
               size: str = "page_size") -> int:  # fmt: skip
    """The list's ``total`` for ``params`` (one row asked for; ``size`` names the list's page size parameter)."""
    response = client.get(path, params={**params, size: 1}, headers=who)
    assert response.status_code == 200, response.text
    return response.json()["total"]


def column(rows: list[tuple], header: str) -> list[Any]:
    at = rows[0].index(header)
    return [r[at] for r in rows[1:]]


def last_audit(db: Database, action: str) -> AuditEntry | None:
    with db.session(write=False) as session:
        return session.scalar(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq.desc()))


def assert_refused_filter(client: TestClient, who: dict[str, str], path: str, params: dict[str, Any]) -> None:
    """A bad filter is a 422 problem naming the field."""
    response = client.get(f"{path}/export.xlsx", params=params, headers=who)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert {e["field"] for e in response.json()["errors"]} & set(params), response.json()
