"""Checks that a case may be filed on its matter and a penalty decided on it.

- the matter's law is in force for the case's unit (立法法 第八十条、第八十一条; 行政处罚法 第三十七条);
- the penalty is one the matter's provisions name, in their range for the party type, under the caps of 第五十一条;
- the decision states what 第五十二条 / 第五十九条 require.
Refusals are 422 problem+json naming the field and the article."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.cases.enums import CaseAction, CaseStatus, DecisionKind, Procedure
from chengguan.cases.models import Case
from chengguan.cases.particulars import Particulars, missing
from chengguan.cases.schemas import CaseActionIn
from chengguan.core.errors import FieldProblem, Unprocessable, field_error
from chengguan.law.applicability import refusal, unit_region
from chengguan.law.enums import PenaltyKind
from chengguan.law.fines import penalty_refusal
from chengguan.law.models import EnforcementMatter
from chengguan.law.service import Provisions, matter_facts
from chengguan.law.versions import MATTER_FIELDS, get_version


def applied_matter(session: Session, case: Case) -> EnforcementMatter:
    """The matter as the case applies it: the version kept when the case was opened (第三十七条: the law of the day of
    the act), else the current row."""
    code, _, version = (case.knowledge_version or "").partition("@")
    snapshot = get_version(session, "matter", code, int(version)) if version.isdigit() else None
    if snapshot is not None:
        content = {k: v for k, v in snapshot.content.items() if k in MATTER_FIELDS and k != "status"}
        return EnforcementMatter(**content)  # transient: read, never added to the session
    matter = session.scalar(select(EnforcementMatter).where(EnforcementMatter.code == case.matter_code))
    if matter is None:
        raise field_error("matter_code", f"知识库中没有执法事项 {case.matter_code}", code="case.matter_unknown")
    return matter


def check_in_region(session: Session, case: Case, matter: EnforcementMatter | None = None) -> None:
    """422 ``case.matter_out_of_region`` when the matter's law does not govern an act of the case's unit's region on
    the day of the act."""
    matter = matter or applied_matter(session, case)
    out = refusal(session, matter, unit_region(session, case.unit_id), case.act_on)
    if out is not None:
        raise field_error("matter_code", out.message, code="case.matter_out_of_region")


def check_penalty(
    session: Session,
    case: Case,
    kinds: Iterable[PenaltyKind | str],
    fine_fen: int | None,
    *,
    on_the_spot: bool,
    field: str = "penalty",
) -> None:
    """422 when the penalty is not one the matter's provisions allow for the case's party (kind, amount, cap)."""
    matter = applied_matter(session, case)
    check_in_region(session, case, matter)
    problem = penalty_refusal(
        matter_facts(matter, Provisions(session)),
        case.party_type,
        [PenaltyKind(k) for k in kinds],
        fine_fen,
        on_the_spot=on_the_spot,
        field=field,
    )
    if problem is not None:
        raise field_error(problem.field, problem.message, code=problem.code)


def check_particulars(case: Case, *, on_the_spot: bool) -> None:
    """422 ``case.particulars_missing`` listing every particular the decision would lack."""
    problems = missing(
        Particulars(
            facts=case.facts,
            address=case.address,
            act_at=case.act_at,
            party_type=case.party_type,
            party_name=case.party_name,
            party_id_no=case.party_id_no,
            party_address=case.party_address,
        ),
        on_the_spot=on_the_spot,
    )
    if problems:
        raise Unprocessable(
            "决定书缺少法定载明事项：" + "；".join(p.message for p in problems),
            code="case.particulars_missing",
            errors=[FieldProblem(field=p.field, message=p.message) for p in problems],
        )


def check_lawful(session: Session, case: Case, action: CaseAction, data: CaseActionIn) -> None:
    """Before a penalty is proposed or decided: the matter is in force for the case's unit, the penalty is one its
    provisions allow, and the decision states what the law requires (422, naming the field and the article)."""
    A = CaseAction
    deciding = action in (A.submit_decision, A.submit_no_penalty, A.deliver_on_site) or (
        action is A.approve and case.status is CaseStatus.decision_approval
    )
    if action is A.submit_filing or deciding or action is A.issue_notice:
        check_in_region(session, case)
    penalty = data.penalty
    kinds = [k.value for k in penalty.kinds] if penalty else case.penalty_kinds
    fine = penalty.fine_fen if penalty else case.fine_fen
    proposing = action is A.issue_notice or (deciding and action is not A.submit_no_penalty)
    if proposing and (penalty is not None or case.decision_kind is not DecisionKind.no_penalty):
        on_the_spot = case.procedure is Procedure.simple
        check_penalty(session, case, kinds, fine, on_the_spot=on_the_spot, field="penalty")
    if deciding:
        check_particulars(case, on_the_spot=case.procedure is Procedure.simple)
