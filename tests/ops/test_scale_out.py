"""Two real servers on one database, as two workers or two machines behind a load balancer: the live map of one
shows a fix posted to the other, the background jobs run once per interval between them, a logout on one ends the
token on the other, and a list read on one shows what was just written through the other."""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from support import demo_database, demo_server, drop_database, signal

pytestmark = [pytest.mark.serial, pytest.mark.commits]  # real processes, real commits
PASSWORDS = {"command": "Command@2026", "bdg_officer": "Officer@2026"}
RAN = re.compile(r"background jobs ran \(slot (\d+)\)")


@contextlib.contextmanager
def two_servers(tmp_path: Path, **env: str) -> Iterator[tuple[str, str]]:
    (tmp_path / "shared").mkdir()
    url, data_dir = demo_database(tmp_path / "shared")
    shared = {"CHENGGUAN_DATABASE_URL": url, "CHENGGUAN_DATA_DIR": str(data_dir), **env}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    try:
        with demo_server(tmp_path / "a", **shared) as a, demo_server(tmp_path / "b", **shared) as b:
            yield a, b
    finally:
        drop_database(url)


def _login(base: str, username: str) -> dict[str, str]:
    response = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": PASSWORDS[username]},
                          trust_env=False, timeout=60)  # fmt: skip
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _carries(data_line: str, officer_id: str) -> bool:
    return any(p["id"] == officer_id for p in json.loads(data_line.removeprefix("data: ")))


def test_two_servers_share_the_live_map_the_jobs_the_tokens_and_the_lists(tmp_path: Path):
    with two_servers(tmp_path, CHENGGUAN_RUN_JOBS="true", CHENGGUAN_JOBS_INTERVAL_S="0.5") as (a, b):
        command_a, command_b = _login(a, "command"), _login(b, "command")
        officer = httpx.get(f"{b}/api/v1/auth/me", headers=_login(b, "bdg_officer"), trust_env=False).json()
        officer_id = officer["officer"]["id"]

        # The live map of B shows a fix posted to A.
        seen = threading.Event()
        opened = threading.Event()

        def watch() -> None:
            with httpx.stream("GET", f"{b}/api/v1/dispatch/stream", params={"max_s": 30}, headers=command_b,
                              trust_env=False, timeout=40) as stream:  # fmt: skip
                event = None
                for line in stream.iter_lines():
                    opened.set()
                    if line.startswith("event: "):
                        event = line.removeprefix("event: ")
                    elif line.startswith("data: ") and event == "positions" and _carries(line, officer_id):
                        seen.set()
                        return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        assert opened.wait(30)
        fix = {"subject_id": officer_id, "lng": 120.3401, "lat": 36.0602, "at": datetime.now(UTC).isoformat()}
        posted = httpx.post(f"{a}/api/v1/positions:batch", json={"positions": [fix]}, headers=command_a,
                            trust_env=False, timeout=30)  # fmt: skip
        assert posted.status_code == 200 and posted.json()["accepted"] == 1, posted.text
        assert seen.wait(20), "the fix posted to A never reached B's live map"

        # A list page B has cached shows at once what was written through A (the whole demo on one page: a merged
        # signal shows as well as a new source).
        def sources(**extra: int) -> tuple:
            params = {"sort": "-created", "page_size": 200, **extra}
            page = httpx.get(f"{b}/api/v1/case-sources", params=params, headers=command_b, trust_env=False).json()
            return page["total"], [(i["id"], i["signal_count"], i["last_signal_at"]) for i in page["items"]]

        listed = sources()
        assert sources() == listed
        complaint = signal(120.3265, 36.0646, channel="complaint")
        report = httpx.post(f"{a}/api/v1/signals", headers=command_a, json=complaint, trust_env=False, timeout=30)
        assert report.status_code == 201, report.text
        assert sources() == sources(page=1) != listed  # the cached key and a freshly rendered one agree

        # A logout on A ends the token B has been answering from its cache.
        for _ in range(10):
            assert httpx.get(f"{b}/api/v1/auth/me", headers=command_a, trust_env=False).status_code == 200
            time.sleep(0.05)
        assert httpx.post(f"{a}/api/v1/auth/logout", headers=command_a, trust_env=False).status_code == 204
        deadline = time.monotonic() + 5
        while httpx.get(f"{b}/api/v1/auth/me", headers=command_a, trust_env=False).status_code == 200:
            assert time.monotonic() < deadline, "B still accepted a token logged out on A"
            time.sleep(0.05)

        time.sleep(2.5)  # a few more job intervals
    slots = [[int(s) for s in RAN.findall(log.read_text())] for log in sorted(tmp_path.glob("[ab]/server-*.log"))]
    assert len(slots) == 2
    ran = slots[0] + slots[1]
    assert len(ran) >= 3, slots
    assert len(set(ran)) == len(ran), f"a pass ran twice: {slots}"
