"""With ``CHENGGUAN_ENV=production`` the platform refuses the demo Open311 key, refuses to start while a demo login
still opens with its printed password, and ``chengguan demo`` (with or without ``--reset``) refuses to run."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from backup_support import run_cli as run
from backup_support import use_env
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from chengguan.app import create_app
from chengguan.core.config import DEMO_OPEN311_KEY, Settings, get_settings
from chengguan.core.db import Database
from chengguan.core.security import hash_password
from chengguan.demo.accounts import DEMO_LOGINS
from chengguan.demo.guard import ProductionRefused
from support import demo_database

SECRET = "production-" + "s" * 40


def production(url: str, data_dir: Path, **extra: object) -> Settings:
    return Settings(env="production", secret_key=SECRET, database_url=url, data_dir=data_dir,
                    open311_api_keys="bureau-key-1", **extra)  # fmt: skip


@pytest.fixture
def demo(tmp_path: Path) -> tuple[str, Path]:
    return demo_database(tmp_path, sqlite=True)


@pytest.fixture
def production_env(demo: tuple[str, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    url, data_dir = demo
    use_env(monkeypatch, env="production", secret_key=SECRET, database_url=url, data_dir=str(data_dir),
            open311_api_keys="bureau-key-1")  # fmt: skip
    yield demo
    get_settings.cache_clear()


def test_the_demo_open311_key_is_refused_in_production(tmp_path: Path):
    with pytest.raises(ValidationError, match=f"生产环境不得使用示范 Open311 密钥 {DEMO_OPEN311_KEY}"):
        Settings(env="production", secret_key=SECRET, open311_api_keys=f"bureau-key, {DEMO_OPEN311_KEY}")
    unset = Settings(env="production", secret_key=SECRET)
    assert unset.open311_api_keys == ""  # not configured: no key is accepted (the demo key is a dev default only)
    assert Settings(env="dev").open311_api_keys == DEMO_OPEN311_KEY


def test_the_default_secret_is_refused_in_production():
    with pytest.raises(ValidationError, match="CHENGGUAN_SECRET_KEY must be set outside dev"):
        Settings(env="production", open311_api_keys="bureau-key")


def test_production_refuses_to_start_while_demo_logins_open(demo: tuple[str, Path]):
    url, data_dir = demo
    db = Database(url)
    try:
        with pytest.raises(ProductionRefused, match=r"生产环境拒绝启动：示范账号 .*admin.* 仍可用公开的示范密码登录"):
            create_app(production(url, data_dir), db)
        create_app(Settings(env="test", secret_key=SECRET, database_url=url, data_dir=data_dir), db)  # test: fine
    finally:
        db.dispose()


def test_production_starts_once_the_demo_passwords_are_changed_or_the_accounts_disabled(demo: tuple[str, Path]):
    url, data_dir = demo
    logins = [login.username for login in DEMO_LOGINS]
    with sqlite3.connect(make_url(url).database) as con:
        con.executemany("UPDATE user_account SET password_hash = ? WHERE username = ?",
                        [(hash_password(f"Changed-{name}-9x!"), name) for name in logins[1:]])  # fmt: skip
    con.close()
    db = Database(url)
    try:
        with pytest.raises(ProductionRefused, match="示范账号 admin 仍可用"):
            create_app(production(url, data_dir), db)
        with sqlite3.connect(make_url(url).database) as con:
            con.execute("UPDATE user_account SET is_active = 0 WHERE username = 'admin'")
        con.close()
        assert create_app(production(url, data_dir), db).state.settings.env == "production"
    finally:
        db.dispose()


@pytest.mark.parametrize("args", [["demo", "--reset"], ["demo"], ["demo", "--if-empty"]])
def test_demo_refuses_in_production(production_env: tuple[str, Path], args: list[str]):
    url, _ = production_env
    with sqlite3.connect(make_url(url).database) as con:
        units = con.execute("SELECT count(*) FROM org_unit").fetchone()[0]
    con.close()
    code, out = run(*args)
    assert code == 1
    assert "生产环境（CHENGGUAN_ENV=production）禁止载入或重置示范数据" in out
    with sqlite3.connect(make_url(url).database) as con:
        assert con.execute("SELECT count(*) FROM org_unit").fetchone()[0] == units  # nothing was wiped
    con.close()


def test_serve_refuses_in_production_with_a_plain_message(production_env: tuple[str, Path], monkeypatch):
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: pytest.fail("uvicorn must not start"))
    code, out = run("serve")
    assert code == 78  # EX_CONFIG: systemd does not restart it
    assert "生产环境拒绝启动：示范账号" in out and "Traceback" not in out


def test_serve_names_a_configuration_error(production_env: tuple[str, Path], monkeypatch):
    monkeypatch.setenv("CHENGGUAN_OPEN311_API_KEYS", DEMO_OPEN311_KEY)
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: pytest.fail("uvicorn must not start"))
    get_settings.cache_clear()
    code, out = run("serve")
    assert code == 78
    assert f"配置错误：生产环境不得使用示范 Open311 密钥 {DEMO_OPEN311_KEY}" in out
