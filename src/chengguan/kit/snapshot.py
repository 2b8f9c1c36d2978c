"""Before/after summaries of ORM rows for the audit log."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect

from chengguan.core.fieldtypes import Encrypted, EncryptedJSON, SearchHash
from chengguan.core.masking import mask_address, mask_id_no, mask_phone

NEVER_LOGGED = frozenset({"password_hash", "created_at", "updated_at", "geometry"})
# Personal data enters the audit log masked: the log is kept for years and read by auditors, not case handlers.
_MASKS = {"id_no": mask_id_no, "phone": mask_phone, "address": mask_address}


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(obj: Any, *, exclude: frozenset[str] = NEVER_LOGGED) -> dict[str, Any]:
    """The row's column values, JSON-safe, without secrets and bulky geometry; encrypted personal data masked and
    its search hashes left out."""
    mapper = inspect(obj).mapper
    out = {}
    for attr in mapper.column_attrs:
        column_type = attr.columns[0].type
        if attr.key in exclude or isinstance(column_type, SearchHash):
            continue
        value = getattr(obj, attr.key)
        if isinstance(column_type, Encrypted | EncryptedJSON) and value is not None:
            mask = _MASKS.get(column_type.kind)
            value = mask(value) if mask and isinstance(value, str) else "（已加密）"
        out[attr.key] = _jsonable(value)
    return out


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Only the fields that changed, as ``{"before": {...}, "after": {...}}``."""
    keys = sorted(k for k in after if before.get(k) != after.get(k))
    return {"before": {k: before.get(k) for k in keys}, "after": {k: after[k] for k in keys}}


def as_dict(obj: Any) -> dict[str, Any]:
    """The row's column values as Python objects (to build read schemas with extra fields)."""
    return {a.key: getattr(obj, a.key) for a in inspect(obj).mapper.column_attrs}
