"""Auditing in one call: what a module writes to the hash-chained log when it acts, serves a file or refuses.

- ``record(session, who, action, target_type, target_id, …)`` — an act, in the caller's unit of work (it commits or
  rolls back with the act it records);
- ``download(session, who, target_type, target_id, …)`` — a file or export handed out. A download is a GET on a
  read-only session, so the entry is written in a short transaction of its own before the bytes leave (and a download
  whose entry cannot be written fails instead of going unrecorded);
- ``refused(who, target_type, target_id, reason, status=…)`` — the note a refusal carries
  (``raise NotFound(…).noting(refused(…))``): written after the request's rollback (core.auditnotes);
- ``after(session, note)`` — any entry that must survive the request's failure, in its own transaction.

Every entry carries the actor's trusted client address (core.clientaddr, via the principal). Summaries hold names and
codes, never personal data (ID/phone numbers, addresses): the log is hash-chained and can never be re-encrypted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from chengguan.audit import service
from chengguan.audit.models import AuditEntry
from chengguan.core import auditnotes, versions
from chengguan.core.auditnotes import AuditNote, refusal
from chengguan.core.db import Database
from chengguan.core.principals import Actor, MerchantPrincipal, PublicPrincipal, StaffPrincipal

Who = StaffPrincipal | MerchantPrincipal | PublicPrincipal | Actor

DOWNLOAD = "download"
REFUSED = auditnotes.REFUSED
__all__ = ["DOWNLOAD", "REFUSED", "after", "download", "record", "refused"]


def actor_of(who: Who) -> Actor:
    return who if isinstance(who, Actor) else who.actor


def record(
    session: Session,
    who: Who,
    action: str,
    target_type: str,
    target_id: Any = None,
    label: str | None = None,
    **summary: Any,
) -> AuditEntry:
    """Append one entry for an act in the caller's unit of work; ``summary`` keywords become its summary."""
    return service.record(
        session, actor_of(who), action, target_type=target_type, target_id=target_id, target_label=label,
        summary=summary,
    )  # fmt: skip


def _write(db: Database, note: AuditNote) -> None:
    with db.session() as session, session.begin():
        service.record(
            session, note.actor, note.action, target_type=note.target_type, target_id=note.target_id,
            target_label=note.target_label, summary=note.summary,
        )  # fmt: skip


def _wrote(session: Session) -> bool:
    return session.in_transaction() and versions.wrote(session.connection())


def after(session: Session, note: AuditNote) -> None:
    """Write ``note`` now: in ``session`` when it is a write session (its request commits it), otherwise in a short
    write transaction of its own, committed before this returns (raises if it cannot be written). A read session
    that has already written goes with its own writes: on SQLite a second transaction would wait for the lock it
    holds."""
    if session.info.get("write", True) or "database" not in session.info or _wrote(session):
        service.record(
            session, note.actor, note.action, target_type=note.target_type, target_id=note.target_id,
            target_label=note.target_label, summary=note.summary,
        )  # fmt: skip
        return
    _write(session.info["database"], note)


def download(
    session: Session,
    who: Who,
    target_type: str,
    target_id: Any,
    label: str | None = None,
    *,
    action: str | None = None,
    **summary: Any,
) -> None:
    """Record that ``who`` took a file or export (``<target_type>.download`` unless ``action`` says otherwise)."""
    note = AuditNote(
        actor_of(who),
        action or f"{target_type}.{DOWNLOAD}",
        target_type,
        str(target_id) if target_id is not None else None,
        label,
        summary,
    )
    after(session, note)


def refused(
    who: StaffPrincipal | Actor,
    target_type: str,
    target_id: Any,
    reason: str,
    *,
    status: int = 404,
    label: str | None = None,
    **details: Any,
) -> AuditNote:
    """The ``access.refused`` note of a refusal (attach it: ``raise NotFound(…).noting(refused(…))``)."""
    return refusal(who, target_type, target_id, reason, status=status, label=label, **details)


auditnotes.wire(_write)  # refusals noted anywhere are written here after their request's rollback
