"""在岗执法人员导出: the whole on-duty list (every page) for the same status filter, Chinese headers, the reader's
dispatch scope, audited."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from chengguan.core import clock
from chengguan.core.db import Database
from chengguan.org.models import Officer
from xlsx_support import column, exported, last_audit, list_total

LIST = "/api/v1/analytics/on-duty"


def test_on_duty_export_is_the_list(client: TestClient, login: Callable[..., dict[str, str]], db: Database) -> None:
    leader, command, admin = login("bdg_leader"), login("command"), login("admin")
    mine = client.get("/api/v1/auth/me", headers=login("bdg_officer")).json()["officer"]["id"]
    other = client.get("/api/v1/auth/me", headers=login("licun_officer")).json()["officer"]["id"]
    with db.session(write=False) as session:
        squad = session.get(Officer, uuid.UUID(mine)).unit_id  # type: ignore[union-attr]
        others = select(Officer.id).where(Officer.unit_id == squad, Officer.id != uuid.UUID(mine))
        mates = session.scalars(others.limit(2)).all()
    now = clock.now().isoformat()
    moves = [(mine, "available"), (other, "available")] + [(str(m), s) for m, s in zip(mates, ("busy", "available"),
                                                                                        strict=False)]  # fmt: skip
    body = {"positions": [{"subject_id": s, "lng": 120.35, "lat": 36.06, "at": now, "status": st} for s, st in moves]}
    assert client.post("/api/v1/positions:batch", json=body, headers=command).status_code == 200

    total = list_total(client, leader, LIST, {})
    rows = exported(client, leader, LIST, {})
    assert len(rows) - 1 == total >= 2 and rows[0][:3] == ("姓名", "执法证号", "所属单位")
    listed = client.get(LIST, params={"page_size": 200}, headers=leader).json()["items"]
    assert column(rows, "姓名") == [r["name"] for r in listed]  # the list's order
    other_name = next(r["name"] for r in client.get(LIST, params={"page_size": 200}, headers=admin).json()["items"]
                      if r["id"] == other)  # fmt: skip
    assert other_name not in column(rows, "姓名")  # another district's officer is out of the squad's scope
    busy = {"status": "busy"}
    fewer = exported(client, leader, LIST, busy)
    assert len(fewer) - 1 == list_total(client, leader, LIST, busy) < total and set(column(fewer, "状态")) == {"任务中"}
    assert isinstance(column(rows, "最近定位")[0], type(clock.now().replace(tzinfo=None)))  # a real date-time cell
    entry = last_audit(db, "on_duty_export.download")
    assert entry is not None and entry.summary["rows"] == len(fewer) - 1
    assert other_name in column(exported(client, admin, LIST, {}), "姓名")
    assert client.get(f"{LIST}/export.xlsx", headers=login("shinan_legal")).status_code == 403
