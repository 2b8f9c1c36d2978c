"""Helpers of the backup tests: fingerprints of a deployment's state, settings for a database, a slow reporter."""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from chengguan.cli import app as cli
from chengguan.core.config import Settings, get_settings
from chengguan.ops.files import sha256_of, walk

SECRET = "backup-tests-" + "x" * 32


def settings_for(url: str, data_dir: Path, **extra: object) -> Settings:
    return Settings(env="test", database_url=url, data_dir=data_dir, secret_key=SECRET, **extra)


def use_env(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    """Point ``get_settings()`` (the command line) at these ``CHENGGUAN_<NAME>`` values, without CHENGGUAN_NOW."""
    for name, value in variables.items():
        monkeypatch.setenv(f"CHENGGUAN_{name.upper()}", value)
    monkeypatch.delenv("CHENGGUAN_NOW", raising=False)
    get_settings.cache_clear()


def run_cli(*args: str) -> tuple[int, str]:
    """``chengguan ARGS``: exit code and everything it printed (stdout and stderr)."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


def database_fingerprint(url: str) -> dict[str, str]:
    """Per table, the SHA-256 of its rows in a fixed order: equal fingerprints, equal contents."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = sorted(inspect(connection).get_table_names())
            prints = {}
            for table in tables:
                rows = sorted(repr(tuple(row)) for row in connection.execute(text(f'SELECT * FROM "{table}"')))
                prints[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest() + f":{len(rows)}"
    finally:
        engine.dispose()
    return prints


def files_fingerprint(data_dir: Path) -> dict[str, str]:
    """Path → SHA-256 of every file in the data directory but the SQLite database itself."""
    return {
        relative: sha256_of(path)
        for relative, path in walk(data_dir)
        if not relative.startswith("test-") and not relative.startswith("chengguan.db")
    }


def wipe(url: str, data_dir: Path) -> None:
    """Lose everything: the SQLite file (and its WAL), or every table of the PostgreSQL schema; the data directory."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
    else:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
    shutil.rmtree(data_dir)


class _SlowStage:
    def __init__(self, pause: float) -> None:
        self.pause = pause

    def start(self, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        time.sleep(self.pause)


class SlowReporter:
    """Stretches a backup over seconds (a pause per progress step), as a large database would."""

    def __init__(self, pause: float) -> None:
        self.pause = pause

    @contextmanager
    def stage(self, label: str) -> Iterator[_SlowStage]:
        yield _SlowStage(self.pause if label == "数据库" else 0)
