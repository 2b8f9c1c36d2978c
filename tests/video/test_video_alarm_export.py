"""视频告警导出: as many rows as the list's total for the same filters, in the list's order, the list's scope (the
cameras of the reader's units), a bad filter refused, the download audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from chengguan.core.db import Database
from video.helpers import ZONE, stall_frames
from xlsx_support import assert_refused_filter, column, exported, last_audit, list_total

Login = Callable[..., dict[str, str]]
PATH = "/api/v1/video/alarms"


@pytest.mark.commits  # the download's audit entry is written in a transaction of its own
def test_export_matches_the_list_and_is_audited(client: TestClient, admin: dict[str, str], db: Database,
                                                cameras: list[tuple[str, str]]) -> None:  # fmt: skip
    device_id, code = cameras[0]
    zone = client.put(f"/api/v1/video/cameras/{device_id}/zones", json=[ZONE], headers=admin)
    assert zone.status_code == 200, zone.text
    raised = client.post("/api/v1/video/detections", json={"camera_code": code, "frames": stall_frames(8)},
                         headers=admin)  # fmt: skip
    assert raised.status_code == 200 and raised.json()["alarms"], raised.text

    total = list_total(client, admin, PATH, {})
    rows = exported(client, admin, PATH, {})
    assert rows[0][0] == "告警时间" and len(rows) - 1 == total > 0
    first = client.get(PATH, params={"page_size": 50}, headers=admin).json()["items"]
    assert column(rows, "摄像机编号")[: len(first)] == [a["camera_code"] for a in first]  # the list's order
    entry = last_audit(db, "video_alarm_export.download")
    assert entry is not None and entry.summary["rows"] == total

    narrowed = {"device_id": device_id}
    fewer = exported(client, admin, PATH, narrowed)
    assert 0 < len(fewer) - 1 == list_total(client, admin, PATH, narrowed) < total
    assert set(column(fewer, "摄像机编号")) == {code}


def test_a_squad_exports_only_its_cameras_alarms(client: TestClient, login: Login) -> None:
    squad = login("bdg_leader")
    rows = exported(client, squad, PATH, {})
    assert len(rows) - 1 == list_total(client, squad, PATH, {})
    assert list_total(client, squad, PATH, {}) <= list_total(client, login("shinan_leader"), PATH, {})


def test_a_bad_filter_is_refused(client: TestClient, login: Login) -> None:
    assert_refused_filter(client, login("shinan_leader"), PATH, {"status": "lost"})


@pytest.mark.commits  # the download's audit entry is written in a transaction of its own
def test_the_accuracy_table_exports_as_the_page_shows_it(client: TestClient, admin: dict[str, str], db: Database,
                                                         login: Login) -> None:  # fmt: skip
    counted = {}
    for name, who in (("admin", admin), ("squad", login("bdg_leader"))):
        shown = client.get(f"{PATH}/accuracy", headers=who).json()
        rows = exported(client, who, f"{PATH}/accuracy", {})
        assert rows[0][:4] == ("摄像机编号", "摄像机名称", "监测区域", "告警数")
        assert len(rows) - 1 == len(shown)
        assert sorted(column(rows, "告警数")) == sorted(r["total"] for r in shown)
        counted[name] = sum(column(rows, "告警数"))
        entry = last_audit(db, "video_accuracy_export.download")
        assert entry is not None and entry.summary["rows"] == len(shown)
    assert counted["squad"] <= counted["admin"] and counted["admin"] > 0  # the squad: its cameras only
