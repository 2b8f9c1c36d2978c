"""Configuration guards: no default secret and no frozen clock in production; CHENGGUAN_NOW fixes "now"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from chengguan.core import clock
from chengguan.core.config import DEV_SECRET, Settings, get_settings


def test_production_refuses_the_default_secret():
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(env="production", secret_key=DEV_SECRET)
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(env="production", secret_key="short")
    assert Settings(env="production", secret_key="x" * 40).env == "production"


def test_test_environment_needs_a_secret_too():
    with pytest.raises(ValidationError, match="outside dev"):
        Settings(env="test")
    assert Settings(env="dev").secret_key == DEV_SECRET


def test_default_database_lives_in_the_data_dir(tmp_path):
    assert Settings(data_dir=tmp_path, database_url="").database_url == f"sqlite:///{tmp_path.as_posix()}/chengguan.db"


def test_production_refuses_a_fixed_now():
    with pytest.raises(ValidationError, match="CHENGGUAN_NOW"):
        Settings(env="production", secret_key="x" * 40, now="2026-10-01T09:00:00+08:00")


def test_now_needs_an_offset():
    with pytest.raises(ValidationError, match="offset"):
        Settings(now="2026-10-01T09:00:00")


def test_environment_variables_use_the_prefix(monkeypatch):
    monkeypatch.setenv("CHENGGUAN_DATABASE_URL", "sqlite:////tmp/x.db")
    monkeypatch.setenv("CHENGGUAN_LOCKOUT_MINUTES", "20")
    settings = Settings()
    assert settings.database_url == "sqlite:////tmp/x.db" and settings.lockout_minutes == 20


def test_chengguan_now_fixes_the_clock(monkeypatch):
    monkeypatch.setenv("CHENGGUAN_NOW", "2026-10-01T09:00:00+08:00")
    get_settings.cache_clear()
    try:
        assert clock.now() == datetime(2026, 10, 1, 1, 0, tzinfo=UTC)
        assert clock.local_now().hour == 9
    finally:
        monkeypatch.delenv("CHENGGUAN_NOW")
        get_settings.cache_clear()
    assert abs((clock.now() - datetime.now(UTC)).total_seconds()) < 5


def test_frozen_clock_context():
    instant = datetime(2027, 2, 5, 12, 0, tzinfo=UTC)
    with clock.frozen(instant):
        assert clock.now() == instant
    assert clock.now() != instant
