"""Case-source use cases: list and read (with countdowns), and the lifecycle actions with their timeline."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from chengguan.calendar.service import work_calendar
from chengguan.core import clock
from chengguan.core.auditnotes import refusal
from chengguan.core.errors import Conflict, NotFound, Unprocessable, field_error
from chengguan.core.principals import Actor, StaffPrincipal
from chengguan.intake import hooks, read, rules, timelimits, timeline
from chengguan.intake.enums import (
    ACTION_LABELS,
    CHANNEL_LABELS,
    OPEN_STATUSES,
    Channel,
    Outcome,
    SourceAction,
    SourceStatus,
)
from chengguan.intake.ingest import bump_seq, ingest
from chengguan.intake.models import CaseSource, SourceEvent, Supervision
from chengguan.intake.repository import CaseSourceRepository, officer_names
from chengguan.intake.schemas import (
    ActionOptions,
    CaseSourceDetail,
    EventRead,
    IntakeResult,
    SignalIn,
    SignalRead,
    SourceActionIn,
)
from chengguan.intake.workflow import ActionInput, Capabilities, allowed_actions, decide
from chengguan.kit import locking
from chengguan.law.seed import categories
from chengguan.org.enums import OrgLevel
from chengguan.org.models import OrgUnit
from chengguan.org.repository import unit_names

EXTRA_EVENT_LABELS = {
    "create": "生成案源",
    "supervise": "超期督办",
    "acknowledge": "接收任务",
    "timeout": "接收超时",
    "open_case": "立案查处",
}


STAFF_CHANNELS = frozenset(
    {Channel.patrol, Channel.complaint, Channel.hotline, Channel.assignment, Channel.transfer, Channel.merchant}
)


def report(session: Session, principal: StaffPrincipal, signal: SignalIn) -> IntakeResult:
    """A problem a person reports (巡查上报、电话投诉登记、上级交办、部门移送): taken in like any signal, a refusal is
    422; an officer's fresh patrol report is also offered to dispatching (the officer on the spot, nearest for it)."""
    if signal.channel not in STAFF_CHANNELS:
        raise Unprocessable("该渠道须通过设备接口接入", code="signal.channel_not_allowed")
    [result] = ingest(session, [signal], principal.actor, created_by_id=principal.user_id)
    if result.problem is not None:
        raise Unprocessable(result.problem.detail, code=result.problem.code)
    if signal.channel is Channel.patrol and not result.duplicate_replay:
        hooks.desk().reported(session, principal, signal)
    return result


def event_label(action: str) -> str:
    try:
        return ACTION_LABELS[SourceAction(action)]
    except ValueError:
        return EXTRA_EVENT_LABELS.get(action, action)


def capabilities(principal: StaffPrincipal, source: CaseSource) -> Capabilities:
    return Capabilities(
        manage=principal.has("source:manage"),
        dispatch=principal.has("dispatch:write"),
        assignee=principal.officer_id is not None and principal.officer_id == source.officer_id,
    )


def append_event(
    session: Session,
    source: CaseSource,
    action: str,
    actor: Actor,
    now: datetime,
    **fields: Any,
) -> None:
    """Append one immutable timeline entry (全过程记录): ``from_status``, ``to_status``, ``reason``, ``data`` and the
    request's idempotency ``key``, as ``timeline.entry`` takes them."""
    session.add(timeline.entry(SourceEvent, actor, now, action, case_source_id=source.id, **fields))


def set_stage_clock(session: Session, source: CaseSource, now: datetime) -> None:
    """Start the time limit of the status the source just entered (none once closed or voided)."""
    if source.status not in OPEN_STATUSES:
        source.due_at = source.warn_at = None
        return
    with session.no_autoflush:  # the rules do not depend on the pending change; the version moves once per action
        calendar = work_calendar(session)
        limits = rules.time_limits(session)
        units = rules.unit_chain(session, source.unit_id) if any(lim.unit_id for lim in limits) else ()
    limit = timelimits.pick(limits, source.status, source.category_code, source.channel, units)
    if limit is None:
        source.due_at = source.warn_at = None
        return
    due_at = timelimits.due(calendar, now, limit)
    if source.status is SourceStatus.verifying and source.rectification_due is not None:
        # Re-inspection is due one working day after the rectification deadline, not before it.
        after = calendar.add_working_days(source.rectification_due, 1)
        due_at = max(due_at, datetime.combine(after, timelimits.END_OF_DAY, clock.SHANGHAI))
    source.due_at = due_at
    source.warn_at = timelimits.warn_at(now, due_at, limit.warn_percent)


def transition(
    session: Session,
    source: CaseSource,
    action: SourceAction,
    actor: Actor,
    params: ActionInput,
    caps: Capabilities,
    *,
    now: datetime | None = None,
    data: dict[str, Any] | None = None,
    key: str | None = None,
) -> CaseSource:
    """Apply one lifecycle action: decide (pure), update the source, its dispatch task, clocks and timeline; a
    version that moved on meanwhile is 409 ``source.version_conflict`` (``StaleDataError``, see core.problems)."""
    now = now or clock.now()
    before = source.status
    target = decide(before, action, caps, params, clock.local_now().date())
    data = dict(data or {})
    if action in (SourceAction.route, SourceAction.dispatch) and source.accepted_at is None:
        source.accepted_at = now
    if action is SourceAction.accept:
        source.accepted_at = now
    if action is SourceAction.route:
        _route(session, source, params, data)
    desk = hooks.desk()
    if action in (SourceAction.dispatch, SourceAction.reassign):
        data |= desk.assign(session, source, params.officer_id, actor, reason=params.reason or "改派", now=now)
        source.officer_id = params.officer_id  # type: ignore[assignment]  # decide() required it
    elif action is SourceAction.arrive:
        desk.mark(session, source.id, "arrive", now)
    elif action is SourceAction.record_outcome:
        source.outcome, source.outcome_note = params.outcome, params.note
        source.rectification_due = params.rectification_due if params.outcome is Outcome.rectification else None
        desk.mark(session, source.id, "complete", now)
        data |= {"outcome": params.outcome.value if params.outcome else None, "media": list(params.media)}
        if params.rectification_due:
            data["rectification_due"] = params.rectification_due.isoformat()
    elif action in (SourceAction.send_back, SourceAction.void):
        desk.withdraw(session, source.id, reason=params.reason or "", now=now)
        source.officer_id = None
    elif action is SourceAction.reopen:
        source.closed_at = None
        source.outcome = None
    source.status = target
    if target is SourceStatus.closed:
        source.closed_at = now
    set_stage_clock(session, source, now)
    _resolve_supervisions(session, source.id, now)
    if (before in OPEN_STATUSES) != (target in OPEN_STATUSES):
        bump_seq(session)  # the dedup caches of every process must see that this source opened/closed
    append_event(
        session,
        source,
        action.value,
        actor,
        now,
        from_status=before.value,
        to_status=target.value,
        reason=params.reason or params.note,
        data=data or None,
        key=key,
    )
    try:
        session.flush()
    except StaleDataError as exc:
        raise _version_conflict() from exc
    return source


def _version_conflict(current: int | None = None) -> Conflict:
    extra = {} if current is None else {"current_version": current}
    return Conflict("案源已被他人更新，请刷新后重试", code="source.version_conflict", **extra)


def _route(session: Session, source: CaseSource, params: ActionInput, data: dict[str, Any]) -> None:
    squad_id = params.squad_id or source.squad_id
    if squad_id is None:
        raise field_error("squad_id", "该案源不在任何网格内，请指定责任中队", code="source.squad_required")
    squad = session.get(OrgUnit, squad_id)
    if squad is None or squad.level != OrgLevel.squad:
        raise field_error("squad_id", "请选择街道中队", code="source.squad_invalid")
    if squad.id != source.squad_id and source.squad_id is not None:
        previous = session.get(OrgUnit, source.squad_id)
        data["previous_squad_id"] = str(source.squad_id)
        data["previous_squad_name"] = previous.name if previous else ""
    source.squad_id = squad.id
    source.unit_id = squad.id
    source.district_id = squad.parent_id
    source.needs_routing = False
    data["squad_id"], data["squad_name"] = str(squad.id), squad.name


def _resolve_supervisions(session: Session, source_id: uuid.UUID, now: datetime) -> None:
    for row in session.scalars(
        select(Supervision).where(Supervision.case_source_id == source_id, Supervision.resolved_at.is_(None))
    ):
        row.resolved_at = now


# --- reads (lists in intake.read) ---------------------------------------------------------------------------


def load(session: Session, principal: StaffPrincipal, source_id: uuid.UUID) -> CaseSource:
    source = CaseSourceRepository(session).get_readable(principal, source_id)
    if source is None:
        refused = NotFound("案源不存在或不在数据权限范围内", code="source.not_found")
        other = session.get(CaseSource, source_id)  # only on the way out: another unit's source is a kept refusal
        if other is not None:
            refused.noting(refusal(principal, "case_source", source_id, "out_of_scope", status=404, label=other.code))
        raise refused
    return source


def detail(session: Session, principal: StaffPrincipal, source_id: uuid.UUID) -> CaseSourceDetail:
    """One source with timeline, recent signals, dispatch tasks and the actions this user may take now."""
    source = load(session, principal, source_id)
    repo = CaseSourceRepository(session)
    now = clock.now()
    units = unit_names(session, {source.squad_id, source.district_id})
    officers = officer_names(session, {source.officer_id} if source.officer_id else set())
    fields = read.fields(source, units, officers, categories(), now)
    created = EventRead(
        id=source.id,
        at=source.created_at,
        action="create",
        action_label=event_label("create"),
        from_status=None,
        to_status=SourceStatus.pending.value,
        actor_name=CHANNEL_LABELS[source.channel],
        reason=None,
        data={"channel": source.channel.value, "signal_count": source.signal_count},
    )
    timeline = [created] + [
        EventRead.model_validate(
            {
                "id": e.id,
                "at": e.at,
                "action": e.action,
                "action_label": event_label(e.action),
                "from_status": e.from_status,
                "to_status": e.to_status,
                "actor_name": e.actor_name,
                "reason": e.reason,
                "data": e.data,
            }
        )
        for e in repo.timeline(source.id)
    ]
    return CaseSourceDetail.model_validate(
        fields
        | {
            "timeline": timeline,
            "signals": [SignalRead.model_validate(s) for s in repo.signals(source.id)],
            "tasks": hooks.desk().briefs(session, source.id),
            "actions": allowed_actions(source.status, capabilities(principal, source)),
        }
    )


def action_options(session: Session, principal: StaffPrincipal, source_id: uuid.UUID) -> ActionOptions:
    source = load(session, principal, source_id)
    actions = allowed_actions(source.status, capabilities(principal, source))
    return ActionOptions(
        version=source.version,
        status=source.status,
        actions=[{"action": a.value, "label": ACTION_LABELS[a]} for a in actions],
    )


def act(
    session: Session, principal: StaffPrincipal, source_id: uuid.UUID, action: SourceAction, body: SourceActionIn
) -> CaseSourceDetail:
    """Run one action for a user: a retry with the same idempotency key returns the source as the first call left it
    (even when the retries race each other); otherwise the version the user saw must still be current (else 409)."""
    source = load(session, principal, source_id)
    key = body.idempotency_key

    def replay() -> CaseSourceDetail | None:
        if not (key and _already_done(session, source.id, key)):
            return None
        session.expire_all()  # the twin committed after this request loaded the source: read what it left
        return detail(session, principal, source.id)

    if (done := replay()) is not None:
        return done
    if body.version is not None and body.version != source.version:
        raise _version_conflict(source.version)
    params = ActionInput(
        reason=body.reason,
        squad_id=body.squad_id,
        officer_id=body.officer_id,
        outcome=body.outcome,
        rectification_due=body.rectification_due,
        note=body.note,
        media=tuple(body.media),
    )
    caps = capabilities(principal, source)

    def work() -> CaseSourceDetail:  # 到场 on site, nobody dispatched off duty: the desk checks first
        data = hooks.desk().precheck(session, source, action, caps, body.reason, body.officer_id)
        transition(session, source, action, principal.actor, params, caps, data=data, key=key)
        return detail(session, principal, source.id)

    return locking.once(session, work, replay=replay, conflict=_version_conflict())


def _already_done(session: Session, source_id: uuid.UUID, key: str) -> bool:
    return timeline.recorded(session, SourceEvent, SourceEvent.case_source_id == source_id, key)
