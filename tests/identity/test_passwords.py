"""Passwords: common and guessable ones refused on create, reset and change; the last N not reused; a password an
administrator reset must be changed before the token opens anything but /auth/me, /auth/password and logout."""

from __future__ import annotations

import itertools
import uuid

import pytest
from sqlalchemy import func, select

from chengguan.core.config import Settings
from chengguan.core.errors import Unprocessable
from chengguan.identity.bootstrap import ensure_admin
from chengguan.identity.models import User
from identity.conftest import STRONG
from support import staff_account

SETTINGS = Settings(_env_file=None)
GUESSABLE = "过于常见或容易被猜到"


@pytest.mark.parametrize(
    "password",
    [
        "P@ssw0rd1",  # a top password, l33t
        "Password1!",
        "Qwer1234!",  # keyboard walk
        "1qaz@WSX",
        "Aa123456!",
        "Abcd@1234",
        "Admin@2026",  # a word and a year
        "Chengguan@123",  # the platform's own name
        "Zhifa@2026",
        "Woaini@1314",  # the pinyin everyone tries
    ],
)
def test_common_and_guessable_passwords_are_refused(password):
    from chengguan.identity.passwords import policy_problems

    assert any(GUESSABLE in p for p in policy_problems(SETTINGS, password, user_inputs=("someone", "某人")))


@pytest.mark.parametrize("password", [STRONG, "Brisk-Otter-93", "Another#Pass2", "Qingdao@2026+Hx"])
def test_unguessable_passwords_pass(password):
    from chengguan.identity.passwords import policy_problems

    assert policy_problems(SETTINGS, password, user_inputs=("someone", "某人")) == []


def test_the_users_own_names_count_as_guessable():
    from chengguan.identity.passwords import policy_problems

    assert policy_problems(SETTINGS, "Liuxiang#2026", user_inputs=("liuxiang", "刘翔"))
    assert policy_problems(SETTINGS, "Liuxiang#2026", user_inputs=("officer7", "刘翔")) == []


def _create(client, admin, password, username=None):
    return client.post(
        "/api/v1/users",
        headers=admin,
        json={"username": username or f"p{uuid.uuid4().hex[:10]}", "display_name": "口令测试", "password": password},
    )


def _change(client, headers, old, new):
    return client.post("/api/v1/auth/password", headers=headers, json={"old_password": old, "new_password": new})


def _bearer(response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _login(client, username, password):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_create_refuses_a_common_password(client, admin):
    response = _create(client, admin, "P@ssw0rd1")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "password.weak" and body["errors"][0]["field"] == "password"
    assert GUESSABLE in body["detail"]


def test_change_refuses_a_common_password(client, fresh_user):
    headers = _bearer(_login(client, fresh_user, STRONG))
    response = _change(client, headers, STRONG, "Password1!")
    assert response.status_code == 422 and response.json()["code"] == "password.weak"


def test_the_last_five_passwords_cannot_be_chosen_again(client, fresh_user):
    headers = _bearer(_login(client, fresh_user, STRONG))
    chain = [STRONG] + [f"Hx{i}#Walrus-Moon" for i in range(1, 6)]
    for old, new in itertools.pairwise(chain):
        assert _change(client, headers, old, new).status_code == 204
    current = chain[-1]
    for earlier in chain[1:]:  # the current one and the four before it (five in all)
        refused = _change(client, headers, current, earlier)
        assert refused.status_code == 422 and refused.json()["code"] == "password.reused", earlier
        assert refused.json()["errors"][0]["field"] == "new_password"
    assert _change(client, headers, current, STRONG).status_code == 204  # the sixth back is allowed again


def test_history_keeps_only_the_last_five(client, db, fresh_user):
    from chengguan.identity.models import PasswordHistory

    headers = _bearer(_login(client, fresh_user, STRONG))
    old = STRONG
    for i in range(7):
        new = f"Hy{i}#Lantern-Fjord"
        assert _change(client, headers, old, new).status_code == 204
        old = new
    with db.session(write=False) as session:
        user_id = session.scalar(select(User.id).where(User.username == fresh_user))
        mine = select(func.count()).select_from(PasswordHistory).where(PasswordHistory.user_id == user_id)
        kept = session.scalar(mine)
    assert kept == 5


def test_forced_change_after_an_administrator_reset(client, admin, fresh_user):
    user_id = client.get(f"/api/v1/users?q={fresh_user}", headers=admin).json()["items"][0]["id"]
    reused = client.patch(f"/api/v1/users/{user_id}", headers=admin, json={"password": STRONG})
    assert reused.status_code == 422 and reused.json()["code"] == "password.reused"
    reset = client.patch(f"/api/v1/users/{user_id}", headers=admin, json={"password": "Reset#Pass2026"})
    assert reset.status_code == 200, reset.text

    login = _login(client, fresh_user, "Reset#Pass2026")
    headers = _bearer(login)
    assert login.json()["user"]["must_change_password"] is True
    assert client.get("/api/v1/auth/me", headers=headers).json()["must_change_password"] is True
    for method, path in [("GET", "/api/v1/case-sources"), ("GET", "/api/v1/org-units/tree"), ("GET", "/api/v1/roles")]:
        refused = client.request(method, path, headers=headers)
        assert refused.status_code == 403 and refused.json()["code"] == "auth.password_change_required", path
        assert "修改密码" in refused.json()["detail"]

    same = _change(client, headers, "Reset#Pass2026", "Reset#Pass2026")
    assert same.status_code == 422 and same.json()["code"] == "password.reused"
    assert _change(client, headers, "Reset#Pass2026", "Chosen#ByMe-2026").status_code == 204
    assert client.get("/api/v1/case-sources", headers=headers).status_code == 200  # the same token, now whole
    assert client.get("/api/v1/auth/me", headers=headers).json()["must_change_password"] is False


def test_a_forced_user_may_log_out(client, admin, fresh_user):
    user_id = client.get(f"/api/v1/users?q={fresh_user}", headers=admin).json()["items"][0]["id"]
    client.patch(f"/api/v1/users/{user_id}", headers=admin, json={"password": "Reset#Pass2026"})
    headers = _bearer(_login(client, fresh_user, "Reset#Pass2026"))
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204


def test_resetting_ones_own_password_through_the_user_form_forces_nothing(client, admin):
    username = f"a{uuid.uuid4().hex[:8]}"
    created = staff_account(client, username=username, password=STRONG, roles=["admin"], display_name="管理员乙")
    own = _bearer(_login(client, username, STRONG))
    patched = client.patch(f"/api/v1/users/{created['id']}", headers=own, json={"password": "Mine#Own-Choice7"})
    assert patched.status_code == 200, patched.text
    assert _login(client, username, "Mine#Own-Choice7").json()["user"]["must_change_password"] is False


def test_a_created_user_is_not_forced(client, admin):
    username = f"c{uuid.uuid4().hex[:8]}"
    assert _create(client, admin, STRONG, username=username).status_code == 201
    assert _login(client, username, STRONG).json()["user"]["must_change_password"] is False


def test_cli_admin_reset_enforces_the_policy_and_lets_the_admin_in(db, settings, address_client):
    username = f"root{uuid.uuid4().hex[:6]}"
    with db.session() as session, session.begin(), pytest.raises(Unprocessable):
        ensure_admin(session, settings, username=username, password="Admin@2026")
    with db.session() as session, session.begin():
        assert ensure_admin(session, settings, username=username, password=STRONG) is True
    desk = address_client()
    for _ in range(6):
        _login(desk, username, "Wrong#Pass1")
    assert _login(desk, username, STRONG).status_code == 429
    with db.session() as session, session.begin():
        assert ensure_admin(session, settings, username=username, password="Recovered#Root-26") is False
    assert _login(desk, username, "Recovered#Root-26").json()["user"]["must_change_password"] is False
