"""Each bureau's electronic seal: the seal image, a signing certificate from the platform's CA, and an SM2 key pair.

Issued on first use (the demo has no external CA). Private keys live in files under ``CHENGGUAN_DATA_DIR/keys``
(mode 0600), never in the database; the database keeps the certificates, the seal image's digest and the SM2
public key, so verification needs no secret. Trust roots are the CA certificates on record.
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
from chengguan.documents.sm2 import sm2_keypair
from chengguan.evidence.store import LocalBlobStore
from chengguan.org.models import OrgUnit

CA_FILE = "platform-ca.json"
_issue_lock = threading.Lock()


@dataclass(frozen=True)
class BureauSeal:
    """What sealing needs: the signing material (with the private keys) and the seal image."""

    credentials: BureauCredentials
    seal_png: bytes
    row: BureauCredential


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
    """The platform's seal CA (created once per data directory)."""
    path = keys_dir(settings) / CA_FILE
    if path.exists():
        return DemoCA(**json.loads(path.read_text(encoding="utf-8")))
    ca = issue_demo_ca()
    _write_secret(path, json.dumps({"cert_pem": ca.cert_pem, "key_pem": ca.key_pem}))
    return ca


def _load_secret(settings: Settings, row: BureauCredential) -> BureauCredentials | None:
    path = keys_dir(settings) / row.key_file
    if not path.exists():
        return None
    creds = BureauCredentials.from_json(path.read_text(encoding="utf-8"))
    return creds if creds.cert_pem == row.cert_pem else None


def bureau_seal(session: Session, settings: Settings, store: LocalBlobStore, bureau: OrgUnit) -> BureauSeal:
    """The bureau's seal, issued now if it has none (or its key file is gone: then re-issued from the same platform
    CA, so documents sealed with the old certificate keep validating)."""
    row = session.scalars(select(BureauCredential).where(BureauCredential.unit_id == bureau.id)).first()
    if row is not None:
        creds = _load_secret(settings, row)
        if creds is not None and store.exists(row.seal_sha256):
            return BureauSeal(creds, store.get(row.seal_sha256), row)
    with _issue_lock:  # one RSA key generation at a time; the CA file is created once
        creds = issue_bureau_credentials(bureau.name, SignAlgorithm.rsa.value, ca=platform_ca(settings))
    sm2_private, sm2_public = sm2_keypair()
    creds = BureauCredentials(**{**creds.__dict__, "sm2_private_hex": sm2_private, "sm2_public_hex": sm2_public})
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
    return BureauSeal(creds, seal_png, row)


def trust_roots(session: Session) -> list[str]:
    """Every seal CA certificate on record (PEM)."""
    return sorted(set(session.scalars(select(BureauCredential.ca_pem))))
