"""API schemas of the audit log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from chengguan.kit.schemas import Filter, IsoDateTime, Out


class AuditRead(Out):
    id: uuid.UUID
    seq: int
    occurred_at: datetime
    actor_type: str
    actor_id: uuid.UUID | None
    actor_name: str
    action: str
    target_type: str
    target_id: str | None
    target_label: str | None
    summary: dict[str, Any]
    ip: str | None
    prev_hash: str
    hash: str


class AuditFilter(Filter):
    actor_id: uuid.UUID | None = None
    action: str | None = Field(None, max_length=60, description="动作，前缀匹配，如 user.")
    target_type: str | None = Field(None, max_length=40)
    target_id: str | None = Field(None, max_length=64)
    since: IsoDateTime | None = Field(None, description="起始时间（须带时区）")
    until: IsoDateTime | None = Field(None, description="截止时间（须带时区）")


class BreakRead(Out):
    seq: int
    id: uuid.UUID | None
    reason: str


class VerificationRead(Out):
    ok: bool
    checked: int
    first_broken: BreakRead | None
