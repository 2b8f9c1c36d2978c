"""Walking a demo case through the real workflow at its own past dates, by the people of its squad and district.

Each step is decided by ``cases.workflow.decide`` with the statutory gates on the day it happens (a closed gate
pushes it to a later day, as in a bureau) and passes the service's lawfulness checks; the effects are applied and
the timeline entry, approval or opinion is written in the name of a person: the case's officers handle it, the
squad's 中队长, the district's 法制审核员 and 分管副局长 approve and review it, each with an opinion that says what
they found. A step that would fall after now is not taken: the case waits there.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.calendar.workdays import WorkCalendar
from chengguan.cases import approvals, effects, lawful
from chengguan.cases.enums import CaseAction, CaseStatus, DecisionKind, Procedure, Role
from chengguan.cases.facts import amount_due, chain_lengths, facts_from
from chengguan.cases.models import Case, CaseApproval, CaseOfficer
from chengguan.cases.schemas import CaseActionIn, PenaltyIn
from chengguan.cases.timeline import add_event
from chengguan.cases.workflow import TRANSITIONS, GateClosed, Position, decide
from chengguan.core import clock
from chengguan.core.principals import Actor
from chengguan.identity.models import Role as RoleRow
from chengguan.identity.models import User, UserRole
from chengguan.law.enums import PENALTY_KIND_LABELS, PenaltyKind
from chengguan.law.jurisdiction import region_of
from chengguan.org.enums import ActiveStatus, OfficerKind, OrgLevel
from chengguan.org.models import Officer, OrgUnit

A, S = CaseAction, CaseStatus
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
APPROVAL_STAGES = (S.filing_approval, S.decision_approval, S.closure_approval)


@dataclass(frozen=True)
class Person:
    """Someone who acts on a case: an officer (with their account, if they have one) or an account holder."""

    name: str
    officer_id: uuid.UUID | None
    user_id: uuid.UUID | None

    @property
    def id(self) -> uuid.UUID:
        assert self.officer_id is not None
        return self.officer_id

    @property
    def actor(self) -> Actor:
        return Actor("staff", self.user_id, self.name)


@dataclass(frozen=True)
class Crew:
    """A squad with the people its cases pass through."""

    unit: OrgUnit
    region: str
    officers: tuple[Person, ...]  # certified, active, not the squad leader (who approves)
    leader: Person  # 中队长
    district_leader: Person  # 分管副局长
    legal: Person  # 法制审核员

    def pair(self, rng: random.Random) -> tuple[Person, Person]:
        lead, partner = rng.sample(self.officers, 2)
        return lead, partner

    @classmethod
    def all(cls, session: Session) -> list[Crew]:
        holders: dict[tuple[uuid.UUID | None, str], Person] = {}
        rows = session.execute(
            select(User.id, User.display_name, User.unit_id, User.officer_id, RoleRow.code)
            .join(UserRole, UserRole.user_id == User.id).join(RoleRow, RoleRow.id == UserRole.role_id)
            .order_by(User.username)
        )  # fmt: skip
        accounts: dict[uuid.UUID, uuid.UUID] = {}
        for user_id, name, unit_id, officer_id, role in rows:
            holders.setdefault((unit_id, role), Person(name, officer_id, user_id))
            if officer_id is not None:
                accounts[officer_id] = user_id
        out = []
        squads = select(OrgUnit).where(OrgUnit.level == OrgLevel.squad).order_by(OrgUnit.division_code)
        for unit in session.scalars(squads):
            leader = holders.get((unit.id, "squad_leader"))
            district_leader = holders.get((unit.parent_id, "district_leader"))
            legal = holders.get((unit.parent_id, "legal_reviewer"))
            officers = tuple(
                Person(o.name, o.id, accounts.get(o.id))
                for o in session.scalars(
                    select(Officer)
                    .where(Officer.unit_id == unit.id, Officer.kind == OfficerKind.certified)
                    .where(Officer.status == ActiveStatus.active)
                    .order_by(Officer.certificate_no)
                )
                if leader is None or o.id != leader.officer_id
            )
            if leader and district_leader and legal and len(officers) >= 2:
                region = region_of(unit.division_code) or unit.division_code
                out.append(cls(unit, region, officers, leader, district_leader, legal))
        return out


def walk(
    session: Session, rng: random.Random, case: Case, crew: Crew, target: CaseStatus, day: date, today: date,
    cal: WorkCalendar,
) -> None:  # fmt: skip
    """Take the case along its procedure's path until it reaches ``target`` (or a step would fall after now)."""
    path = SIMPLE_PATH if case.procedure is Procedure.simple else ORDINARY_PATH
    position = Position(case.status)
    no_penalty = rng.random() < 0.1 and case.procedure is Procedure.ordinary
    hearing = case.hearing_right and (target is S.hearing or rng.random() < 0.4)
    waive = rng.random() < 0.5
    exit_action = {S.declined: A.decline, S.withdrawn: A.withdraw, S.transferred: A.transfer_out,
                   S.suspended: A.suspend}.get(target)  # fmt: skip
    step = _Stepper(session, rng, case, crew, today, cal)
    for action, who in path:
        if position.status is target:
            return
        if exit_action and (position.status, exit_action) in TRANSITIONS:
            step(position, exit_action, Role.leader, day)
            return
        if not _wanted(case, action, hearing, waive, no_penalty):
            continue
        while position.status in APPROVAL_STAGES:
            moved = step(position, A.approve, Role.approver, day)
            if moved is None:
                return
            position, day = moved
            if position.status is target:
                return
        if action is A.approve or (position.status, action) not in TRANSITIONS:
            continue
        moved = step(position, action, who, day)
        if moved is None:
            return
        position, day = moved


def _wanted(case: Case, action: CaseAction, hearing: bool, waive: bool, no_penalty: bool) -> bool:
    if action is A.submit_decision:
        return not no_penalty
    if action is A.submit_no_penalty:
        return no_penalty
    if action is A.send_legal_review:
        return bool(case.legal_review_grounds) and not case.legal_review_passed
    if action in (A.send_discussion, A.record_discussion):
        return case.discussion_required and not case.discussion_done
    if action in (A.request_hearing, A.schedule_hearing, A.record_hearing):
        return hearing
    if action is A.record_statement:
        return not waive
    if action is A.waive_statement:
        return waive and not hearing
    if action is A.record_payment:
        return bool(case.fine_fen) and case.decision_kind is not DecisionKind.no_penalty
    return True


@dataclass
class _Stepper:
    session: Session
    rng: random.Random
    case: Case
    crew: Crew
    today: date
    cal: WorkCalendar

    def __post_init__(self) -> None:
        lead = self.session.scalar(
            select(CaseOfficer.officer_id).where(CaseOfficer.case_id == self.case.id, CaseOfficer.lead.is_(True))
        )
        self.lead = next(p for p in self.crew.officers if p.officer_id == lead)
        self.steps = chain_lengths(self.session, self.case.unit_id, self.case.procedure)

    def __call__(self, position: Position, action: CaseAction, who: Role, day: date) -> tuple[Position, date] | None:
        """Take one action on the first day (from ``day`` + 0–2 days) its gates allow; None when that is after now."""
        case, rng = self.case, self.rng
        day = day + timedelta(days=rng.choice((0, 1, 1, 2)))
        now = clock.now()
        for _ in range(40):
            if case.procedure is Procedure.ordinary and not self.cal.is_working_day(day):
                day += timedelta(days=1)  # the office works on working days (a simple case is decided where it is met)
                continue
            if day > self.today:
                return None
            data = _input(case, action, day, self.cal, self.crew)
            facts = facts_from(case, day, 2, self.steps, data)
            try:
                after = decide(position, action, frozenset({who}), facts, day, self.cal)
            except GateClosed:
                day += timedelta(days=1)
                continue
            at = max(_at(day, rng), case.updated_at + timedelta(minutes=rng.randint(5, 90)))
            if at > now:
                return None
            lawful.check_lawful(self.session, case, action, data)  # the demo obeys what the API enforces
            person = self._person(position, who)
            record: dict[str, object] = {}
            if action is A.approve:
                self._approve(position, person, at)
            effects.apply(self.session, case, action, data, position, after, day, self.cal, record, at)
            case.status, case.approval_step, case.approval_steps, case.came_from = (
                after.status, after.approval_step, after.approval_steps, after.came_from
            )  # fmt: skip
            case.updated_at = at
            add_event(self.session, case, action.value, person.actor, at, from_status=position.status,
                              to_status=after.status, reason=data.reason, data=record or None)  # fmt: skip
            return after, day
        return None

    def _person(self, position: Position, who: Role) -> Person:
        crew = self.crew
        if who is Role.handler:
            return self.lead
        if who is Role.legal:
            return crew.legal
        if who is Role.leader:
            return crew.district_leader
        steps = approvals.DEFAULT_CHAINS.get((self.case.procedure, position.status), [])
        role = steps[position.approval_step]["role"] if position.approval_step < len(steps) else "district_leader"
        return {"squad_leader": crew.leader, "legal_reviewer": crew.legal}.get(role, crew.district_leader)

    def _approve(self, position: Position, person: Person, at: datetime) -> None:
        steps = approvals.DEFAULT_CHAINS.get((self.case.procedure, position.status), [{"label": "审批"}])
        label = steps[min(position.approval_step, len(steps) - 1)]["label"]
        opinion = approval_opinion(self.case, position, label)
        assert person.user_id is not None
        self.session.add(
            CaseApproval(
                case_id=self.case.id,
                stage=position.status,
                step=position.approval_step,
                step_label=label,
                approved=True,
                opinion=opinion,
                user_id=person.user_id,
                user_name=person.name,
                at=at,
                signature=approvals.sign(
                    self.case.id, position.status.value, position.approval_step, person.user_id, True, opinion, at
                ),
            )
        )


def _at(day: date, rng: random.Random) -> datetime:
    local = datetime.combine(day, time(9, 0), clock.SHANGHAI) + timedelta(minutes=rng.randint(0, 480))
    return local.astimezone(UTC)


def penalty_text(case: Case) -> str:
    """“罚款 800 元” / “警告” as an opinion states the penalty."""
    parts = []
    for kind in case.penalty_kinds:
        if kind == PenaltyKind.fine.value and case.fine_fen:
            parts.append(f"罚款{case.fine_fen // 100}元")
        elif kind != PenaltyKind.order_correct.value:
            parts.append(PENALTY_KIND_LABELS.get(PenaltyKind(kind), kind))
    return "、".join(parts) or "警告"


def approval_opinion(case: Case, position: Position, label: str) -> str:
    """What an approver writes: the finding their step is responsible for, and the decision."""
    matter, party = case.matter_name, case.party_name
    if position.status is S.filing_approval:
        if position.approval_step == 0:
            found = f"经初查，当事人{party}涉嫌“{matter}”，有现场照片和检查笔录为证"
            return f"{found}，符合立案条件，同意立案，报局领导审批。"
        return "同意立案，由承办人依法全面调查取证。"
    if position.status is S.decision_approval:
        if case.decision_kind is DecisionKind.no_penalty:
            return f"当事人{party}违法行为轻微并已及时改正，没有造成危害后果，同意不予行政处罚，并对当事人进行教育。"
        if "法制" in label:
            return ("经审核，执法主体合法，案件事实清楚，证据确实充分，适用依据正确，程序合法，"
                    f"裁量适当，同意对当事人{party}{penalty_text(case)}。")  # fmt: skip
        if position.approval_step == 0:
            return f"事实清楚、证据充分，拟{penalty_text(case)}，裁量适当，同意报审。"
        return f"同意对当事人{party}作出{penalty_text(case)}的行政处罚决定。"
    if case.decision_kind is DecisionKind.no_penalty:
        return "不予行政处罚决定书已送达，当事人已改正，同意结案。"
    return f"处罚决定已送达并执行完毕（{penalty_text(case)}），案卷材料齐全，同意结案。"


def _input(case: Case, action: CaseAction, day: date, cal: WorkCalendar, crew: Crew) -> CaseActionIn:
    data: dict[str, object] = {"version": 1, "on": day}
    reasons = {
        A.decline: "经初查，现场未发现当事人实施该违法行为，违法事实不能成立，不予立案",
        A.withdraw: "经调查，当事人已取得相关审批手续，违法事实不能成立，撤销案件",
        A.transfer_out: "经调查，当事人的行为涉嫌构成犯罪，依法移送公安机关（《行政处罚法》第二十七条）",
        A.suspend: "当事人下落不明，经多次联系未果，案件中止调查",
        A.submit_no_penalty: "违法行为轻微并及时改正，没有造成危害后果（《行政处罚法》第三十三条第一款）",
        A.record_statement: f"当事人{case.party_name}陈述：对违法事实无异议，已按要求改正，请求从轻处罚。",
        A.record_discussion: (
            f"经机关负责人集体讨论，认为本案事实清楚、证据充分，决定对当事人{case.party_name}{penalty_text(case)}。"
        ),
        A.pass_legal_review: "经法制审核，本案执法主体合法，事实清楚，证据充分，适用依据正确，程序合法，同意。",
    }
    if action in reasons:
        data["reason"] = reasons[action]
    if action is A.transfer_out:
        data["data"] = {"to": f"青岛市公安局{crew.unit.name[:3]}派出所"}
    if action is A.issue_notice:
        kinds = [PenaltyKind(k) for k in case.penalty_kinds]
        data["penalty"] = PenaltyIn(kinds=kinds, fine_fen=case.fine_fen, hearing_right=case.hearing_right)
    if action is A.schedule_hearing:
        data["hearing_notified_on"] = day
        data["hearing_on"] = cal.add_working_days(day, 8)
    if action is A.record_hearing:
        data["hearing_held"] = True
    if action is A.record_payment:
        data["amount_fen"] = max(1, amount_due(case, day)[1]) if case.payment_due_on else case.fine_fen or 1
    if action is A.deliver_on_site:
        data["signed_or_refused"] = True
    data["on"] = None if action is A.schedule_hearing else day
    return CaseActionIn.model_validate(data)
