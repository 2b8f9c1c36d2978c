"""A case source from intake to closure through the API, with dispatch tasks, 409 on stale versions, timeouts."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from chengguan.core import clock
from chengguan.core.clock import SHANGHAI
from chengguan.dispatching.assignments import sweep_timeouts
from chengguan.dispatching.models import DispatchTask, TaskStatus
from chengguan.org.models import Officer
from support import signal

M_PER_DEG_LAT = 111_320.0


@pytest.fixture
def bdg(client, login, grid_points, db):
    """The 八大峡 squad: a fresh point in one of its grids, its officer user's officer id and another officer."""
    officer_headers = login("bdg_officer")
    me = client.get("/api/v1/auth/me", headers=officer_headers).json()
    squad_id = me["unit"]["id"]
    points = [(lng, lat) for _, squad, lng, lat in grid_points if str(squad) == squad_id]
    with db.session(write=False) as session:
        others = session.scalars(
            select(Officer.id).where(
                Officer.unit_id == uuid.UUID(squad_id), Officer.id != uuid.UUID(me["officer"]["id"])
            )
        ).all()
    n = uuid.uuid4().int % len(points)
    lng, lat = points[n]
    return {
        "squad_id": squad_id,
        "officer_id": me["officer"]["id"],
        "officer_headers": officer_headers,
        "other_officer_id": str(others[0]),
        "point": (lng + (uuid.uuid4().int % 100 - 50) * 1e-6, lat),
    }


def _place(client, headers, officer_id: str, lng: float, lat: float, status: str = "available") -> None:
    body = {
        "positions": [
            {"subject_id": officer_id, "lng": lng, "lat": lat, "at": clock.now().isoformat(), "status": status}
        ]
    }
    response = client.post("/api/v1/positions:batch", json=body, headers=headers)
    assert response.status_code == 200 and response.json()["accepted"] == 1, response.text


def _source(client, headers, lng: float, lat: float, category: str) -> dict:
    response = client.post(
        "/api/v1/signals:batch", json={"signals": [signal(lng, lat, category=category)]}, headers=headers
    )
    assert response.status_code == 200, response.text
    return client.get(f"/api/v1/case-sources/{response.json()['results'][0]['case_source_id']}", headers=headers).json()


def test_from_alarm_to_closure(client, login, bdg) -> None:
    command = login("command")
    lng, lat = bdg["point"]
    src = _source(client, command, lng, lat, "09005")
    assert src["status"] == "pending"
    assert src["actions"] == ["accept", "route", "dispatch", "void"]
    _place(client, command, bdg["officer_id"], lng, lat + 120 / M_PER_DEG_LAT)

    nearest = client.get("/api/v1/dispatch/nearest", params={"source_id": src["id"], "limit": 10}, headers=command)
    assert nearest.status_code == 200, nearest.text
    officers = nearest.json()
    mine = next(o for o in officers if o["officer_id"] == bdg["officer_id"])
    assert mine["distance_m"] == pytest.approx(120, abs=1) and mine["eta_s"] > 0
    assert [o["distance_m"] for o in officers] == sorted(o["distance_m"] for o in officers)

    task = client.post(
        "/api/v1/dispatch/tasks",
        json={"source_id": src["id"], "officer_id": bdg["officer_id"], "version": src["version"]},
        headers=command,
    )
    assert task.status_code == 201, task.text
    task = task.json()
    assert task["status"] == "dispatched" and task["distance_m"] == pytest.approx(120, abs=1)

    # the officer is now busy: no longer offered for another source
    again = client.get("/api/v1/dispatch/nearest", params={"source_id": src["id"], "limit": 50}, headers=command)
    assert bdg["officer_id"] not in {o["officer_id"] for o in again.json()}

    officer = bdg["officer_headers"]
    mine = client.get("/api/v1/dispatch/tasks", headers=officer).json()
    assert task["id"] in {t["id"] for t in mine}
    for step in ("acknowledge", "arrive"):
        response = client.post(f"/api/v1/dispatch/tasks/{task['id']}/{step}", headers=officer)
        assert response.status_code == 200, response.text
    assert client.post(f"/api/v1/dispatch/tasks/{task['id']}/acknowledge", headers=officer).status_code == 409
    due = (clock.local_now() + timedelta(days=7)).date()
    done = client.post(
        f"/api/v1/dispatch/tasks/{task['id']}/complete",
        json={"outcome": "rectification", "rectification_due": due.isoformat(), "note": "责令三日内清理"},
        headers=officer,
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    assert task["id"] not in {t["id"] for t in client.get("/api/v1/dispatch/tasks", headers=officer).json()}

    detail = client.get(f"/api/v1/case-sources/{src['id']}", headers=command).json()
    assert detail["status"] == "verifying" and detail["outcome"] == "rectification"
    # re-inspection is due the working day after the rectification deadline, at the close of the day
    assert datetime.fromisoformat(detail["due_at"]).astimezone(SHANGHAI).date() > due

    refused = client.post(f"/api/v1/case-sources/{src['id']}/actions/verify", json={}, headers=officer)
    assert refused.status_code == 403 and refused.json()["code"] == "source.forbidden"
    stale = client.post(
        f"/api/v1/case-sources/{src['id']}/actions/verify",
        json={"version": src["version"]},
        headers=login("bdg_leader"),
    )
    assert stale.status_code == 409 and stale.json()["code"] == "source.version_conflict"
    closed = client.post(
        f"/api/v1/case-sources/{src['id']}/actions/verify",
        json={"version": detail["version"]},
        headers=login("bdg_leader"),
    )
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["status"] == "closed" and body["closed_at"] and body["due_at"] is None
    assert [e["action"] for e in body["timeline"]] == [
        "create",
        "dispatch",
        "acknowledge",
        "arrive",
        "record_outcome",
        "verify",
    ]
    assert body["timeline"][1]["actor_name"] and body["tasks"][0]["arrived_at"]

    wrong = client.post(f"/api/v1/case-sources/{src['id']}/actions/dispatch", json={}, headers=command)
    assert wrong.status_code == 409 and wrong.json()["code"] == "source.invalid_transition"
    reopened = client.post(
        f"/api/v1/case-sources/{src['id']}/actions/reopen", json={"reason": "市民反映仍未整改"}, headers=command
    )
    assert reopened.status_code == 200 and reopened.json()["status"] == "accepted"


def test_unacknowledged_task_is_redispatched_once(client, login, bdg, db) -> None:
    command = login("command")
    lng, lat = bdg["point"]
    src = _source(client, command, lng + 0.0005, lat, "06036")
    _place(client, command, bdg["officer_id"], lng + 0.0005, lat + 50 / M_PER_DEG_LAT)
    _place(client, command, bdg["other_officer_id"], lng + 0.0005, lat + 90 / M_PER_DEG_LAT)
    task = client.post(
        "/api/v1/dispatch/tasks", json={"source_id": src["id"], "officer_id": bdg["officer_id"]}, headers=command
    ).json()
    later = clock.now() + timedelta(minutes=6)
    with db.session() as session, session.begin():
        assert sweep_timeouts(session, later) >= 1
    with db.session() as session, session.begin():
        sweep_timeouts(session, later)  # a second pass (or process) finds nothing left to do for this task
    with db.session(write=False) as session:
        rows = session.scalars(
            select(DispatchTask)
            .where(DispatchTask.case_source_id == uuid.UUID(src["id"]))
            .order_by(DispatchTask.dispatched_at)
        ).all()
        statuses = [(str(t.officer_id), t.status) for t in rows]
    assert statuses[0] == (bdg["officer_id"], TaskStatus.timed_out)
    assert len(statuses) == 2 and statuses[1][1] is TaskStatus.dispatched and statuses[1][0] != bdg["officer_id"]
    detail = client.get(f"/api/v1/case-sources/{src['id']}", headers=command).json()
    assert detail["status"] == "dispatched" and detail["officer"]["id"] == statuses[1][0]
    assert [e["action"] for e in detail["timeline"]][-1] == "reassign"
    assert task["id"] == str(rows[0].id)


def test_positions_are_validated_per_item(client, login, bdg) -> None:
    command = login("command")
    lng, lat = bdg["point"]
    now = clock.now().isoformat()
    body = {
        "positions": [
            {"subject_id": bdg["officer_id"], "lng": lng, "lat": lat, "at": now},
            {"subject_id": str(uuid.uuid4()), "lng": lng, "lat": lat, "at": now},
            {"subject_id": bdg["officer_id"], "lng": 2.3, "lat": 48.8, "at": now},
            {"subject_id": bdg["officer_id"], "lng": "x", "lat": lat, "at": now},
        ]
    }
    response = client.post("/api/v1/positions:batch", json=body, headers=command)
    assert response.status_code == 200
    assert [p["code"] for p in response.json()["rejected"]] == [
        "position.unknown_subject",
        "position.out_of_area",
        "position.invalid",
    ]
    own = client.post(
        "/api/v1/dispatch/me/position",
        json={"subject_id": bdg["other_officer_id"], "lng": lng, "lat": lat, "at": now},
        headers=bdg["officer_headers"],
    )
    assert own.status_code == 403
    ok = client.post(
        "/api/v1/dispatch/me/position",
        json={"subject_id": bdg["officer_id"], "lng": lng, "lat": lat, "at": now, "status": "off_duty"},
        headers=bdg["officer_headers"],
    )
    assert ok.status_code == 204, ok.text
    feed = client.get("/api/v1/dispatch/map", headers=command).json()
    me = next(p for p in feed["positions"] if p["id"] == bdg["officer_id"])
    assert me["status"] == "off_duty"
    # A gateway's status does not undo the officer's own 下班 (the legacy status above): the phone puts them back.
    back = client.post(
        "/api/v1/dispatch/me/position",
        json={"subject_id": bdg["officer_id"], "lng": lng, "lat": lat, "at": now, "status": "available"},
        headers=bdg["officer_headers"],
    )
    assert back.status_code == 204, back.text


def test_rectification_due_date_must_be_in_the_future(client, login, bdg) -> None:
    command = login("command")
    lng, lat = bdg["point"]
    src = _source(client, command, lng - 0.0005, lat, "07001")
    _place(client, command, bdg["officer_id"], lng - 0.0005, lat)
    task = client.post(
        "/api/v1/dispatch/tasks", json={"source_id": src["id"], "officer_id": bdg["officer_id"]}, headers=command
    ).json()
    officer = bdg["officer_headers"]
    client.post(f"/api/v1/dispatch/tasks/{task['id']}/arrive", headers=officer)
    bad = client.post(
        f"/api/v1/dispatch/tasks/{task['id']}/complete",
        json={"outcome": "rectification", "rectification_due": date(2020, 1, 1).isoformat()},
        headers=officer,
    )
    assert bad.status_code == 422 and bad.json()["code"] == "source.due_in_past"
    ok = client.post(f"/api/v1/dispatch/tasks/{task['id']}/complete", json={"outcome": "warning"}, headers=officer)
    assert ok.status_code == 200


def test_map_feed_and_stream(client, login, bdg) -> None:
    command = login("command")
    lng, lat = bdg["point"]
    src = _source(client, command, lng, lat - 0.0006, "09009")
    feed = client.get("/api/v1/dispatch/map", headers=command).json()
    assert src["id"] in {s["id"] for s in feed["sources"]}
    assert feed["cameras"] and all("lng" in c for c in feed["cameras"])
    _place(client, command, bdg["officer_id"], lng, lat)
    with client.stream("GET", "/api/v1/dispatch/stream", params={"max_s": 1}, headers=command) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    assert "retry: 3000" in text and "event: positions" in text and bdg["officer_id"] in text
