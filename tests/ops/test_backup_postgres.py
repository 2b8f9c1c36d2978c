"""Backup → wipe → restore on PostgreSQL (pg_dump custom format, pg_restore --clean --if-exists) gives back the same
rows and files, both for a deployment in its own schema (``options=-csearch_path=…``) and for a whole database; the
tests work in a scratch database of their own on the local server and drop it afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from backup_support import database_fingerprint, files_fingerprint, settings_for, wipe
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from chengguan.core.db import Database
from chengguan.core.migrate import upgrade
from chengguan.law.seed import seed_knowledge_base
from chengguan.ops import postgres
from chengguan.ops.backup import create_backup
from chengguan.ops.manifest import BackupError
from chengguan.ops.restore import restore_backup
from databases import PG_URL_ENV
from support import demo_database, drop_database

SERVER = os.environ.get(PG_URL_ENV) or "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _admin():  # type: ignore[no-untyped-def]
    return create_engine(SERVER, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="module")
def scratch() -> Iterator[str]:
    """A new database on the test server (URL), dropped with everything in it at the end."""
    name = f"cg_backup_{uuid.uuid4().hex[:10]}"
    admin = _admin()
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        admin.dispose()
        pytest.skip("no PostgreSQL server at " + make_url(SERVER).render_as_string())
    yield make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_schema_backup_wipe_restore_gives_identical_digests(tmp_path: Path, monkeypatch, request):
    monkeypatch.setenv(PG_URL_ENV, SERVER)  # demo_database copies the demo city into a new database on the server
    copy, data_dir = demo_database(tmp_path)
    request.addfinalizer(lambda: drop_database(copy))
    # The backup of one schema (pg_dump -n): the copy's tables live in its public schema.
    url = make_url(copy).update_query_dict({"options": "-csearch_path=public"}).render_as_string(hide_password=False)
    assert postgres.connection(url).schema
    db_before, files_before = database_fingerprint(url), files_fingerprint(data_dir)
    backup = create_backup(settings_for(url, data_dir), tmp_path / "backup")
    assert backup.manifest.database_kind == "postgresql" and backup.manifest.database_schema

    wipe(url, data_dir)
    assert postgres.is_empty(url)
    result = restore_backup(settings_for(url, data_dir), tmp_path / "backup")

    assert database_fingerprint(url) == db_before
    assert files_fingerprint(data_dir) == files_before
    assert all(check.ok for check in result.checks), result.checks
    with pytest.raises(BackupError, match="PostgreSQL 数据库中已有数据表"):
        restore_backup(settings_for(url, data_dir), tmp_path / "backup")
    restore_backup(settings_for(url, data_dir), tmp_path / "backup", force=True)  # --clean --if-exists over it
    assert database_fingerprint(url) == db_before


def test_whole_database_backup_restores_into_a_recreated_database(scratch: str, tmp_path: Path):
    name = f"{make_url(scratch).database}_whole"
    url = make_url(scratch).set(database=name).render_as_string(hide_password=False)
    admin = _admin()
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        upgrade(url)
        db = Database(url)
        with db.session() as session, session.begin():
            seed_knowledge_base(session)
        db.dispose()
        data_dir = tmp_path / "data"
        (data_dir / "media" / "ab").mkdir(parents=True)
        (data_dir / "media" / "ab" / "photo.jpg").write_bytes(b"\xff\xd8\xff" + os.urandom(2000))
        before = database_fingerprint(url), files_fingerprint(data_dir)
        backup = create_backup(settings_for(url, data_dir), tmp_path / "backup")
        assert backup.manifest.database_schema is None

        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            c.execute(text(f'CREATE DATABASE "{name}"'))
        wipe_files = data_dir / "media"
        for path in sorted(wipe_files.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        restore_backup(settings_for(url, data_dir), tmp_path / "backup")
        assert (database_fingerprint(url), files_fingerprint(data_dir)) == before
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_schema_backup_is_not_restored_into_another_schema(scratch: str, tmp_path: Path):
    url = make_url(scratch).update_query_dict({"options": "-csearch_path=s_one"}).render_as_string(False)
    other = make_url(scratch).update_query_dict({"options": "-csearch_path=s_two"}).render_as_string(False)
    admin = create_engine(scratch, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text("CREATE SCHEMA s_one"))
    admin.dispose()
    upgrade(url)
    create_backup(settings_for(url, tmp_path / "data"), tmp_path / "backup")
    with pytest.raises(BackupError, match="备份来自 PostgreSQL 模式 s_one，当前配置的是 s_two"):
        restore_backup(settings_for(other, tmp_path / "data2"), tmp_path / "backup")


def test_missing_client_tools_are_named(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(BackupError, match="未找到 pg_dump：请安装与数据库服务器主版本一致的 PostgreSQL 客户端"):
        postgres.tool("pg_dump")


def test_connection_settings_go_to_libpq_variables():
    conn = postgres.connection(
        "postgresql+psycopg://ops:s3cr%40t@db.example:6432/city?sslmode=require&options=-csearch_path%3Dcity_a"
    )
    assert conn.env == {"PGHOST": "db.example", "PGPORT": "6432", "PGUSER": "ops", "PGPASSWORD": "s3cr@t",
                        "PGDATABASE": "city", "PGSSLMODE": "require", "PGOPTIONS": "-csearch_path=city_a"}  # fmt: skip
    assert conn.schema == "city_a"
    assert postgres.connection("postgresql+psycopg://postgres@127.0.0.1/test").schema is None
