"""Dispatching use cases: nearest officers for a source, dispatch orders, the officer's task steps, the map feed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.config import get_settings
from chengguan.core.errors import Conflict, Forbidden, field_error
from chengguan.core.principals import DataScope, StaffPrincipal
from chengguan.dispatching import assignments, duty, live, positions, repository
from chengguan.dispatching.models import (
    ACTIVE_TASK,
    TASK_LABELS,
    DispatchTask,
    DutyStatus,
    FixSource,
    SubjectKind,
)
from chengguan.dispatching.schemas import (
    ArriveIn,
    DispatchIn,
    NearestOfficer,
    PositionIn,
    TaskCompleteIn,
    TaskFilter,
    TaskRead,
)
from chengguan.intake import service as sources
from chengguan.intake.enums import OPEN_STATUSES, SourceAction, SourceStatus
from chengguan.intake.models import CaseSource
from chengguan.intake.repository import CaseSourceRepository, officer_names
from chengguan.intake.schemas import SourceActionIn
from chengguan.intake.workflow import ActionInput
from chengguan.law.seed import categories
from chengguan.org.enums import DeviceKind
from chengguan.org.models import Device, Officer, OrgUnit
from chengguan.org.repository import unit_names
from chengguan.org.scope import scope_clause


def scoped_units(session: Session, principal: StaffPrincipal) -> set[uuid.UUID] | None:
    """Units whose officers this principal may see and dispatch (None = all)."""
    if DataScope.all in principal.scopes:
        return None
    return set(session.scalars(select(OrgUnit.id).where(scope_clause(principal, OrgUnit.id))))


def nearest(session: Session, principal: StaffPrincipal, source_id: uuid.UUID, limit: int) -> list[NearestOfficer]:
    """The nearest available officers in the principal's scope, with straight-line distance and ETA."""
    source = sources.load(session, principal, source_id)
    hits = live.nearest_for_source(session, source, limit=limit, unit_ids=scoped_units(session, principal))
    officers = {o.id: o for o in session.scalars(select(Officer).where(Officer.id.in_([h.officer_id for h in hits])))}
    units = unit_names(session, {o.unit_id for o in officers.values()})
    return [
        NearestOfficer(
            officer_id=h.officer_id,
            name=officers[h.officer_id].name,
            unit=units.get(officers[h.officer_id].unit_id, ""),
            certificate_no=officers[h.officer_id].certificate_no,
            phone=officers[h.officer_id].phone,
            distance_m=h.distance_m,
            eta_s=h.eta_s,
            lng=h.lng,
            lat=h.lat,
            fix_at=h.at,
        )
        for h in hits
        if h.officer_id in officers
    ]


def dispatch(session: Session, principal: StaffPrincipal, body: DispatchIn) -> TaskRead:
    """Dispatch (or, when already dispatched, reassign) a source to an officer in the principal's scope."""
    source = sources.load(session, principal, body.source_id)
    units = scoped_units(session, principal)
    officer = session.get(Officer, body.officer_id)
    if officer is None or (units is not None and officer.unit_id not in units):
        raise field_error("officer_id", "执法队员不存在或不在数据权限范围内", code="dispatch.officer_invalid")
    action = (
        SourceAction.reassign
        if source.status in (SourceStatus.dispatched, SourceStatus.handling)
        else SourceAction.dispatch
    )
    reason = body.reason or ("改派" if action is SourceAction.reassign else None)
    sources.act(
        session,
        principal,
        source.id,
        action,
        SourceActionIn(version=body.version, officer_id=officer.id, reason=reason),
    )
    task = repository.active(session, source.id)
    assert task is not None
    return task_read(session, task)


def task_read(session: Session, task: DispatchTask) -> TaskRead:
    return _reads(session, [task])[0]


def _reads(session: Session, rows: list[DispatchTask]) -> list[TaskRead]:
    srcs = CaseSourceRepository(session).by_ids({t.case_source_id for t in rows})
    officer_ids = {t.officer_id for t in rows}
    names = officer_names(session, officer_ids)
    cats = categories()
    fixes = repository.positions_of(session, officer_ids)
    now, radius = clock.now(), get_settings().arrival_radius_m
    out = []
    for t in rows:
        s = srcs[t.case_source_id]
        fix = fixes.get(t.officer_id)
        fix_m = assignments.fix_distance(fix, s.lng, s.lat, now)
        out.append(
            TaskRead(
                id=t.id,
                status=t.status.value,
                status_label=TASK_LABELS[t.status],
                case_source_id=s.id,
                case_source_code=s.code,
                case_source_status=s.status.value,
                category_code=s.category_code,
                category_name=cats.get(s.category_code, s.category_code),
                description=s.description,
                address=s.address,
                lng=s.lng,
                lat=s.lat,
                officer_id=t.officer_id,
                officer_name=names.get(t.officer_id, ""),
                distance_m=t.distance_m,
                eta_s=t.eta_s,
                dispatched_at=t.dispatched_at,
                ack_due_at=t.ack_due_at,
                acknowledged_at=t.acknowledged_at,
                arrived_at=t.arrived_at,
                completed_at=t.completed_at,
                dispatched_by=t.dispatched_by,
                source_version=s.version,
                fix_distance_m=None if fix_m is None else round(fix_m, 1),
                fix_at=fix.at if fix is not None and fix_m is not None else None,
                arrival_radius_m=radius,
            )
        )
    return out


def list_tasks(session: Session, principal: StaffPrincipal, filters: TaskFilter) -> list[TaskRead]:
    """The officer's own tasks (mine) or, for dispatchers, the tasks of readable sources; newest first, ≤ 200."""
    own = filters.mine or not principal.has("dispatch:read")
    if own and principal.officer_id is None:
        return []
    return _reads(session, repository.listed(session, principal, own=own, active_only=filters.active))


def step(
    session: Session,
    principal: StaffPrincipal,
    task_id: uuid.UUID,
    name: str,
    body: TaskCompleteIn | ArriveIn | None = None,
) -> TaskRead:
    """An officer's step on a task: acknowledge (接收), arrive (到场: on site, or a reason) or complete (处置反馈)."""
    task, source = assignments.load_for(session, principal, task_id)
    if name == "acknowledge":
        assignments.acknowledge(session, principal, task_id)
        return task_read(session, task)
    if task.status not in ACTIVE_TASK:
        raise Conflict(f"任务当前为「{TASK_LABELS[task.status]}」，不能继续操作", code="dispatch.invalid_transition")
    caps = sources.capabilities(principal, source)
    data = None
    if name == "arrive":  # arrival implies acknowledgement (assignments.mark records both)
        reason = body.reason if isinstance(body, ArriveIn) else None
        action, params = SourceAction.arrive, ActionInput(reason=reason)
        data = assignments.precheck(session, source, action, caps, reason)
    else:
        assert isinstance(body, TaskCompleteIn)
        action = SourceAction.record_outcome
        params = ActionInput(
            outcome=body.outcome, rectification_due=body.rectification_due, note=body.note, media=tuple(body.media)
        )
    sources.transition(session, source, action, principal.actor, params, caps, data=data)
    session.refresh(task)
    return task_read(session, task)


def officer_of(principal: StaffPrincipal) -> uuid.UUID:
    if principal.officer_id is None:
        raise Forbidden("当前账号未关联执法队员", code="dispatch.not_an_officer")
    return principal.officer_id


def own_position(session: Session, principal: StaffPrincipal, body: PositionIn) -> None:
    """The officer's phone reports its own fix: refused while they are off duty (下班: the phone stops reporting);
    the fix says they are on duty. A ``status`` sent along is the 上班/下班 switch of older app versions."""
    officer_id = officer_of(principal)
    if body.subject_kind is not SubjectKind.officer or body.subject_id != officer_id:
        raise Forbidden("只能上报本人的位置", code="dispatch.not_own_position")
    if body.source is not FixSource.device:
        raise field_error("source", "执法通上报的只能是本机定位", code="dispatch.not_a_device_fix")
    if body.status is DutyStatus.off_duty:
        duty.switch(session, principal.actor, officer_id, False, via="mobile")
        return
    if body.status is DutyStatus.available:
        duty.switch(session, principal.actor, officer_id, True, via="mobile")
    elif duty.is_off_duty(session, officer_id):
        raise Conflict("您已下班，不再上报定位；上班后自动恢复", code="dispatch.off_duty")
    problems = positions.ingest_positions(session, [body.model_dump(mode="json", exclude={"status"})], phone=True)
    if problems:
        raise field_error("position", problems[0].detail, code=problems[0].code)


def source_marker(s: CaseSource, cats: dict[str, str], now: datetime) -> dict[str, Any]:
    return {
        "id": str(s.id),
        "code": s.code,
        "status": s.status.value,
        "category_code": s.category_code,
        "category_name": cats.get(s.category_code, s.category_code),
        "lng": s.lng,
        "lat": s.lat,
        "signal_count": s.signal_count,
        "address": s.address,
        "channel": s.channel.value,
        "due_at": s.due_at.isoformat() if s.due_at else None,
        "overdue": bool(s.due_at and s.due_at < now),
        "needs_routing": s.needs_routing,
        "officer_id": str(s.officer_id) if s.officer_id else None,
        "updated_at": s.updated_at.isoformat(),
    }


def open_sources(
    session: Session, principal: StaffPrincipal, since: datetime | None = None, limit: int = 2000
) -> list[dict[str, Any]]:
    """Open sources for the map (or those changed since ``since``, closed ones included so the map drops them)."""
    statement = CaseSourceRepository(session).readable(principal)
    if since is None:
        statement = statement.where(CaseSource.status.in_(sorted(OPEN_STATUSES)))
    else:
        statement = statement.where(CaseSource.updated_at > since)
    rows = session.scalars(statement.order_by(CaseSource.updated_at.desc()).limit(limit))
    cats, now = categories(), clock.now()
    return [source_marker(s, cats, now) for s in rows]


def cameras(session: Session, principal: StaffPrincipal) -> list[dict[str, Any]]:
    statement = select(Device).where(Device.kind == DeviceKind.camera, Device.lng.is_not(None))
    statement = statement.where(scope_clause(principal, Device.unit_id))
    return [
        {"id": str(d.id), "code": d.code, "name": d.name, "lng": d.lng, "lat": d.lat, "status": d.status.value}
        for d in session.scalars(statement)
    ]
