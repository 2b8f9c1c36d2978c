"""Penalty-case use cases: open a case, take an action (decide → apply → timeline), with optimistic locking and
idempotent retries. Reads (list, detail, allowed actions) live in ``cases.read``."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.calendar.service import work_calendar
from chengguan.calendar.workdays import WorkCalendar
from chengguan.cases import approvals, clocks, disclosure, hooks, lawful
from chengguan.cases.enums import APPROVAL_STAGES, CaseAction, CaseStatus, DecisionKind, Procedure, Role
from chengguan.cases.gates import LEGAL_REVIEW_GROUNDS, CaseFacts
from chengguan.cases.models import Case, CaseApproval, CaseEvent, CaseOfficer
from chengguan.cases.schemas import CaseActionIn, CaseCreate, PartyIn, PenaltyIn
from chengguan.cases.workflow import (
    GateClosed,
    NotAllowed,
    Position,
    creation_refusal,
    decide,
    decision_kind_for,
    initial_position,
)
from chengguan.core import clock
from chengguan.core.counters import reserve
from chengguan.core.errors import Conflict, NotFound, field_error
from chengguan.core.idnumbers import valid_ric, valid_uscc
from chengguan.core.principals import Actor, StaffPrincipal
from chengguan.intake.models import CaseSource
from chengguan.intake.service import append_event as append_source_event
from chengguan.kit import locking
from chengguan.law.enums import PartyType, PenaltyKind
from chengguan.law.models import EnforcementMatter
from chengguan.law.versions import get_version, keep_version
from chengguan.merchants.repository import MerchantRepository, matches_party, merchant_of_party
from chengguan.org.enums import ActiveStatus, OfficerKind, OrgLevel
from chengguan.org.grids import grid_locator
from chengguan.org.models import Officer, OrgUnit
from chengguan.org.repository import OrgUnitRepository

EXTENSION_DAYS = 30  # 第六十条“从其规定”: the bureau's rule (e.g. a ministry rule's 30 days), configurable per call


def today() -> date:
    return clock.local_now().date()


# -- facts and roles -----------------------------------------------------------------------------------------------


def officers_of(session: Session, case_id: uuid.UUID) -> list[Officer]:
    statement = (
        select(Officer)
        .join(CaseOfficer, CaseOfficer.officer_id == Officer.id)
        .where(CaseOfficer.case_id == case_id)
        .order_by(CaseOfficer.lead.desc(), Officer.name)
    )
    return list(session.scalars(statement))


def amount_due(case: Case, on: date) -> tuple[int, int]:
    """(late fee, amount still owed) in fen on ``on`` — 第七十二条: 3 % of the fine a day from the day after the due
    date until the fine is paid in full, paused while review or litigation runs (第七十三条第三款)."""
    if case.fine_fen is None or case.payment_due_on is None:
        return 0, 0
    paused = [(date.fromisoformat(a), date.fromisoformat(b) if b else None) for a, b in case.remedy_periods]  # type: ignore[arg-type]
    until = min(on, case.fine_paid_on) if case.fine_paid_on else on
    fee = clocks.late_fee(case.fine_fen, case.payment_due_on, until, paused).amount_fen
    return fee, max(0, case.fine_fen + fee - case.paid_fen)


def certified_count(session: Session, case_id: uuid.UUID) -> int:
    """Handling officers who may enforce (第四十二条): certified, active, with a certificate number."""
    return sum(
        1
        for o in officers_of(session, case_id)
        if o.kind is OfficerKind.certified and o.status is ActiveStatus.active and o.certificate_no
    )


def chain_lengths(session: Session, unit_id: uuid.UUID, procedure: Procedure) -> dict[str, object]:
    return {
        f"chain:{stage.value}": len(approvals.chain(session, unit_id, procedure, stage))
        for stage in (CaseStatus.filing_approval, CaseStatus.decision_approval, CaseStatus.closure_approval)
    }


def facts_of(session: Session, case: Case, on: date, data: CaseActionIn | None = None) -> CaseFacts:
    """What the gates read: the case's state plus, for an action, its input."""
    from chengguan.evidence.service import unreviewed_machine_evidence

    certified = certified_count(session, case.id)
    steps = chain_lengths(session, case.unit_id, case.procedure)
    facts = facts_from(case, on, certified, steps, data, unreviewed=unreviewed_machine_evidence(session, case.id))
    return dataclasses.replace(facts, **hooks.contributed(session, case))


def facts_from(
    case: Case,
    on: date,
    certified: int,
    steps: dict[str, object],
    data: CaseActionIn | None = None,
    *,
    unreviewed: int = 0,
) -> CaseFacts:
    """``facts_of`` without the queries (the officers' count, the chain lengths and the machine-recorded evidence
    still under review given)."""
    act_end = case.act_ended_on or case.act_on
    reference = case.filed_on or on
    facts = CaseFacts(
        procedure=case.procedure,
        party_type=case.party_type,
        certified_officers=certified,
        penalty_kinds=frozenset(PenaltyKind(k) for k in case.penalty_kinds),
        fine_fen=case.fine_fen,
        noticed_kinds=None if case.noticed_kinds is None else frozenset(PenaltyKind(k) for k in case.noticed_kinds),
        noticed_fine_fen=case.noticed_fine_fen,
        defense_recorded=case.defense_recorded,
        hearing_right=case.hearing_right,
        notice_served_on=case.notice_served_on,
        statement_days=case.statement_days,
        statement_waived=case.statement_waived,
        hearing_requested=case.hearing_requested,
        hearing_notified_on=case.hearing_notified_on,
        hearing_on=case.hearing_on,
        hearing_held=case.hearing_held,
        hearing_closed=case.hearing_closed,
        legal_review_grounds=frozenset(case.legal_review_grounds),
        legal_review_passed=case.legal_review_passed,
        discussion_required=case.discussion_required,
        discussion_done=case.discussion_done,
        decision_kind=case.decision_kind,
        amount_due_fen=amount_due(case, on)[1],
        remedy_running=bool(case.remedy_periods) and case.remedy_periods[-1][1] is None,
        reminder_served_on=case.reminder_served_on,
        enforcement_applied=case.enforcement_applied_on is not None,
        within_limitation=clocks.within_limitation(act_end, reference, extended=case.limitation_extended),
        limitation_override=bool(case.limitation_override),
        extensions=case.extensions,
        unreviewed_machine_evidence=unreviewed,
        extra=steps,
    )
    if data is None:
        return facts
    changes: dict[str, Any] = {"reason": data.reason, "signed_or_refused": data.signed_or_refused,
                               "payment_fen": data.amount_fen}  # fmt: skip
    if data.penalty is not None:
        changes |= {"penalty_kinds": frozenset(data.penalty.kinds), "fine_fen": data.penalty.fine_fen}
    if data.hearing_on is not None or data.hearing_notified_on is not None:
        changes |= {"hearing_on": data.hearing_on, "hearing_notified_on": data.hearing_notified_on or on}
    if data.hearing_held is not None:
        changes["hearing_held"] = data.hearing_held
    return dataclasses.replace(facts, **changes)


def roles_of(session: Session, principal: StaffPrincipal, case: Case) -> frozenset[Role]:
    """The principal's roles on this case: 承办人 (a handling officer with case:write), the approver of the current
    step, 法制审核 (legal:review), 负责人 (case:approve)."""
    handler = (
        principal.officer_id is not None
        and principal.has("case:write")
        and principal.officer_id in {o.id for o in officers_of(session, case.id)}
    )
    roles = set()
    if handler:
        roles.add(Role.handler)
    if approvals.may_approve(session, principal, case, handler):
        roles.add(Role.approver)
    if principal.has("legal:review"):
        roles.add(Role.legal)
    if principal.has("case:approve"):
        roles.add(Role.leader)
    return frozenset(roles)


# -- open a case ---------------------------------------------------------------------------------------------------


def check_party(party: PartyIn) -> None:
    """An identity number, when given, carries a valid check digit (GB 11643 / GB 32100)."""
    number = (party.id_no or "").upper()
    if not number:
        return
    if party.type is PartyType.individual and not valid_ric(number):
        raise field_error("party.id_no", "公民身份号码校验位不正确（GB 11643）", code="case.party.id_no")
    if party.type is PartyType.organization and not valid_uscc(number):
        raise field_error("party.id_no", "统一社会信用代码校验位不正确（GB 32100）", code="case.party.id_no")


def _merchant(session: Session, principal: StaffPrincipal, data: CaseCreate) -> uuid.UUID | None:
    """The shop the party is: the one named (it must be readable and its licence must name the party), else the one
    registered under the party's identity number, if exactly one."""
    id_no = (data.party.id_no or "").upper() or None
    if data.merchant_id is None:
        found = merchant_of_party(session, data.party.type, id_no)
        return found.id if found else None
    merchant = MerchantRepository(session).get_readable(principal, data.merchant_id)
    if merchant is None:
        raise field_error("merchant_id", "商户不存在或不在您的数据权限范围内", code="case.merchant_unknown")
    if not matches_party(merchant, data.party.type, id_no):
        message = "当事人证件号与商户登记的信用代码或经营者身份证号不一致"
        raise field_error("party.id_no", message, code="case.merchant_mismatch")
    return merchant.id


def create(session: Session, principal: StaffPrincipal, data: CaseCreate) -> Case:
    """Open a case: ordinary cases start as 案件来源; simple-procedure cases are decided on the spot (第五十一条,
    two certified officers, 第四十二条). The matter's knowledge-base version is recorded with the case."""
    check_party(data.party)
    merchant_id = _merchant(session, principal, data)
    unknown = set(data.legal_review_grounds) - set(LEGAL_REVIEW_GROUNDS)
    if unknown:
        raise field_error("legal_review_grounds", f"未知的法制审核情形：{'、'.join(sorted(unknown))}")
    matter = session.scalar(select(EnforcementMatter).where(EnforcementMatter.code == data.matter_code))
    if matter is None:
        raise field_error("matter_code", f"知识库中没有执法事项 {data.matter_code}", code="case.matter_unknown")
    unit_id = data.unit_id or principal.unit_id
    unit = session.get(OrgUnit, unit_id) if unit_id else None
    if unit is None:
        raise field_error("unit_id", "请指定承办单位", code="case.unit_unknown")
    if (
        unit.id != principal.unit_id
        and session.scalar(OrgUnitRepository(session).readable(principal).where(OrgUnit.id == unit.id)) is None
    ):
        raise field_error("unit_id", "承办单位不在您的数据权限范围内", code="case.unit_out_of_scope")
    officers = list(session.scalars(select(Officer).where(Officer.id.in_(data.officer_ids))))
    if len(officers) != len(set(data.officer_ids)):
        raise field_error("officer_ids", "承办人不存在", code="case.officer_unknown")
    assert data.act_on is not None  # the schema derives it from act_at
    if data.act_ended_on is not None and data.act_ended_on < data.act_on:
        raise field_error("act_ended_on", "终了日期不能早于发生日期")
    if data.act_on > today() or (data.act_at is not None and data.act_at > clock.now()):
        raise field_error("act_at" if data.act_at else "act_on", "违法行为发生时间不能晚于现在")
    source = _source(session, data.source_id)
    lng, lat = (data.lng, data.lat) if data.lng is not None else (source.lng, source.lat) if source else (None, None)
    grid_code = source.grid_code if source else None
    if grid_code is None and lng is not None and lat is not None:
        hit = grid_locator.index(session).locate(lng, lat)
        grid_code = hit.grid_code if hit else None
    if get_version(session, "matter", matter.code, matter.version) is None:
        keep_version(session, matter)
    now = clock.now()
    penalty = data.penalty
    case = Case(
        code=_next_code(session, data.procedure),
        procedure=data.procedure,
        status=initial_position(data.procedure).status,
        unit_id=unit.id,
        district_id=_district_of(session, unit),
        source_id=data.source_id,
        matter_code=matter.code,
        matter_name=matter.name,
        knowledge_version=f"{matter.code}@{matter.version}",
        party_type=data.party.type,
        party_name=data.party.name,
        party_id_no=(data.party.id_no or "").upper() or None,
        party_phone=data.party.phone,
        party_address=data.party.address,
        party_representative=data.party.representative,
        merchant_id=merchant_id,
        facts=data.facts or (source.description if source else None),
        address=data.address or (source.address if source else None),
        lng=lng,
        lat=lat,
        grid_code=grid_code,
        act_on=data.act_on,
        act_at=data.act_at,
        act_ended_on=data.act_ended_on,
        limitation_extended=data.limitation_extended,
        penalty_kinds=[k.value for k in penalty.kinds] if penalty else [],
        fine_fen=penalty.fine_fen if penalty else None,
        penalty_reasoning=penalty.reasoning if penalty else None,
        hearing_right=penalty.hearing_right if penalty else False,
        legal_review_grounds=sorted(set(data.legal_review_grounds)),
        discussion_required=data.discussion_required,
        statement_days=data.statement_days,
        # 第五十一条: on the spot, the decision is the penalty the officers fill in (delivered by deliver_on_site)
        decision_kind=DecisionKind.penalty if data.procedure is Procedure.simple else None,
        remedy_periods=[],
        created_by_id=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    lawful.check_in_region(session, case, matter)  # 422 case.matter_out_of_region
    simple = data.procedure is Procedure.simple
    if penalty is not None:
        lawful.check_penalty(session, case, penalty.kinds, penalty.fine_fen, on_the_spot=simple)
    if simple:
        lawful.check_particulars(case, on_the_spot=True)
    session.add(case)
    session.flush()
    for n, officer_id in enumerate(dict.fromkeys(data.officer_ids)):
        session.add(CaseOfficer(case_id=case.id, officer_id=officer_id, lead=n == 0))
    session.flush()
    if case.procedure is Procedure.simple:
        facts = dataclasses.replace(facts_of(session, case, today()), signed_or_refused=data.signed_or_refused)
        refusal = creation_refusal(facts, today(), work_calendar(session))
        if refusal is not None:
            raise GateClosed(refusal.message, code=refusal.code)
    if source is not None:  # the case source's timeline records the hand-over (案源 → 立案查处)
        append_source_event(session, source, "open_case", principal.actor, now,
                            data={"case_id": str(case.id), "case_code": case.code})  # fmt: skip
    add_event(session, case, "create", principal.actor, now, to_status=case.status, key=data.idempotency_key,
           data={"procedure": case.procedure.value, "matter": case.knowledge_version})  # fmt: skip
    return case


def _source(session: Session, source_id: uuid.UUID | None) -> CaseSource | None:
    if source_id is None:
        return None
    source = session.get(CaseSource, source_id)
    if source is None:
        raise field_error("source_id", "案源不存在", code="case.source_unknown")
    return source


def _next_code(session: Session, procedure: Procedure) -> str:
    year = today().year
    prefix = "JY" if procedure is Procedure.simple else "AJ"
    return f"{prefix}{year}{reserve(session, f'case:{prefix}:{year}'):07d}"


def _district_of(session: Session, unit: OrgUnit) -> uuid.UUID | None:
    if unit.level is OrgLevel.district:
        return unit.id
    district = OrgUnitRepository(session).ancestor_of_level(unit.id, OrgLevel.district)
    return district.id if district else None


# -- take an action ------------------------------------------------------------------------------------------------


def load(session: Session, case_id: uuid.UUID, principal: StaffPrincipal) -> Case:
    from chengguan.cases.read import readable

    case = session.scalar(readable(session, principal).where(Case.id == case_id))
    if case is None:
        raise NotFound("案件不存在或无权查看", code="case.not_found")
    return case


def act(
    session: Session, principal: StaffPrincipal, case_id: uuid.UUID, action: CaseAction, data: CaseActionIn
) -> Case:
    """Take ``action`` on the case: a retry with the same idempotency key returns the case as the first call left it;
    a stale ``version`` is 409; the workflow decides (409/403 with the article), the service applies the effects
    and appends the timeline entry with the actor, time and address."""
    case = load(session, case_id, principal)
    key = data.idempotency_key

    def replay() -> Case | None:  # concurrent twins too: the loser of the race returns the winner's result
        if not (key and _already_done(session, case.id, key)):
            return None
        session.expire_all()  # the twin committed after this request loaded the case: read what it left
        return load(session, case_id, principal)

    if (done := replay()) is not None:
        return done
    if data.version != case.version:
        raise Conflict("案件已被他人更新，请刷新后重试", code="case.version_conflict", current_version=case.version)
    conflict = Conflict("案件已被他人更新，请刷新后重试", code="case.version_conflict")
    return locking.once(session, lambda: _act(session, principal, case, action, data), replay=replay, conflict=conflict)


def _act(session: Session, principal: StaffPrincipal, case: Case, action: CaseAction, data: CaseActionIn) -> Case:
    on = today()
    calendar = work_calendar(session)
    if data.on is not None and data.on > on:
        raise field_error("on", "日期不能晚于今天")
    lawful.check_lawful(session, case, action, data)
    facts = facts_of(session, case, on, data)
    roles = roles_of(session, principal, case)
    before = Position(case.status, case.approval_step, case.approval_steps, case.came_from)
    after = decide(before, action, roles, facts, on, calendar)
    now = clock.now()
    record: dict[str, Any] = dict(data.data or {})
    if action in (CaseAction.approve, CaseAction.reject):
        record |= _record_approval(session, principal, case, action is CaseAction.approve, data.reason, now)
    apply_effects(session, case, action, data, before, after, on, calendar, record, now)
    if after.status in APPROVAL_STAGES and after.status is not before.status:  # the chain is fixed on entry
        case.approval_chain = approvals.chain(session, case.unit_id, case.procedure, after.status)
    elif after.status not in APPROVAL_STAGES:
        case.approval_chain = None
    case.status, case.approval_step = after.status, after.approval_step
    case.approval_steps, case.came_from = after.approval_steps, after.came_from
    case.updated_at = now
    add_event(session, case, action.value, principal.actor, now, from_status=before.status, to_status=after.status,
           reason=data.reason, data=record or None, key=data.idempotency_key)  # fmt: skip
    session.flush()
    return case


def _already_done(session: Session, case_id: uuid.UUID, key: str) -> bool:
    found = session.scalar(
        select(CaseEvent.id).where(CaseEvent.case_id == case_id, CaseEvent.idempotency_key == key).limit(1)
    )
    return found is not None


def _record_approval(
    session: Session, principal: StaffPrincipal, case: Case, approved: bool, opinion: str | None, now: datetime
) -> dict[str, Any]:
    step = approvals.current_step(session, case) or {"label": "审批"}
    signature = approvals.sign(case.id, case.status.value, case.approval_step, principal.user_id, approved, opinion,
                               now)  # fmt: skip
    session.add(
        CaseApproval(
            case_id=case.id,
            stage=case.status,
            step=case.approval_step,
            step_label=step["label"],
            approved=approved,
            opinion=opinion,
            user_id=principal.user_id,
            user_name=principal.display_name,
            at=now,
            signature=signature,
        )
    )
    return {"step": step["label"], "signature": signature}


def _set_penalty(case: Case, penalty: PenaltyIn) -> None:
    case.penalty_kinds = [k.value for k in penalty.kinds]
    case.fine_fen = penalty.fine_fen
    case.penalty_reasoning = penalty.reasoning or case.penalty_reasoning
    case.hearing_right = penalty.hearing_right


def apply_effects(
    session: Session,
    case: Case,
    action: CaseAction,
    data: CaseActionIn,
    before: Position,
    after: Position,
    on: date,
    cal: WorkCalendar,
    record: dict[str, Any],
    now: datetime | None = None,
) -> None:
    """The effects of an action the workflow let through (dates recorded, clocks started, flags set); ``now`` is
    when it happened (default: the clock)."""
    now = now or clock.now()
    A, S = CaseAction, CaseStatus
    when = data.on or on
    if data.penalty is not None and action in (A.issue_notice, A.submit_decision):
        _set_penalty(case, data.penalty)
    if action is A.issue_notice:  # a (new) notice restarts the statement window and a hearing request
        case.noticed_kinds, case.noticed_fine_fen = list(case.penalty_kinds), case.fine_fen
        case.notice_served_on, case.statement_waived = None, False
        case.hearing_requested = case.hearing_held = case.hearing_closed = False
        case.hearing_on = case.hearing_notified_on = None
    elif action is A.serve_notice:
        case.notice_served_on = when
        record["statement_ends"] = clocks.statement_ends(when, case.statement_days, cal).isoformat()
    elif action is A.record_statement:
        case.defense_recorded = True
    elif action is A.waive_statement:
        case.statement_waived = True
    elif action is A.request_hearing:
        case.hearing_requested = True
    elif action is A.schedule_hearing:
        case.hearing_on, case.hearing_notified_on = data.hearing_on, data.hearing_notified_on or on
    elif action is A.record_hearing:
        case.hearing_held, case.hearing_closed = bool(data.hearing_held), True
    elif action is A.pass_legal_review:
        case.legal_review_passed = True
    elif action is A.fail_legal_review:
        case.legal_review_passed = False
    elif action is A.record_discussion:
        case.discussion_done = True
    elif action in (A.submit_decision, A.submit_no_penalty):
        case.decision_kind = decision_kind_for(action)
    elif action is A.serve_decision or action is A.deliver_on_site:
        if action is A.deliver_on_site:
            case.decided_on = when
        case.decision_served_on = when
        if case.fine_fen and case.decision_kind is DecisionKind.penalty:
            case.payment_due_on = clocks.payment_due(when, cal)
            record["payment_due_on"] = case.payment_due_on.isoformat()
    elif action is A.record_payment:
        case.paid_fen += data.amount_fen or 0
        record |= {"paid_on": when.isoformat(), "amount_fen": data.amount_fen}
        if case.fine_paid_on is None and case.fine_fen is not None and case.paid_fen >= case.fine_fen:
            case.fine_paid_on = when
    elif action is A.start_remedy:
        case.remedy_periods = [*case.remedy_periods, [when.isoformat(), None]]
    elif action is A.end_remedy:
        case.remedy_periods = [*case.remedy_periods[:-1], [case.remedy_periods[-1][0], when.isoformat()]]
    elif action is A.serve_reminder:
        case.reminder_served_on = when
    elif action is A.apply_enforcement:
        case.enforcement_applied_on = when
    elif action is A.extend:
        case.extensions += 1
        case.extension_days += data.extension_days or EXTENSION_DAYS
        if case.filed_on is not None:
            case.decision_due_on = clocks.decision_due(case.filed_on, cal, extension_days=case.extension_days)
    if before.status is S.filing_approval and after.status is S.investigation:  # 立案: the 90-day clock starts
        case.filed_on = on
        case.decision_due_on = clocks.decision_due(on, cal, extension_days=case.extension_days)
        record["decision_due_on"] = case.decision_due_on.isoformat()
    if before.status is S.decision_approval and after.status is S.service:
        case.decided_on = on
        disclosure.publish(session, case, now)  # 第四十八条: published with personal data masked
    if after.status in (S.closed, S.declined, S.withdrawn, S.transferred) and case.closed_at is None:
        case.closed_at = now
    if after.status is S.archived:
        case.archived_at = now


def add_event(
    session: Session,
    case: Case,
    action: str,
    actor: Actor,
    now: datetime,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
    key: str | None = None,
) -> None:
    session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            action=action,
            from_status=from_status,
            to_status=to_status,
            actor_type=actor.actor_type,
            actor_id=actor.actor_id,
            actor_name=actor.actor_name,
            ip=actor.ip,
            reason=reason,
            data=data,
            idempotency_key=key,
        )
    )


def withdraw_disclosure(
    session: Session, principal: StaffPrincipal, case_id: uuid.UUID, reason: str, changed_on: date | None
) -> Case:
    """第四十八条第二款: the published decision was changed, revoked, or found unlawful or void — withdraw it with
    the public reason (a 负责人's act, recorded on the timeline)."""
    case = load(session, case_id, principal)
    if not principal.has("case:approve"):
        raise NotAllowed("撤回公开信息须由负责人决定", code="case.forbidden")
    if not reason.strip():
        raise field_error("reason", "请填写公开说明的理由", code="case.gate.reason")
    on = changed_on or today()
    if on > today():
        raise field_error("changed_on", "日期不能晚于今天")
    now = clock.now()
    record = disclosure.withdraw(session, case, reason, on, now)
    case.updated_at = now
    add_event(session, case, "withdraw_disclosure", principal.actor, now, from_status=case.status,
              to_status=case.status, reason=reason, data={"withdraw_due_on": str(record.withdraw_due_on)})  # fmt: skip
    session.flush()
    return case
