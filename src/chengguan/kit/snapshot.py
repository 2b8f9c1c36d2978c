"""Before/after summaries of ORM rows for the audit log."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect

NEVER_LOGGED = frozenset({"password_hash", "created_at", "updated_at", "geometry"})


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(obj: Any, *, exclude: frozenset[str] = NEVER_LOGGED) -> dict[str, Any]:
    """The row's column values, JSON-safe, without secrets and bulky geometry."""
    mapper = inspect(obj).mapper
    return {a.key: _jsonable(getattr(obj, a.key)) for a in mapper.column_attrs if a.key not in exclude}


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Only the fields that changed, as ``{"before": {...}, "after": {...}}``."""
    keys = sorted(k for k in after if before.get(k) != after.get(k))
    return {"before": {k: before.get(k) for k in keys}, "after": {k: after[k] for k in keys}}


def as_dict(obj: Any) -> dict[str, Any]:
    """The row's column values as Python objects (to build read schemas with extra fields)."""
    return {a.key: getattr(obj, a.key) for a in inspect(obj).mapper.column_attrs}
