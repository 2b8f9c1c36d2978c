"""Authentication rules: login, token expiry and idle timeout, revocation, the password policy (the login
throttle that replaced the lockout: test_login_throttle.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from chengguan.core import clock
from chengguan.core.principals import PrincipalType
from chengguan.core.security import hash_password, new_token, password_problems
from chengguan.identity.models import AuthToken, MerchantAccount

STRONG = "Strong#Pass1"


def _login(client, username, password):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_login_returns_token_and_profile(client, fresh_user):
    response = _login(client, fresh_user, STRONG)
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "bearer" and len(body["access_token"]) > 30
    assert body["user"]["username"] == fresh_user and body["user"]["data_scope"] == "self"


def test_wrong_password_is_401_problem(address_client, fresh_user):
    client = address_client()  # failures of its own address: the shared client's must not pile up
    response = _login(client, fresh_user, "Wrong#Pass1")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "auth.invalid_credentials"
    assert _login(client, "no-such-user", "x").json()["code"] == "auth.invalid_credentials"


def _me(client, headers):
    return client.get("/api/v1/auth/me", headers=headers)


def test_token_expires_after_ttl(client, settings, fresh_user):
    start = clock.now()
    clock.set_now(start)
    headers = {"Authorization": "Bearer " + _login(client, fresh_user, STRONG).json()["access_token"]}
    # Stay active (inside the idle window) right up to the absolute expiry.
    step = timedelta(minutes=settings.token_idle_minutes - 1)
    t = start
    while t + step < start + timedelta(minutes=settings.token_ttl_minutes):
        t += step
        clock.set_now(t)
        assert _me(client, headers).status_code == 200
    clock.set_now(start + timedelta(minutes=settings.token_ttl_minutes, seconds=1))
    response = _me(client, headers)
    assert response.status_code == 401 and response.json()["code"] == "auth.token_expired"


def test_token_idle_timeout(client, settings, fresh_user):
    start = clock.now()
    clock.set_now(start)
    headers = {"Authorization": "Bearer " + _login(client, fresh_user, STRONG).json()["access_token"]}
    clock.set_now(start + timedelta(minutes=settings.token_idle_minutes - 1))
    assert _me(client, headers).status_code == 200  # activity slides the idle window
    clock.set_now(start + timedelta(minutes=2 * settings.token_idle_minutes - 2))
    assert _me(client, headers).status_code == 200
    clock.set_now(start + timedelta(minutes=3 * settings.token_idle_minutes))
    response = _me(client, headers)
    assert response.status_code == 401 and response.json()["code"] == "auth.token_idle"


def test_logout_revokes_the_token(client, fresh_user):
    headers = {"Authorization": "Bearer " + _login(client, fresh_user, STRONG).json()["access_token"]}
    other = {"Authorization": "Bearer " + _login(client, fresh_user, STRONG).json()["access_token"]}
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    response = _me(client, headers)
    assert response.status_code == 401 and response.json()["code"] == "auth.token_invalid"
    assert _me(client, other).status_code == 200  # only the token used is revoked


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nonsense", "Basic YWRtaW46eA=="])
def test_missing_or_bad_token_is_401(client, header):
    response = client.get("/api/v1/auth/me", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_deactivated_user_cannot_use_token_or_log_in(client, admin, fresh_user, address_client):
    headers = {"Authorization": "Bearer " + _login(client, fresh_user, STRONG).json()["access_token"]}
    user_id = client.get(f"/api/v1/users?q={fresh_user}", headers=admin).json()["items"][0]["id"]
    assert client.delete(f"/api/v1/users/{user_id}", headers=admin).status_code == 204
    assert _me(client, headers).status_code == 401
    assert _login(address_client(), fresh_user, STRONG).status_code == 401


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Abcdef1!", True),  # 8 chars, 4 classes
        ("abcdef12!", True),  # lower + digit + symbol
        ("ABCDEF12a", True),  # upper + digit + lower
        ("Abc1!", False),  # too short
        ("abcdefgh", False),  # one class
        ("abcdef12", False),  # two classes
        ("ABCDEFGH12", False),  # two classes
        ("测试密码测试密码1a", True),  # CJK counts as a symbol class
        ("", False),
    ],
)
def test_password_policy(password, ok):
    assert (password_problems(password) == []) is ok


def test_weak_password_refused_with_field(client, admin):
    response = client.post(
        "/api/v1/users",
        headers=admin,
        json={"username": f"w{uuid.uuid4().hex[:8]}", "display_name": "弱密码", "password": "abcdefgh"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "password.weak" and body["errors"][0]["field"] == "password"


def test_password_change_checks_old_and_policy(client, fresh_user):
    headers = {"Authorization": "Bearer " + _login(client, fresh_user, STRONG).json()["access_token"]}
    wrong_old = client.post(
        "/api/v1/auth/password", headers=headers, json={"old_password": "nope", "new_password": "Another#Pass2"}
    )
    assert wrong_old.status_code == 422 and wrong_old.json()["errors"][0]["field"] == "old_password"
    weak = client.post("/api/v1/auth/password", headers=headers, json={"old_password": STRONG, "new_password": "short"})
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "new_password"
    assert (
        client.post(
            "/api/v1/auth/password", headers=headers, json={"old_password": STRONG, "new_password": "Another#Pass2"}
        ).status_code
        == 204
    )
    assert _login(client, fresh_user, "Another#Pass2").status_code == 200


def test_merchant_token_is_not_staff(client, db):
    """Merchants are a separate principal type: their token never opens the enforcement API."""
    raw, digest = new_token()
    now = clock.now()
    with db.session() as session, session.begin():
        account = MerchantAccount(
            phone=f"170{uuid.uuid4().int % 10**8:08d}", display_name="测试商户", password_hash=hash_password(STRONG)
        )
        session.add(account)
        session.flush()
        session.add(
            AuthToken(
                token_hash=digest,
                principal_type=PrincipalType.merchant,
                subject_id=account.id,
                issued_at=now,
                expires_at=now + timedelta(hours=1),
                last_used_at=now,
            )
        )
    response = client.get("/api/v1/officers", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 403 and response.json()["code"] == "auth.wrong_principal_type"


def test_password_change_ends_other_sessions(client, fresh_user):
    current = {"Authorization": "Bearer " + _login(client, fresh_user, STRONG).json()["access_token"]}
    elsewhere = {"Authorization": "Bearer " + _login(client, fresh_user, STRONG).json()["access_token"]}
    assert (
        client.post(
            "/api/v1/auth/password", headers=current, json={"old_password": STRONG, "new_password": "Changed#Pass3"}
        ).status_code
        == 204
    )
    assert _me(client, current).status_code == 200
    assert _me(client, elsewhere).status_code == 401
