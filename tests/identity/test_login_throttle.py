"""The login throttle over HTTP: nobody can lock a user out from another address; a failing address gets 429 with
Retry-After (account back-off, address window); the state lives in the database, shared by worker processes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from chengguan.app import create_app
from chengguan.core import clock
from chengguan.core.db import Database
from chengguan.demo.loader import DEMO_LOGINS
from identity.conftest import STRONG

PASSWORDS = {login.username: login.password for login in DEMO_LOGINS}
WRONG = "Wrong#Pass1"


def _login(client, username, password):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def _user(client, admin, username):
    return client.get(f"/api/v1/users?q={username}", headers=admin).json()["items"][0]


def test_an_attacker_cannot_lock_the_owner_out(address_client, fresh_user):
    """The defect: five wrong passwords from anywhere locked the account (423) — an anonymous attacker could keep
    the administrator out for good. Now the owner, from an address that never failed, still gets in."""
    start = clock.now()
    clock.set_now(start)
    attacker, owner = address_client(), address_client()
    for i in range(30):
        clock.set_now(start + i * timedelta(minutes=15))  # as slowly as the throttle makes it, for hours
        assert _login(attacker, fresh_user, WRONG).status_code in (401, 429)
    assert _login(owner, fresh_user, STRONG).status_code == 200


def test_a_failing_address_is_held_back_with_429_and_retry_after(address_client, fresh_user):
    start = clock.now()
    clock.set_now(start)
    attacker = address_client()
    for _ in range(5):
        assert _login(attacker, fresh_user, WRONG).status_code == 401
    held = _login(attacker, fresh_user, STRONG)  # even the right password: the refusal must not tell
    assert held.status_code == 429 and held.headers["retry-after"] == "2"
    assert held.headers["content-type"].startswith("application/problem+json")
    body = held.json()
    assert body["code"] == "auth.throttled" and body["retry_after"] == 2 and "秒后再试" in body["detail"]
    clock.set_now(start + timedelta(seconds=2))
    assert _login(attacker, fresh_user, WRONG).status_code == 401  # the 6th failure: now 4 s
    clock.set_now(start + timedelta(seconds=5))
    assert _login(attacker, fresh_user, WRONG).headers["retry-after"] == "1"
    clock.set_now(start + timedelta(seconds=6))
    assert _login(attacker, fresh_user, STRONG).status_code == 200


def test_the_back_off_doubles_up_to_the_cap(address_client, fresh_user, settings):
    """An attacker trying again the moment each wait ends: 4 free failures, then 2 s, 4 s, 8 s … capped."""
    t = clock.now()
    attacker = address_client()
    failures, waits = 0, []
    while len(waits) < 12:
        clock.set_now(t)
        response = _login(attacker, fresh_user, WRONG)
        if response.status_code == 429:
            waits.append(int(response.headers["retry-after"]))
            t += timedelta(seconds=waits[-1])
        else:
            assert response.status_code == 401
            failures += 1
            t += timedelta(milliseconds=1)
    assert failures == 5 + 11  # one failure between two waits
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]
    assert settings.lockout_minutes * 60 == 900


def test_one_address_cannot_spray_many_accounts(address_client, client, login):
    start = clock.now()
    clock.set_now(start)
    sprayer, colleague = address_client(), address_client()
    for i in range(10):
        assert _login(sprayer, f"nobody{i}", WRONG).status_code == 401
    refused = _login(sprayer, "command", PASSWORDS["command"])
    assert refused.status_code == 429 and refused.headers["retry-after"] == "60"
    assert "登录失败次数过多" in refused.json()["detail"]
    assert _login(colleague, "command", PASSWORDS["command"]).status_code == 200
    clock.set_now(start + timedelta(seconds=60, milliseconds=1))
    assert _login(sprayer, "command", PASSWORDS["command"]).status_code == 200


def test_unknown_usernames_are_throttled_alike(address_client):
    """The answers never tell which usernames exist: an unknown one is counted and held back the same way."""
    clock.set_now(clock.now())
    attacker = address_client()
    answers = [_login(attacker, "no-such-user-x", WRONG).status_code for _ in range(6)]
    assert answers == [401, 401, 401, 401, 401, 429]


def test_success_forgets_that_address_failures(address_client, fresh_user):
    clock.set_now(clock.now())
    desk = address_client()
    for _ in range(4):
        assert _login(desk, fresh_user, WRONG).status_code == 401
    assert _login(desk, fresh_user, STRONG).status_code == 200
    for _ in range(4):
        assert _login(desk, fresh_user, WRONG).status_code == 401
    assert _login(desk, fresh_user, STRONG).status_code == 200


def test_users_list_shows_the_back_off_and_an_administrator_lifts_it(address_client, client, admin, fresh_user):
    start = clock.now()
    clock.set_now(start)
    attacker = address_client()
    for _ in range(6):
        _login(attacker, fresh_user, WRONG)
    user = _user(client, admin, fresh_user)
    assert user["locked_until"] is not None  # addresses that failed wait until then
    assert _login(attacker, fresh_user, WRONG).status_code == 429
    unlocked = client.post(f"/api/v1/users/{user['id']}/unlock", headers=admin)
    assert unlocked.status_code == 200 and unlocked.json()["locked_until"] is None
    assert _login(attacker, fresh_user, STRONG).status_code == 200


@pytest.mark.commits
def test_worker_processes_share_the_failures(settings, fresh_user):
    """Two app instances on their own engines (as two uvicorn workers): failures counted by one hold back the
    same address on the other."""
    clock.set_now(clock.now())
    first_db, second_db = Database(settings.database_url), Database(settings.database_url)
    try:
        address = ("10.250.0.1", 50000)
        first = TestClient(create_app(settings, first_db), raise_server_exceptions=False, client=address)
        second = TestClient(create_app(settings, second_db), raise_server_exceptions=False, client=address)
        for worker in (first, second, first, second, first):
            assert _login(worker, fresh_user, WRONG).status_code == 401
        assert _login(second, fresh_user, WRONG).status_code == 429
        assert _login(first, fresh_user, WRONG).status_code == 429
    finally:
        first_db.dispose()
        second_db.dispose()


def test_login_documents_429_with_retry_after(client):
    responses = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/auth/login"]["post"]["responses"]
    assert "429" in responses and "Retry-After" in responses["429"]["headers"]
    assert "423" not in responses
