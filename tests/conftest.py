"""Fixtures: one migrated database with the demo city per test session, the app, and logged-in clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chengguan.app import create_app
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.demo.loader import DEMO_LOGINS
from support import demo_database, drop_database

PASSWORDS = {login.username: login.password for login in DEMO_LOGINS}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser journeys are ``e2e`` wherever they are declared; the fuzzer is ``serial`` (see the Makefile)."""
    for item in items:
        path = item.path.as_posix()
        if "/tests/e2e/" in path:
            item.add_marker(pytest.mark.e2e)
        if path.endswith("tests/api/test_openapi_fuzz.py"):
            item.add_marker(pytest.mark.serial)


@pytest.fixture(scope="session")
def _demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    url, data_dir = demo_database(tmp_path_factory.mktemp("db"))  # the demo's files go where the app reads them
    yield url, data_dir
    drop_database(url)


@pytest.fixture(scope="session")
def data_dir(_demo: tuple[str, Path]) -> Path:
    return _demo[1]


@pytest.fixture(scope="session")
def database_url(_demo: tuple[str, Path]) -> str:
    return _demo[0]


@pytest.fixture(scope="session")
def settings(database_url: str, data_dir: Path) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        data_dir=data_dir,
        secret_key="test-secret-" + "x" * 32,
    )


@pytest.fixture(scope="session")
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings.database_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def app(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    return create_app(settings, db)


@pytest.fixture(scope="session")
def client(app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(autouse=True)
def _thaw_clock() -> Iterator[None]:
    yield
    clock.set_now(None)


@pytest.fixture
def login(client: TestClient) -> Callable[..., dict[str, str]]:
    """``login("bdg_officer")`` → Authorization headers of a fresh token for that demo user."""

    def _login(username: str, password: str | None = None) -> dict[str, str]:
        response = client.post(
            "/api/v1/auth/login", json={"username": username, "password": password or PASSWORDS[username]}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return _login


@pytest.fixture
def admin(login: Callable[..., dict[str, str]]) -> dict[str, str]:
    return login("admin")
