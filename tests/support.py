"""Test helpers shared by every test module: private databases, a live server, identity numbers, signals."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from chengguan.core.idnumbers import ric_check_digit
from databases import copy_database, copy_files, drop_database, new_database_url

__all__ = ["drop_database", "new_database_url"]  # re-exported for the test modules


def synthetic_ric(seed: int) -> str:
    """A valid resident identity number that tests can tell apart: 市北区 (370203), never the demo's 市南区 (370202).

    The seed picks one of about 18 million birth-date and sequence pairs, so numbers drawn from uuid4 in one test
    session do not collide with another test's party (a shared party would show up in its record).
    """
    born = date(1950, 1, 1) + timedelta(days=(seed // 1000) % 18_000)
    body = f"370203{born:%Y%m%d}{seed % 1000:03d}"
    return body + ric_check_digit(body)


def demo_database(tmp_dir: Path, *, sqlite: bool = False) -> tuple[str, Path]:
    """A private copy of the demo city (drop it with ``drop_database``) and a copy of its files in ``tmp_dir``; on
    SQLite whatever the backend under test with ``sqlite`` (tests of SQLite's own files)."""
    return copy_database("demo", tmp_dir, sqlite=sqlite), copy_files("demo", tmp_dir / "data", sqlite=sqlite)


def migrated_database(tmp_dir: Path) -> str:
    """A private copy of the migrated, otherwise empty database (drop it with ``drop_database``)."""
    return copy_database("migrated", tmp_dir)


class LiveServer(str):
    """A live server's base URL that also names its private database, for the few tests that must move a stored
    instant (a deadline) instead of waiting for the clock."""

    database_url: str

    def __new__(cls, base: str, database_url: str) -> LiveServer:
        server = super().__new__(cls, base)
        server.database_url = database_url
        return server


@contextlib.contextmanager
def demo_server(tmp_dir: Path, **env: str) -> Iterator[str]:
    """A real ``chengguan serve`` process on a private copy of the demo city; yields its base URL, then stops it and
    drops the database. ``env`` adds or overrides CHENGGUAN_* variables (background jobs are off unless asked)."""
    url, data_dir = demo_database(tmp_dir)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    base = f"http://127.0.0.1:{port}"
    variables = {
        **os.environ,
        "CHENGGUAN_PUBLIC_BASE_URL": base,  # QR codes, pay pages and callbacks point at this server
        "CHENGGUAN_DATABASE_URL": url,
        "CHENGGUAN_ENV": "test",
        "CHENGGUAN_SECRET_KEY": "live-server-" + "x" * 32,
        "CHENGGUAN_DATA_DIR": str(data_dir),
        "CHENGGUAN_RUN_JOBS": "false",
        "NO_PROXY": "127.0.0.1",
        **env,
    }
    variables.pop("CHENGGUAN_NOW", None)
    log_path = tmp_dir / f"server-{uuid.uuid4().hex[:6]}.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "chengguan", "serve", "--port", str(port)],
            env=variables,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parents[1],
        )
        try:
            for _ in range(150):
                if server.poll() is not None:
                    raise RuntimeError(f"server exited: {log_path.read_text()[-2000:]}")
                try:
                    if httpx.get(f"{base}/api/health", timeout=1, trust_env=False).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            else:
                raise RuntimeError(f"server did not start: {log_path.read_text()[-2000:]}")
            yield LiveServer(base, url)
        finally:
            server.terminate()
            server.wait(timeout=15)
            drop_database(url)


def staff_account(
    client: Any, *, username: str, password: str, roles: list[str], display_name: str = "测试用户", **fields: Any
) -> dict[str, Any]:
    """A staff account made the 三员分立 way: the system administrator (demo ``admin``) creates it, the security
    administrator (``secadmin``) assigns its roles — given by code or id. ``fields``: unit_id, officer_id …"""
    from chengguan.demo.accounts import DEMO_LOGINS

    passwords = {login.username: login.password for login in DEMO_LOGINS}

    def bearer(name: str) -> dict[str, str]:
        response = client.post("/api/v1/auth/login", json={"username": name, "password": passwords[name]})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    admin, secadmin = bearer("admin"), bearer("secadmin")
    body = {"username": username, "display_name": display_name, "password": password} | {
        k: str(v) if v is not None else None for k, v in fields.items()
    }
    created = client.post("/api/v1/users", headers=admin, json=body)
    assert created.status_code == 201, created.text
    codes = {r["code"]: r["id"] for r in client.get("/api/v1/roles?page_size=200", headers=secadmin).json()["items"]}
    role_ids = [codes.get(r, r) for r in roles]
    assigned = client.put(f"/api/v1/users/{created.json()['id']}/roles", headers=secadmin, json={"role_ids": role_ids})
    assert assigned.status_code == 200, assigned.text
    return assigned.json()


def signal(
    lng: float,
    lat: float,
    *,
    category: str = "09006",
    channel: str = "ai_video",
    at: datetime | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One signal as a machine would post it (a fresh idempotency key; occurred a minute ago by default)."""
    from chengguan.core import clock

    return {
        "idempotency_key": f"t-{uuid.uuid4().hex}",
        "channel": channel,
        "category_code": category,
        "lng": lng,
        "lat": lat,
        "occurred_at": (at or clock.now() - timedelta(minutes=1)).isoformat(),
        "description": "测试告警",
    } | extra
