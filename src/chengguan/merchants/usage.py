"""What elsewhere points at a shop, so merchants can refuse its delete without importing those packages (the way
org.usage does for units and officers): the packages built on merchants declare their references beside their tables.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from chengguan.org.usage import Reference, refuse_if_referenced

_references: list[Reference] = []


def merchant_referenced_by(column: Any, message: str, code: str) -> None:
    """Rows whose ``column`` holds a merchant id keep that shop from being deleted (409 ``code``)."""
    _references.append(Reference(column, message, code))


def refuse_merchant_delete(session: Session, merchant_id: uuid.UUID) -> None:
    refuse_if_referenced(session, _references, merchant_id)
