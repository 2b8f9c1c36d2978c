"""Browser journeys: a real server process on its own database, driven through the system Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from chengguan.core.db import Database
from chengguan.core.migrate import upgrade
from chengguan.demo.loader import load_demo
from support import drop_database, new_database_url

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _require(condition: bool, reason: str) -> None:
    # On CI a missing browser or web build is a broken pipeline, not a reason to skip.
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _require((ROOT / "web" / "dist" / "index.html").is_file(), "web app not built (make web)")
    url = new_database_url(tmp_path_factory.mktemp("e2e"))
    upgrade(url)
    db = Database(url)
    load_demo(db)
    db.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "CHENGGUAN_DATABASE_URL": url,
        "CHENGGUAN_ENV": "test",
        "CHENGGUAN_SECRET_KEY": "e2e-secret-" + "x" * 32,
        "CHENGGUAN_DATA_DIR": str(tmp_path_factory.mktemp("e2e-data")),
    }
    log = open(tmp_path_factory.mktemp("e2e-log") / "server.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "chengguan", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"server did not start: {Path(log.name).read_text()[-2000:]}")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()
        drop_database(url)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    _require(Path(CHROMIUM).exists(), "Debian chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
