"""Fines by hour (罚款金额 × 小时): grouped by the local hour of each decision's instant — the timeline entry that made
it — with the window still on the decision date, so the hours add up to the fines total of the window; live, over
the snapshot, and as an Excel table. A snapshot written in an older file layout is not read."""

from __future__ import annotations

import io
import json
import shutil
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from analytics.conftest import days_ago
from analytics.test_cube import cube
from chengguan.analytics import snapshot
from chengguan.cases.enums import DecisionKind
from chengguan.cases.models import Case, CaseEvent
from chengguan.core import clock
from chengguan.core.db import Database


def _expected(db: Database, start: str, end: str) -> tuple[int, dict[str, int]]:
    """The window's fines total, and the same fines by the hour of their deciding timeline entry — counted here in
    Python from the rows, not by the code under test."""
    window = (Case.decision_kind == DecisionKind.penalty, Case.fine_fen > 0,
              Case.decided_on >= date.fromisoformat(start), Case.decided_on <= date.fromisoformat(end))  # fmt: skip
    hours: dict[str, int] = defaultdict(int)
    with db.session(write=False) as session:
        total = session.scalar(select(func.coalesce(func.sum(Case.fine_fen), 0)).where(*window)) or 0
        fines = dict(session.execute(select(Case.id, Case.fine_fen).where(*window)).tuples().all())
        decided: dict[object, object] = {}
        events = select(CaseEvent.case_id, CaseEvent.action, CaseEvent.from_status, CaseEvent.to_status, CaseEvent.at)
        for case_id, action, before, after, at in session.execute(events.where(CaseEvent.case_id.in_(fines))):
            final_approval = action == "approve" and before == "decision_approval" and after == "service"
            if final_approval or action == "deliver_on_site":
                decided[case_id] = max(decided.get(case_id, at), at)  # type: ignore[type-var]
    for case_id, fen in fines.items():
        at = decided.get(case_id)
        hours[clock.as_utc(at).astimezone(clock.SHANGHAI).strftime("%H") if at else ""] += fen  # type: ignore[arg-type]
    return total, dict(hours)


@pytest.mark.parametrize("engine", ["live", "snapshot"])
def test_fines_by_hour_add_up_to_the_window(client: TestClient, admin: dict[str, str], db: Database,
                                            span: dict[str, str], engine: str,
                                            request: pytest.FixtureRequest) -> None:  # fmt: skip
    if engine == "snapshot":
        request.getfixturevalue("snapshot_taken")
    for start, end in ((span["from"], span["to"]), (days_ago(120), days_ago(20))):
        total, hours = _expected(db, start, end)
        assert total > 0 and "" not in hours, "every demo decision has its timeline entry"
        assert len(hours) > 3, "the demo's decisions fall in several hours"
        got = cube(client, admin, measure="fines", by="hour", engine=engine, **{"from": start, "to": end})
        assert got["total"] == sum(r["value"] for r in got["rows"]) == total
        assert [r["key"] for r in got["rows"]] == [f"{h:02d}" for h in range(24)]
        assert {r["key"]: r["value"] for r in got["rows"] if r["value"]} == hours
        assert got["rows"][8]["label"] == "08时"


def test_fines_by_hour_scope(client: TestClient, admin: dict[str, str], login, span: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    leader = login("shinan_leader")
    mine = cube(client, leader, measure="fines", by="hour", **span)
    assert mine["total"] == cube(client, leader, measure="fines", by="district", **span)["total"]
    assert 0 < mine["total"] < cube(client, admin, measure="fines", by="hour", **span)["total"]


def test_fines_by_hour_as_excel(client: TestClient, admin: dict[str, str], span: dict[str, str]) -> None:
    params = {**span, "measure": "fines", "by": "hour"}
    data = cube(client, admin, **params)
    response = client.get("/api/v1/analytics/cube.xlsx", params=params, headers=admin)
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("编码", "时段（小时）", "罚款金额（元）")
    assert len(rows) == 24 + 3 and rows[2][:2] == ("00", "00时")
    assert round(sum(r[2] for r in rows[2:-1]) * 100) == data["total"] == round(rows[-1][2] * 100)
    assert sheet.cell(row=3, column=3).number_format == "#,##0.00"


def test_a_snapshot_of_an_older_layout_is_not_read(client: TestClient, admin: dict[str, str], db: Database,
                                                   data_dir: Path, span: dict[str, str]) -> None:  # fmt: skip
    root = snapshot.root_of(data_dir)
    try:
        with db.session(write=False) as session:
            first = snapshot.take(session, data_dir, full=True)
        assert first is not None and first.current
        manifest = root / "manifest.json"
        old = json.loads(manifest.read_text())
        old.pop("layout")  # as a version before ``decided_at`` wrote it
        manifest.write_text(json.dumps(old))
        refused = client.get("/api/v1/analytics/cube", params={**span, "measure": "fines", "by": "hour",
                                                               "engine": "snapshot"}, headers=admin)  # fmt: skip
        assert refused.status_code == 409 and refused.json()["code"] == "analytics.no_snapshot"
        assert cube(client, admin, measure="fines", by="hour", **span)["engine"] == "live"
        with db.session(write=False) as session:
            second = snapshot.take(session, data_dir)  # incremental asked, full done: nothing old is linked
        assert second is not None and second.current and second.full_at == second.as_of != first.full_at
        assert cube(client, admin, measure="fines", by="hour", engine="snapshot", **span)["engine"] == "snapshot"
    finally:
        shutil.rmtree(root, ignore_errors=True)
