"""A live ``chengguan serve`` keeps answering reads and taking writes while a backup of its SQLite database runs, and
the backup is a consistent snapshot: restored elsewhere, it passes the audit and evidence checks."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
from backup_support import SlowReporter, settings_for

from chengguan.ops.backup import create_backup
from chengguan.ops.restore import restore_backup
from support import demo_database, demo_server


def test_the_server_answers_while_a_backup_runs(tmp_path: Path):
    for folder in ("live", "server"):
        (tmp_path / folder).mkdir()
    url, data_dir = demo_database(tmp_path / "live", sqlite=True)
    answered: list[tuple[float, str, int]] = []
    stop = threading.Event()

    def traffic(base: str) -> None:
        with httpx.Client(base_url=base, trust_env=False, timeout=30) as client:
            while not stop.is_set():
                login = client.post("/api/v1/auth/login", json={"username": "command", "password": "Command@2026"})
                answered.append((time.monotonic(), "login", login.status_code))  # a write: token row, audit entry
                if login.status_code == 200:
                    token = login.json()["access_token"]
                    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
                    answered.append((time.monotonic(), "me", me.status_code))

    with demo_server(tmp_path / "server", CHENGGUAN_DATABASE_URL=url, CHENGGUAN_DATA_DIR=str(data_dir)) as base:
        worker = threading.Thread(target=traffic, args=(base,), daemon=True)
        worker.start()
        while len(answered) < 2:
            time.sleep(0.05)
        began = time.monotonic()
        # 32 pages a step with a pause after each: the demo's ~17 MB take seconds, as a large database would.
        create_backup(settings_for(url, data_dir), tmp_path / "backup", SlowReporter(0.02), sqlite_pages=32)
        ended = time.monotonic()
        time.sleep(0.2)
        stop.set()
        worker.join(timeout=30)

    during = [(kind, status) for at, kind, status in answered if began <= at <= ended]
    assert ended - began > 1.5
    assert len([1 for kind, _ in during if kind == "login"]) >= 3, during
    assert {status for _, status in during} == {200}, during

    restored = tmp_path / "restored"
    settings = settings_for(f"sqlite:///{restored / 'chengguan.db'}", restored / "data")
    result = restore_backup(settings, tmp_path / "backup")
    assert all(check.ok for check in result.checks), result.checks
