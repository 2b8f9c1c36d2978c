"""Each bureau's electronic seal: the seal image, a signing certificate from the platform's CA, and an SM2 key pair.

Issued on first use (the demo has no external CA). Private keys live in files under ``CHENGGUAN_DATA_DIR/keys``
(mode 0600), never in the database, and are encrypted under the signing passphrase (documents.signer); the database
keeps the certificates, the seal image's digest and the SM2 public key, so verification needs no secret. Trust
roots are the CA certificates on record. With an external signer (``CHENGGUAN_SIGNER=hsm``) the keys stay in the
device: a bureau's credential row is provisioned with its certificate and ``key_file = "hsm:<label>"``.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.core.config import Settings
from chengguan.documents.enums import SignAlgorithm
from chengguan.documents.models import BureauCredential
from chengguan.documents.seal import BureauCredentials, DemoCA, draw_seal_png, issue_bureau_credentials, issue_demo_ca
from chengguan.documents.signer import (
    SigningKey,
    SigningKeyUnavailable,
    encrypt_pem,
    is_protected,
    passphrase,
    protect,
    read_key_file,
    signing_key,
)
from chengguan.documents.sm2 import sm2_keypair
from chengguan.evidence.store import LocalBlobStore
from chengguan.org.models import OrgUnit

CA_FILE = "platform-ca.json"
HSM_PREFIX = "hsm:"
_issue_lock = threading.Lock()


@dataclass(frozen=True)
class BureauSeal:
    """What sealing needs: the certificates, the key that signs (never the key material itself), the seal image."""

    credentials: BureauCredentials
    seal_png: bytes
    row: BureauCredential
    key: SigningKey


def keys_dir(settings: Settings) -> Path:
    path = Path(settings.data_dir) / "keys"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_secret(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def platform_ca(settings: Settings) -> DemoCA:
    """The platform's seal CA (created once per data directory, its key encrypted under the signing passphrase)."""
    path = keys_dir(settings) / CA_FILE
    if path.exists():
        return DemoCA(**json.loads(path.read_text(encoding="utf-8")))
    ca = issue_demo_ca()
    ca = DemoCA(ca.cert_pem, encrypt_pem(ca.key_pem, passphrase(settings, create=True)))
    _write_secret(path, json.dumps({"cert_pem": ca.cert_pem, "key_pem": ca.key_pem}))
    return ca


def _load_secret(settings: Settings, row: BureauCredential) -> BureauCredentials | None:
    if row.key_file.startswith(HSM_PREFIX):
        return BureauCredentials(row.authority, row.algorithm.value, "", row.cert_pem, row.ca_pem,
                                 sm2_public_hex=row.sm2_public_key)  # fmt: skip
    path = keys_dir(settings) / row.key_file
    if not path.exists():
        return None
    creds = read_key_file(path)
    return creds if creds.cert_pem == row.cert_pem else None


def bureau_seal(session: Session, settings: Settings, store: LocalBlobStore, bureau: OrgUnit) -> BureauSeal:
    """The bureau's seal, issued now if it has none (or its key file is gone: then re-issued from the same platform
    CA, so documents sealed with the old certificate keep validating)."""
    row = session.scalars(select(BureauCredential).where(BureauCredential.unit_id == bureau.id)).first()
    if row is not None:
        creds = _load_secret(settings, row)
        if creds is not None and store.exists(row.seal_sha256):
            return BureauSeal(creds, store.get(row.seal_sha256), row, signing_key(settings, creds, row.key_file))
    if settings.signer == "hsm":
        raise SigningKeyUnavailable(
            f"外部签名模式下须先登记{bureau.name}在密码机中的签章证书（key_file 为 hsm:<标签>）",
            code="signing.unprovisioned",
        )
    secret = passphrase(settings, create=True)
    with _issue_lock:  # one RSA key generation at a time; the CA file is created once
        ca = platform_ca(settings)
        creds = issue_bureau_credentials(bureau.name, SignAlgorithm.rsa.value, ca=ca,
                                         ca_passphrase=secret if "ENCRYPTED" in ca.key_pem else None)  # fmt: skip
    sm2_private, sm2_public = sm2_keypair()
    creds = BureauCredentials(**{**creds.__dict__, "sm2_private_hex": sm2_private, "sm2_public_hex": sm2_public})
    creds = protect(creds, secret)
    key_file = f"bureau-{bureau.id}-{uuid.uuid4().hex[:8]}.json"
    _write_secret(keys_dir(settings) / key_file, creds.to_json())
    seal_png = draw_seal_png(bureau.name)
    seal_sha = store.put(seal_png).sha256
    if row is None:
        row = BureauCredential(unit_id=bureau.id)
        session.add(row)
    row.authority, row.algorithm = bureau.name, SignAlgorithm.rsa
    row.seal_sha256, row.cert_pem, row.ca_pem, row.key_file = seal_sha, creds.cert_pem, creds.ca_cert_pem, key_file
    row.sm2_public_key = sm2_public
    session.flush()
    return BureauSeal(creds, seal_png, row, signing_key(settings, creds, key_file))


def protect_key_files(settings: Settings) -> int:
    """Encrypt every seal and CA private key still stored in plain text under the data directory's keys (written
    before keys were encrypted); returns how many files were rewritten. Idempotent."""
    folder = Path(settings.data_dir) / "keys"
    if not folder.is_dir():
        return 0
    plain = []
    ca_path = folder / CA_FILE
    if ca_path.is_file() and "ENCRYPTED" not in json.loads(ca_path.read_text(encoding="utf-8"))["key_pem"]:
        plain.append(ca_path)
    for path in sorted(folder.glob("bureau-*.json")):
        if not is_protected(read_key_file(path)):
            plain.append(path)
    if not plain:
        return 0
    secret = passphrase(settings, create=True)
    for path in plain:
        if path == ca_path:
            ca = DemoCA(**json.loads(path.read_text(encoding="utf-8")))
            text = json.dumps({"cert_pem": ca.cert_pem, "key_pem": encrypt_pem(ca.key_pem, secret)})
        else:
            text = protect(read_key_file(path), secret).to_json()
        _write_secret(path, text)
    return len(plain)


def trust_roots(session: Session) -> list[str]:
    """Every seal CA certificate on record (PEM)."""
    return sorted(set(session.scalars(select(BureauCredential.ca_pem))))
