"""督办: overdue escalation with a frozen clock across a weekend and National Day; once even with two sweepers."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime

import pytest
from sqlalchemy import func, select

from chengguan.core import clock
from chengguan.core.clock import SHANGHAI
from chengguan.core.db import Database
from chengguan.core.principals import cli_actor
from chengguan.intake.ingest import ingest
from chengguan.intake.models import CaseSource, SourceEvent, Supervision
from chengguan.intake.supervision import sweep
from support import signal


def _create(db: Database, lng: float, lat: float, category: str) -> uuid.UUID:
    with db.session() as session, session.begin():
        [result] = ingest(session, [signal(lng, lat, category=category, channel="transfer")], cli_actor("test"))
    assert result.case_source_id is not None
    return result.case_source_id


def _supervisions(db: Database, source_id: uuid.UUID) -> list[Supervision]:
    with db.session(write=False) as session:
        return list(session.scalars(select(Supervision).where(Supervision.case_source_id == source_id)))


def _sweep(db: Database) -> int:
    with db.session() as session, session.begin():
        return sweep(session).supervised


def test_overdue_across_national_day_is_escalated_once(db: Database, spot) -> None:
    lng, lat = spot()
    clock.set_now(datetime(2026, 9, 30, 17, 0, tzinfo=SHANGHAI))  # Wednesday before National Day
    source_id = _create(db, lng, lat, "08002")
    with db.session(write=False) as session:
        source = session.get(CaseSource, source_id)
        assert source is not None
        # 2 working hours: 17:00–18:00 on 30 Sep, then 09:00–10:00 on 8 Oct (1–7 Oct off)
        assert source.due_at == datetime(2026, 10, 8, 10, 0, tzinfo=SHANGHAI)
    for moment in (datetime(2026, 10, 3, 12, 0), datetime(2026, 10, 7, 23, 59), datetime(2026, 10, 8, 9, 59)):
        clock.set_now(moment.replace(tzinfo=SHANGHAI))
        _sweep(db)
        assert _supervisions(db, source_id) == []
    clock.set_now(datetime(2026, 10, 8, 10, 1, tzinfo=SHANGHAI))
    _sweep(db)
    _sweep(db)
    [row] = _supervisions(db, source_id)
    assert row.stage == "pending" and row.due_at == datetime(2026, 10, 8, 10, 0, tzinfo=SHANGHAI)
    with db.session(write=False) as session:
        source = session.get(CaseSource, source_id)
        assert source is not None and source.supervision_count == 1
        events = session.scalars(
            select(SourceEvent.action).where(SourceEvent.case_source_id == source_id).order_by(SourceEvent.at)
        ).all()
    assert events == ["supervise"]  # the creation itself is the source row (the API's timeline starts with it)


def test_weekend_does_not_count(db: Database, spot) -> None:
    lng, lat = spot()
    clock.set_now(datetime(2026, 11, 20, 17, 30, tzinfo=SHANGHAI))  # Friday
    source_id = _create(db, lng, lat, "08001")
    clock.set_now(datetime(2026, 11, 23, 10, 29, tzinfo=SHANGHAI))  # Monday, one minute before due
    _sweep(db)
    assert _supervisions(db, source_id) == []
    clock.set_now(datetime(2026, 11, 23, 10, 31, tzinfo=SHANGHAI))
    _sweep(db)
    assert len(_supervisions(db, source_id)) == 1


@pytest.mark.commits
def test_two_concurrent_sweepers_escalate_once(db: Database, spot) -> None:
    lng, lat = spot()
    clock.set_now(datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI))
    source_ids = [_create(db, lng + i * 0.001, lat, "07003") for i in range(5)]
    clock.set_now(datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            _sweep(db)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.session(write=False) as session:
        counts = session.execute(
            select(Supervision.case_source_id, func.count())
            .where(Supervision.case_source_id.in_(source_ids))
            .group_by(Supervision.case_source_id)
        ).all()
    assert sorted(n for _, n in counts) == [1] * 5


def test_supervision_list_and_resolution(client, login, db: Database, spot) -> None:
    lng, lat = spot()
    clock.set_now(datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI))
    source_id = _create(db, lng, lat, "09022")
    clock.set_now(datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI))
    h = login("shinan_leader")
    assert client.post("/api/v1/supervisions:sweep", headers=h).status_code == 200
    listed = client.get("/api/v1/supervisions", params={"open": True, "page_size": 200}, headers=h).json()
    mine = [s for s in listed["items"] if s["case_source_id"] == str(source_id)]
    assert len(mine) == 1 and mine[0]["stage_label"] == "待受理" and mine[0]["unit"]["name"].startswith("市南区")
    detail = client.get(f"/api/v1/case-sources/{source_id}", headers=h).json()
    assert detail["overdue"] and detail["remaining_s"] < 0 and detail["supervision_count"] == 1
    accepted = client.post(f"/api/v1/case-sources/{source_id}/actions/accept", json={}, headers=h)
    assert accepted.status_code == 200
    after = client.get("/api/v1/supervisions", params={"open": False, "page_size": 200}, headers=h).json()
    assert str(source_id) in {s["case_source_id"] for s in after["items"]}
