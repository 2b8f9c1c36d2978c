"""Where the personal-data keyring lives: outside the database, in a file (default ``data_dir/keys/field-keys.json``,
mode 0600) or in the ``CHENGGUAN_FIELD_KEY`` variable (the same JSON, for a secret manager).

The file holds every data key still needed to read stored values (by id), which one encrypts new values, and the
index key of the search hashes (never rotated with the data keys: rotating it would re-hash every lookup column)::

    {"format": "chengguan-field-keys/1", "current": "1a2b3c4d",
     "keys": {"1a2b3c4d": {"secret": "<base64, 32 bytes>", "created_at": "2026-12-08T09:00:00+08:00"}},
     "index": {"alg": "hmac-sm3", "secret": "<base64, 32 bytes>"}}

Outside production a missing file is created on first need (``chengguan migrate``, the demo, the app); production
never creates one — it refuses to start, so that a lost key is noticed, not replaced by a new one that cannot read
the data.
"""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chengguan.core.config import Environment, FieldCipher, Settings
from chengguan.core.fieldcrypt import INDEX_SHA256, INDEX_SM3, Keyring, new_key_id

FORMAT = "chengguan-field-keys/1"


class FieldKeyMissing(RuntimeError):
    """No keyring where the settings say (message in zh-CN, for the operator)."""


def new_keyring(cipher: FieldCipher | str = FieldCipher.sm4) -> Keyring:
    """A fresh keyring: one data key, an index key whose HMAC follows the cipher family (SM3 with SM4)."""
    cipher = FieldCipher(cipher)
    index_alg = INDEX_SHA256 if cipher is FieldCipher.aes else INDEX_SM3
    kid = new_key_id()
    return Keyring({kid: os.urandom(32)}, kid, os.urandom(32), index_alg, cipher.value)


def to_json(ring: Keyring, created: dict[str, str] | None = None) -> str:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    keys = {
        kid: {"secret": base64.b64encode(secret).decode(), "created_at": (created or {}).get(kid, now)}
        for kid, secret in ring.keys.items()
    }
    index = {"alg": ring.index_alg, "secret": base64.b64encode(ring.index_key).decode()}
    return json.dumps({"format": FORMAT, "current": ring.current, "keys": keys, "index": index}, indent=2)


def from_json(text: str, cipher: FieldCipher | str) -> Keyring:
    try:
        data: dict[str, Any] = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}")
        keys = {kid: base64.b64decode(entry["secret"], validate=True) for kid, entry in data["keys"].items()}
        index = data["index"]
        return Keyring(keys, data["current"], base64.b64decode(index["secret"], validate=True), index["alg"],
                       FieldCipher(cipher).value)  # fmt: skip
    except (ValueError, KeyError, TypeError) as exc:
        raise FieldKeyMissing(f"字段加密密钥无法读取（{exc}）：请检查 CHENGGUAN_FIELD_KEY / 密钥文件") from exc


def created_dates(text: str) -> dict[str, str]:
    return {kid: entry.get("created_at", "") for kid, entry in json.loads(text)["keys"].items()}


def write_keyring(path: Path, ring: Keyring, created: dict[str, str] | None = None) -> None:
    """Write the keyring file (0600) atomically: a crash leaves the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(to_json(ring, created))
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def may_create(settings: Settings) -> bool:
    """Whether a missing keyring may be created for these settings: never in production, nor when it is given inline."""
    return settings.env is not Environment.production and settings.field_key is None


def load_keyring(settings: Settings, *, create: bool = False) -> Keyring:
    """The keyring of these settings; with ``create`` (outside production only) a new one where none exists yet."""
    if settings.field_key is not None:
        return from_json(settings.field_key.get_secret_value(), settings.field_cipher)
    path = settings.field_key_path
    if not path.is_file():
        if not (create and may_create(settings)):
            raise FieldKeyMissing(
                f"字段加密密钥文件不存在：{path}。生产环境须先用 chengguan init-keys 生成密钥并按运维手册保管"
                "（CHENGGUAN_FIELD_KEY_FILE 指定位置）；开发环境运行 chengguan migrate 会自动生成。"
            )
        write_keyring(path, new_keyring(settings.field_cipher))
    return from_json(path.read_text(encoding="utf-8"), settings.field_cipher)


def rotate_keyring(settings: Settings) -> tuple[Keyring, str]:
    """Add a new data key to the keyring file and make it current (the old ones stay, to read what they encrypted);
    returns the keyring and the new key's id."""
    if settings.field_key is not None:
        raise FieldKeyMissing("密钥由 CHENGGUAN_FIELD_KEY 直接给出，无法在此轮换：请在密钥管理处更新后重启")
    ring = load_keyring(settings)
    path = settings.field_key_path
    created = created_dates(path.read_text(encoding="utf-8"))
    kid = new_key_id(set(ring.keys))
    ring = Keyring({**ring.keys, kid: os.urandom(32)}, kid, ring.index_key, ring.index_alg, ring.cipher)
    write_keyring(path, ring, created)
    return ring, kid


def retire_keys(settings: Settings, keep: set[str]) -> list[str]:
    """Remove the data keys no stored value needs any more (``keep``: those still in use, the current one always)."""
    ring = load_keyring(settings)
    path = settings.field_key_path
    created = created_dates(path.read_text(encoding="utf-8"))
    kept = {kid: secret for kid, secret in ring.keys.items() if kid in keep or kid == ring.current}
    retired = sorted(set(ring.keys) - set(kept))
    if retired:
        write_keyring(path, Keyring(kept, ring.current, ring.index_key, ring.index_alg, ring.cipher), created)
    return retired
