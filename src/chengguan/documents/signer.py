"""Who holds a bureau's seal keys: the ``SigningKey`` interface sealing calls, its local implementation (the key
file decrypted in this process with the signing passphrase) and an external signer (签名服务器 / 服务器密码机) that
keeps the keys in hardware and signs over HTTP.

At rest a local key file holds the PAdES key as encrypted PKCS#8 (PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC — what
``cryptography`` writes and every PDF tool reads) and the SM2 key sealed with SM4 under a PBKDF2-HMAC-SM3 key from the
same passphrase (no standard container holds an SM2 key for ``cryptography``). The passphrase comes from
``CHENGGUAN_SIGNING_PASSPHRASE`` or a file (default ``data_dir/keys/signing-passphrase``, created outside production).

The external signer speaks this interface (JSON over HTTPS, bearer token from ``CHENGGUAN_SIGNER_TOKEN``)::

    POST {CHENGGUAN_SIGNER_URL}/sign       {"key": label, "mechanism": "rsassa_pkcs1v15"|"ecdsa",
                                            "digest": "sha256", "data": base64}   → {"signature": base64}
    POST {CHENGGUAN_SIGNER_URL}/sm2-sign   {"key": label, "digest": hex of the SM3 digest}
                                                                                   → {"signature": hex r‖s}

``label`` is the credential's ``key_file`` (``hsm:<label>`` rows are provisioned with the device's certificate).
A PKCS#11 or vendor SDF (GM/T 0018) binding is an adapter of the same two methods.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from chengguan.core.config import Environment, Settings
from chengguan.core.errors import DomainError
from chengguan.core.fieldcrypt import Keyring
from chengguan.documents.seal import BureauCredentials
from chengguan.documents.sm2 import sm2_sign

SM2_KDF_ROUNDS = 100_000
_SM2_KIND, _SM2_KID = "sm2-private-key", "00000000"


class SigningKeyUnavailable(DomainError):
    """The seal key cannot be used: no passphrase, a wrong one, or the external signer refused (zh-CN message)."""

    status_code = 503
    code = "signing.unavailable"


class SigningKey(Protocol):
    """A bureau's private keys wherever they live: sign, never hand the key out."""

    def sign(self, data: bytes, mechanism: str, digest: str) -> bytes:
        """The PAdES signature value of ``data`` (``rsassa_pkcs1v15`` or ``ecdsa``, ``digest`` e.g. sha256)."""
        ...

    def sm2_sign(self, sm3_digest: bytes) -> str:
        """SM2-with-SM3 signature (r‖s hex) over an SM3 digest (GB/T 35276, default signer id)."""
        ...


# --- the passphrase ---------------------------------------------------------------------------------------------


def passphrase(settings: Settings, *, create: bool = False) -> bytes:
    """The signing passphrase of these settings; with ``create`` (outside production) a random one written to the
    default file when none is configured."""
    if settings.signing_passphrase is not None:
        return settings.signing_passphrase.get_secret_value().encode()
    path = settings.signing_passphrase_path
    if path.is_file():
        return path.read_text(encoding="utf-8").strip().encode()
    if not create or settings.env is Environment.production or settings.signing_passphrase_file is not None:
        raise SigningKeyUnavailable(
            f"签章私钥口令不存在：{path}。请设置 CHENGGUAN_SIGNING_PASSPHRASE 或 CHENGGUAN_SIGNING_PASSPHRASE_FILE"
            "（生产环境先运行 chengguan init-keys 并按运维手册保管）。"
        )
    write_passphrase(path)
    return path.read_text(encoding="utf-8").strip().encode()


def write_passphrase(path: Path) -> None:
    """A new random passphrase (256 bits) in a new file of mode 0600 (an existing file is never overwritten)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secrets.token_urlsafe(32) + "\n")


# --- keys at rest -----------------------------------------------------------------------------------------------


def _sm2_box(secret: bytes, salt: bytes) -> Keyring:
    key = PBKDF2HMAC(hashes.SM3(), 32, salt, SM2_KDF_ROUNDS).derive(secret)
    return Keyring({_SM2_KID: key}, _SM2_KID, bytes(32), cipher="sm4")


def encrypt_pem(key_pem: str, secret: bytes) -> str:
    """A PKCS#8 PEM (plain or encrypted with ``secret``) as encrypted PKCS#8 under ``secret``."""
    key = serialization.load_pem_private_key(key_pem.encode(), password=secret if _encrypted(key_pem) else None)
    encryption = serialization.BestAvailableEncryption(secret)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption).decode()


def _encrypted(key_pem: str) -> bool:
    return "BEGIN ENCRYPTED PRIVATE KEY" in key_pem


def protect(creds: BureauCredentials, secret: bytes) -> BureauCredentials:
    """The credentials with every private key encrypted under ``secret`` (already encrypted ones are kept)."""
    changes: dict[str, Any] = {}
    if not _encrypted(creds.key_pem):
        changes["key_pem"] = encrypt_pem(creds.key_pem, secret)
    if creds.sm2_private_hex:
        salt = os.urandom(16)
        sealed = _sm2_box(secret, salt).encrypt(_SM2_KIND, creds.sm2_private_hex)
        box = {"kdf": "pbkdf2-hmac-sm3", "rounds": SM2_KDF_ROUNDS, "salt": base64.b64encode(salt).decode(),
               "sealed": sealed}  # fmt: skip
        changes |= {"sm2_private_hex": None, "sm2_private_enc": json.dumps(box)}
    return BureauCredentials(**{**creds.__dict__, **changes}) if changes else creds


def is_protected(creds: BureauCredentials) -> bool:
    return _encrypted(creds.key_pem) and not creds.sm2_private_hex


@dataclass(frozen=True)
class LocalKey:
    """The keys decrypted in this process (parsed once per process and key file: an RSA key check costs ~50 ms)."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    sm2_private_hex: str | None
    sm2_public_hex: str | None

    def sign(self, data: bytes, mechanism: str, digest: str) -> bytes:
        algorithm = getattr(hashes, digest.upper().replace("-", "_"))()
        if mechanism == "rsassa_pkcs1v15" and isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(data, padding.PKCS1v15(), algorithm)
        if mechanism == "ecdsa" and isinstance(self.key, ec.EllipticCurvePrivateKey):
            return self.key.sign(data, ec.ECDSA(algorithm))
        raise SigningKeyUnavailable(f"签章私钥不支持签名机制 {mechanism}")

    def sm2_sign(self, sm3_digest: bytes) -> str:
        if not self.sm2_private_hex:
            raise SigningKeyUnavailable("该单位没有国密 SM2 签章密钥")
        return sm2_sign(sm3_digest, self.sm2_private_hex, self.sm2_public_hex)


def local_key(creds: BureauCredentials, secret: bytes | None) -> LocalKey:
    """Open the credentials' keys (plain files written before key encryption are read as they are)."""
    return _open(creds.key_pem, creds.sm2_private_enc, creds.sm2_private_hex, creds.sm2_public_hex, secret)


@lru_cache(maxsize=32)
def _open(key_pem: str, sm2_enc: str | None, sm2_plain: str | None, sm2_public: str | None,
          secret: bytes | None) -> LocalKey:  # fmt: skip
    try:
        key = serialization.load_pem_private_key(key_pem.encode(), password=secret if _encrypted(key_pem) else None)
        sm2_private = sm2_plain
        if sm2_enc:
            box = json.loads(sm2_enc)
            sm2_private = _sm2_box(secret or b"", base64.b64decode(box["salt"])).decrypt(_SM2_KIND, box["sealed"])
    except (ValueError, TypeError) as exc:
        raise SigningKeyUnavailable("签章私钥无法解密：签章口令不正确或密钥文件已损坏") from exc
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SigningKeyUnavailable("签章私钥类型不受支持（须为 RSA 或 ECDSA）")
    return LocalKey(key, sm2_private, sm2_public)


# --- the external signer ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExternalKey:
    """A key held by a signing server or HSM, used over the HTTP interface of the module docstring."""

    url: str
    label: str
    token: str | None = None
    client: httpx.Client | None = None  # tests hand in a client on a fake transport

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        client = self.client or httpx.Client(timeout=10, trust_env=False)
        try:
            response = client.post(f"{self.url.rstrip('/')}/{path}", json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise SigningKeyUnavailable(f"签名服务器不可用：{exc}") from exc
        finally:
            if self.client is None:
                client.close()
        if response.status_code != 200:
            raise SigningKeyUnavailable(f"签名服务器拒绝签名（HTTP {response.status_code}）")
        return response.json()

    def sign(self, data: bytes, mechanism: str, digest: str) -> bytes:
        body = {"key": self.label, "mechanism": mechanism, "digest": digest, "data": base64.b64encode(data).decode()}
        return base64.b64decode(self._post("sign", body)["signature"])

    def sm2_sign(self, sm3_digest: bytes) -> str:
        return str(self._post("sm2-sign", {"key": self.label, "digest": sm3_digest.hex()})["signature"])


def signing_key(settings: Settings, creds: BureauCredentials, key_file: str) -> SigningKey:
    """The bureau's key as the settings place it: an external signer (``CHENGGUAN_SIGNER=hsm``) or the local file."""
    if settings.signer == "hsm":
        token = settings.signer_token.get_secret_value() if settings.signer_token else None
        return ExternalKey(settings.signer_url, key_file.removeprefix("hsm:"), token)
    return local_key(creds, passphrase(settings, create=True))


def read_key_file(path: Path) -> BureauCredentials:
    return BureauCredentials.from_json(path.read_text(encoding="utf-8"))
