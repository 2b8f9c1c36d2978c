"""Audit entries that must outlive the request that raised them: a refused access, a failed login.

A refusal is an error, and the request's unit of work is rolled back on errors — with whatever the request wrote to
the audit log. So whoever refuses attaches an ``AuditNote`` to the error (``DomainError.noting``) and the session
dependency (core.db.get_session), once the failed unit of work is rolled back and closed, hands the note to the
writer the audit package wired here; it writes the entry in a short transaction of its own. In core because every
layer refuses (kit's CRUD, org's scope checks, the routers' permission checks) and only audit may write the log.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from chengguan.core.principals import Actor, StaffPrincipal

log = logging.getLogger("chengguan.audit")

REFUSED = "access.refused"


@dataclass(frozen=True)
class AuditNote:
    """One audit entry to write after the request's unit of work failed (the arguments of audit.service.record)."""

    actor: Actor
    action: str
    target_type: str
    target_id: str | None = None
    target_label: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)

    def about(self, target_type: str, target_id: Any, label: str | None = None, **details: Any) -> AuditNote:
        """The same note about another object: a refused case refuses the evidence or document asked for, which
        the entry names (the case goes into the summary)."""
        summary = {**self.summary, f"{self.target_type}_id": self.target_id, **details}
        if self.target_label:
            summary[f"{self.target_type}_label"] = self.target_label
        return replace(self, target_type=target_type, target_id=str(target_id), target_label=label, summary=summary)


NoteWriter = Callable[[Any, AuditNote], None]  # (core.db.Database, note) → writes and commits it


class _Wiring:
    writer: NoteWriter | None = None


def wire(writer: NoteWriter) -> None:
    """The audit package's writer (audit.events wires it when imported)."""
    _Wiring.writer = writer


def refusal(
    who: StaffPrincipal | Actor,
    target_type: str,
    target_id: Any,
    reason: str,
    *,
    status: int,
    label: str | None = None,
    **details: Any,
) -> AuditNote:
    """The ``access.refused`` entry of a data-scope (or permission) refusal: who, which object, why, which status."""
    actor = who.actor if isinstance(who, StaffPrincipal) else who
    return AuditNote(
        actor,
        REFUSED,
        target_type,
        str(target_id) if target_id is not None else None,
        label,
        {"reason": reason, "status": status, **details},
    )


def write_after(db: Any, note: AuditNote) -> None:
    """Write ``note`` in a transaction of its own; never raises (a refusal stays a 403/404, not a 500). An entry
    that cannot be written is logged in full at ERROR instead, so it reaches the process log and syslog at least."""
    writer = _Wiring.writer
    try:
        if writer is None:
            raise RuntimeError("no audit writer wired (import chengguan.audit.events)")
        writer(db, note)
    except Exception:
        log.exception("audit entry lost from the database, kept here: %s", _as_json(note))


def _as_json(note: AuditNote) -> str:
    def default(value: Any) -> str:
        return str(value) if isinstance(value, uuid.UUID) else repr(value)

    return json.dumps(asdict(note), ensure_ascii=False, default=default)
