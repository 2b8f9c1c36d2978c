"""What elsewhere points at units and officers, so org can refuse a delete without importing those packages.

The packages built on org (identity, intake, dispatching, cases) declare their references next to their tables
(``unit_referenced_by``, ``officer_referenced_by``), and what must go with a deleted officer or vehicle
(``on_subject_deleted``); org only walks the lists. Declaring beside the model means a table that points at a
unit cannot be imported without its reference being known.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.core.errors import Conflict


@dataclass(frozen=True)
class Reference:
    column: Any  # a mapped column holding the referenced id
    message: str  # zh-CN refusal
    code: str


_unit_references: list[Reference] = []
_officer_references: list[Reference] = []
_device_references: list[Reference] = []
_subject_deleted: list[Callable[[Session, str, uuid.UUID], None]] = []
_officer_accounts: list[Callable[[Session, list[uuid.UUID]], dict[uuid.UUID, uuid.UUID]]] = []


def unit_referenced_by(column: Any, what: str) -> None:
    """Rows whose ``column`` holds a unit id keep that unit from being deleted (409 ``org_unit.in_use``)."""
    _unit_references.append(Reference(column, f"该单位下还有{what}，不能删除", "org_unit.in_use"))


def officer_referenced_by(column: Any, message: str, code: str) -> None:
    """Rows whose ``column`` holds an officer id keep that officer from being deleted (409 ``code``)."""
    _officer_references.append(Reference(column, message, code))


def device_referenced_by(column: Any, message: str, code: str = "device.in_use") -> None:
    """Rows whose ``column`` holds a device id keep that device from being deleted (409 ``code``)."""
    _device_references.append(Reference(column, message, code))


def refuse_device_delete(session: Session, device_id: uuid.UUID) -> None:
    refuse_if_referenced(session, _device_references, device_id)


def on_subject_deleted(forget: Callable[[Session, str, uuid.UUID], None]) -> None:
    """``forget(session, kind, id)`` runs when an officer (kind "officer") or vehicle ("vehicle") is deleted."""
    _subject_deleted.append(forget)


def officer_accounts_from(lookup: Callable[[Session, list[uuid.UUID]], dict[uuid.UUID, uuid.UUID]]) -> None:
    """``lookup(session, officer_ids)`` → {officer id: login account id}, shown on an officer's record."""
    _officer_accounts.append(lookup)


def refuse_if_referenced(session: Session, references: list[Reference], id: uuid.UUID) -> None:
    for reference in references:
        if session.scalars(select(reference.column).where(reference.column == id).limit(1)).first() is not None:
            raise Conflict(reference.message, code=reference.code)


def refuse_unit_delete(session: Session, unit_id: uuid.UUID) -> None:
    refuse_if_referenced(session, _unit_references, unit_id)


def refuse_officer_delete(session: Session, officer_id: uuid.UUID) -> None:
    refuse_if_referenced(session, _officer_references, officer_id)


def subject_deleted(session: Session, kind: str, subject_id: uuid.UUID) -> None:
    for forget in _subject_deleted:
        forget(session, kind, subject_id)


def officer_accounts(session: Session, officer_ids: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    found: dict[uuid.UUID, uuid.UUID] = {}
    for lookup in _officer_accounts:
        found |= lookup(session, officer_ids)
    return found
