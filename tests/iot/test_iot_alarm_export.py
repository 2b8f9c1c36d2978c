"""物联告警导出: every alarm the list counts for the same filters (the list shows the first ``limit``), in the list's
order, the list's scope, a bad filter refused, the download audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from chengguan.core import clock
from chengguan.core.db import Database
from xlsx_support import assert_refused_filter, column, exported, last_audit, list_total

Login = Callable[..., dict[str, str]]
PATH = "/api/v1/iot/alarms"
FUME = [{"metric": "fume", "above": 2.0, "for_s": 120, "clear_below": 1.5, "clear_for_s": 60}]


def _alarm(client: TestClient, admin: dict[str, str], code: str, lng: float, lat: float) -> None:
    """A fume monitor at (lng, lat) that raises one alarm and clears it."""
    device = {"code": code, "kind": "oil_fume", "report_interval_s": 60, "lng": lng, "lat": lat}
    assert client.post("/api/v1/iot/devices", json=device, headers=admin).status_code == 201
    assert client.put(f"/api/v1/iot/devices/{code}/rules", json=FUME, headers=admin).status_code == 200
    t0 = clock.now() - timedelta(minutes=20)
    values = [1.0, 3.0, 3.1, 3.2, 2.4, 1.9, 1.0, 1.1, 1.2]
    readings = [
        {"ts": (t0 + timedelta(seconds=60 * i)).isoformat(), "values": {"fume": v}} for i, v in enumerate(values)
    ]
    r = client.post(f"/api/v1/iot/devices/{code}/readings", json=readings, headers=admin)
    assert r.status_code == 200 and r.json()["raised"] == 1, r.text


@pytest.mark.commits  # the download's audit entry is written in a transaction of its own
def test_export_matches_the_list_and_is_audited(client: TestClient, admin: dict[str, str], login: Login,
                                                db: Database) -> None:  # fmt: skip
    _alarm(client, admin, "EXP-FUME-1", 120.35, 36.06)
    _alarm(client, admin, "EXP-FUME-2", 120.36, 36.07)
    total = list_total(client, admin, PATH, {}, size="limit")
    rows = exported(client, admin, PATH, {"limit": 1})  # the list's page size does not cut the export
    assert rows[0][0] == "告警时间" and len(rows) - 1 == total >= 2
    first = client.get(PATH, params={"limit": 50}, headers=admin).json()["items"]
    assert column(rows, "设备编号")[: len(first)] == [a["device_code"] for a in first]  # the list's order
    entry = last_audit(db, "iot_alarm_export.download")
    assert entry is not None and entry.summary["rows"] == total

    narrowed = {"device_code": "EXP-FUME-1"}
    fewer = exported(client, admin, PATH, narrowed)
    assert len(fewer) - 1 == list_total(client, admin, PATH, narrowed, size="limit") == 1 < total
    assert column(fewer, "状态") == ["已恢复"]

    squad = login("bdg_leader")  # scope: a squad sees only its own units' alarms
    theirs = exported(client, squad, PATH, {})
    assert len(theirs) - 1 == list_total(client, squad, PATH, {}, size="limit") < total
    assert set(column(theirs, "设备编号")) < set(column(rows, "设备编号"))


def test_a_bad_filter_is_refused(client: TestClient, login: Login) -> None:
    assert_refused_filter(client, login("command"), PATH, {"since": "2026-02-30T00:00:00"})
