"""Queries of video patrol. Cameras are scoped by their unit (the device register's data scope); alarms by their
camera's unit."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from chengguan.core.errors import NotFound
from chengguan.core.principals import StaffPrincipal
from chengguan.org.enums import DeviceKind
from chengguan.org.models import Device
from chengguan.org.scope import scope_clause
from chengguan.video.models import CameraReview, VideoAlarm, VideoEngineState, VideoZone

# Devices whose pictures feed video patrol: fixed cameras, and the mobile ones — body cameras, drones, relay vehicles
# (中继车) — whose detections, snapshots and footage attach the same way.
VIDEO_KINDS = (DeviceKind.camera, DeviceKind.body_camera, DeviceKind.drone, DeviceKind.relay_vehicle)


def readable_devices(principal: StaffPrincipal) -> Select[tuple[Device]]:
    """The video devices in the principal's data scope."""
    return select(Device).where(Device.kind.in_(VIDEO_KINDS), scope_clause(principal, Device.unit_id))


def load_device(session: Session, principal: StaffPrincipal, device_id: uuid.UUID) -> Device:
    """A video device the principal may read; 404 otherwise."""
    device = session.scalar(readable_devices(principal).where(Device.id == device_id))
    if device is None:
        raise NotFound("设备不存在或不在您的数据权限范围内", code="video.camera_not_found")
    return device


def device_by_code(session: Session, code: str) -> Device | None:
    return session.scalar(select(Device).where(Device.code == code, Device.kind.in_(VIDEO_KINDS)))


def review_of(session: Session, device_id: uuid.UUID) -> CameraReview | None:
    return session.get(CameraReview, device_id)


def reviews(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, CameraReview]:
    if not ids:
        return {}
    return {r.device_id: r for r in session.scalars(select(CameraReview).where(CameraReview.device_id.in_(ids)))}


def states(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, VideoEngineState]:
    if not ids:
        return {}
    rows = session.scalars(select(VideoEngineState).where(VideoEngineState.device_id.in_(ids)))
    return {r.device_id: r for r in rows}


def zones_of(session: Session, device_id: uuid.UUID) -> list[VideoZone]:
    statement = select(VideoZone).where(VideoZone.device_id == device_id)
    return list(session.scalars(statement.order_by(VideoZone.sort_order, VideoZone.name)))


def zone_counts(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not ids:
        return {}
    statement = select(VideoZone.device_id, func.count()).where(VideoZone.device_id.in_(ids))
    return dict(session.execute(statement.group_by(VideoZone.device_id)).tuples().all())


def alarm_counts(session: Session, ids: list[uuid.UUID], since: datetime) -> dict[uuid.UUID, int]:
    if not ids:
        return {}
    statement = select(VideoAlarm.device_id, func.count()).where(
        VideoAlarm.device_id.in_(ids), VideoAlarm.raised_at >= since
    )
    return dict(session.execute(statement.group_by(VideoAlarm.device_id)).tuples().all())


def readable_alarms(principal: StaffPrincipal) -> Select[tuple[VideoAlarm]]:
    """Alarms of the cameras in the principal's data scope."""
    return (
        select(VideoAlarm)
        .join(Device, Device.id == VideoAlarm.device_id)
        .where(scope_clause(principal, Device.unit_id))
    )
