"""A real ``chengguan serve`` on a fresh demo database (SQLite, or PostgreSQL with CHENGGUAN_TEST_DATABASE_URL),
shared by the module's races; helpers to log in and to fire N requests at the same moment from N threads."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from chengguan.demo.loader import DEMO_LOGINS
from support import demo_server

PASSWORDS = {login.username: login.password for login in DEMO_LOGINS}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with demo_server(tmp_path_factory.mktemp("race")) as base:
        yield base


@pytest.fixture(scope="module")
def token(server: str) -> Callable[[str], dict[str, str]]:
    """Authorization headers per demo user, one login each for the whole module."""
    cache: dict[str, dict[str, str]] = {}

    def _token(username: str) -> dict[str, str]:
        if username not in cache:
            r = httpx.post(f"{server}/api/v1/auth/login", json={"username": username, "password": PASSWORDS[username]},
                           trust_env=False, timeout=180)  # fmt: skip
            assert r.status_code == 200, r.text
            cache[username] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return cache[username]

    return _token


def race(server: str, calls: list[tuple[str, str, dict[str, str], Any]]) -> list[httpx.Response]:
    """Send every (method, path, headers, json) at once, one thread and connection each; the responses in order."""
    barrier = threading.Barrier(len(calls))
    out: list[httpx.Response | BaseException | None] = [None] * len(calls)

    def run(n: int, method: str, path: str, headers: dict[str, str], body: Any) -> None:
        with httpx.Client(base_url=server, trust_env=False, timeout=120) as client:
            request = client.build_request(method, path, headers=headers, json=body)
            barrier.wait()
            try:
                out[n] = client.send(request)
            except BaseException as exc:  # reported below, never swallowed
                out[n] = exc

    threads = [threading.Thread(target=run, args=(n, *call)) for n, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    failed = [r for r in out if not isinstance(r, httpx.Response)]
    assert not failed, failed
    return out  # type: ignore[return-value]


def tally(responses: list[httpx.Response]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for r in responses:
        counts[r.status_code] = counts.get(r.status_code, 0) + 1
    return counts
