"""The field cipher (core.fieldcrypt): SM4-GCM, SM4-CTR + HMAC-SM3 and AES-256-GCM round trips, what a ciphertext
carries (version, algorithm, key id), tampering and moved values refused, keyed search hashes; key rotation and key
ids on a copy of the demo city (``chengguan rotate-field-key``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from keys_support import _forget_env, run_cli, use_env  # noqa: F401 (a fixture)
from sqlalchemy import select

from chengguan.cases.models import Case
from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.core.fieldcrypt import (
    AES_GCM,
    SM4_CTR_HMAC,
    SM4_GCM,
    FieldCryptError,
    Keyring,
    UnknownKey,
    ciphertext_width,
    sm4_gcm_available,
)
from chengguan.core.fieldkeys import load_keyring, new_keyring
from chengguan.core.fieldrotate import keys_in_use, plain_values
from chengguan.core.fieldtypes import bind_keyring
from chengguan.models import Base
from support import demo_database, drop_database

SAMPLES = {"id_no": "37020219800101001X", "phone": "13812345678", "address": "青岛市市南区香港中路8号3单元201室"}


def ring_with(alg: str) -> Keyring:
    ring = new_keyring("aes-256-gcm" if alg == AES_GCM else "sm4")
    if alg == SM4_CTR_HMAC:  # the fallback where OpenSSL lacks SM4-GCM, forced here to test it anyway
        ring.__class__ = type("CtrKeyring", (Keyring,), {"algorithm": property(lambda self: SM4_CTR_HMAC)})
    return ring


@pytest.mark.parametrize("alg", [SM4_GCM, SM4_CTR_HMAC, AES_GCM])
def test_each_cipher_round_trips_and_names_itself(alg: str):
    if alg == SM4_GCM and not sm4_gcm_available():
        pytest.skip("this OpenSSL has no SM4-GCM (SM4-CTR + HMAC-SM3 is used instead)")
    ring = ring_with(alg)
    for kind, value in SAMPLES.items():
        sealed = ring.encrypt(kind, value)
        assert sealed.startswith(f"cg1:{alg}:{ring.current}:") and value not in sealed
        assert len(sealed) <= ciphertext_width(len(value.encode()))
        assert ring.decrypt(kind, sealed) == value
        assert ring.encrypt(kind, value) != sealed  # a fresh nonce each time: equal values do not show as equal
        assert ring.key_id_of(sealed) == ring.current


@pytest.mark.parametrize("alg", [SM4_CTR_HMAC, AES_GCM])
def test_a_changed_or_moved_ciphertext_is_refused(alg: str):
    ring = ring_with(alg)
    sealed = ring.encrypt("phone", "13812345678")
    flipped = sealed[:-3] + ("A" if sealed[-3] != "A" else "B") + sealed[-2:]
    with pytest.raises(FieldCryptError):
        ring.decrypt("phone", flipped)
    with pytest.raises(FieldCryptError):  # the same bytes under another kind: the authenticated data differs
        ring.decrypt("id_no", sealed)
    with pytest.raises(UnknownKey):
        new_keyring().decrypt("phone", sealed)


def test_the_default_cipher_is_sm4_and_gcm_when_available():
    ring = new_keyring()
    assert ring.algorithm == (SM4_GCM if sm4_gcm_available() else SM4_CTR_HMAC) and ring.index_alg == "hmac-sm3"
    assert new_keyring("aes-256-gcm").index_alg == "hmac-sha256"


def test_search_hashes_are_keyed_and_normalised():
    ring, other = new_keyring(), new_keyring()
    assert ring.search_hash("id_no", "37020219800101001x") == ring.search_hash("id_no", " 37020219800101001X ")
    assert ring.search_hash("phone", "138 1234-5678") == ring.search_hash("phone", "13812345678")
    assert ring.search_hash("phone", "13812345678") != ring.search_hash("id_no", "13812345678")
    assert ring.search_hash("phone", "13812345678") != other.search_hash("phone", "13812345678")  # keyed


def test_an_encrypted_column_refuses_comparisons():
    with pytest.raises(TypeError, match="加密字段"):
        select(Case).where(Case.party_id_no == "37020219800101001X")
    with pytest.raises(TypeError):
        select(Case).where(Case.party_phone.like("138%"))
    with pytest.raises(TypeError):
        select(Case).order_by(Case.party_address.desc())
    assert "IS NULL" in str(select(Case.id).where(Case.party_phone.is_(None)))
    assert "party_id_no_hash" in str(select(Case.id).where(Case.party_id_no_hash == "37020219800101001X"))


@pytest.fixture
def demo_copy(tmp_path: Path) -> Iterator[Settings]:
    """A private copy of the demo city; its keyring file is a hard link to the template's, which the rotation
    replaces (written to a new file and renamed), never changes in place."""
    url, data_dir = demo_database(tmp_path)
    yield Settings(env="test", database_url=url, data_dir=data_dir, secret_key="t" * 40)
    drop_database(url)


def stored_party(settings: Settings, ring: Keyring) -> list[tuple[str | None, str | None, str | None]]:
    db = Database(settings.database_url, keyring=ring)
    try:
        with db.session(write=False) as s:
            return list(s.execute(select(Case.party_id_no, Case.party_phone, Case.party_address).order_by(Case.code)))
    finally:
        db.dispose()


def test_rotation_reencrypts_everything_under_a_new_key_id_and_retires_the_old(demo_copy, monkeypatch):
    settings = demo_copy
    old = load_keyring(settings)
    before = stored_party(settings, old)
    db = Database(settings.database_url)
    assert keys_in_use(db.engine, Base.metadata) == {old.current} and plain_values(db.engine, Base.metadata) == {}
    use_env(monkeypatch, env="test", database_url=settings.database_url, data_dir=str(settings.data_dir),
            secret_key="t" * 40)  # fmt: skip
    code, out = run_cli("rotate-field-key", "--retire")
    assert code == 0, out
    new = load_keyring(settings)
    assert new.current != old.current and f"新密钥 {new.current} 已启用" in out and old.current in out
    assert set(new.keys) == {new.current}  # the old key retired: nothing needs it any more
    assert keys_in_use(db.engine, Base.metadata) == {new.current}
    assert stored_party(settings, new) == before  # the same values, read with the new key
    with pytest.raises(FieldCryptError):
        stored_party(settings, old)
    # A server still holding the old keyring reads the new key from the file when it first meets it.
    server = Database(settings.database_url)
    bind_keyring(server.engine, old, reload=lambda: load_keyring(settings))
    with server.session(write=False) as s:
        assert s.scalars(select(Case.party_id_no).order_by(Case.code)).first() == before[0][0]
    server.dispose()
    db.dispose()


def test_changing_the_cipher_and_rotating_moves_every_value_to_it(demo_copy, monkeypatch):
    settings = demo_copy
    before = stored_party(settings, load_keyring(settings))
    use_env(monkeypatch, env="test", database_url=settings.database_url, data_dir=str(settings.data_dir),
            secret_key="t" * 40, field_cipher="aes-256-gcm")  # fmt: skip
    code, out = run_cli("rotate-field-key")
    assert code == 0, out
    ring = load_keyring(settings.model_copy(update={"field_cipher": "aes-256-gcm"}))
    assert len(ring.keys) == 2  # without --retire the old key stays
    db = Database(settings.database_url)
    with db.engine.connect() as connection:
        raw = connection.exec_driver_sql("SELECT party_phone FROM penalty_case WHERE party_phone IS NOT NULL").scalars()
        assert {value[:15] for value in raw} == {f"cg1:{AES_GCM}:{ring.current}:"}
    db.dispose()
    assert stored_party(settings, ring) == before
    assert json.loads(settings.field_key_path.read_text())["index"]["alg"] == "hmac-sm3"  # lookups unchanged
