"""Signed archive files of the audit log (JSON lines): what leaves the database after the retention period.

Line 1 is the header (the hash the first entry chains to, the cut-off), then one line per entry as exported
(audit.export: every hashed field and the hash), then a summary (range, count, the last entry's hash), then the
signature line: HMAC-SHA256 over all bytes before it, keyed from CHENGGUAN_SECRET_KEY. The entries chain by
themselves, so anyone can re-verify the file's chain; the HMAC says the platform wrote it; the database's checkpoint
row keeps the file's SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chengguan.audit.chain import canonical, entry_hash
from chengguan.audit.export import line

FORMAT = "chengguan-audit-archive/1"
SIGNED = "HMAC-SHA256"


def signing_key(secret: str) -> bytes:
    """The archive key, derived from the platform secret (a key of its own purpose, not the token secret itself)."""
    return hmac.new(secret.encode(), b"chengguan audit archive v1", hashlib.sha256).digest()


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


@dataclass(frozen=True)
class Written:
    path: Path
    sha256: str
    first_seq: int
    last_seq: int
    last_hash: str
    entries: int


def write(path: Path, header: dict[str, Any], records: Iterable[dict[str, Any]], key: bytes) -> Written:
    """Write header, records and the signature to ``path`` (via a temporary file, fsynced, renamed into place)."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    digest = hashlib.sha256()
    temporary = path.with_name(path.name + ".tmp")
    first = last = count = 0
    last_hash = header["prev_hash"]
    with temporary.open("wb") as out:

        def put(text: str, *, signed: bool = True) -> None:
            data = (text + "\n").encode()
            if signed:
                mac.update(data)
            digest.update(data)
            out.write(data)

        put(line({"format": FORMAT, **header}))
        for record in records:
            first = first or record["seq"]
            last, last_hash, count = record["seq"], record["hash"], count + 1
            put(line(record))
        put(line({"summary": {"first_seq": first, "last_seq": last, "last_hash": last_hash, "entries": count}}))
        put(line({"signature": {"alg": SIGNED, "key_id": key_id(key), "value": mac.hexdigest()}}), signed=False)
        out.flush()
        os.fsync(out.fileno())
    temporary.replace(path)
    return Written(path, digest.hexdigest(), first, last, last_hash, count)


@dataclass(frozen=True)
class ArchiveCheck:
    ok: bool
    message: str  # zh-CN
    first_seq: int = 0
    last_seq: int = 0
    prev_hash: str = ""
    last_hash: str = ""
    sha256: str = ""


def verify(path: Path, key: bytes) -> ArchiveCheck:
    """The file's signature, and its entries' hashes and links from the header's ``prev_hash`` to the summary."""
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    lines = data.split(b"\n")
    if len(lines) < 4 or lines[-1] != b"":
        return ArchiveCheck(False, f"{path.name}：文件不完整", sha256=sha)
    signed, footer = lines[:-2], lines[-2]
    try:
        header, summary = json.loads(signed[0]), json.loads(signed[-1])["summary"]
        signature = json.loads(footer)["signature"]
    except (ValueError, KeyError, TypeError):
        return ArchiveCheck(False, f"{path.name}：不是审计归档文件", sha256=sha)
    if header.get("format") != FORMAT:
        return ArchiveCheck(False, f"{path.name}：格式不符（{header.get('format')}）", sha256=sha)
    expected = hmac.new(key, b"".join(x + b"\n" for x in signed), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, str(signature.get("value", ""))):
        why = f"签名不符（文件被改动，或密钥 {signature.get('key_id')} 不是本平台当前的密钥）"
        return ArchiveCheck(False, f"{path.name}：{why}", sha256=sha)
    prev, seq = header["prev_hash"], summary["first_seq"] - 1
    for raw in signed[1:-1]:
        record = json.loads(raw)
        fields = {k: v for k, v in record.items() if k != "hash"}
        if record["seq"] != seq + 1:
            return ArchiveCheck(False, f"{path.name}：序号 {seq + 1} 的记录缺失", sha256=sha)
        if record["prev_hash"] != prev or entry_hash(canonical(fields)) != record["hash"]:
            return ArchiveCheck(False, f"{path.name}：序号 {record['seq']} 的记录与哈希链不符", sha256=sha)
        prev, seq = record["hash"], record["seq"]
    if (seq, prev, len(signed) - 2) != (summary["last_seq"], summary["last_hash"], summary["entries"]):
        return ArchiveCheck(False, f"{path.name}：记录与文件的范围说明不符", sha256=sha)
    text = f"{path.name}：序号 {summary['first_seq']}–{seq}，共 {summary['entries']} 条，签名与哈希链完整"
    return ArchiveCheck(True, text, summary["first_seq"], seq, header["prev_hash"], prev, sha)
