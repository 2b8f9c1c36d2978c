"""Timeline entries (全过程记录): who did what, when — appended, never updated — and the idempotency-key lookup that
lets a retried request find the entry of its first attempt.

Shared by the case source's timeline and the penalty case's (``cases.timeline``), which builds on case sources."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from chengguan.core.principals import Actor

E = TypeVar("E")


def entry(
    model: type[E],
    actor: Actor,
    at: datetime,
    action: str,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
    key: str | None = None,
    **owner: Any,
) -> E:
    """One entry of ``model`` (a timeline table) by ``actor``; ``owner`` names the row it belongs to (and any column
    the table adds); ``key`` is the request's idempotency key, if any."""
    return model(
        at=at,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor_type=actor.actor_type,
        actor_id=actor.actor_id,
        actor_name=actor.actor_name,
        reason=reason,
        data=data,
        idempotency_key=key,
        **owner,
    )


def recorded(session: Session, model: type[Any], owner: ColumnElement[bool], key: str) -> bool:
    """Whether the timeline of the row ``owner`` selects already holds an entry made under idempotency key ``key``."""
    return session.scalar(select(model.id).where(owner, model.idempotency_key == key).limit(1)) is not None
