"""Seal and CA private keys under a passphrase (encrypted PKCS#8, the SM2 key under SM4), the ``SigningKey``
interface: the local key and an external signer over HTTP (a fake 密码机 in the test), plain key files encrypted by
``chengguan migrate`` — and what was sealed before still verifies, what is sealed now too."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from keys_support import _forget_env, run_cli, use_env  # noqa: F401 (a fixture)
from sqlalchemy import select

from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.core.fieldkeys import load_keyring
from chengguan.documents import sealing
from chengguan.documents.credentials import CA_FILE, bureau_seal
from chengguan.documents.enums import DocumentStatus
from chengguan.documents.models import Document
from chengguan.documents.pdf import render_pdf
from chengguan.documents.seal import BureauCredentials, draw_seal_png, issue_bureau_credentials
from chengguan.documents.sign import seal_pdf, sm2_detached, validate_pdf, verify_sm2_detached
from chengguan.documents.signer import (
    ExternalKey,
    LocalKey,
    SigningKeyUnavailable,
    local_key,
    passphrase,
    protect,
    read_key_file,
)
from chengguan.evidence.store import LocalBlobStore
from chengguan.org.models import OrgUnit
from documents.specimens import AUTHORITY, decision
from support import demo_database, drop_database

SECRET = b"a-long-random-passphrase-for-the-test"


@pytest.fixture(scope="module")
def creds() -> BureauCredentials:
    return issue_bureau_credentials(AUTHORITY, "sm2")


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_pdf(decision())


def test_protected_credentials_hold_no_plain_key_and_the_local_key_seals(creds, pdf):
    protected = protect(creds, SECRET)
    text = protected.to_json()
    assert "BEGIN ENCRYPTED PRIVATE KEY" in text and "BEGIN PRIVATE KEY" not in text
    assert protected.sm2_private_hex is None and creds.sm2_private_hex not in text  # type: ignore[operator]
    key = local_key(protected, SECRET)
    sealed = seal_pdf(pdf, protected, draw_seal_png(AUTHORITY, 200), key=key)
    assert validate_pdf(sealed, [creds.ca_cert_pem]).ok
    detached = sm2_detached(sealed, protected, key)
    assert verify_sm2_detached(sealed, detached, creds.sm2_public_hex or "")
    with pytest.raises(SigningKeyUnavailable, match="口令不正确"):
        local_key(protected, b"wrong passphrase")


def fake_hsm(key: LocalKey, token: str) -> httpx.MockTransport:
    """A signing server in the test: the interface of documents.signer, backed by a key it keeps to itself."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.headers.get("Authorization") != f"Bearer {token}":
            return httpx.Response(403)
        body = json.loads(request.content)
        assert body["key"] == "bureau-370202"
        if request.url.path == "/hsm/sign":
            signature = key.sign(base64.b64decode(body["data"]), body["mechanism"], body["digest"])
            return httpx.Response(200, json={"signature": base64.b64encode(signature).decode()})
        if request.url.path == "/hsm/sm2-sign":
            return httpx.Response(200, json={"signature": key.sm2_sign(bytes.fromhex(body["digest"]))})
        return httpx.Response(404)

    return httpx.MockTransport(handle)


def test_an_external_signer_seals_without_the_key_in_the_process(creds, pdf):
    device = local_key(creds, None)  # what the device holds
    public = BureauCredentials(creds.authority, creds.algorithm, "", creds.cert_pem, creds.ca_cert_pem,
                               sm2_public_hex=creds.sm2_public_hex)  # fmt: skip  (all the platform has)
    client = httpx.Client(transport=fake_hsm(device, "hsm-token"))
    key = ExternalKey("https://hsm.example/hsm", "bureau-370202", "hsm-token", client)
    sealed = seal_pdf(pdf, public, key=key)
    assert validate_pdf(sealed, [creds.ca_cert_pem]).ok
    assert verify_sm2_detached(sealed, sm2_detached(sealed, public, key), creds.sm2_public_hex or "")
    refused = ExternalKey("https://hsm.example/hsm", "bureau-370202", "wrong", client)
    with pytest.raises(SigningKeyUnavailable, match="HTTP 403"):
        seal_pdf(pdf, public, key=refused)


@pytest.fixture
def demo_copy(tmp_path: Path) -> Iterator[Settings]:
    url, data_dir = demo_database(tmp_path)
    yield Settings(env="test", database_url=url, data_dir=data_dir, secret_key="t" * 40)
    drop_database(url)


def test_the_demo_keeps_its_seal_keys_encrypted_and_migrate_encrypts_plain_ones(demo_copy, monkeypatch):
    settings = demo_copy
    keys = settings.data_dir / "keys"
    files = sorted(keys.glob("bureau-*.json"))
    assert files and all("BEGIN ENCRYPTED PRIVATE KEY" in f.read_text() for f in [*files, keys / CA_FILE])
    assert not any("BEGIN PRIVATE KEY" in f.read_text() or '"sm2_private_hex": "' in f.read_text() for f in files)
    # Key files as they were before keys were encrypted (a copy replaces the template's hard link, never edits it).
    secret = passphrase(settings)
    for path in files:
        opened = local_key(read_key_file(path), secret)
        plain = BureauCredentials(**{**read_key_file(path).__dict__, "sm2_private_enc": None,
                                     "sm2_private_hex": opened.sm2_private_hex,
                                     "key_pem": _plain_pem(opened)})  # fmt: skip
        path.unlink()
        path.write_text(plain.to_json(), encoding="utf-8")
    use_env(monkeypatch, env="test", database_url=settings.database_url, data_dir=str(settings.data_dir),
            secret_key="t" * 40)  # fmt: skip
    code, out = run_cli("migrate")
    assert code == 0, out
    assert f"已用口令加密 {len(files)} 个明文签章私钥文件" in out
    assert all("BEGIN ENCRYPTED PRIVATE KEY" in f.read_text() for f in files)
    db = Database(settings.database_url, keyring=load_keyring(settings))
    try:
        with db.session() as session:
            # What the demo sealed before still verifies; a new seal with the re-encrypted key does too.
            doc = session.scalars(select(Document).where(Document.status == DocumentStatus.sealed).limit(1)).one()
            assert sealing.check_on_record(session, settings, doc).ok  # type: ignore[union-attr]
            bureau = session.get(OrgUnit, doc.unit_id)
            store = LocalBlobStore(settings.data_dir / "blobs")
            seal = bureau_seal(session, settings, store, bureau)  # type: ignore[arg-type]
            assert seal.row.key_file == doc_key_file(session, doc)
            sealed = seal_pdf(render_pdf(decision()), seal.credentials, seal.seal_png, key=seal.key)
            assert validate_pdf(sealed, sealing.trust_roots(session)).ok
            session.rollback()
    finally:
        db.dispose()


def doc_key_file(session, doc: Document) -> str:  # type: ignore[no-untyped-def]
    from chengguan.documents.models import BureauCredential

    return session.scalar(select(BureauCredential.key_file).where(BureauCredential.unit_id == doc.unit_id))


def _plain_pem(key: LocalKey) -> str:
    from cryptography.hazmat.primitives import serialization

    pem = key.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())  # fmt: skip
    return pem.decode()
