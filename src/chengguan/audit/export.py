"""The audit log as JSON lines for a central log system (SIEM, 日志审计系统): one object per entry, with every field
its hash covers and the hash, so the receiver can re-verify the chain itself (``prev_hash`` of one line is the
``hash`` of the line before)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from chengguan.audit.chain import hashed_fields
from chengguan.audit.models import AuditEntry


def entry_record(entry: AuditEntry) -> dict[str, Any]:
    """The entry as exported: the hashed fields plus ``hash``."""
    return {**hashed_fields(entry), "hash": entry.hash}


def line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def records(
    session: Session,
    *,
    since_seq: int = 0,
    since: datetime | None = None,
    until: datetime | None = None,
    statement: Select[tuple[AuditEntry]] | None = None,
    batch: int = 2000,
) -> Iterator[dict[str, Any]]:
    """Entries after ``since_seq`` (and at or after ``since``, before ``until``) in chain order, read in pages."""
    base = statement if statement is not None else select(AuditEntry)
    if since is not None:
        base = base.where(AuditEntry.occurred_at >= since)
    if until is not None:
        base = base.where(AuditEntry.occurred_at < until)
    last = since_seq
    while True:
        page = list(session.scalars(base.where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)))
        if not page:
            return
        for entry in page:
            yield entry_record(entry)
            session.expunge(entry)
        last = page[-1].seq
