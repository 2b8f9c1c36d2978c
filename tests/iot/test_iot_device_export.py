"""物联设备导出: the devices the list shows, in its order (by code), a kind narrows, the list's scope, a bad kind
refused, the download audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from chengguan.core.db import Database
from xlsx_support import assert_refused_filter, column, exported, last_audit

Login = Callable[..., dict[str, str]]
PATH = "/api/v1/iot/devices"


def list_total(client: TestClient, who: dict[str, str], params: dict) -> int:
    """The list's total (it answers up to ``limit`` devices and counts those)."""
    return client.get(PATH, params={**params, "limit": 5000}, headers=who).json()["total"]


@pytest.mark.commits  # the download's audit entry is written in a transaction of its own
def test_export_matches_the_list_and_is_audited(client: TestClient, admin: dict[str, str], login: Login,
                                                db: Database) -> None:  # fmt: skip
    total = list_total(client, admin, {})
    rows = exported(client, admin, PATH, {})
    assert rows[0][:2] == ("设备编号", "设备名称") and len(rows) - 1 == total > 0
    listed = client.get(PATH, headers=admin).json()["items"]
    assert column(rows, "设备编号") == [d["code"] for d in listed]  # the list's order
    entry = last_audit(db, "iot_device_export.download")
    assert entry is not None and entry.summary["rows"] == total

    fumes = exported(client, admin, PATH, {"kind": "oil_fume"})
    assert len(fumes) - 1 == list_total(client, admin, {"kind": "oil_fume"}) < total
    assert len(set(column(fumes, "类别"))) == 1

    squad = login("bdg_leader")
    own = exported(client, squad, PATH, {})
    assert len(own) - 1 == list_total(client, squad, {}) < total
    assert set(column(own, "所属单位")) <= {"八大关街道执法中队"}


def test_a_bad_kind_is_refused(client: TestClient, login: Login) -> None:
    assert_refused_filter(client, login("admin"), PATH, {"kind": "toaster"})
