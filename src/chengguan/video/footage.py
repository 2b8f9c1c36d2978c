"""Footage and snapshots of the mobile devices — drones (无人机), relay vehicles (中继车), body cameras (执法记录仪) —
and of fixed cameras, attached to a case source or a case as machine-recorded evidence (电子技术监控设备记录).

The device must be a video device of the caller's data scope, and it must stand under 《行政处罚法》第四十一条 today
(both reviews passed, calibration current, site published): a recording of any other device is not evidence (第二款),
so it is refused here rather than stored as if it were. The file goes through the same path as every evidence file
(type from the content, SHA-256 and SM3, the content-addressed store, the hash-chained ledger) and starts its
two-level review; on a case source it waits for the case opened from it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import BinaryIO

from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import Conflict, NotFound, field_error
from chengguan.core.principals import StaffPrincipal
from chengguan.evidence import service as evidence
from chengguan.evidence.enums import EvidenceOrigin
from chengguan.evidence.models import EvidenceItem
from chengguan.org.enums import DEVICE_KIND_LABELS
from chengguan.org.models import Device
from chengguan.video import repository
from chengguan.video.registry import standing_of


def device_in_scope(session: Session, principal: StaffPrincipal, code: str) -> Device:
    device = session.scalar(repository.readable_devices(principal).where(Device.code == code))
    if device is None:
        raise NotFound(f"设备编号 {code} 不存在或不在您的数据权限范围内", code="video.camera_not_found")
    return device


def attach(
    session: Session,
    settings: Settings,
    principal: StaffPrincipal,
    device_code: str,
    data: BinaryIO,
    *,
    filename: str,
    mime: str | None,
    source_id: uuid.UUID | None,
    case_id: uuid.UUID | None,
    captured_at: datetime | None,
    lng: float | None,
    lat: float | None,
    address: str | None,
    title: str | None,
    description: str | None,
) -> EvidenceItem:
    """Fix the recording on the case source or the case (exactly one of them)."""
    if (source_id is None) == (case_id is None):
        raise field_error("source_id", "须指定案源 source_id 或案件 case_id 之一", code="video.target_required")
    device = device_in_scope(session, principal, device_code)
    review = repository.review_of(session, device.id)
    st = standing_of(review, clock.local_now().date())
    kind = DEVICE_KIND_LABELS[device.kind]
    if not st.evidence_capable:
        raise Conflict(
            f"{kind}「{device.name}」{st.label}：未经法制和技术审核的设备记录不得作为证据（《行政处罚法》第四十一条）",
            code="video.device_not_reviewed",
        )
    title = title or f"{kind}记录：{device.name}"
    address = address or (review.site if review else None)
    if case_id is not None:
        return evidence.record(
            session, settings, principal, case_id, data, filename=filename, mime=mime, origin=EvidenceOrigin.machine,
            captured_at=captured_at, lng=lng if lng is not None else device.lng,
            lat=lat if lat is not None else device.lat, address=address, device=device.code, title=title,
            description=description,
        )  # fmt: skip
    assert source_id is not None
    return evidence.record_on_source(
        session, settings, principal, source_id, data, filename=filename, mime=mime, captured_at=captured_at,
        lng=lng if lng is not None else device.lng, lat=lat if lat is not None else device.lat, address=address,
        device=device.code, title=title, description=description,
    )  # fmt: skip
