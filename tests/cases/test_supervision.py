"""督查 of overdue cases (《行政处罚法》第六十条): once per deadline, even with two scheduler processes at once."""

from __future__ import annotations

import multiprocessing
import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from cases.helpers import act, new_case
from chengguan.cases.models import Case, CaseEvent
from chengguan.cases.supervision import sweep
from chengguan.core import clock
from chengguan.core.db import Database

Login = Callable[..., dict[str, str]]


def _sweep_in_a_process(url: str, barrier, results) -> None:  # type: ignore[no-untyped-def]
    db = Database(url)
    barrier.wait()
    with db.session() as session, session.begin():
        results.append(sweep(session))
    db.dispose()


def _filed_case(client: TestClient, login: Login, setup: dict) -> str:
    officer, squad, district = login("bdg_officer"), login("bdg_leader"), login("shinan_leader")
    case = new_case(client, officer, setup)
    case = act(client, officer, case, "start_check")
    case = act(client, officer, case, "submit_filing")
    case = act(client, squad, case, "approve")
    case = act(client, district, case, "approve")
    assert case["status"] == "investigation"
    return case["id"]


def _backdate(db: Database, case_id: str, due: date) -> None:
    with db.session() as s, s.begin():
        s.execute(update(Case).where(Case.id == uuid.UUID(case_id)).values(decision_due_on=due))


def _supervise_events(db: Database, case_id: str) -> int:
    with db.session(write=False) as s:
        statement = select(func.count()).where(CaseEvent.case_id == uuid.UUID(case_id), CaseEvent.action == "supervise")
        return s.scalar(statement.select_from(CaseEvent)) or 0


@pytest.mark.commits
def test_two_processes_sweep_at_once_each_case_escalated_once(
    client: TestClient,
    login: Login,
    setup: dict,
    db: Database,
):
    ids = [_filed_case(client, login, setup) for _ in range(3)]
    for case_id in ids:
        _backdate(db, case_id, clock.local_now().date() - timedelta(days=1))
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier, results = manager.Barrier(2), manager.list()
        workers = [ctx.Process(target=_sweep_in_a_process, args=(db.url, barrier, results)) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(60)
        assert all(w.exitcode == 0 for w in workers)
        moved = list(results)
    assert sum(moved) >= 3  # together they moved every overdue case (others of the shared database too)
    assert [_supervise_events(db, case_id) for case_id in ids] == [1, 1, 1]
    detail = client.get(f"/api/v1/cases/{ids[0]}", headers=login("bdg_leader")).json()
    assert detail["supervised"] and detail["overdue"]
    assert detail["timeline"][-1]["action"] == "supervise" and "第六十条" in detail["timeline"][-1]["reason"]


def test_sweeping_again_does_nothing_and_an_extended_deadline_missed_again_escalates_again(
    client: TestClient,
    login: Login,
    setup: dict,
    db: Database,
):
    case_id = _filed_case(client, login, setup)
    _backdate(db, case_id, clock.local_now().date() - timedelta(days=2))
    with db.session() as s, s.begin():
        assert sweep(s) >= 1
    with db.session() as s, s.begin():
        sweep(s)
    assert _supervise_events(db, case_id) == 1
    _backdate(db, case_id, clock.local_now().date() - timedelta(days=1))  # extended, and missed again
    with db.session() as s, s.begin():
        sweep(s)
    assert _supervise_events(db, case_id) == 2


@pytest.mark.parametrize("days", [0, 5])
def test_not_overdue_on_or_before_the_due_day(client: TestClient, login: Login, setup: dict, db: Database, days):
    case_id = _filed_case(client, login, setup)
    _backdate(db, case_id, clock.local_now().date() + timedelta(days=days))
    with db.session() as s, s.begin():
        sweep(s)
    assert _supervise_events(db, case_id) == 0
