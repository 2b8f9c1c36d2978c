"""The registers served by the CRUD routes export what their lists show (kit.router.ExportSpec): as many rows as the
list's total for the same filters, in its order, Chinese headers, a filter narrows, a squad leader's file holds the
squad's rows only, a bad filter is refused, and each download is audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from chengguan.core.db import Database
from xlsx_support import assert_refused_filter, column, exported, last_audit, list_total

Login = Callable[..., dict[str, str]]
# path, the first header, the list field it shows, a narrowing filter, the audit target, who reads it
REGISTERS = [
    ("/api/v1/org-units", "单位名称", "name", {"level": "squad"}, "org_unit", "admin"),
    ("/api/v1/vehicles", "车牌号", "plate_no", {"kind": "patrol_car"}, "vehicle", "admin"),
    ("/api/v1/devices", "设备编号", "code", {"kind": "camera"}, "device", "admin"),
    ("/api/v1/grids", "网格编码", "grid_code", {"q": "八大关"}, "grid", "admin"),
    ("/api/v1/users", "用户名", "username", {"q": "leader"}, "user", "secadmin"),
    ("/api/v1/roles", "角色代码", "code", {"q": "leader"}, "role", "secadmin"),
]


@pytest.mark.commits  # the download's audit entry is written in a transaction of its own
@pytest.mark.parametrize(("path", "header", "field", "narrowed", "target", "who"), REGISTERS)
def test_a_register_exports_its_list(client: TestClient, login: Login, db: Database, path: str, header: str,
                                     field: str, narrowed: dict, target: str, who: str) -> None:  # fmt: skip
    reader = login(who)
    total = list_total(client, reader, path, {})
    rows = exported(client, reader, path, {})
    assert rows[0][0] == header and len(rows) - 1 == total > 0
    listed = client.get(path, params={"page_size": 200}, headers=reader).json()["items"]
    assert column(rows, header)[: len(listed)] == [item[field] for item in listed]  # the list's order
    entry = last_audit(db, f"{target}_export.download")
    assert entry is not None and entry.summary["rows"] == total
    fewer = exported(client, reader, path, narrowed)
    assert len(fewer) - 1 == list_total(client, reader, path, narrowed) < total


@pytest.mark.parametrize("path", ["/api/v1/vehicles", "/api/v1/devices", "/api/v1/grids"])
def test_a_squad_leader_exports_the_squads_rows_only(client: TestClient, login: Login, path: str) -> None:
    squad = login("bdg_leader")
    own = exported(client, squad, path, {})
    assert len(own) - 1 == list_total(client, squad, path, {})
    units = column(own, "责任中队" if path.endswith("grids") else "所属单位")
    assert set(units) <= {"八大关街道执法中队"}


@pytest.mark.parametrize(("path", "params"), [("/api/v1/vehicles", {"status": "flying"}),
                                              ("/api/v1/org-units", {"level": "province"})])  # fmt: skip
def test_a_bad_filter_is_refused(client: TestClient, login: Login, path: str, params: dict) -> None:
    assert_refused_filter(client, login("admin"), path, params)
