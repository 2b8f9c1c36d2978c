"""视频设备导出: the cameras and other video devices the list shows, in its order (by code), with their art. 41
reviews; a kind narrows; the list's scope; a bad kind refused; the download audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from chengguan.core.db import Database
from xlsx_support import assert_refused_filter, column, exported, last_audit

Login = Callable[..., dict[str, str]]
PATH = "/api/v1/video/cameras"


def _listed(client: TestClient, who: dict[str, str], params: dict) -> list[dict]:
    response = client.get(PATH, params=params, headers=who)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.commits  # the download's audit entry is written in a transaction of its own
def test_export_matches_the_list_and_is_audited(client: TestClient, admin: dict[str, str], login: Login,
                                                db: Database) -> None:  # fmt: skip
    listed = _listed(client, admin, {})
    rows = exported(client, admin, PATH, {})
    assert rows[0][:3] == ("设备编号", "设备名称", "类型") and len(rows) - 1 == len(listed) > 0
    assert column(rows, "设备编号") == [c["code"] for c in listed]  # the list's order
    assert column(rows, "审核状态") == [c["review_label"] for c in listed]
    entry = last_audit(db, "video_device_export.download")
    assert entry is not None and entry.summary["rows"] == len(listed)

    cameras = exported(client, admin, PATH, {"kind": "camera"})
    assert len(cameras) - 1 == len(_listed(client, admin, {"kind": "camera"})) < len(listed)

    squad = login("bdg_leader")
    own = exported(client, squad, PATH, {})
    assert len(own) - 1 == len(_listed(client, squad, {})) < len(listed)
    assert set(column(own, "所属单位")) <= {"八大关街道执法中队"}


def test_a_bad_kind_is_refused(client: TestClient, login: Login) -> None:
    assert_refused_filter(client, login("admin"), PATH, {"kind": "toaster"})
