"""The simulated gateway's secrets: an RSA-2048 key pair (it signs callbacks) and the 32-character API v3 key it
shares with the merchant (it encrypts the callbacks' resource). Generated on first use into
``CHENGGUAN_DATA_DIR/keys/sim-gateway.json`` (mode 0600, never committed); every process of the instance — the
server, ``chengguan pay-sim``, the demo loader — reads the same file."""

from __future__ import annotations

import json
import os
import secrets
import string
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chengguan.core.config import Settings
from chengguan.payments.signing import serial_of

FILE = "sim-gateway.json"
MCHID, APPID = "1900000109", "wxd930ea5d5a258f4f"  # the simulated merchant number and app (WeChat's doc examples)
_lock = threading.Lock()


@dataclass(frozen=True)
class GatewayKeys:
    private_key: rsa.RSAPrivateKey
    api_v3_key: bytes
    serial: str

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        return self.private_key.public_key()


def path_of(settings: Settings) -> Path:
    return Path(settings.data_dir) / "keys" / FILE


def _create(path: Path) -> None:
    """Write a new key file unless another process got there first (O_EXCL: the first writer wins)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()  # fmt: skip
    api_v3 = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"private_key_pem": pem, "api_v3_key": api_v3, "mchid": MCHID, "appid": APPID}, fh)
    try:
        os.link(tmp, path)  # atomic and refuses to replace: two processes never end up with different keys
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int) -> GatewayKeys:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    key = serialization.load_pem_private_key(data["private_key_pem"].encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return GatewayKeys(key, data["api_v3_key"].encode(), serial_of(key.public_key()))


def gateway_keys(settings: Settings) -> GatewayKeys:
    """The instance's simulated-gateway keys, created on first use (parsed once per file version)."""
    path = path_of(settings)
    if not path.exists():
        with _lock:
            if not path.exists():
                _create(path)
    return _load(str(path), path.stat().st_mtime_ns)
