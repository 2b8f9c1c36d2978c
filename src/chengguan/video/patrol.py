"""Video patrol (视频轮巡) for the command center: cameras grouped by street (the squad that owns them), each with
its latest snapshot and latest alarm, for a wall that rotates through the groups."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chengguan.core.principals import StaffPrincipal
from chengguan.video.models import VideoAlarm
from chengguan.video.registry import cameras
from chengguan.video.schemas import CameraRead


class PatrolCamera(BaseModel):
    camera: CameraRead
    last_alarm_id: uuid.UUID | None
    last_alarm_at: datetime | None


class PatrolGroup(BaseModel):
    street: str
    cameras: list[PatrolCamera]


def groups(session: Session, principal: StaffPrincipal) -> list[PatrolGroup]:
    """Fixed cameras in scope by street, streets in name order; the cameras with the freshest alarm first."""
    found = [c for c in cameras(session, principal) if c.kind == "camera"]
    latest = select(VideoAlarm.device_id, func.max(VideoAlarm.raised_at)).group_by(VideoAlarm.device_id)
    last_at = dict(session.execute(latest.where(VideoAlarm.device_id.in_([c.id for c in found]))).tuples().all())
    last_id: dict[uuid.UUID, uuid.UUID] = {}
    if last_at:
        rows = session.execute(
            select(VideoAlarm.device_id, VideoAlarm.id, VideoAlarm.raised_at).where(
                VideoAlarm.device_id.in_(list(last_at))
            )
        ).all()
        last_id = {d: i for d, i, at in rows if at == last_at[d]}
    by_street: dict[str, list[PatrolCamera]] = defaultdict(list)
    for c in found:
        item = PatrolCamera(camera=c, last_alarm_id=last_id.get(c.id), last_alarm_at=last_at.get(c.id))
        by_street[c.unit].append(item)
    out = []
    for street in sorted(by_street):
        items = sorted(by_street[street], key=_freshest_first)
        out.append(PatrolGroup(street=street, cameras=items))
    return out


def _freshest_first(p: PatrolCamera) -> tuple[float, str]:
    return (-p.last_alarm_at.timestamp() if p.last_alarm_at else float("inf"), p.camera.code)
