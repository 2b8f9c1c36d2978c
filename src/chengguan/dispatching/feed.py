"""What the command map (一张图) draws of people and vehicles: live positions with names, duty status, whether the
fix is a real device's or the simulator's, and each officer's latest 上班/下班 switch (when, by whom)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.config import get_settings
from chengguan.dispatching import duty
from chengguan.dispatching.models import Position, SubjectKind
from chengguan.org.models import Officer, Vehicle

SWITCHES_SHOWN = timedelta(hours=24)


def snapshot(session: Session, unit_ids: set[uuid.UUID] | None, since: datetime | None = None) -> list[dict[str, Any]]:
    """Live positions (with names) the map shows, optionally limited to some units or to changes since ``since``."""
    now = clock.now()
    stale_before = now - timedelta(minutes=get_settings().position_stale_minutes)
    rows = session.execute(
        select(Position, Officer.name, Vehicle.plate_no)
        .outerjoin(Officer, (Officer.id == Position.subject_id) & (Position.subject_kind == SubjectKind.officer))
        .outerjoin(Vehicle, (Vehicle.id == Position.subject_id) & (Position.subject_kind == SubjectKind.vehicle))
        .where(Position.received_at > since if since is not None else Position.received_at.is_not(None))
    ).tuples()
    shown = [(p, o, v) for p, o, v in rows if unit_ids is None or p.unit_id in unit_ids]
    officers = {p.subject_id for p, _, _ in shown if p.subject_kind is SubjectKind.officer}
    # The whole map shows the switches of the last day (the log grows by two rows per officer and day); a change
    # pushed by the stream looks up just the officers it carries.
    switches = duty.latest(session, since=now - SWITCHES_SHOWN) if since is None else duty.latest(session, officers)
    out = []
    for p, officer_name, plate in shown:
        switched = switches.get(p.subject_id) if p.subject_kind is SubjectKind.officer else None
        out.append(
            {
                "kind": p.subject_kind.value,
                "id": str(p.subject_id),
                "name": officer_name or plate or "",
                "unit_id": str(p.unit_id) if p.unit_id else None,
                "lng": p.lng,
                "lat": p.lat,
                "at": p.at.isoformat(),
                "status": p.status.value,
                "stale": p.at < stale_before,
                "speed_mps": p.speed_mps,
                "heading": p.heading,
                "source": p.source.value,
                "device_at": p.device_at.isoformat() if p.device_at else None,
                "duty_switch": None
                if switched is None
                else {"on_duty": switched.on_duty, "at": switched.at.isoformat(), "by": switched.actor_name},
            }
        )
    return out
