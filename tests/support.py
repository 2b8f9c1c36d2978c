"""Test helpers shared by every test module: throwaway databases on SQLite or PostgreSQL."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from chengguan.core.idnumbers import ric_check_digit

PG_URL_ENV = "CHENGGUAN_TEST_DATABASE_URL"


def synthetic_ric(seed: int) -> str:
    """A valid resident identity number that tests can tell apart: 市北区 (370203), never the demo's 市南区 (370202).

    The seed picks one of about 18 million birth-date and sequence pairs, so numbers drawn from uuid4 in one test
    session do not collide with another test's party (a shared party would show up in its record).
    """
    born = date(1950, 1, 1) + timedelta(days=(seed // 1000) % 18_000)
    body = f"370203{born:%Y%m%d}{seed % 1000:03d}"
    return body + ric_check_digit(body)


def postgres_base_url() -> str | None:
    return os.environ.get(PG_URL_ENV) or None


def new_database_url(tmp_dir: Path) -> str:
    """A URL to an empty database: a new schema on the PostgreSQL test server, else a new SQLite file."""
    base = postgres_base_url()
    if base is None:
        return f"sqlite:///{tmp_dir / f'test-{uuid.uuid4().hex[:8]}.db'}"
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    schema = parsed.query["options"].split("=", 1)[1]  # type: ignore[union-attr]
    engine = create_engine(parsed.difference_update_query(["options"]), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


TEMPLATES = Path(__file__).resolve().parents[1] / ".pytest_cache" / "demo-templates"


def _template_key(documents: bool) -> str:
    """What the demo database depends on: the package's code and data, whether documents are sealed, and today (the
    demo is dated back from the day it is loaded)."""
    import chengguan
    from chengguan.core import clock

    root = Path(chengguan.__file__).resolve().parent
    digest = hashlib.sha256(f"{documents}:{clock.local_now().date()}".encode())
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _load_demo(url: str, data_dir: Path, documents: bool) -> None:
    from chengguan.core.db import Database
    from chengguan.core.migrate import upgrade
    from chengguan.demo.loader import load_demo

    upgrade(url)
    db = Database(url)
    load_demo(db, data_dir=data_dir, documents=documents)
    db.dispose()


def demo_database(tmp_dir: Path, *, documents: bool = True) -> tuple[str, Path]:
    """A migrated database holding the demo city, and its data directory (evidence files, keys, documents).

    On SQLite the demo is loaded once per state of the code and day into a template that each session copies (a
    file lock lets parallel workers share it); on PostgreSQL a new schema is loaded each time."""
    data_dir = tmp_dir / "data"
    if postgres_base_url() is not None:
        url = new_database_url(tmp_dir)
        _load_demo(url, data_dir, documents)
        return url, data_dir
    template = TEMPLATES / _template_key(documents)
    TEMPLATES.mkdir(parents=True, exist_ok=True)
    with (TEMPLATES / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (template / "ready").exists():
            shutil.rmtree(template, ignore_errors=True)
            template.mkdir()
            _load_demo(f"sqlite:///{template / 'demo.db'}", template / "data", documents)
            with contextlib.closing(sqlite3.connect(template / "demo.db")) as con:
                con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            (template / "ready").touch()
    db_file = tmp_dir / f"test-{uuid.uuid4().hex[:8]}.db"
    shutil.copyfile(template / "demo.db", db_file)
    shutil.copytree(template / "data", data_dir, dirs_exist_ok=True)
    return f"sqlite:///{db_file}", data_dir


@contextlib.contextmanager
def demo_server(tmp_dir: Path, *, documents: bool = False, **env: str) -> Iterator[str]:
    """A real ``chengguan serve`` process on a fresh migrated demo database; yields its base URL, then stops it and
    drops the database (the demo's sealed documents only with ``documents``). ``env`` adds or overrides CHENGGUAN_*
    variables (background jobs are off unless asked)."""
    url, data_dir = demo_database(tmp_dir, documents=documents)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    variables = {
        **os.environ,
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
    base = f"http://127.0.0.1:{port}"
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
            yield base
        finally:
            server.terminate()
            server.wait(timeout=15)
            drop_database(url)


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
