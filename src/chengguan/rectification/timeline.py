"""A notice's timeline (全过程记录): who did what to it and when — the officer, the shop, the platform's job."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.core.principals import Actor
from chengguan.rectification.enums import ACTION_LABELS, RectAction, RectStatus
from chengguan.rectification.models import Notice, NoticeEvent

EVENT_LABELS = {"issue": "发出通知", "read": "商户已查看"}


def add_event(
    session: Session,
    notice: Notice,
    action: str,
    actor: Actor,
    at: datetime,
    *,
    from_status: RectStatus | None = None,
    to_status: RectStatus | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Append one entry (never updated)."""
    session.add(NoticeEvent(
        notice_id=notice.id, at=at, action=action, from_status=from_status.value if from_status else None,
        to_status=to_status.value if to_status else None, actor_type=actor.actor_type, actor_id=actor.actor_id,
        actor_name=actor.actor_name[:100], reason=reason, data=data,
    ))  # fmt: skip


def label(action: str) -> str:
    try:
        return ACTION_LABELS[RectAction(action)]
    except ValueError:
        return EVENT_LABELS.get(action, action)


def events(session: Session, notice: Notice) -> list[NoticeEvent]:
    statement = select(NoticeEvent).where(NoticeEvent.notice_id == notice.id).order_by(NoticeEvent.at, NoticeEvent.id)
    return list(session.scalars(statement))
