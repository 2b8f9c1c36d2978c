"""Pure hash-chain rules of the audit log (no I/O)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from chengguan.core.clock import as_utc

GENESIS_HASH = "0" * 64


def hashed_fields(entry: Any) -> dict[str, Any]:
    """The fields of an entry (an AuditEntry row) covered by its hash."""
    return {
        "seq": entry.seq,
        "id": str(entry.id),
        "occurred_at": as_utc(entry.occurred_at).isoformat(),
        "actor_type": entry.actor_type,
        "actor_id": str(entry.actor_id) if entry.actor_id else None,
        "actor_name": entry.actor_name,
        "actor_unit_id": str(entry.actor_unit_id) if entry.actor_unit_id else None,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target_label": entry.target_label,
        "summary": entry.summary,
        "ip": entry.ip,
        "prev_hash": entry.prev_hash,
    }


def canonical(value: Any) -> Any:
    """JSON-normalise a summary so the hash computed at write time equals the one recomputed from the database."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False, sort_keys=True))


def entry_hash(fields: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of every field of an entry, ``prev_hash`` included (chains the entries)."""
    payload = json.dumps(canonical(fields), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()
