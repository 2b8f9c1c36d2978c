"""Key custody: ``chengguan migrate`` makes the dev keys, production refuses to start without them (and never makes
them up), ``init-keys`` will not replace a lost keyring of a database holding ciphertext; the migration encrypts the
rows of a database holding plain personal data, and its downgrade gives them back."""

from __future__ import annotations

import sqlite3
import stat
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from keys_support import _forget_env, run_cli, use_env  # noqa: F401 (a fixture)
from sqlalchemy.engine import make_url

from chengguan.app import create_app
from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.core.fieldcrypt import is_ciphertext
from chengguan.core.fieldkeys import load_keyring, new_keyring
from chengguan.core.migrate import downgrade, upgrade
from chengguan.demo.guard import ProductionRefused
from chengguan.identity.models import MerchantAccount
from chengguan.notify.models import SmsMessage
from support import demo_database, drop_database, new_database_url

SECRET = "production-" + "s" * 40
BEFORE = "d15a7c4f0e21"  # the revision before personal data was encrypted


def test_migrate_makes_the_dev_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = new_database_url(tmp_path)
    try:
        use_env(monkeypatch, env="dev", database_url=url, data_dir=str(tmp_path / "data"))
        code, out = run_cli("migrate")
        assert code == 0, out
        keyring = tmp_path / "data" / "keys" / "field-keys.json"
        assert keyring.is_file() and stat.S_IMODE(keyring.stat().st_mode) == 0o600
        assert load_keyring(Settings(data_dir=tmp_path / "data")).current
    finally:
        drop_database(url)


@pytest.fixture
def demo(tmp_path: Path):  # type: ignore[no-untyped-def]
    url, data_dir = demo_database(tmp_path, sqlite=True)
    yield url, data_dir
    drop_database(url)


def production(url: str, data_dir: Path) -> Settings:
    return Settings(env="production", secret_key=SECRET, database_url=url, data_dir=data_dir,
                    open311_api_keys="bureau-key-1")  # fmt: skip


def test_production_refuses_to_start_without_the_keys_and_init_keys_will_not_guess_them(demo, monkeypatch):
    url, data_dir = demo
    keyring = data_dir / "keys" / "field-keys.json"
    saved = keyring.read_bytes()
    keyring.unlink()  # the copy's hard link only: the template keeps its file
    with sqlite3.connect(make_url(url).database or "") as con:  # the demo logins alone would refuse production
        con.execute("UPDATE user_account SET is_active = 0")
    con.close()
    db = Database(url)
    try:
        with pytest.raises(ProductionRefused, match="字段加密密钥文件不存在"):
            create_app(production(url, data_dir), db)
    finally:
        db.dispose()
    use_env(monkeypatch, env="production", secret_key=SECRET, database_url=url, data_dir=str(data_dir),
            open311_api_keys="bureau-key-1")  # fmt: skip
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: pytest.fail("uvicorn must not start"))
    code, out = run_cli("serve")
    assert code == 78 and "字段加密密钥文件不存在" in out and "Traceback" not in out
    code, out = run_cli("init-keys")  # the database holds ciphertext: a new key could not read it
    assert code == 1 and "请从备份恢复原密钥文件" in out and not keyring.exists()
    keyring.write_bytes(saved)
    (data_dir / "keys" / "signing-passphrase").unlink()
    code, out = run_cli("serve")
    assert code == 78 and "签章私钥口令不存在" in out


def test_init_keys_makes_production_keys_for_a_new_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = new_database_url(tmp_path)
    custody = tmp_path / "etc"
    try:
        upgrade(url)
        use_env(monkeypatch, env="production", secret_key=SECRET, database_url=url, data_dir=str(tmp_path / "data"),
                field_key_file=str(custody / "field-keys.json"),
                signing_passphrase_file=str(custody / "signing-passphrase"))  # fmt: skip
        code, out = run_cli("init-keys")
        assert code == 0, out
        assert "已生成个人信息加密密钥" in out and "已生成签章私钥口令" in out
        assert (custody / "field-keys.json").is_file() and (custody / "signing-passphrase").is_file()
        assert not (tmp_path / "data" / "keys").exists()  # kept where the operator said, not beside the data
        code, out = run_cli("init-keys")
        assert code == 0 and "已存在" in out
    finally:
        drop_database(url)


def test_the_migration_encrypts_existing_rows_and_the_downgrade_restores_them(tmp_path: Path):
    url = new_database_url(tmp_path)
    ring = new_keyring()
    now = datetime.now(UTC)
    try:
        upgrade(url, BEFORE)
        engine = sa.create_engine(url)
        accounts = sa.table("merchant_account", *(sa.column(c) for c in ("phone", "display_name", "password_hash",
                            "is_active")), sa.column("id", sa.Uuid()), sa.column("created_at", sa.DateTime()),
                            sa.column("updated_at", sa.DateTime()))  # fmt: skip
        sms = sa.table("sms_message", *(sa.column(c) for c in ("phone", "body", "purpose", "adapter", "status")),
                       sa.column("id", sa.Uuid()), sa.column("created_at", sa.DateTime()))  # fmt: skip
        phones = [f"139{n:08d}" for n in range(2500)]  # more than one batch of the migration
        account = {"display_name": "商户", "password_hash": "!", "is_active": True, "created_at": now,
                   "updated_at": now}  # fmt: skip
        message = {"body": "短信", "purpose": "test", "adapter": "outbox", "status": "sent", "created_at": now}
        with engine.begin() as c:
            c.execute(sa.insert(accounts), [account | {"phone": p, "id": uuid.uuid4()} for p in phones])
            c.execute(sa.insert(sms), [message | {"phone": p, "id": uuid.uuid4()} for p in phones[:10]])
        upgrade(url, keyring=ring)
        with engine.connect() as c:
            stored = c.execute(sa.text("SELECT phone, phone_hash FROM merchant_account")).all()
        assert len(stored) == 2500 and all(is_ciphertext(p) and len(h) == 64 for p, h in stored)
        db = Database(url, keyring=ring)
        with db.session(write=False) as s:
            assert sorted(s.scalars(sa.select(MerchantAccount.phone))) == phones
            assert s.scalar(sa.select(SmsMessage.phone).where(SmsMessage.phone_hash == "13900000007")) == phones[7]
        with pytest.raises(sa.exc.IntegrityError), db.session() as s, s.begin():  # one account per phone
            s.add(MerchantAccount(phone=phones[0], display_name="重复", password_hash="!"))
        db.dispose()
        downgrade(url, BEFORE, keyring=ring)
        with engine.connect() as c:
            assert sorted(c.execute(sa.text("SELECT phone FROM merchant_account")).scalars()) == phones
            granted = c.execute(sa.text("SELECT count(*) FROM role_permission WHERE permission = 'personal_data:view'"))
            assert granted.scalar() == 0
        engine.dispose()
    finally:
        drop_database(url)
