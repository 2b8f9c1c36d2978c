"""The camera register of video patrol: each device's 第四十一条 reviews (who, when, result), calibration and
published site, and its zones and rules."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, delete
from sqlalchemy.orm import Session

from chengguan.audit import events
from chengguan.core import clock
from chengguan.core.errors import Forbidden, field_error
from chengguan.core.principals import StaffPrincipal
from chengguan.law.seed import categories
from chengguan.org.enums import DEVICE_STATUS_LABELS, DeviceKind
from chengguan.org.models import Device
from chengguan.org.repository import unit_names
from chengguan.video import repository
from chengguan.video.models import CameraReview, VideoEngineState, VideoZone
from chengguan.video.schemas import CameraRead, ReviewIn, SiteIn, ZoneIn, ZoneRead
from chengguan.video.standing import Standing, standing


def standing_of(review: CameraReview | None, today: date) -> Standing:
    """The device's standing today (no review row: never reviewed)."""
    if review is None:
        return standing(legal_passed=None, technical_passed=None, calibrated_on=None, site=None, today=today)
    return standing(
        legal_passed=review.legal_passed,
        technical_passed=review.technical_passed,
        calibrated_on=review.calibrated_on,
        site=review.site,
        today=today,
    )


def camera_statement(principal: StaffPrincipal, kind: DeviceKind | None = None) -> Select[tuple[Device]]:
    """The list's video devices: in scope, of one kind, by code."""
    statement = repository.readable_devices(principal)
    if kind:
        statement = statement.where(Device.kind == kind)
    return statement.order_by(Device.code)


def cameras(session: Session, principal: StaffPrincipal, *, kind: DeviceKind | None = None) -> list[CameraRead]:
    """The video devices in scope with their review standing, zones, latest snapshot and alarms of 30 days."""
    return camera_reads(session, list(session.scalars(camera_statement(principal, kind))))


def camera(session: Session, principal: StaffPrincipal, device_id: uuid.UUID) -> CameraRead:
    return camera_reads(session, [repository.load_device(session, principal, device_id)])[0]


def camera_reads(session: Session, devices: list[Device]) -> list[CameraRead]:
    ids = [d.id for d in devices]
    reviews, states = repository.reviews(session, ids), repository.states(session, ids)
    zones = repository.zone_counts(session, ids)
    alarms = repository.alarm_counts(session, ids, clock.now() - timedelta(days=30))
    names = unit_names(session, {d.unit_id for d in devices})
    today, now = clock.local_now().date(), clock.now()
    out = []
    for d in devices:
        r, s = reviews.get(d.id), states.get(d.id)
        st = standing_of(r, today)
        out.append(
            CameraRead(
                id=d.id, code=d.code, name=d.name, kind=d.kind.value, unit=names.get(d.unit_id, ""),
                lng=d.lng, lat=d.lat, status=DEVICE_STATUS_LABELS[d.status],
                legal_passed=r.legal_passed if r else None, legal_by=r.legal_by if r else None,
                legal_at=r.legal_at if r else None, legal_opinion=r.legal_opinion if r else None,
                technical_passed=r.technical_passed if r else None, technical_by=r.technical_by if r else None,
                technical_at=r.technical_at if r else None, technical_opinion=r.technical_opinion if r else None,
                calibrated_on=r.calibrated_on if r else None, calibration_due=st.calibration_due,
                site=r.site if r else None, published_on=r.published_on if r else None,
                evidence_capable=st.evidence_capable, review_label=st.label, zones=zones.get(d.id, 0),
                snapshot=s.snapshot if s else None, snapshot_at=s.snapshot_at if s else None,
                stream_ok=s.stream_ok if s else True, stream_error=s.stream_error if s else None,
                alarms_30d=alarms.get(d.id, 0),
                throttled=bool(s and s.throttled_until and s.throttled_until > now),
                throttled_until=s.throttled_until if s else None, suppressed_alarms=s.suppressed if s else 0,
                suppressed_total=s.suppressed_total if s else 0,
            )
        )  # fmt: skip
    return out


def _review_row(session: Session, device: Device) -> CameraReview:
    row = session.get(CameraReview, device.id, with_for_update=True)
    if row is None:
        now = clock.now()
        row = CameraReview(device_id=device.id, created_at=now, updated_at=now)
        session.add(row)
    return row


def review(session: Session, principal: StaffPrincipal, device_id: uuid.UUID, which: str, body: ReviewIn) -> CameraRead:
    """Record the legal (法制审核, needs ``legal:review``) or technical (技术审核, needs ``device:write``, states the
    calibration date) review of a device; a failed review needs its opinion. Alarms already raised keep the
    standing they had (a clue does not turn into evidence afterwards)."""
    device = repository.load_device(session, principal, device_id)
    if which == "legal" and not principal.has("legal:review"):
        raise Forbidden("法制审核须由具有法制审核权限的人员进行", code="video.review_forbidden")
    if which == "technical" and not principal.has("device:write"):
        raise Forbidden("技术审核须由设备管理人员进行", code="video.review_forbidden")
    opinion = (body.opinion or "").strip() or None
    if not body.passed and not opinion:
        raise field_error("opinion", "审核不通过须写明理由", code="video.opinion_required")
    now = clock.now()
    row = _review_row(session, device)
    if which == "legal":
        row.legal_passed, row.legal_opinion, row.legal_at = body.passed, opinion, now
        row.legal_by, row.legal_by_id = principal.display_name, principal.user_id
    else:
        if body.passed and body.calibrated_on is None:
            raise field_error("calibrated_on", "技术审核通过须填写检定/校准日期", code="video.calibration_required")
        if body.calibrated_on and body.calibrated_on > clock.local_now().date():
            raise field_error("calibrated_on", "校准日期不能晚于今天")
        row.technical_passed, row.technical_opinion, row.technical_at = body.passed, opinion, now
        row.technical_by, row.technical_by_id = principal.display_name, principal.user_id
        row.calibrated_on = body.calibrated_on or row.calibrated_on
    row.updated_at = now
    events.record(session, principal, "camera.review", "camera", device.id, f"{device.code} {device.name}",
                  which=which, passed=body.passed, opinion=opinion,
                  calibrated_on=str(row.calibrated_on) if row.calibrated_on else None)  # fmt: skip
    session.flush()
    return camera(session, principal, device.id)


def publish_site(session: Session, principal: StaffPrincipal, device_id: uuid.UUID, body: SiteIn) -> CameraRead:
    """The site as published to the public (设置地点应当向社会公布)."""
    device = repository.load_device(session, principal, device_id)
    if body.published_on > clock.local_now().date():
        raise field_error("published_on", "公布日期不能晚于今天")
    row = _review_row(session, device)
    row.site, row.published_on, row.updated_at = body.site.strip(), body.published_on, clock.now()
    events.record(session, principal, "camera.site", "camera", device.id, f"{device.code} {device.name}",
                  site=row.site, published_on=str(row.published_on))  # fmt: skip
    session.flush()
    return camera(session, principal, device.id)


def zone_reads(session: Session, zones: list[VideoZone]) -> list[ZoneRead]:
    names = categories()
    return [
        ZoneRead(
            id=z.id, name=z.name, category_code=z.category_code, category_name=names.get(z.category_code, ""),
            polygon=z.polygon, classes=z.classes, min_dwell_s=z.min_dwell_s, cooldown_s=z.cooldown_s,
            schedule=z.schedule,
        )
        for z in zones
    ]  # fmt: skip


def zones(session: Session, principal: StaffPrincipal, device_id: uuid.UUID) -> list[ZoneRead]:
    device = repository.load_device(session, principal, device_id)
    return zone_reads(session, repository.zones_of(session, device.id))


def replace_zones(
    session: Session, principal: StaffPrincipal, device_id: uuid.UUID, body: list[ZoneIn]
) -> list[ZoneRead]:
    """Replace the camera's zones (``PUT``): names unique, categories known; the engine's state of the old zones is
    dropped (a redrawn zone starts counting afresh); alarms keep their zone's name."""
    device = repository.load_device(session, principal, device_id)
    known = categories()
    seen: set[str] = set()
    for i, z in enumerate(body):
        if z.category_code not in known:
            message = f"未知的事项类别码 {z.category_code}"
            raise field_error(f"[{i}].category_code", message, code="video.unknown_category")
        if z.name.strip() in seen:
            raise field_error(f"[{i}].name", f"区域名称「{z.name}」重复", code="video.duplicate_zone")
        seen.add(z.name.strip())
    if len(body) > 32:
        raise field_error("zones", "每路视频最多 32 个区域")
    # Zones keep their id by name, so the dismiss rate of a redrawn zone stays with it.
    existing = {z.name: z for z in repository.zones_of(session, device.id)}
    for name in set(existing) - seen:
        session.execute(delete(VideoZone).where(VideoZone.id == existing[name].id))
    now = clock.now()
    rows = []
    for i, z in enumerate(body):
        row = existing.get(z.name.strip())
        if row is None:
            row = VideoZone(id=uuid.uuid4(), device_id=device.id, name=z.name.strip(), created_at=now)
            session.add(row)
        row.category_code, row.classes = z.category_code, sorted(set(z.classes))
        row.polygon = [[round(x, 5), round(y, 5)] for x, y in z.polygon]
        row.min_dwell_s, row.cooldown_s, row.sort_order, row.updated_at = z.min_dwell_s, z.cooldown_s, i, now
        row.schedule = z.schedule.model_dump(mode="json") if z.schedule else None
        rows.append(row)
    state = session.get(VideoEngineState, device.id, with_for_update=True)
    if state is not None:
        state.state = _without_zones(state.state)
        state.updated_at = now
    events.record(session, principal, "video_zone.put", "camera", device.id, f"{device.code} {device.name}",
                  zones=[f"{r.name}（{r.category_code}，{r.min_dwell_s} 秒）" for r in rows],
                  removed=sorted(set(existing) - seen))  # fmt: skip
    session.flush()
    return zone_reads(session, rows)


def _without_zones(state: dict[str, Any]) -> dict[str, Any]:
    return {**state, "tracks": {}, "events": {}}
