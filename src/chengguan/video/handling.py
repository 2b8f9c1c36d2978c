"""Alarm handling in the command center: list, confirm (its case source goes on, accepted), dismiss with a reason
(a false alarm: its source, fed by nothing else, is voided), and the dismiss rate per camera and zone — accuracy
after human confirmation is what users judge these systems by."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from chengguan.audit import events
from chengguan.core import clock
from chengguan.core.errors import Conflict, NotFound
from chengguan.core.principals import StaffPrincipal
from chengguan.intake import service as intake_service
from chengguan.intake.enums import SourceAction, SourceStatus
from chengguan.intake.models import CaseSource
from chengguan.intake.workflow import ActionInput
from chengguan.kit.schemas import PageParams, Paginated
from chengguan.law.seed import categories
from chengguan.org.models import Device
from chengguan.video import repository
from chengguan.video.enums import ALARM_STATUS_LABELS, AlarmStatus
from chengguan.video.models import VideoAlarm
from chengguan.video.schemas import AccuracyRow, AlarmFilter, AlarmRead
from chengguan.video.standing import CLUE_NOTE, EVIDENCE_NOTE

ALARM_ORDER = (VideoAlarm.raised_at.desc(), VideoAlarm.id)  # newest first


def alarm_reads(session: Session, rows: list[VideoAlarm]) -> list[AlarmRead]:
    devices = {d.id: d for d in session.scalars(select(Device).where(Device.id.in_({r.device_id for r in rows})))}
    source_ids = {r.case_source_id for r in rows if r.case_source_id}
    codes = (
        dict(
            session.execute(select(CaseSource.id, CaseSource.code).where(CaseSource.id.in_(source_ids))).tuples().all()
        )
        if source_ids
        else {}
    )
    names = categories()
    out = []
    for r in rows:
        d = devices[r.device_id]
        out.append(
            AlarmRead(
                id=r.id, device_id=r.device_id, camera_code=d.code, camera_name=d.name, zone_id=r.zone_id,
                zone_name=r.zone_name, category_code=r.category_code,
                category_name=names.get(r.category_code, r.category_code), object_class=r.object_class,
                score=r.score, bbox=r.bbox, started_at=r.started_at, raised_at=r.raised_at,
                dwell_s=int((r.raised_at - r.started_at).total_seconds()), source=r.source,
                evidence_usable=r.evidence_usable, basis=EVIDENCE_NOTE if r.evidence_usable else CLUE_NOTE,
                snapshots=r.snapshots, evidence_ids=r.evidence_ids, signal_id=r.signal_id,
                clip_url=f"/api/v1/evidence/{r.clip_evidence_id}/file" if r.clip_evidence_id else None,
                case_source_id=r.case_source_id, case_source_code=codes.get(r.case_source_id),
                status=r.status, status_label=ALARM_STATUS_LABELS[r.status], handled_by=r.handled_by,
                handled_at=r.handled_at, dismiss_reason=r.dismiss_reason,
            )
        )  # fmt: skip
    return out


def list_alarms(
    session: Session, principal: StaffPrincipal, filters: AlarmFilter, page: PageParams
) -> Paginated[AlarmRead]:
    statement = filtered(principal, filters)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.scalars(statement.order_by(*ALARM_ORDER).offset(page.offset).limit(page.page_size)).all()
    return Paginated(items=alarm_reads(session, list(rows)), total=total)


def filtered(principal: StaffPrincipal, filters: AlarmFilter) -> Select[tuple[VideoAlarm]]:
    """The readable alarms matching the list's filters, unordered (the list and its export share it)."""
    statement = repository.readable_alarms(principal)
    if filters.status:
        statement = statement.where(VideoAlarm.status == filters.status)
    if filters.device_id:
        statement = statement.where(VideoAlarm.device_id == filters.device_id)
    if filters.zone_id:
        statement = statement.where(VideoAlarm.zone_id == filters.zone_id)
    if filters.category_code:
        statement = statement.where(VideoAlarm.category_code == filters.category_code)
    return statement


def load(session: Session, principal: StaffPrincipal, alarm_id: uuid.UUID) -> VideoAlarm:
    row = session.scalar(repository.readable_alarms(principal).where(VideoAlarm.id == alarm_id))
    if row is None:
        raise NotFound("告警不存在或不在您的数据权限范围内", code="video.alarm_not_found")
    return row


def alarm(session: Session, principal: StaffPrincipal, alarm_id: uuid.UUID) -> AlarmRead:
    return alarm_reads(session, [load(session, principal, alarm_id)])[0]


def _pending(session: Session, principal: StaffPrincipal, alarm_id: uuid.UUID) -> VideoAlarm:
    row = load(session, principal, alarm_id)
    session.refresh(row, with_for_update=True)  # two operators at once: one wins, the other meets the new status
    if row.status is not AlarmStatus.pending:
        raise Conflict(f"告警{ALARM_STATUS_LABELS[row.status]}，不能重复处理", code="video.alarm_handled")
    return row


def confirm(session: Session, principal: StaffPrincipal, alarm_id: uuid.UUID) -> AlarmRead:
    """A real violation: the alarm is confirmed and its case source, still 待受理, is accepted (受理)."""
    row = _pending(session, principal, alarm_id)
    source = session.get(CaseSource, row.case_source_id) if row.case_source_id else None
    if source is not None and source.status is SourceStatus.pending:
        caps = intake_service.capabilities(principal, source)
        intake_service.transition(session, source, SourceAction.accept, principal.actor, ActionInput(), caps,
                                  data={"note": f"视频告警经人工确认（{row.zone_name}）"})  # fmt: skip
    _handled(row, principal, AlarmStatus.confirmed, None)
    _audit(session, principal, row, "confirm", source)
    session.flush()
    return alarm(session, principal, row.id)


def dismiss(session: Session, principal: StaffPrincipal, alarm_id: uuid.UUID, reason: str) -> AlarmRead:
    """A false alarm: dismissed with its reason; its case source is voided when this alarm alone fed it and it is
    not yet being handled (a citizen's report merged into it keeps it open)."""
    row = _pending(session, principal, alarm_id)
    reason = reason.strip()
    source = session.get(CaseSource, row.case_source_id) if row.case_source_id else None
    voidable = (SourceStatus.pending, SourceStatus.accepted, SourceStatus.routed)
    if source is not None and source.signal_count == 1 and source.status in voidable:
        caps = intake_service.capabilities(principal, source)
        intake_service.transition(session, source, SourceAction.void, principal.actor,
                                  ActionInput(reason=f"视频告警误报：{reason}"), caps)  # fmt: skip
    _handled(row, principal, AlarmStatus.dismissed, reason)
    _audit(session, principal, row, "dismiss", source, reason=reason)
    session.flush()
    return alarm(session, principal, row.id)


def _audit(
    session: Session, principal: StaffPrincipal, row: VideoAlarm, verb: str, source: CaseSource | None, **extra: Any
) -> None:
    device = session.get(Device, row.device_id)
    category = categories().get(row.category_code, row.category_code)
    label = f"{device.code if device else ''}「{row.zone_name}」{category}"
    events.record(session, principal, f"video_alarm.{verb}", "video_alarm", row.id, label,
                  case_source_code=source.code if source else None,
                  case_source_status=str(source.status) if source else None, **extra)  # fmt: skip


def _handled(row: VideoAlarm, principal: StaffPrincipal, status: AlarmStatus, reason: str | None) -> None:
    now = clock.now()
    row.status, row.dismiss_reason = status, reason
    row.handled_by, row.handled_at, row.updated_at = principal.display_name, now, now


def accuracy(session: Session, principal: StaffPrincipal) -> list[AccuracyRow]:
    """Per camera and zone: alarms, confirmed, dismissed, pending, and the share of handled ones dismissed."""
    alarms = repository.readable_alarms(principal).subquery()
    statement = select(alarms.c.device_id, alarms.c.zone_id, alarms.c.zone_name, alarms.c.status, func.count())
    grouped = statement.group_by(alarms.c.device_id, alarms.c.zone_id, alarms.c.zone_name, alarms.c.status)
    counts: dict[tuple[Any, Any, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for device_id, zone_id, zone_name, status, n in session.execute(grouped):
        counts[(device_id, zone_id, zone_name)][str(status)] += n
    devices = {d.id: d for d in session.scalars(select(Device).where(Device.id.in_({k[0] for k in counts})))}
    out = []
    for (device_id, zone_id, zone_name), c in counts.items():
        handled = c["confirmed"] + c["dismissed"]
        d = devices[device_id]
        out.append(
            AccuracyRow(
                device_id=device_id, camera_code=d.code, camera_name=d.name, zone_id=zone_id, zone_name=zone_name,
                total=sum(c.values()), confirmed=c["confirmed"], dismissed=c["dismissed"], pending=c["pending"],
                dismiss_rate=round(c["dismissed"] / handled, 4) if handled else None,
            )
        )  # fmt: skip
    return sorted(out, key=lambda r: (-(r.dismiss_rate or 0), r.camera_code, r.zone_name))
