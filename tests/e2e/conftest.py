"""Browser journeys: a real server process on its own database, driven through the system Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import demo_server

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


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _require((ROOT / "web" / "dist" / "index.html").is_file(), "web app not built (make web)")
    with demo_server(tmp_path_factory.mktemp("e2e"), CHENGGUAN_RUN_JOBS="true") as base:
        yield base


@pytest.fixture(scope="session")
def browser(live_server: str) -> Iterator[object]:
    # The server (and the demo's sealed documents, signed through pyHanko's asyncio.run) comes first: once Playwright's
    # sync API runs its event loop in this thread, asyncio.run refuses to start another.
    _require(Path(CHROMIUM).exists(), "Debian chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
