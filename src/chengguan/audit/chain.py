"""Pure hash-chain rules of the audit log (no I/O)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64


def canonical(value: Any) -> Any:
    """JSON-normalise a summary so the hash computed at write time equals the one recomputed from the database."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False, sort_keys=True))


def entry_hash(fields: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of every field of an entry, ``prev_hash`` included (chains the entries)."""
    payload = json.dumps(canonical(fields), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()
