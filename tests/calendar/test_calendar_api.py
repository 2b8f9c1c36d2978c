"""The calendar over HTTP: deadlines on real 2026 dates, the 2027 fallback, audited overrides that refresh the cached
calendar, and problem+json for bad input."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from chengguan.core import clock

DEADLINE = "/api/v1/calendar/deadline"
DAYS = "/api/v1/calendar/days"
OVERRIDES = "/api/v1/calendar/overrides"


def _is_problem(response) -> dict:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body = response.json()
    assert {"type", "title", "status", "detail", "code"} <= set(body)
    assert body["status"] == response.status_code
    assert any("\u4e00" <= c <= "\u9fff" for c in body["detail"]), body["detail"]
    return body


def _due(client, headers, start, days, unit="working", **extra) -> dict:
    response = client.get(DEADLINE, headers=headers, params={"start": start, "days": days, "unit": unit, **extra})
    assert response.status_code == 200, response.text
    return response.json()


@contextmanager
def _override(client, headers, day, working, name):
    """An override that is removed again: the test database is shared by the whole session."""
    response = client.post(OVERRIDES, headers=headers, json={"day": day, "working": working, "name": name})
    assert response.status_code == 201, response.text
    body = response.json()
    try:
        yield body
    finally:
        client.delete(f"{OVERRIDES}/{body['id']}", headers=headers)


@pytest.mark.parametrize(
    ("start", "days", "unit", "roll", "due"),
    [
        ("2026-09-30", 3, "working", False, "2026-10-10"),  # across 国庆 (1–7 Oct), Sat 10 Oct 调休上班
        ("2026-02-13", 5, "working", False, "2026-02-27"),  # Sat 14 Feb 调休上班, 15–23 Feb 春节
        ("2026-02-13", 6, "working", False, "2026-02-28"),  # Sat 28 Feb 调休上班
        ("2026-03-09", 5, "working", False, "2026-03-16"),  # an ordinary week
        ("2026-10-03", 0, "working", False, "2026-10-03"),  # n = 0 is the start day
        ("2026-09-16", 15, "calendar", False, "2026-10-01"),  # ends on 国庆节 …
        ("2026-09-16", 15, "calendar", True, "2026-10-08"),  # … and rolls to the next working day
        ("2026-03-01", 14, "calendar", True, "2026-03-16"),  # Sunday → Monday
        ("2026-03-02", 15, "calendar", True, "2026-03-17"),  # a Tuesday stays
        ("2026-09-30", 3, "working", True, "2026-10-10"),  # roll_forward means nothing for working days
    ],
)
def test_deadline(client, login, start, days, unit, roll, due):
    officer = login("bdg_officer")  # any staff member may ask
    body = _due(client, officer, start, days, unit, roll_forward=roll)
    assert body == {
        "start": start,
        "days": days,
        "unit": unit,
        "roll_forward": roll and unit == "calendar",
        "due_date": due,
        "covered": True,
    }


def test_uncovered_year_uses_fallback(client, admin):
    # Thu 30 Sep 2027: Fri 1 Oct 国庆 (fixed date), weekend, Mon 4 (1), Tue 5 (2); 2027's schedule is not entered.
    body = _due(client, admin, "2027-09-30", 2)
    assert (body["due_date"], body["covered"]) == ("2027-10-05", False)
    # Spanning into 2027 is provisional too: Thu 31 Dec (1), 1 Jan 元旦, weekend, Mon 4 (2).
    body = _due(client, admin, "2026-12-30", 3)
    assert (body["due_date"], body["covered"]) == ("2027-01-05", False)


def test_month_days(client, login):
    response = client.get(DAYS, headers=login("bdg_officer"), params={"year": 2026, "month": 10})
    assert response.status_code == 200, response.text
    days = {d["date"]: d for d in response.json()}
    assert len(days) == 31
    assert days["2026-10-01"] == {
        "date": "2026-10-01",
        "weekday": 4,
        "is_working_day": False,
        "holiday_name": "国庆节",
        "source": "statutory",
        "covered": True,
    }
    assert days["2026-10-10"]["is_working_day"] and days["2026-10-10"]["holiday_name"] == "国庆节调休上班"
    assert days["2026-10-11"]["source"] == "weekend" and not days["2026-10-11"]["is_working_day"]
    assert days["2026-10-12"]["source"] == "weekday" and days["2026-10-12"]["is_working_day"]
    assert sum(d["is_working_day"] for d in days.values()) == 18  # 22 weekdays − 5 国庆 weekdays + Sat 10

    response = client.get(DAYS, headers=login("bdg_officer"), params={"year": 2027, "month": 10})
    later = {d["date"]: d for d in response.json()}
    assert later["2027-10-01"]["source"] == "fallback" and not later["2027-10-01"]["covered"]


def test_override_changes_answers_and_is_audited(client, admin):
    # Fri 5 Feb 2027 + 1 working day is Mon 8 Feb until an administrator enters 8 Feb as a holiday.
    before = _due(client, admin, "2027-02-05", 1)
    assert (before["due_date"], before["covered"]) == ("2027-02-08", False)
    with _override(client, admin, "2027-02-08", False, "春节") as override:
        after = _due(client, admin, "2027-02-05", 1)
        assert (after["due_date"], after["covered"]) == ("2027-02-09", True)  # the cached calendar was refreshed
        february = client.get(DAYS, headers=admin, params={"year": 2027, "month": 2}).json()
        day = next(d for d in february if d["date"] == "2027-02-08")
        assert (day["is_working_day"], day["holiday_name"], day["source"]) == (False, "春节", "override")

        listed = client.get(OVERRIDES, headers=admin, params={"year": 2027}).json()
        assert [o["day"] for o in listed["items"]] == ["2027-02-08"] and listed["total"] == 1

        change = {"working": True, "name": "调休上班"}
        patched = client.patch(f"{OVERRIDES}/{override['id']}", headers=admin, json=change)
        assert patched.status_code == 200, patched.text
        assert _due(client, admin, "2027-02-05", 1)["due_date"] == "2027-02-08"
        assert _due(client, admin, "2027-02-05", 2)["due_date"] == "2027-02-09"

        duplicate = client.post(OVERRIDES, headers=admin, json={"day": "2027-02-08", "working": False, "name": "重复"})
        assert duplicate.status_code == 409 and _is_problem(duplicate)["code"] == "conflict.duplicate"

        auditor = client.post("/api/v1/auth/login", json={"username": "auditor", "password": "Audit@2026"}).json()
        audit = client.get(  # 三员分立: the audit administrator reads the log
            "/api/v1/audit",
            headers={"Authorization": f"Bearer {auditor['access_token']}"},
            params={"target_type": "calendar_override", "target_id": override["id"]},
        ).json()
        assert {e["action"] for e in audit["items"]} == {"calendar_override.create", "calendar_override.update"}
    assert client.get(f"{OVERRIDES}/{override['id']}", headers=admin).status_code == 404
    assert _due(client, admin, "2027-02-05", 1) == before  # deleted: the fallback again


def test_cache_refreshes_when_count_and_time_do_not_change(client, admin):
    # Under a frozen clock, deleting one override and adding another leaves count and max(updated_at) equal: the
    # process's own version still moves the cache on.
    with clock.frozen(clock.now()):
        with _override(client, admin, "2027-03-01", False, "测试放假"):
            assert _due(client, admin, "2027-02-26", 1)["due_date"] == "2027-03-02"
        with _override(client, admin, "2027-03-02", False, "测试放假"):
            assert _due(client, admin, "2027-02-26", 1)["due_date"] == "2027-03-01"


def test_writes_need_calendar_write(client, login, admin):
    officer = login("bdg_officer")
    response = client.post(OVERRIDES, headers=officer, json={"day": "2027-03-03", "working": False, "name": "x"})
    assert response.status_code == 403 and _is_problem(response)["code"] == "auth.forbidden"
    assert client.get(OVERRIDES, headers=officer).status_code == 200  # reading is for every staff member
    permissions = {p["key"] for p in client.get("/api/v1/permissions", headers=admin).json()}
    assert "calendar:write" in permissions


def test_needs_login(client):
    response = client.get(DEADLINE, params={"start": "2026-09-30", "days": 3, "unit": "working"})
    assert response.status_code == 401 and _is_problem(response)["code"] == "auth.unauthenticated"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        (DEADLINE, {"start": "2026-09-30", "days": -1, "unit": "working"}, "days"),
        (DEADLINE, {"start": "2026-09-30", "days": 3651, "unit": "working"}, "days"),
        (DEADLINE, {"start": "2026-09-30", "days": "three", "unit": "working"}, "days"),
        (DEADLINE, {"start": "2026-13-01", "days": 3, "unit": "working"}, "start"),
        (DEADLINE, {"start": "2026-02-30", "days": 3, "unit": "working"}, "start"),
        (DEADLINE, {"start": "20260930", "days": 3, "unit": "working"}, "start"),
        (DEADLINE, {"start": "2026-09-30T00:00:00", "days": 3, "unit": "working"}, "start"),
        (DEADLINE, {"start": "1700000000", "days": 3, "unit": "working"}, "start"),
        (DEADLINE, {"start": "9999-12-31", "days": 3650, "unit": "working"}, "start"),
        (DEADLINE, {"start": "2026-09-30", "days": 3, "unit": "month"}, "unit"),
        (DEADLINE, {"start": "2026-09-30", "days": 3}, "unit"),
        (DEADLINE, {"start": "2026-09-30", "days": 3, "unit": "calendar", "roll_forward": "maybe"}, "roll_forward"),
        (DAYS, {"year": 1800, "month": 1}, "year"),
        (DAYS, {"year": 2026, "month": 13}, "month"),
    ],
)
def test_bad_input_is_422(client, admin, path, params, field):
    response = client.get(path, headers=admin, params=params)
    assert response.status_code == 422, response.text
    body = _is_problem(response)
    assert body["code"] == "request.validation"
    assert field in {e["field"] for e in body["errors"]}
    assert all(any("\u4e00" <= c <= "\u9fff" for c in e["message"]) for e in body["errors"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"day": "2027-02-30", "working": False, "name": "x"}, "day"),
        ({"day": 1700000000, "working": False, "name": "x"}, "day"),
        ({"day": "2027-02-08", "working": False, "name": ""}, "name"),
        ({"day": "2027-02-08", "working": False}, "name"),
        ({"day": "2027-02-08", "working": False, "name": "x", "extra": 1}, "extra"),
    ],
)
def test_bad_override_is_422(client, admin, body, field):
    response = client.post(OVERRIDES, headers=admin, json=body)
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in _is_problem(response)["errors"]}
