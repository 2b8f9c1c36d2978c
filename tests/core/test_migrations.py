"""Migrations: one head, upgrade from empty (SQLite and PostgreSQL), and models == migrations (no drift)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from chengguan.core.db import make_engine
from chengguan.core.migrate import alembic_config, include_object, upgrade
from chengguan.models import Base
from support import drop_database, new_database_url


def test_single_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_upgrade_from_empty_and_no_drift(tmp_path):
    url = new_database_url(tmp_path)
    try:
        upgrade(url)
        engine = make_engine(url)
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": include_object}
            )
            diff = compare_metadata(context, Base.metadata)
            tables = set(inspect(connection).get_table_names())
        engine.dispose()
        assert diff == [], f"models and migrations differ — add a migration: {diff}"
        assert set(Base.metadata.tables) <= tables
    finally:
        drop_database(url)


def test_sqlite_runs_in_wal_mode(tmp_path):
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
    create_engine(url).dispose()
