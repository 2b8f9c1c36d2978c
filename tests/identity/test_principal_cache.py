"""The cached principal (identity.principal_cache) never outlives what it was made of: a revoked token, a withdrawn
role, a disabled account — changed through the API of this process, or written by another process on the same
database. Real commits on a private copy: the cache is off for the rolled-back shared database."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from chengguan.core import clock
from chengguan.core.db import Database
from chengguan.core.security import token_digest
from chengguan.identity.models import AuthToken, User
from chengguan.identity.principal_cache import MAX_LAG_S, cache_for

pytestmark = pytest.mark.commits
STRONG = "Strong#Pass1"


def _token(client, username: str) -> str:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": STRONG})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def _warm(client, db: Database, raw: str) -> dict[str, str]:
    """Headers of ``raw``, once the cache answers for it (its follower has read the epoch)."""
    headers = {"Authorization": f"Bearer {raw}"}
    cache = cache_for(db)
    assert cache is not None
    deadline = time.monotonic() + 10
    while cache.get(token_digest(raw), client.app.state.settings, clock.now()) is None:
        assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
        assert time.monotonic() < deadline, "the cache never answered"
        time.sleep(0.05)
    return headers


def test_a_logout_ends_the_cached_token_at_once(client, db, fresh_user):
    headers = _warm(client, db, _token(client, fresh_user))
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    response = client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 401 and response.json()["code"] == "auth.token_invalid"


def test_a_withdrawn_role_ends_the_cached_permissions(client, db, admin, fresh_user):
    headers = _warm(client, db, _token(client, fresh_user))
    assert client.get("/api/v1/cases", headers=headers).status_code == 200  # officers read cases
    roles = {r["code"]: r["id"] for r in client.get("/api/v1/roles", headers=admin).json()["items"]}
    user = client.get("/api/v1/users", headers=admin, params={"q": fresh_user}).json()["items"][0]
    changed = client.patch(f"/api/v1/users/{user['id']}", headers=admin, json={"role_ids": [roles["command_operator"]]})
    assert changed.status_code == 200, changed.text
    assert client.get("/api/v1/cases", headers=headers).status_code == 403
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert [r["code"] for r in me["roles"]] == ["command_operator"] and "case:read" not in me["permissions"]


def test_a_revocation_by_another_process_ends_the_cached_token(client, db, settings, fresh_user):
    raw = _token(client, fresh_user)
    headers = _warm(client, db, raw)
    other = Database(settings.database_url)  # another worker or machine: its own engine, no shared memory
    try:
        with other.session() as session, session.begin():
            session.execute(
                update(AuthToken).where(AuthToken.token_hash == token_digest(raw)).values(revoked_at=clock.now())
            )
    finally:
        other.dispose()
    deadline = time.monotonic() + MAX_LAG_S + 2
    while client.get("/api/v1/auth/me", headers=headers).status_code == 200:
        assert time.monotonic() < deadline, "a token revoked elsewhere was still accepted"
        time.sleep(0.05)
    assert client.get("/api/v1/auth/me", headers=headers).json()["code"] == "auth.token_invalid"


def test_an_account_disabled_by_another_process_is_refused(client, db, settings, fresh_user):
    headers = _warm(client, db, _token(client, fresh_user))
    other = Database(settings.database_url)
    try:
        with other.session() as session, session.begin():
            user = session.scalars(select(User).where(User.username == fresh_user)).one()
            user.is_active = False  # an ORM change: the flush moves the epoch
    finally:
        other.dispose()
    deadline = time.monotonic() + MAX_LAG_S + 2
    while client.get("/api/v1/auth/me", headers=headers).status_code == 200:
        assert time.monotonic() < deadline, "a disabled account was still accepted"
        time.sleep(0.05)
    assert client.get("/api/v1/auth/me", headers=headers).json()["code"] == "auth.account_disabled"


def test_the_token_use_is_recorded_off_the_request(client, db, fresh_user):
    raw = _token(client, fresh_user)
    with db.session() as session, session.begin():  # as if the token had last been used five minutes ago
        session.execute(
            update(AuthToken)
            .where(AuthToken.token_hash == token_digest(raw))
            .values(last_used_at=clock.now() - timedelta(minutes=5))
        )
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    deadline = time.monotonic() + 5
    while True:
        with db.session(write=False) as session:
            used = session.scalar(select(AuthToken.last_used_at).where(AuthToken.token_hash == token_digest(raw)))
        if clock.now() - used < timedelta(minutes=1):
            break
        assert time.monotonic() < deadline, "the use was never recorded"
        time.sleep(0.05)
