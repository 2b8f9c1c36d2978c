"""Penalty-case use cases: open a case, take an action (decide → apply → timeline), with optimistic locking and
idempotent retries, and withdraw a published decision. Reads (list, detail, allowed actions) live in ``cases.read``,
queries in ``cases.repository``, what an action does in ``cases.effects``."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from chengguan.calendar.service import work_calendar
from chengguan.cases import approvals, disclosure, effects, hooks, lawful, repository
from chengguan.cases.enums import CaseAction, DecisionKind, Procedure, Role
from chengguan.cases.facts import facts_of, roles_of, today
from chengguan.cases.gates import LEGAL_REVIEW_GROUNDS
from chengguan.cases.models import Case, CaseOfficer
from chengguan.cases.repository import load
from chengguan.cases.schemas import CaseActionIn, CaseCreate, PartyIn
from chengguan.cases.timeline import add_audited_event, already_done
from chengguan.cases.workflow import GateClosed, NotAllowed, Position, creation_refusal, decide, initial_position
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.counters import reserve
from chengguan.core.errors import Conflict, field_error
from chengguan.core.idnumbers import valid_ric, valid_uscc
from chengguan.core.masking import is_masked
from chengguan.core.principals import Actor, StaffPrincipal
from chengguan.intake.models import CaseSource
from chengguan.intake.service import append_event as append_source_event
from chengguan.kit import locking
from chengguan.law.enums import PartyType
from chengguan.law.versions import get_version, keep_version
from chengguan.org.enums import OrgLevel
from chengguan.org.grids import grid_locator
from chengguan.org.models import OrgUnit
from chengguan.org.repository import OrgUnitRepository

# -- open a case ---------------------------------------------------------------------------------------------------


def check_party(party: PartyIn) -> None:
    """An identity number, when given, carries a valid check digit (GB 11643 / GB 32100); no field is the masked
    rendering of one (a form filled from a masked detail)."""
    if party.phone and "*" in party.phone:
        raise field_error("party.phone", "请填写完整的联系电话（不能是脱敏显示的号码）", code="case.party.masked")
    if is_masked(party.address):
        raise field_error("party.address", "请填写完整的地址（不能是脱敏显示的地址）", code="case.party.masked")
    number = (party.id_no or "").upper()
    if not number:
        return
    if party.type is PartyType.individual and not valid_ric(number):
        raise field_error("party.id_no", "公民身份号码校验位不正确（GB 11643）", code="case.party.id_no")
    if party.type is PartyType.organization and not valid_uscc(number):
        raise field_error("party.id_no", "统一社会信用代码校验位不正确（GB 32100）", code="case.party.id_no")


def create(session: Session, principal: StaffPrincipal, data: CaseCreate) -> Case:
    """Open a case: ordinary cases start as 案件来源; simple-procedure cases are decided on the spot (第五十一条,
    two certified officers, 第四十二条). The matter's knowledge-base version is recorded with the case."""
    check_party(data.party)
    merchant_id = hooks.shops().link(session, principal, data.party, data.merchant_id)
    unknown = set(data.legal_review_grounds) - set(LEGAL_REVIEW_GROUNDS)
    if unknown:
        raise field_error("legal_review_grounds", f"未知的法制审核情形：{'、'.join(sorted(unknown))}")
    matter = repository.matter(session, data.matter_code)
    if matter is None:
        raise field_error("matter_code", f"知识库中没有执法事项 {data.matter_code}", code="case.matter_unknown")
    unit_id = data.unit_id or principal.unit_id
    unit = session.get(OrgUnit, unit_id) if unit_id else None
    if unit is None:
        raise field_error("unit_id", "请指定承办单位", code="case.unit_unknown")
    if unit.id != principal.unit_id and OrgUnitRepository(session).get_readable(principal, unit.id) is None:
        raise field_error("unit_id", "承办单位不在您的数据权限范围内", code="case.unit_out_of_scope")
    officers = repository.officers(session, data.officer_ids)
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
    hooks.opened(session, case)
    if source is not None:  # the case source's timeline records the hand-over (案源 → 立案查处)
        append_source_event(session, source, "open_case", principal.actor, now,
                            data={"case_id": str(case.id), "case_code": case.code})  # fmt: skip
    add_audited_event(session, case, "create", principal, now, to_status=case.status, key=data.idempotency_key,
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


def act(
    session: Session,
    principal: StaffPrincipal,
    case_id: uuid.UUID,
    action: CaseAction,
    data: CaseActionIn,
    *,
    settings: Settings | None = None,
) -> Case:
    """Take ``action`` on the case: a retry with the same idempotency key returns the case as the first call left it;
    a stale ``version`` is 409; the workflow decides (409/403 with the article), ``effects`` applies it and the
    timeline records it with the actor, time and address. A request's ``settings`` given, the modules above cases
    follow a case the action moved on (``hooks.moved``: the file of a closed case is assembled, 第四十七条)."""
    case = load(session, case_id, principal)
    before = case.status
    key = data.idempotency_key

    def replay() -> Case | None:  # concurrent twins too: the loser of the race returns the winner's result
        if not (key and already_done(session, case.id, key)):
            return None
        session.expire_all()  # the twin committed after this request loaded the case: read what it left
        return load(session, case_id, principal)

    if (done := replay()) is None:
        if data.version != case.version:
            raise Conflict("案件已被他人更新，请刷新后重试", code="case.version_conflict", current_version=case.version)
        conflict = Conflict("案件已被他人更新，请刷新后重试", code="case.version_conflict")
        done = locking.once(session, lambda: _act(session, principal, case, action, data), replay=replay,
                            conflict=conflict)  # fmt: skip
    if settings is not None and done.status is not before:
        hooks.moved(session, principal, settings, done)
    return done


def _act(session: Session, principal: StaffPrincipal, case: Case, action: CaseAction, data: CaseActionIn) -> Case:
    roles = roles_of(session, principal, case)
    return apply_action(session, case, action, data, roles, principal.actor, principal=principal)


def apply_action(
    session: Session,
    case: Case,
    action: CaseAction,
    data: CaseActionIn,
    roles: frozenset[Role],
    actor: Actor,
    *,
    principal: StaffPrincipal | None = None,
) -> Case:
    """Decide ``action`` for whoever holds ``roles`` on the case, apply its effects and append the timeline entry in
    ``actor``'s name — the one path of every action, an officer's (``act``) or a payment channel's
    (``cases.collection``). Approvals need the approving ``principal``."""
    on = today()
    calendar = work_calendar(session)
    if data.on is not None and data.on > on:
        raise field_error("on", "日期不能晚于今天")
    lawful.check_lawful(session, case, action, data)
    facts = facts_of(session, case, on, data)
    before = Position(case.status, case.approval_step, case.approval_steps, case.came_from)
    after = decide(before, action, roles, facts, on, calendar)
    now = clock.now()
    record: dict[str, Any] = dict(data.data or {})
    if action in (CaseAction.approve, CaseAction.reject):
        assert principal is not None, "an approval is given by a person"
        record |= approvals.record(session, principal, case, action is CaseAction.approve, data.reason, now)
    effects.apply(session, case, action, data, before, after, on, calendar, record, now)
    effects.enter(session, case, before, after)
    case.updated_at = now
    add_audited_event(session, case, action.value, principal or actor, now, from_status=before.status,
                      to_status=after.status, reason=data.reason, data=record or None,
                      key=data.idempotency_key)  # fmt: skip
    session.flush()
    return case


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
    add_audited_event(session, case, "withdraw_disclosure", principal, now, from_status=case.status,
                      to_status=case.status, reason=reason,
                      data={"withdraw_due_on": str(record.withdraw_due_on)})  # fmt: skip
    session.flush()
    return case
