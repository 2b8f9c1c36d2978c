"""The front door of the read cache (kit.readcache.FrontDoor) answers a kept list page before routing — and only
when the route would have answered it the same way: never to another principal, never past a revoked token or a
pending password change, never for a query the route refuses. Real commits on a private copy (the cache is off
for the rolled-back shared database)."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import select

from chengguan.core.db import Database
from chengguan.identity.models import User
from chengguan.identity.principal_cache import MAX_LAG_S, cache_for
from chengguan.kit import readcache
from chengguan.kit.readcache import fresh


def _remembered(client, db: Database, headers: dict[str, str]) -> None:
    """Once this process's principal cache answers for ``headers`` (its follower has read the epoch)."""
    cache = cache_for(db)
    assert cache is not None
    cache.refresh()
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200


@pytest.mark.commits
def test_a_kept_page_is_answered_at_the_door_exactly_as_the_route_answers_it(client, db, login):
    leader = login("bdg_leader")
    _remembered(client, db, leader)
    first = client.get("/api/v1/cases", headers=leader)  # rendered by the route, kept
    door = readcache.cache_of(db).answered_at_door
    again = client.get("/api/v1/cases", headers=leader)
    assert readcache.cache_of(db).answered_at_door == door + 1
    assert (again.status_code, again.content, again.headers["content-type"]) == (
        first.status_code, first.content, first.headers["content-type"])  # fmt: skip
    assert again.headers["x-content-type-options"] == first.headers["x-content-type-options"]  # outer layers ran
    refused = client.get("/api/v1/cases", headers=leader, params={"page_size": "many"})
    assert refused.status_code == 422  # a query the route refuses is never kept, so never answered at the door
    assert client.get("/api/v1/cases", headers=leader, params={"page_size": "many"}).status_code == 422


@pytest.mark.commits
def test_the_door_answers_no_one_a_page_kept_for_someone_else(client, db, login):
    leader, district = login("bdg_leader"), login("shinan_leader")
    _remembered(client, db, leader)
    _remembered(client, db, district)
    squad = client.get("/api/v1/cases", headers=leader).json()
    assert client.get("/api/v1/cases", headers=leader).json() == squad  # kept, and answered at the door
    wider = client.get("/api/v1/cases", headers=district).json()
    assert wider["total"] > squad["total"]  # the district's own page, not the squad's
    assert client.get("/api/v1/cases").status_code == 401
    assert client.get("/api/v1/cases", headers={"Authorization": "Bearer nonsense"}).status_code == 401


@pytest.mark.commits
def test_a_revoked_token_or_a_pending_password_change_is_refused_though_its_page_is_kept(client, db, settings,
                                                                                       login):  # fmt: skip
    officer, leader = login("bdg_officer"), login("bdg_leader")
    for headers in (officer, leader):
        _remembered(client, db, headers)
        assert client.get("/api/v1/cases", headers=headers).status_code == 200
        assert client.get("/api/v1/cases", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=officer).status_code == 204
    gone = client.get("/api/v1/cases", headers=officer)
    assert gone.status_code == 401 and gone.json()["code"] == "auth.token_invalid"

    other = Database(settings.database_url)  # an administrator's reset, committed by another worker
    try:
        with other.session() as session, session.begin():
            session.scalars(select(User).where(User.username == "bdg_leader")).one().must_change_password = True
    finally:
        other.dispose()
    deadline = time.monotonic() + MAX_LAG_S + 5
    while (pending := client.get("/api/v1/cases", headers=leader)).status_code == 200:
        assert time.monotonic() < deadline, "the kept page outlived the password reset"
        time.sleep(0.05)
    assert pending.status_code == 403 and pending.json()["code"] == "auth.password_change_required"
    _remembered(client, db, leader)  # the principal is in memory again, pending the change: still refused
    assert client.get("/api/v1/cases", headers=leader).json()["code"] == "auth.password_change_required"


def test_a_shared_read_never_began_before_its_caller():
    began: list[float] = []
    release = asyncio.Event()

    async def read() -> float:
        began.append(time.monotonic())
        await release.wait()
        return began[-1]

    async def scenario() -> None:
        pending: dict = {}
        first = asyncio.ensure_future(fresh(pending, "k", read))
        await asyncio.sleep(0)  # the first read is under way
        await asyncio.sleep(0)
        arrived = time.monotonic()
        later = [asyncio.ensure_future(fresh(pending, "k", read)) for _ in range(5)]
        await asyncio.sleep(0)
        assert len(began) == 1  # the five wait: the read under way began before them
        release.set()
        got = await asyncio.gather(first, *later)
        assert len(began) == 2  # one more read, shared by the five
        assert got[0] == began[0] and all(g == began[1] >= arrived for g in got[1:])
        assert pending == {}

    asyncio.run(scenario())
