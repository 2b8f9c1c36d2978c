"""Fixtures: the demo city copied once per test session (each test rolled back: tests/isolation.py), the app, and
logged-in clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.demo.loader import DEMO_LOGINS
from databases import copy_database, drop_database, postgres_base_url
from isolation import COMMITS, RolledBack, World, commit_refusal, forget_caches, open_world
from support import demo_database

PASSWORDS = {login.username: login.password for login in DEMO_LOGINS}


# A test that asks for none of these cannot reach a database (nor a file, a process or the environment through
# which it could name one): its outcome does not depend on the engine, so the PostgreSQL half does not repeat it.
_REACHES_STORAGE = frozenset({"world", "_shared", "shared_db", "db", "client", "settings", "app", "data_dir",
                              "live_server", "tmp_path", "tmp_path_factory", "monkeypatch"})  # fmt: skip
_ENGINE_DIRS = ("/tests/ops/", "/tests/concurrency/", "/tests/privacy/", "/tests/core/")


def _engine_free(item: pytest.Item) -> bool:
    path = item.path.as_posix()
    return not (set(getattr(item, "fixturenames", ())) & _REACHES_STORAGE) and not any(d in path for d in _ENGINE_DIRS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser journeys are ``e2e`` wherever they are declared; the fuzzer is ``serial`` (see the Makefile). Both
    commit, to a live server's or the fuzzer's own copy of the demo city. On PostgreSQL (CHENGGUAN_TEST_DATABASE_URL)
    the engine-free tests — pure rules, tables of (state, action) pairs — are left to the SQLite run."""
    if postgres_base_url() is not None:
        skipped = [item for item in items if _engine_free(item)]
        if skipped:
            config.hook.pytest_deselected(items=skipped)
            items[:] = [item for item in items if not _engine_free(item)]
    for item in items:
        path = item.path.as_posix()
        if "/tests/e2e/" in path:
            item.add_marker(pytest.mark.e2e)
        if path.endswith("tests/api/test_openapi_fuzz.py"):
            item.add_marker(pytest.mark.serial)
        if item.get_closest_marker("e2e") or item.get_closest_marker("serial"):
            item.add_marker(pytest.mark.commits)


def _log_in(client: TestClient, username: str, password: str | None = None) -> dict[str, str]:
    body = {"username": username, "password": password or PASSWORDS[username]}
    response = client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


# Each demo user's token, logged in (and committed) once per session before the tests' transactions begin: an
# argon2 verification costs tens of milliseconds, and most tests only need to be someone.
_SESSION_TOKENS: dict[str, dict[str, str]] = {}


@pytest.fixture(scope="session")
def _shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, RolledBack]]:
    url, data_dir = demo_database(tmp_path_factory.mktemp("db"))  # the demo's files go where the app reads them
    world = open_world(url, data_dir)
    _SESSION_TOKENS.update({username: _log_in(world.client, username) for username in PASSWORDS})
    rolled_back = RolledBack(world.db)
    yield world, rolled_back
    _SESSION_TOKENS.clear()
    rolled_back.close()
    world.db.dispose()
    drop_database(url)


@pytest.fixture(scope="session")
def shared_db(_shared: tuple[World, RolledBack]) -> Database:
    """The session's demo database, for the session- and module-scoped fixtures that read the demo city (whatever
    a test writes is rolled back after it)."""
    return _shared[0].db


@pytest.fixture
def world(request: pytest.FixtureRequest, _shared: tuple[World, RolledBack], tmp_path: Path) -> Iterator[World]:
    """The session's database inside this test's transaction; with ``@pytest.mark.commits`` a private copy."""
    shared, rolled_back = _shared
    if request.node.get_closest_marker(COMMITS) is None:
        yield shared
        commits = rolled_back.end_test()
        if commits:
            pytest.fail(commit_refusal(request.node.nodeid, commits), pytrace=False)
        return
    url = copy_database("demo", tmp_path)
    private = open_world(url, shared.settings.data_dir)
    try:
        yield private
    finally:
        private.db.dispose()
        drop_database(url)
        forget_caches()


@pytest.fixture
def settings(world: World) -> Settings:
    return world.settings


@pytest.fixture
def db(world: World) -> Database:
    return world.db


@pytest.fixture
def data_dir(world: World) -> Path:
    return world.settings.data_dir


@pytest.fixture
def app(world: World):  # type: ignore[no-untyped-def]
    return world.app


@pytest.fixture
def client(world: World) -> TestClient:
    return world.client


@pytest.fixture(autouse=True)
def _thaw_clock() -> Iterator[None]:
    yield
    clock.set_now(None)


@pytest.fixture
def login(client: TestClient, world: World, _shared: tuple[World, RolledBack]) -> Callable[..., dict[str, str]]:
    """``login("bdg_officer")`` → Authorization headers of a token for that demo user: the session's own token on
    the shared database at the real time, else (another password, a private copy, a frozen clock) a fresh login."""
    shared = world is _shared[0]

    def _login(username: str, password: str | None = None) -> dict[str, str]:
        if shared and password is None and not clock.is_frozen() and username in _SESSION_TOKENS:
            return dict(_SESSION_TOKENS[username])
        return _log_in(client, username, password)

    return _login


@pytest.fixture
def admin(login: Callable[..., dict[str, str]]) -> dict[str, str]:
    return login("admin")
