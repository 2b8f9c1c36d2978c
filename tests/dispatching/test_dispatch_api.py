"""Dispatch that believes the officer's phone, over HTTP: the reporting officer is offered for their own report, the
上班/下班 switch (recorded, on the map, never offered while off duty), simulated fixes never overwrite a real phone,
and 到场 only within the arrival radius or with a stated reason."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from chengguan.core import clock
from chengguan.core.config import get_settings
from chengguan.dispatching.models import DutySwitch
from dispatching.conftest import north

PATROL_CATEGORIES = iter(["07001", "06036", "09010", "07003", "06010", "09006", "09005"] * 10)


def _nearest(client, headers, source_id: str) -> list[dict]:
    response = client.get("/api/v1/dispatch/nearest", params={"source_id": source_id, "limit": 50}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _patrol_report(client, who: dict, lng: float, lat: float, *, gps: bool) -> str:
    body = {
        "idempotency_key": f"t-{uuid.uuid4().hex}",
        "channel": "patrol",
        "category_code": next(PATROL_CATEGORIES),
        "lng": lng,
        "lat": lat,
        "occurred_at": clock.now().isoformat(),
        "description": "巡查发现：店外经营",
    }
    if gps:
        body["attributes"] = {"fix": "gps", "fix_accuracy_m": "8"}
    response = client.post("/api/v1/signals", json=body, headers=who["headers"])
    assert response.status_code == 201, response.text
    assert not response.json()["merged"], response.json()
    return response.json()["case_source_id"]


def _map_entry(client, headers, officer_id: str) -> dict:
    feed = client.get("/api/v1/dispatch/map", headers=headers).json()
    return next(p for p in feed["positions"] if p["id"] == officer_id)


@pytest.mark.parametrize("why", ["stale", "left_off_duty"])
def test_the_officer_reporting_from_the_spot_is_offered_for_it(client, login, bdg, place, why):
    command = login("command")
    lng, lat = bdg["spot"]
    if why == "stale":  # the last fix is older than CHENGGUAN_POSITION_STALE_MINUTES
        place(bdg["officer_id"], lng, lat, status="available")
        clock.set_now(clock.now() + timedelta(minutes=15))
    else:  # a gateway (or the simulator, before) left the officer off duty on the map
        place(bdg["officer_id"], *north(lng, lat, 3000), status="off_duty")

    manual = _patrol_report(client, bdg, lng, lat, gps=False)  # a location typed in or picked on the map
    assert bdg["officer_id"] not in {o["officer_id"] for o in _nearest(client, command, manual)}

    source = _patrol_report(client, bdg, *north(lng, lat, 60), gps=True)
    offered = _nearest(client, command, source)
    assert offered[0]["officer_id"] == bdg["officer_id"]
    assert offered[0]["distance_m"] < 1 and offered[0]["fix_at"]
    entry = _map_entry(client, command, bdg["officer_id"])
    assert (entry["status"], entry["source"], entry["stale"]) == ("available", "device", False)


def test_a_phone_fix_puts_an_officer_left_off_duty_back_on_duty(client, login, bdg, place, phone_fix):
    command = login("command")
    lng, lat = bdg["spot"]
    place(bdg["officer_id"], lng, lat, status="off_duty")
    assert _map_entry(client, command, bdg["officer_id"])["status"] == "off_duty"
    assert phone_fix(bdg, lng, lat, accuracy_m=6).status_code == 204
    assert _map_entry(client, command, bdg["officer_id"])["status"] == "available"


def test_duty_switch_is_recorded_shown_and_respected(client, login, bdg, place, phone_fix, new_source, db):
    command, me = login("command"), bdg["headers"]
    lng, lat = bdg["spot"]
    assert phone_fix(bdg, lng, lat).status_code == 204
    assert client.get("/api/v1/dispatch/me/duty", headers=me).json()["on_duty"] is True

    off = client.put("/api/v1/dispatch/me/duty", json={"on_duty": False}, headers=me)
    assert off.status_code == 200, off.text
    state = off.json()
    assert (state["on_duty"], state["status"], state["by"]) == (False, "off_duty", bdg["name"])
    assert state["since"] and client.get("/api/v1/dispatch/me/duty", headers=me).json() == state
    entry = _map_entry(client, command, bdg["officer_id"])
    assert entry["status"] == "off_duty"
    assert entry["duty_switch"] == {"on_duty": False, "at": entry["duty_switch"]["at"], "by": bdg["name"]}

    # never offered, and not dispatchable by hand either
    source = new_source(*north(lng, lat, 20))
    assert bdg["officer_id"] not in {o["officer_id"] for o in _nearest(client, command, source["id"])}
    refused = client.post(
        "/api/v1/dispatch/tasks", json={"source_id": source["id"], "officer_id": bdg["officer_id"]}, headers=command
    )
    assert refused.status_code == 422 and refused.json()["code"] == "dispatch.officer_off_duty"
    refused = client.post(
        f"/api/v1/case-sources/{source['id']}/actions/dispatch", json={"officer_id": bdg["officer_id"]}, headers=command
    )
    assert refused.status_code == 422 and refused.json()["code"] == "dispatch.officer_off_duty"
    # the phone stops reporting: the server refuses what an old app would still send
    silent = phone_fix(bdg, lng, lat)
    assert silent.status_code == 409 and silent.json()["code"] == "dispatch.off_duty"
    # neither a gateway nor the simulator puts them back on duty: only their own 上班 does
    assert place(bdg["officer_id"], lng, lat, status="available")["accepted"] == 1
    assert _map_entry(client, command, bdg["officer_id"])["status"] == "off_duty"
    simulated = place(bdg["officer_id"], lng, lat, source="simulator", status="available")
    assert [p["code"] for p in simulated["rejected"]] == ["position.off_duty"]
    assert bdg["officer_id"] not in {o["officer_id"] for o in _nearest(client, command, source["id"])}
    gps_report = _patrol_report(client, bdg, *north(lng, lat, 80), gps=True)
    assert bdg["officer_id"] not in {o["officer_id"] for o in _nearest(client, command, gps_report)}
    assert client.put("/api/v1/dispatch/me/duty", json={"on_duty": False}, headers=me).json()["since"] == state["since"]

    on = client.put("/api/v1/dispatch/me/duty", json={"on_duty": True}, headers=me).json()
    assert (on["on_duty"], on["status"]) == (True, "available")
    assert phone_fix(bdg, lng, lat).status_code == 204
    assert bdg["officer_id"] in {o["officer_id"] for o in _nearest(client, command, source["id"])}
    with db.session(write=False) as session:
        switches = session.scalars(
            select(DutySwitch)
            .where(
                DutySwitch.officer_id == uuid.UUID(bdg["officer_id"]),
                DutySwitch.at >= datetime.fromisoformat(state["since"]),
            )
            .order_by(DutySwitch.at)
        ).all()
    assert [(s.on_duty, s.actor_name, s.via) for s in switches] == [
        (False, bdg["name"], "mobile"),
        (True, bdg["name"], "mobile"),
    ]

    # no going off duty with an open task
    task = client.post(
        "/api/v1/dispatch/tasks", json={"source_id": source["id"], "officer_id": bdg["officer_id"]}, headers=command
    )
    assert task.status_code == 201, task.text
    busy = client.put("/api/v1/dispatch/me/duty", json={"on_duty": False}, headers=me)
    assert busy.status_code == 409 and busy.json()["code"] == "dispatch.task_active"


def test_simulated_fixes_never_overwrite_a_real_phone(client, login, bdg, place, phone_fix, monkeypatch):
    command = login("command")
    lng, lat = bdg["spot"]
    assert phone_fix(bdg, lng, lat).status_code == 204
    far = north(lng, lat, 900)
    result = place(bdg["officer_id"], *far, source="simulator", status="off_duty")
    assert result["accepted"] == 0 and [p["code"] for p in result["rejected"]] == ["position.device_active"]
    entry = _map_entry(client, command, bdg["officer_id"])
    assert (entry["lat"], entry["status"], entry["source"]) == (lat, "available", "device")

    # the phone went quiet for longer than CHENGGUAN_DEVICE_FIX_PRIORITY_MINUTES: the simulator may move them again
    clock.set_now(clock.now() + timedelta(minutes=11))
    assert place(bdg["officer_id"], *far, source="simulator")["accepted"] == 1
    entry = _map_entry(client, command, bdg["officer_id"])
    assert (entry["lat"], entry["source"]) == (far[1], "simulator")
    # ... until the phone speaks again, even with a GPS time a little behind the simulator's
    lagging = (clock.now() - timedelta(seconds=20)).isoformat()
    assert phone_fix(bdg, lng, lat, at=lagging).status_code == 204
    entry = _map_entry(client, command, bdg["officer_id"])
    assert (entry["lat"], entry["source"]) == (lat, "device")

    monkeypatch.setenv("CHENGGUAN_DEVICE_FIX_PRIORITY_MINUTES", "60")
    get_settings.cache_clear()
    try:
        clock.set_now(clock.now() + timedelta(minutes=20))
        assert place(bdg["officer_id"], *far, source="simulator")["rejected"][0]["code"] == "position.device_active"
    finally:
        monkeypatch.delenv("CHENGGUAN_DEVICE_FIX_PRIORITY_MINUTES")
        get_settings.cache_clear()
    refused = phone_fix(bdg, lng, lat, source="simulator")
    assert refused.status_code == 422 and refused.json()["code"] == "dispatch.not_a_device_fix"


def _dispatched(client, command, officer_id: str, source: dict) -> dict:
    task = client.post(
        "/api/v1/dispatch/tasks", json={"source_id": source["id"], "officer_id": officer_id}, headers=command
    )
    assert task.status_code == 201, task.text
    return task.json()


def test_arrival_within_the_radius_or_with_a_reason(client, login, bdg, phone_fix, new_source):
    command, me = login("command"), bdg["headers"]
    lng, lat = bdg["spot"]
    source = new_source(lng, lat)
    assert phone_fix(bdg, *north(lng, lat, 500)).status_code == 204
    task = _dispatched(client, command, bdg["officer_id"], source)
    mine = next(t for t in client.get("/api/v1/dispatch/tasks", headers=me).json() if t["id"] == task["id"])
    assert mine["fix_distance_m"] == pytest.approx(500, abs=2) and mine["arrival_radius_m"] == 200 and mine["fix_at"]

    far = client.post(f"/api/v1/dispatch/tasks/{task['id']}/arrive", headers=me)
    assert far.status_code == 422 and far.headers["content-type"].startswith("application/problem+json")
    problem = far.json()
    assert problem["code"] == "dispatch.not_on_site" and "（200 米）" in problem["detail"]
    assert f"约 {round(problem['distance_m'])} 米" in problem["detail"]
    assert problem["distance_m"] == pytest.approx(500, abs=2) and problem["radius_m"] == 200
    blank = client.post(f"/api/v1/dispatch/tasks/{task['id']}/arrive", json={"reason": "  "}, headers=me)
    assert blank.status_code == 422

    reason = "路口施工封闭，在北侧路口外围处置"
    arrived = client.post(f"/api/v1/dispatch/tasks/{task['id']}/arrive", json={"reason": reason}, headers=me)
    assert arrived.status_code == 200, arrived.text
    assert arrived.json()["status"] == "arrived"
    detail = client.get(f"/api/v1/case-sources/{source['id']}", headers=command).json()
    event = next(e for e in detail["timeline"] if e["action"] == "arrive")
    assert event["reason"] == reason
    assert event["data"]["on_site"] is False and event["data"]["distance_m"] == pytest.approx(500, abs=2)

    near_source = new_source(*north(lng, lat, -400))
    assert phone_fix(bdg, *north(lng, lat, -400 + 150)).status_code == 204
    task = _dispatched(client, command, bdg["officer_id"], near_source)
    ok = client.post(f"/api/v1/dispatch/tasks/{task['id']}/arrive", headers=me)
    assert ok.status_code == 200, ok.text
    detail = client.get(f"/api/v1/case-sources/{near_source['id']}", headers=command).json()
    event = next(e for e in detail["timeline"] if e["action"] == "arrive")
    assert event["reason"] is None and event["data"]["on_site"] is True
    assert event["data"]["distance_m"] == pytest.approx(150, abs=2) and event["data"]["radius_m"] == 200


def test_arrival_without_a_recent_fix_and_the_radius_setting(client, login, bdg, phone_fix, new_source, monkeypatch):
    command, me = login("command"), bdg["headers"]
    lng, lat = bdg["spot"]
    source = new_source(*north(lng, lat, 250))
    assert phone_fix(bdg, *north(lng, lat, 250 + 150)).status_code == 204
    task = _dispatched(client, command, bdg["officer_id"], source)

    monkeypatch.setenv("CHENGGUAN_ARRIVAL_RADIUS_M", "100")
    get_settings.cache_clear()
    try:
        narrow = client.post(f"/api/v1/dispatch/tasks/{task['id']}/arrive", headers=me)
        assert narrow.status_code == 422 and narrow.json()["radius_m"] == 100
        assert narrow.json()["distance_m"] == pytest.approx(150, abs=2)
    finally:
        monkeypatch.delenv("CHENGGUAN_ARRIVAL_RADIUS_M")
        get_settings.cache_clear()

    clock.set_now(clock.now() + timedelta(minutes=15))  # the fix is stale now: nothing to judge by
    stale = client.post(f"/api/v1/case-sources/{source['id']}/actions/arrive", json={}, headers=me)
    assert stale.status_code == 422 and stale.json()["code"] == "dispatch.not_on_site"
    assert "未获取到您近期的定位" in stale.json()["detail"] and stale.json().get("distance_m") is None
    # the console's path (a dispatcher acting for an officer whose phone is dead) states the reason the same way
    done = client.post(
        f"/api/v1/case-sources/{source['id']}/actions/arrive",
        json={"reason": "队员手机没电，电话确认已到场"},
        headers=command,
    )
    assert done.status_code == 200, done.text
    event = next(e for e in done.json()["timeline"] if e["action"] == "arrive")
    assert event["reason"] == "队员手机没电，电话确认已到场" and event["data"]["distance_m"] is None
