"""Dispatch orders (派遣单) as use cases: given by the source's dispatch/reassign action, acknowledged, arrived,
completed — each step timestamped — and re-dispatched when the officer does not acknowledge in time. The source's
actions reach them through ``intake.hooks`` (the desk registered at the end of this module)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from chengguan.core import clock
from chengguan.core.auditnotes import refusal
from chengguan.core.config import get_settings
from chengguan.core.errors import Conflict, Forbidden, NotFound, field_error
from chengguan.core.geo import haversine_m
from chengguan.core.principals import SYSTEM, Actor, StaffPrincipal
from chengguan.dispatching import positions, repository
from chengguan.dispatching.live import eta_for, nearest_for_source, touch_status
from chengguan.dispatching.models import (
    TASK_LABELS,
    DispatchTask,
    DutyStatus,
    Position,
    TaskStatus,
)
from chengguan.dispatching.rules import Arrival, check_arrival
from chengguan.intake import hooks
from chengguan.intake.enums import SourceAction, SourceStatus
from chengguan.intake.models import CaseSource
from chengguan.intake.schemas import DispatchTaskBrief, NamedRef
from chengguan.intake.service import append_event, transition
from chengguan.intake.service import load as load_source
from chengguan.intake.workflow import ActionInput, Capabilities, permitted
from chengguan.org.enums import ActiveStatus
from chengguan.org.models import Officer


def set_duty(session: Session, officer_id: uuid.UUID, status: DutyStatus, now: datetime) -> None:
    """Mark the officer busy/available on the live map (``received_at`` moves so every process picks it up)."""
    position = repository.position_of(session, officer_id)
    if position is not None and position.status is not DutyStatus.off_duty and position.status is not status:
        touch_status(session, position, status, now)


def create(session: Session, source: CaseSource, officer_id: uuid.UUID, actor: Actor, *, now: datetime) -> DispatchTask:
    """A new task for an active officer, with straight-line distance and ETA from the officer's last position."""
    officer = session.get(Officer, officer_id)
    if officer is None or officer.status is not ActiveStatus.active:
        raise field_error("officer_id", "执法队员不存在或已停用", code="dispatch.officer_invalid")
    position = repository.position_of(session, officer_id)
    distance, eta = (None, None)
    if position is not None:
        distance, eta = eta_for(position.lng, position.lat, source.lng, source.lat)
    task = DispatchTask(
        case_source_id=source.id,
        officer_id=officer.id,
        status=TaskStatus.dispatched,
        distance_m=distance,
        eta_s=eta,
        dispatched_at=now,
        ack_due_at=now + timedelta(minutes=get_settings().dispatch_ack_minutes),
        dispatched_by=actor.actor_name,
    )
    session.add(task)
    set_duty(session, officer.id, DutyStatus.busy, now)
    session.flush()
    return task


def assign(
    session: Session, source: CaseSource, officer_id: uuid.UUID, actor: Actor, *, reason: str, now: datetime
) -> dict[str, Any]:
    """The source's dispatch or reassignment: its open task withdrawn, a new one for the officer; what the source's
    timeline records of it."""
    end_active(session, source.id, reason=reason, now=now)
    task = create(session, source, officer_id, actor, now=now)
    officer = session.get(Officer, task.officer_id)
    return {
        "officer_id": str(task.officer_id),
        "officer_name": officer.name if officer else "",
        "task_id": str(task.id),
        "distance_m": task.distance_m,
    }


def fix_distance(position: Position | None, lng: float, lat: float, now: datetime) -> float | None:
    """Metres from the officer's latest fix to a point, or None when there is no fix recent enough to go by."""
    stale_before = now - timedelta(minutes=get_settings().position_stale_minutes)
    if position is None or position.at < stale_before:
        return None
    return haversine_m(position.lng, position.lat, lng, lat)


def precheck(
    session: Session,
    source: CaseSource,
    action: SourceAction,
    caps: Capabilities,
    reason: str | None = None,
    officer_id: object = None,
) -> dict[str, object] | None:
    """Checks of a person's dispatch and arrival (the API's; seeded history and the timeout sweep go without):
    nobody is dispatched while off duty (上班/下班), and 到场 needs the officer's latest fix within the arrival radius
    or a stated reason (``rules.check_arrival``). Returns what the arrival's timeline entry records. Someone who may
    not take the action at all is left to the transition's 403."""
    if not permitted(action, caps):
        return None
    if action in (SourceAction.dispatch, SourceAction.reassign) and isinstance(officer_id, uuid.UUID):
        position = repository.position_of(session, officer_id)
        if position is not None and position.status is DutyStatus.off_duty:
            raise field_error("officer_id", "该执法队员已下班，不能派遣", code="dispatch.officer_off_duty")
    if action is SourceAction.arrive and source.status is SourceStatus.dispatched:
        task = repository.active(session, source.id)
        if task is not None:
            return arrival(session, task, source, reason).record()
    return None


def arrival(session: Session, task: DispatchTask, source: CaseSource, reason: str | None) -> Arrival:
    """到场 of the task's officer (whoever presses the button): judged by that officer's latest fix."""
    distance = fix_distance(repository.position_of(session, task.officer_id), source.lng, source.lat, clock.now())
    return check_arrival(distance, get_settings().arrival_radius_m, reason)


def end_active(session: Session, source_id: uuid.UUID, *, reason: str, now: datetime) -> None:
    """Withdraw the source's open task (reassigned, sent back or voided); the officer is free again."""
    task = repository.active(session, source_id)
    if task is not None:
        task.status, task.ended_reason, task.completed_at = TaskStatus.cancelled, reason[:200], now
        set_duty(session, task.officer_id, DutyStatus.available, now)


def mark(session: Session, source_id: uuid.UUID, step: str, now: datetime) -> None:
    """Record arrival or completion on the source's active task (arrival implies acknowledgement)."""
    task = repository.active(session, source_id)
    if task is None:
        return
    if task.acknowledged_at is None:
        task.acknowledged_at = now
    if step == "arrive":
        task.status, task.arrived_at = TaskStatus.arrived, now
    else:
        task.status, task.completed_at = TaskStatus.completed, now
        if task.arrived_at is None:
            task.arrived_at = now
        set_duty(session, task.officer_id, DutyStatus.available, now)


def briefs(session: Session, source_id: uuid.UUID) -> list[DispatchTaskBrief]:
    return [brief(t, name) for t, name in repository.with_officer_names(session, source_id)]


def brief(t: DispatchTask, officer_name: str) -> DispatchTaskBrief:
    return DispatchTaskBrief(
        id=t.id,
        officer=NamedRef(id=t.officer_id, name=officer_name),
        status=t.status.value,
        status_label=TASK_LABELS[t.status],
        distance_m=t.distance_m,
        eta_s=t.eta_s,
        dispatched_at=t.dispatched_at,
        acknowledged_at=t.acknowledged_at,
        arrived_at=t.arrived_at,
        completed_at=t.completed_at,
    )


def load_for(session: Session, principal: StaffPrincipal, task_id: uuid.UUID) -> tuple[DispatchTask, CaseSource]:
    """A task the principal may act on: the dispatched officer, or a dispatcher who can read the source."""
    task = session.get(DispatchTask, task_id)
    if task is None:
        raise NotFound("派遣任务不存在", code="dispatch.task_not_found")
    mine = principal.officer_id is not None and principal.officer_id == task.officer_id
    if not mine and not principal.has("dispatch:write"):
        raise Forbidden("只有被派遣的执法队员或调度员可以操作此任务", code="dispatch.forbidden").noting(
            refusal(principal, "dispatch_task", task.id, "not_assigned", status=403)
        )
    source = (
        session.get(CaseSource, task.case_source_id) if mine else load_source(session, principal, task.case_source_id)
    )
    assert source is not None
    return task, source


def acknowledge(session: Session, principal: StaffPrincipal, task_id: uuid.UUID) -> DispatchTask:
    """The officer accepts the order (接收); the source's timeline records it."""
    task, source = load_for(session, principal, task_id)
    if task.status is not TaskStatus.dispatched:
        raise Conflict(f"任务当前为「{TASK_LABELS[task.status]}」，不能接收", code="dispatch.invalid_transition")
    now = clock.now()
    task.status, task.acknowledged_at = TaskStatus.acknowledged, now
    append_event(session, source, "acknowledge", principal.actor, now, data={"task_id": str(task.id)})
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict("任务已被他人更新，请刷新后重试", code="dispatch.version_conflict") from exc
    return task


def sweep_timeouts(session: Session, now: datetime | None = None) -> int:
    """Tasks not acknowledged in time: mark them timed out (once, even with several processes) and re-dispatch the
    source to the next nearest available officer, or send it back to the dispatcher when nobody is free."""
    now = now or clock.now()
    handled = 0
    for task_id in repository.unacknowledged(session, now):
        if not repository.time_out(session, task_id, now):
            continue
        handled += 1
        task = session.get(DispatchTask, task_id)
        assert task is not None
        session.refresh(task)
        source = session.get(CaseSource, task.case_source_id)
        assert source is not None
        set_duty(session, task.officer_id, DutyStatus.available, now)
        tried = repository.tried_officers(session, source.id)
        caps = Capabilities(dispatch=True, manage=True)
        reason = "派遣超时未接收"
        nearest = nearest_for_source(session, source, limit=1, exclude=tried, unit_ids=None)
        if nearest:
            transition(
                session,
                source,
                SourceAction.reassign,
                SYSTEM,
                ActionInput(reason=reason, officer_id=nearest[0].officer_id),
                caps,
                now=now,
                data={"timed_out_task": str(task_id)},
            )
        else:
            transition(
                session,
                source,
                SourceAction.send_back,
                SYSTEM,
                ActionInput(reason=reason + "，无可派人员，退回调度"),
                caps,
                now=now,
                data={"timed_out_task": str(task_id)},
            )
    session.flush()
    return handled


hooks.registers_desk(
    hooks.DispatchDesk(
        assign=assign,
        withdraw=end_active,
        mark=mark,
        precheck=precheck,
        briefs=briefs,
        reported=positions.fix_from_report,
    )
)
