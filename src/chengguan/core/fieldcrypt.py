"""Field encryption of personal data (身份证号、手机号码、住址): authenticated ciphers, keyring, keyed search hashes.

A value is stored as ``cg1:<alg>:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>``; the header names the algorithm
and the key, so keys rotate (old rows stay readable until re-encrypted) and the cipher setting may change without
touching what is stored. The header and the kind of value (``id_no``, ``phone`` …) are authenticated data: a
ciphertext copied into a column of another kind does not decrypt.

Algorithms (GB/T 39786 密评: 国密 by default):

- ``S`` SM4-GCM (GB/T 32907 block cipher in GCM, RFC 8998), when the OpenSSL under ``cryptography`` offers it;
- ``C`` SM4-CTR + HMAC-SM3 (GB/T 32905), encrypt-then-MAC over header, kind, IV and ciphertext, tag cut to 16
  bytes — the same guarantees where SM4-GCM is missing;
- ``A`` AES-256-GCM, for deployments that choose it.

Each data key is 32 random bytes; the cipher keys are derived from it with HKDF (SM3 for SM4, SHA-256 for AES).
Search hashes are HMAC-SM3 (or HMAC-SHA256) under a separate index key, over the normalised value: equal values
give equal hashes, so lookups and uniqueness work on the hash column without the plain value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac as std_hmac
import os
import re
from dataclasses import dataclass, field
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as pyca_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "cg1:"
SM4_GCM, SM4_CTR_HMAC, AES_GCM = "S", "C", "A"
ALGORITHM_NAMES = {SM4_GCM: "SM4-GCM", SM4_CTR_HMAC: "SM4-CTR+HMAC-SM3", AES_GCM: "AES-256-GCM"}
INDEX_SM3, INDEX_SHA256 = "hmac-sm3", "hmac-sha256"
KEY_ID = re.compile(r"^[0-9a-f]{8}$")
_HEADER = re.compile(r"^cg1:([SCA]):([0-9a-f]{8}):")
_OVERHEAD = 32  # the largest nonce + tag (SM4-CTR: 16-byte IV, 16-byte tag)
HASH_WIDTH = 64  # hex of a 256-bit HMAC
OPENED_CACHE = 8192


class FieldCryptError(Exception):
    """A stored value that cannot be decrypted: unknown key, damaged or moved ciphertext (never shown as data)."""


class UnknownKey(FieldCryptError):
    """The value names a key this keyring does not hold (retired, or added by a rotation since it was loaded)."""


@cache
def sm4_gcm_available() -> bool:
    """Whether this OpenSSL offers SM4 in GCM mode (cryptography exposes it when the library has it)."""
    try:
        encryptor = Cipher(algorithms.SM4(bytes(16)), modes.GCM(bytes(12))).encryptor()
        encryptor.update(b"probe")
        encryptor.finalize()
    except Exception:  # UnsupportedAlgorithm, or a build without SM4 at all
        return False
    return True


def algorithm_for(cipher: str) -> str:
    """The algorithm letter new values are encrypted with under the ``field_cipher`` setting."""
    if cipher == "aes-256-gcm":
        return AES_GCM
    return SM4_GCM if sm4_gcm_available() else SM4_CTR_HMAC


def ciphertext_width(max_bytes: int) -> int:
    """Characters a column needs for a value of at most ``max_bytes`` UTF-8 bytes (header + base64 of the rest)."""
    header = len(PREFIX) + len("S:") + 8 + 1
    return header + -(-(max_bytes + _OVERHEAD) // 3) * 4


def is_ciphertext(value: str) -> bool:
    return value.startswith(PREFIX) and _HEADER.match(value) is not None


def normalise(kind: str, value: str) -> str:
    """The form a value is hashed in: identity numbers upper-case, phone numbers without spaces and dashes."""
    value = value.strip()
    if kind == "id_no":
        return value.upper()
    if kind == "phone":
        return re.sub(r"[\s\-()]", "", value)
    return value


@dataclass
class Keyring:
    """The data keys by id (``current`` encrypts), the index key for search hashes, and the cipher for new values."""

    keys: dict[str, bytes]
    current: str
    index_key: bytes
    index_alg: str = INDEX_SM3
    cipher: str = "sm4"
    _derived: dict[tuple[str, str], bytes] = field(default_factory=dict, repr=False)
    # Ciphertexts opened lately: list pages read the same rows again and again, and opening one costs ~45 µs with
    # SM4 (bench/fieldcrypt.py). Bounded; emptied when full (a rare miss costs one decryption).
    _opened: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise ValueError(f"current key {self.current!r} is not in the keyring")
        for kid, secret in self.keys.items():
            if not KEY_ID.match(kid) or len(secret) != 32:
                raise ValueError(f"key {kid!r}: ids are 8 hex digits, secrets 32 bytes")
        if len(self.index_key) != 32 or self.index_alg not in (INDEX_SM3, INDEX_SHA256):
            raise ValueError("the index key is 32 bytes for hmac-sm3 or hmac-sha256")

    @property
    def algorithm(self) -> str:
        return algorithm_for(self.cipher)

    def _key(self, kid: str, alg: str) -> bytes:
        found = self._derived.get((kid, alg))
        if found is None:
            secret = self.keys.get(kid)
            if secret is None:
                raise UnknownKey(f"字段加密密钥 {kid} 不在密钥环中（已退役或密钥文件不对）")
            digest = hashes.SHA256() if alg == AES_GCM else hashes.SM3()
            length = {SM4_GCM: 16, SM4_CTR_HMAC: 48, AES_GCM: 32}[alg]
            info = f"chengguan/field/{ALGORITHM_NAMES[alg]}".encode()
            found = self._derived[(kid, alg)] = HKDF(digest, length, salt=None, info=info).derive(secret)
        return found

    def encrypt(self, kind: str, value: str, *, kid: str | None = None) -> str:
        """``value`` sealed under the current key (or ``kid``) with the configured cipher."""
        kid = kid or self.current
        alg = self.algorithm
        header = f"{PREFIX}{alg}:{kid}:"
        aad = f"{header}|{kind}".encode()
        key = self._key(kid, alg)
        data = value.encode()
        if alg == AES_GCM:
            nonce = os.urandom(12)
            body = nonce + AESGCM(key).encrypt(nonce, data, aad)
        elif alg == SM4_GCM:
            nonce = os.urandom(12)
            encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
            encryptor.authenticate_additional_data(aad)
            body = nonce + encryptor.update(data) + encryptor.finalize() + encryptor.tag
        else:
            iv = os.urandom(16)
            encryptor = Cipher(algorithms.SM4(key[:16]), modes.CTR(iv)).encryptor()
            sealed = encryptor.update(data) + encryptor.finalize()
            body = iv + sealed + _sm3_tag(key[16:], aad, iv + sealed)
        return header + base64.urlsafe_b64encode(body).rstrip(b"=").decode()

    def decrypt(self, kind: str, stored: str) -> str:
        """The plain value of a stored ciphertext; ``FieldCryptError`` when it is not one this keyring opens."""
        found = self._opened.get((kind, stored))
        if found is None:
            found = self._decrypt(kind, stored)
            if len(self._opened) >= OPENED_CACHE:
                self._opened.clear()
            self._opened[(kind, stored)] = found
        return found

    def _decrypt(self, kind: str, stored: str) -> str:
        match = _HEADER.match(stored)
        if match is None:
            raise FieldCryptError("不是字段密文")
        alg, kid = match.groups()
        header = match.group(0)
        aad = f"{header}|{kind}".encode()
        key = self._key(kid, alg)
        try:
            body = base64.urlsafe_b64decode(stored[len(header) :] + "=" * (-len(stored) % 4))
            if alg == AES_GCM:
                data = AESGCM(key).decrypt(body[:12], body[12:], aad)
            elif alg == SM4_GCM:
                decryptor = Cipher(algorithms.SM4(key), modes.GCM(body[:12], body[-16:])).decryptor()
                decryptor.authenticate_additional_data(aad)
                data = decryptor.update(body[12:-16]) + decryptor.finalize()
            else:
                iv, sealed, tag = body[:16], body[16:-16], body[-16:]
                if len(body) < 32 or not std_hmac.compare_digest(tag, _sm3_tag(key[16:], aad, iv + sealed)):
                    raise InvalidTag
                decryptor = Cipher(algorithms.SM4(key[:16]), modes.CTR(iv)).decryptor()
                data = decryptor.update(sealed) + decryptor.finalize()
            return data.decode()
        except (InvalidTag, ValueError) as exc:
            raise FieldCryptError(f"字段密文校验失败（密钥 {kid}）：数据被改动或不属于此字段") from exc

    def key_id_of(self, stored: str) -> str | None:
        match = _HEADER.match(stored)
        return match.group(2) if match else None

    def search_hash(self, kind: str, value: str) -> str:
        """The keyed hash a lookup compares: HMAC over the kind and the normalised value."""
        message = f"{kind}\x1f{normalise(kind, value)}".encode()
        if self.index_alg == INDEX_SHA256:
            return std_hmac.new(self.index_key, message, hashlib.sha256).hexdigest()
        mac = pyca_hmac.HMAC(self.index_key, hashes.SM3())
        mac.update(message)
        return mac.finalize().hex()


def _sm3_tag(mac_key: bytes, aad: bytes, data: bytes) -> bytes:
    mac = pyca_hmac.HMAC(mac_key, hashes.SM3())
    mac.update(len(aad).to_bytes(4, "big") + aad + data)
    return mac.finalize()[:16]


def new_key_id(taken: set[str] | frozenset[str] = frozenset()) -> str:
    while True:
        kid = os.urandom(4).hex()
        if kid not in taken:
            return kid
