"""Demo penalty cases: ~560 cases of both procedures walked through the real workflow at their own past dates.

Every step goes through ``cases.workflow.decide`` with the statutory gates checked on the day the step happens (a
gate that is still closed pushes the step to a later day, as it would in a bureau), then ``apply_effects`` records
its dates and the timeline entry is written with the officer or leader who took it. The walk of each case stops
at a target state spread over every state, so every list has something true to show: some filed long ago and still
undecided (the 督查 sweep at the end escalates them), a few repeat offenders, hearings, legal reviews, waivers,
no-penalty decisions, withdrawals, transfers and suspensions. Parties are synthetic with valid check digits.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.calendar.service import work_calendar
from chengguan.calendar.workdays import WorkCalendar
from chengguan.cases import approvals, service
from chengguan.cases.enums import FILED_UNDECIDED, CaseAction, CaseStatus, Procedure, Role
from chengguan.cases.models import Case, CaseApproval, CaseOfficer
from chengguan.cases.schemas import CaseActionIn, PenaltyIn
from chengguan.cases.supervision import sweep
from chengguan.cases.workflow import TRANSITIONS, GateClosed, Position, decide
from chengguan.core import clock
from chengguan.core.idnumbers import ric_check_digit, uscc_check_char
from chengguan.identity.principals import Actor
from chengguan.law.assess import SIMPLE_PROCEDURE_CAP_FEN
from chengguan.law.enums import PartyType, PenaltyKind
from chengguan.law.models import EnforcementMatter, HearingThreshold
from chengguan.merchants.enums import MerchantKind
from chengguan.merchants.models import Merchant
from chengguan.org.enums import ActiveStatus, OfficerKind, OrgLevel
from chengguan.org.models import Officer, OrgUnit

A, S = CaseAction, CaseStatus
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红玲梅"
SHOPS = ("餐饮", "水果", "烧烤", "百货", "建材", "广告", "装饰", "物流", "便利店", "海鲜")
STREETS = ("中山路", "湖北路", "太平路", "香港中路", "东海西路", "南京路", "延安三路", "台东一路", "书院路", "金门路")
FACTS = {
    "09": "在{addr}店外占道经营，占用人行道约{n}平方米，经劝导未改正",
    "06": "在{addr}乱堆物料、影响市容，经责令改正逾期未改正",
    "07": "未经批准在{addr}设置户外广告设施",
    "08": "在{addr}施工现场未采取扬尘防治措施",
}
ORDINARY_PATH = (  # (action, who) in legal order; optional steps are decided per case
    (A.start_check, Role.handler),
    (A.submit_filing, Role.handler),
    (A.approve, Role.approver),
    (A.end_investigation, Role.handler),
    (A.send_legal_review, Role.handler),
    (A.pass_legal_review, Role.legal),
    (A.send_discussion, Role.handler),
    (A.record_discussion, Role.leader),
    (A.issue_notice, Role.handler),
    (A.serve_notice, Role.handler),
    (A.record_statement, Role.handler),
    (A.request_hearing, Role.handler),
    (A.schedule_hearing, Role.handler),
    (A.record_hearing, Role.handler),
    (A.pass_legal_review, Role.legal),
    (A.waive_statement, Role.handler),
    (A.submit_no_penalty, Role.handler),
    (A.submit_decision, Role.handler),
    (A.approve, Role.approver),
    (A.serve_decision, Role.handler),
    (A.record_payment, Role.handler),
    (A.submit_closure, Role.handler),
    (A.approve, Role.approver),
    (A.archive, Role.handler),
)
SIMPLE_PATH = (
    (A.deliver_on_site, Role.handler),
    (A.record_payment, Role.handler),
    (A.submit_closure, Role.handler),
    (A.archive, Role.handler),
)
# Where walks stop (weights): every state has cases, most are done or well on their way.
TARGETS = {
    S.registered: 3, S.preliminary_check: 4, S.filing_approval: 4, S.investigation: 10, S.case_review: 4,
    S.legal_review: 2, S.collective_discussion: 2, S.prior_notice: 3, S.statement: 5, S.hearing: 2,
    S.decision_approval: 4, S.service: 3, S.execution: 8, S.closure_approval: 3, S.closed: 8, S.archived: 25,
    S.declined: 2, S.withdrawn: 2, S.transferred: 2, S.suspended: 2,
}  # fmt: skip
SIMPLE_TARGETS = {S.on_site: 1, S.execution: 2, S.closed: 2, S.archived: 5}


@dataclass
class _Squad:
    unit: OrgUnit
    officers: list[Officer]
    leader: str
    district_leader: str


def seed_cases(session: Session, seed: int = 2026, count: int = 560, merchants: Sequence[Merchant] = ()) -> int:
    """Add ``count`` walked cases (ordinary ~80 %, simple ~20 %) and run the 督查 sweep; returns the number added.

    About half the parties are registered shops of the case's squad (so shop records and repeat offences show)."""
    rng = random.Random(seed)
    cal = work_calendar(session)
    matters = [m for m in session.scalars(select(EnforcementMatter).order_by(EnforcementMatter.code))]
    squads = _squads(session)
    hearing = session.scalar(select(HearingThreshold).where(HearingThreshold.region_code.is_(None)))
    steps = {u.unit.id: service.chain_lengths(session, u.unit.id, Procedure.ordinary) for u in squads}
    parties: list[tuple[PartyType, str, str]] = []
    shops: dict[object, list[Merchant]] = {}
    for m in merchants:
        shops.setdefault(m.unit_id, []).append(m)
    today = clock.local_now().date()
    added = 0
    for n in range(count):
        squad = rng.choice(squads)
        simple = rng.random() < 0.2
        targets = SIMPLE_TARGETS if simple else TARGETS
        target = rng.choices(list(targets), weights=list(targets.values()))[0]
        matter = rng.choice(matters)
        if target is S.hearing:  # a hearing needs a fine of 较大数额 (第六十三条): a matter whose range reaches it
            matter = rng.choice([m for m in matters if _reaches(m, hearing)] or matters)
        party = rng.choice(parties) if parties and rng.random() < 0.08 else _party(rng, n)
        shop = None
        if target is S.hearing:
            party = _party(rng, n, individual=True)
        elif shops.get(squad.unit.id) and rng.random() < 0.5:
            shop = rng.choice(shops[squad.unit.id])
            party = _party_of(shop)
        parties.append(party)
        overdue = not simple and target in (S.investigation, S.case_review) and rng.random() < 0.35
        undecided = target in FILED_UNDECIDED or target in (S.registered, S.preliminary_check, S.filing_approval)
        span = (100, 130) if overdue else (3, 60) if undecided else (20, 150)
        start = today - timedelta(days=rng.randint(*span))
        case, lead = _open(session, rng, n, squad, matter, party, simple, start, hearing, target)
        if shop is not None:
            case.merchant_id, case.party_address = shop.id, shop.address
        _walk(session, rng, case, squad, lead, target, start, today, cal, steps[squad.unit.id])
        added += 1
    session.flush()
    sweep(session)
    return added


def _squads(session: Session) -> list[_Squad]:
    out = []
    for unit in session.scalars(select(OrgUnit).where(OrgUnit.level == OrgLevel.squad).order_by(OrgUnit.division_code)):
        officers = list(
            session.scalars(
                select(Officer)
                .where(Officer.unit_id == unit.id, Officer.kind == OfficerKind.certified)
                .where(Officer.status == ActiveStatus.active)
                .order_by(Officer.certificate_no)
            )
        )
        if len(officers) >= 3:
            out.append(_Squad(unit, officers, officers[0].name, "分管副局长"))
    return out


def _party(rng: random.Random, n: int, *, individual: bool = False) -> tuple[PartyType, str, str]:
    if not individual and rng.random() < 0.35:
        body = f"91370202MA{rng.randint(0, 10**7 - 1):07d}"
        body = body[:17]
        name = f"青岛{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(SHOPS)}有限公司"
        return PartyType.organization, name, body + uscc_check_char(body)
    born = date(1960, 1, 1) + timedelta(days=rng.randint(0, 40 * 365))
    body = f"370202{born:%Y%m%d}{rng.randint(0, 999):03d}"
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return PartyType.individual, name, body + ric_check_digit(body)


def _party_of(shop: Merchant) -> tuple[PartyType, str, str]:
    """A shop as a party: an individual business answers through its operator, a company as itself."""
    if shop.kind is MerchantKind.individual_business and shop.operator_id_no:
        return PartyType.individual, shop.operator_name, shop.operator_id_no
    return PartyType.organization, shop.name, shop.uscc or ""


def _bounds(matter: EnforcementMatter, party: PartyType) -> tuple[int | None, int | None]:
    if party is PartyType.individual:
        return matter.individual_min_fen, matter.individual_max_fen
    return matter.organization_min_fen, matter.organization_max_fen


def _reaches(matter: EnforcementMatter, hearing: HearingThreshold | None) -> bool:
    """Whether a fine of 较大数额 is possible for an individual under this matter."""
    high = matter.individual_max_fen
    return hearing is not None and high is not None and high >= hearing.individual_fen


def _fine(rng: random.Random, matter: EnforcementMatter, party: PartyType, simple: bool) -> int | None:
    low, high = _bounds(matter, party)
    if high is None:
        return None
    low = low or 0
    if simple:
        high = min(high, SIMPLE_PROCEDURE_CAP_FEN[party])
        if high < low:
            return None
    hundreds = rng.randint(low // 100_00, max(low // 100_00, high // 100_00))
    return max(low, min(high, hundreds * 100_00 or 50_00))


def _open(
    session: Session,
    rng: random.Random,
    n: int,
    squad: _Squad,
    matter: EnforcementMatter,
    party: tuple[PartyType, str, str],
    simple: bool,
    start: date,
    hearing: HearingThreshold | None,
    target: CaseStatus,
) -> tuple[Case, str]:
    party_type, name, id_no = party
    fine = _fine(rng, matter, party_type, simple)
    if target is S.hearing and hearing is not None and _reaches(matter, hearing):  # individual (see seed_cases)
        fine = max(hearing.individual_fen, matter.individual_min_fen or 0)
    kinds = [PenaltyKind.fine.value] if fine is not None else [PenaltyKind.warning.value]
    threshold = None if hearing is None else (
        hearing.individual_fen if party_type is PartyType.individual else hearing.organization_fen
    )  # fmt: skip
    addr = f"{rng.choice(STREETS)}{rng.randint(1, 300)}号"
    at = _at(start, rng)
    prefix = "JY" if simple else "AJ"
    case = Case(
        id=uuid.uuid4(),
        code=f"{prefix}{start.year}D{n:06d}",
        procedure=Procedure.simple if simple else Procedure.ordinary,
        status=S.on_site if simple else S.registered,
        unit_id=squad.unit.id,
        district_id=squad.unit.parent_id,
        matter_code=matter.code,
        matter_name=matter.name,
        knowledge_version=f"{matter.code}@{matter.version}",
        party_type=party_type,
        party_name=name,
        party_id_no=id_no,
        party_phone=f"170{rng.randint(0, 10**8 - 1):08d}",
        party_address=f"青岛市{rng.choice(STREETS)}{rng.randint(1, 300)}号",
        facts=FACTS.get(matter.category_code[:2], "在{addr}实施{name}行为").format(
            addr=addr, n=rng.randint(2, 12), name=matter.name
        ),
        address=addr,
        act_on=start - timedelta(days=rng.randint(0, 5)),
        penalty_kinds=kinds,
        fine_fen=fine,
        penalty_reasoning="依据自由裁量基准“一般”阶次，结合当事人改正情况确定",
        hearing_right=bool(fine is not None and threshold is not None and fine >= threshold),
        legal_review_grounds=["complex"] if target is S.legal_review or (not simple and rng.random() < 0.15) else [],
        discussion_required=target is S.collective_discussion or (not simple and rng.random() < 0.08),
        statement_days=rng.choice((3, 5)),
        decision_kind=None,
        remedy_periods=[],
        created_at=at,
        updated_at=at,
    )
    if simple:
        case.decision_kind = service.decision_kind_for(A.submit_decision)
    session.add(case)
    session.flush()  # the column defaults (counters, flags) are on the object from here on
    lead, partner = rng.sample(squad.officers[1:], 2)
    session.add_all([CaseOfficer(case_id=case.id, officer_id=lead.id, lead=True),
                     CaseOfficer(case_id=case.id, officer_id=partner.id, lead=False)])  # fmt: skip
    service.add_event(session, case, "create", Actor("staff", None, lead.name), at, to_status=case.status,
                      data={"procedure": case.procedure.value, "matter": case.knowledge_version})  # fmt: skip
    return case, lead.name


def _at(day: date, rng: random.Random) -> datetime:
    local = datetime.combine(day, time(9, 0), clock.SHANGHAI) + timedelta(minutes=rng.randint(0, 510))
    return local.astimezone(UTC)


def _walk(
    session: Session,
    rng: random.Random,
    case: Case,
    squad: _Squad,
    lead: str,
    target: CaseStatus,
    day: date,
    today: date,
    cal: WorkCalendar,
    steps: dict[str, object],
) -> None:
    path = SIMPLE_PATH if case.procedure is Procedure.simple else ORDINARY_PATH
    position = Position(case.status)
    no_penalty = rng.random() < 0.1
    hearing = case.hearing_right and (target is S.hearing or rng.random() < 0.4)
    waive = rng.random() < 0.5
    exit_action = {S.declined: A.decline, S.withdrawn: A.withdraw, S.transferred: A.transfer_out,
                   S.suspended: A.suspend}.get(target)  # fmt: skip
    for action, who in path:
        if position.status is target:
            return
        if exit_action and (position.status, exit_action) in TRANSITIONS:
            _step(session, rng, case, position, exit_action, Role.leader, day, today, cal, steps, squad, lead)
            return
        if not _wanted(case, action, hearing, waive, no_penalty):
            continue
        while (
            position.status is S.filing_approval
            or position.status is S.decision_approval
            or (position.status is S.closure_approval)
        ):
            moved = _step(session, rng, case, position, A.approve, Role.approver, day, today, cal, steps, squad, lead)
            if moved is None:
                return
            position, day = moved
            if position.status is target:
                return
        if action is A.approve or (position.status, action) not in TRANSITIONS:
            continue
        moved = _step(session, rng, case, position, action, who, day, today, cal, steps, squad, lead)
        if moved is None:
            return
        position, day = moved


def _wanted(case: Case, action: CaseAction, hearing: bool, waive: bool, no_penalty: bool) -> bool:
    if action is A.submit_decision:
        return not no_penalty
    if action is A.submit_no_penalty:
        return no_penalty
    if action in (A.send_legal_review,):
        return bool(case.legal_review_grounds) and not case.legal_review_passed
    if action is A.pass_legal_review:
        return True  # only reached in legal_review (else the workflow refuses and the walk moves on)
    if action in (A.send_discussion, A.record_discussion):
        return case.discussion_required and not case.discussion_done
    if action in (A.request_hearing, A.schedule_hearing, A.record_hearing):
        return hearing
    if action is A.record_statement:
        return not waive
    if action is A.waive_statement:
        return waive and not hearing
    if action is A.record_payment:
        return bool(case.fine_fen)
    return True


def _step(
    session: Session,
    rng: random.Random,
    case: Case,
    position: Position,
    action: CaseAction,
    who: Role,
    day: date,
    today: date,
    cal: WorkCalendar,
    steps: dict[str, object],
    squad: _Squad,
    lead: str,
) -> tuple[Position, date] | None:
    """Take one action on the first day (from ``day`` + 0–2 days) its gates allow; None when that is after today."""
    day = day + timedelta(days=rng.choice((0, 1, 1, 2)))
    for _ in range(40):
        if day > today:
            return None
        data = _input(case, action, day, cal)
        facts = service.facts_from(case, day, 2, steps, data)
        try:
            after = decide(position, action, frozenset({who}), facts, day, cal)
        except GateClosed:
            day += timedelta(days=1)
            continue
        at = max(_at(day, rng), case.updated_at + timedelta(minutes=rng.randint(5, 90)))
        actor = _actor(case, position, who, squad, lead)
        record: dict[str, object] = {}
        if action is A.approve:
            label = approvals.DEFAULT_CHAINS.get((case.procedure, position.status), [{"label": "审批"}])
            step_label = label[min(position.approval_step, len(label) - 1)]["label"]
            user_id = _any_user(session)
            session.add(
                CaseApproval(
                    case_id=case.id,
                    stage=position.status,
                    step=position.approval_step,
                    step_label=step_label,
                    approved=True,
                    opinion="同意",
                    user_id=user_id,
                    user_name=actor.actor_name,
                    at=at,
                    signature=approvals.sign(
                        case.id, position.status.value, position.approval_step, user_id, True, "同意", at
                    ),
                )
            )
        service.apply_effects(session, case, action, data, position, after, day, cal, record, at)
        case.status, case.approval_step, case.approval_steps, case.came_from = (
            after.status, after.approval_step, after.approval_steps, after.came_from
        )  # fmt: skip
        case.updated_at = at
        service.add_event(session, case, action.value, actor, at, from_status=position.status,
                          to_status=after.status, reason=data.reason, data=record or None)  # fmt: skip
        return after, day
    return None


_USER: dict[int, uuid.UUID] = {}


def _any_user(session: Session) -> uuid.UUID:
    """Demo approvals are signed in the name of the demo leaders; the row needs some existing account."""
    from chengguan.identity.models import User

    key = id(session)
    if key not in _USER:
        _USER.clear()
        _USER[key] = session.scalars(select(User.id).order_by(User.username)).first()  # type: ignore[assignment]
    return _USER[key]


def _actor(case: Case, position: Position, who: Role, squad: _Squad, lead: str) -> Actor:
    if who is Role.handler:
        return Actor("staff", None, lead)
    if who is Role.legal:
        return Actor("staff", None, "法制科审核员")
    if who is Role.leader:
        return Actor("staff", None, squad.district_leader)
    names = {0: squad.leader, 1: "法制科审核员" if position.status is S.decision_approval else squad.district_leader}
    return Actor("staff", None, names.get(position.approval_step, squad.district_leader))


def _input(case: Case, action: CaseAction, day: date, cal: WorkCalendar) -> CaseActionIn:
    data: dict[str, object] = {"version": 1, "on": day}
    reasons = {
        A.decline: "经初查，违法事实不能成立",
        A.withdraw: "经调查，违法事实不能成立，撤销案件",
        A.transfer_out: "涉嫌犯罪，移送公安机关",
        A.suspend: "当事人下落不明，案件中止",
        A.submit_no_penalty: "违法行为轻微并及时改正，没有造成危害后果（《行政处罚法》第三十三条第一款）",
    }
    if action in reasons:
        data["reason"] = reasons[action]
    if action is A.issue_notice:
        kinds = [PenaltyKind(k) for k in case.penalty_kinds]
        data["penalty"] = PenaltyIn(kinds=kinds, fine_fen=case.fine_fen, hearing_right=case.hearing_right)
    if action is A.schedule_hearing:
        data["hearing_notified_on"] = day
        data["hearing_on"] = cal.add_working_days(day, 8)
    if action is A.record_hearing:
        data["hearing_held"] = True
    if action is A.record_payment:
        data["amount_fen"] = max(1, service.amount_due(case, day)[1]) if case.payment_due_on else case.fine_fen or 1
    if action is A.deliver_on_site:
        data["signed_or_refused"] = True
    data["on"] = None if action is A.schedule_hearing else day
    return CaseActionIn.model_validate(data)
