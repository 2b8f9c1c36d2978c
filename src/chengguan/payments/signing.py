"""How a gateway's callback is protected, the way WeChat Pay API v3 does it (and what its verifier checks here).

The gateway signs ``"{timestamp}\\n{nonce}\\n{body}\\n"`` with its RSA private key (RSA-SHA256, PKCS#1 v1.5) and
sends the signature in ``Wechatpay-Signature`` with ``Wechatpay-Timestamp``, ``Wechatpay-Nonce`` and
``Wechatpay-Serial`` (which of its keys signed). The interesting part of the body, the ``resource``, is encrypted
with AES-256-GCM under the API v3 key the merchant set at the gateway, with its own nonce and associated data.

``NotifyVerifier`` is the receiving side: it holds only public material (the gateway's public keys by serial) and
the shared API v3 key, refuses a callback whose serial is unknown, whose time is more than five minutes off ours
(a captured callback cannot be replayed later), whose signature does not verify over the exact bytes received, or
whose resource does not decrypt and authenticate — and only then parses it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from chengguan.core.errors import DomainError

TIMESTAMP, NONCE, SIGNATURE, SERIAL, SIGNATURE_TYPE = (
    "Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial", "Wechatpay-Signature-Type"
)  # fmt: skip
ALGORITHM = "WECHATPAY2-SHA256-RSA2048"
WINDOW_S = 300  # 5 minutes either way, as WeChat Pay asks of a merchant
AEAD = "AEAD_AES_256_GCM"


class NotifyRefused(DomainError):
    """A callback that is not the gateway's, or not as it sent it (nothing is changed by it)."""

    status_code = 401
    code = "payment.notify.signature"
    title = "Unauthorized"
    keep_writes = True  # the refusal itself is logged (payment_notification), nothing else was written


class NotifyMalformed(NotifyRefused):
    status_code = 400
    code = "payment.notify.malformed"
    title = "Bad Request"


def message(timestamp: str, nonce: str, body: bytes) -> bytes:
    """What is signed: the timestamp, the nonce and the body, each followed by a newline."""
    return timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"


def sign(key: rsa.RSAPrivateKey, timestamp: str, nonce: str, body: bytes) -> str:
    """The base64 RSA-SHA256 signature of a callback."""
    raw = key.sign(message(timestamp, nonce, body), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(raw).decode()


def serial_of(public_key: rsa.RSAPublicKey) -> str:
    """A stable serial for a key (a certificate's serial number in WeChat's case): 40 hex digits of its digest."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(der)
    return digest.finalize().hex()[:40].upper()


def encrypt_resource(api_v3_key: bytes, plaintext: bytes, *, associated_data: str, nonce: str) -> str:
    """AES-256-GCM of the resource (the ciphertext with its 16-byte tag, base64), as the gateway sends it."""
    return base64.b64encode(AESGCM(api_v3_key).encrypt(nonce.encode(), plaintext, associated_data.encode())).decode()


def decrypt_resource(api_v3_key: bytes, ciphertext: str, *, associated_data: str, nonce: str) -> bytes:
    """The resource's plaintext; ``InvalidTag`` when the key, nonce, associated data or ciphertext differ."""
    return AESGCM(api_v3_key).decrypt(nonce.encode(), base64.b64decode(ciphertext), associated_data.encode())


@dataclass(frozen=True)
class Verified:
    """A callback that verified: its envelope and the decrypted resource (both as parsed JSON)."""

    envelope: dict[str, Any]
    resource: dict[str, Any]
    serial: str
    timestamp: str
    nonce: str


def _header(headers: Mapping[str, str], name: str) -> str:
    # HTTP header names are case-insensitive; a plain dict from a test or a proxy may spell them either way
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    raise NotifyRefused(f"回调缺少 {name} 头", code="payment.notify.header_missing")


@dataclass(frozen=True)
class NotifyVerifier:
    """The platform's side: the gateway's public keys by serial, the shared API v3 key, the time window."""

    public_keys: Mapping[str, rsa.RSAPublicKey]
    api_v3_key: bytes
    window_s: int = WINDOW_S

    def verify(self, headers: Mapping[str, str], body: bytes, now: datetime) -> Verified:
        """Check serial, time window and signature over the exact bytes, then decrypt the resource (see module)."""
        serial, timestamp = _header(headers, SERIAL), _header(headers, TIMESTAMP)
        nonce, signature = _header(headers, NONCE), _header(headers, SIGNATURE)
        key = self.public_keys.get(serial)
        if key is None:
            raise NotifyRefused("回调签名证书序列号未知", code="payment.notify.serial")
        if not timestamp.isdigit() or abs(int(now.timestamp()) - int(timestamp)) > self.window_s:
            raise NotifyRefused("回调时间戳超出允许的 5 分钟范围（可能是重放的旧通知）", code="payment.notify.stale")
        try:
            key.verify(base64.b64decode(signature, validate=True), message(timestamp, nonce, body),
                       padding.PKCS1v15(), hashes.SHA256())  # fmt: skip
        except (InvalidSignature, ValueError) as exc:
            raise NotifyRefused("回调签名验证失败", code="payment.notify.signature") from exc
        try:
            envelope = json.loads(body)
            resource = envelope["resource"]
            if resource.get("algorithm") != AEAD:
                raise NotifyMalformed("回调资源的加密算法不受支持", code="payment.notify.algorithm")
            plain = decrypt_resource(self.api_v3_key, resource["ciphertext"],
                                     associated_data=resource.get("associated_data", ""),
                                     nonce=resource["nonce"])  # fmt: skip
            return Verified(envelope, json.loads(plain), serial, timestamp, nonce)
        except InvalidTag as exc:
            raise NotifyRefused("回调资源解密失败（密钥或内容不符）", code="payment.notify.decrypt") from exc
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise NotifyMalformed("回调内容格式不正确", code="payment.notify.malformed") from exc
