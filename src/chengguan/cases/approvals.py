"""Approval chains (审批链) per unit and procedure, who may approve the current step, and signed approval records."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.cases.enums import CaseStatus, Procedure
from chengguan.cases.models import ApprovalChain, Case, CaseApproval
from chengguan.core.config import get_settings
from chengguan.core.principals import StaffPrincipal
from chengguan.identity.models import Role as RoleRow
from chengguan.identity.models import UserRole
from chengguan.org.models import OrgUnitClosure

# Used where neither the unit, an ancestor, nor the platform configured a chain (承办人 → 中队长 → 法制科 → 分管局长).
DEFAULT_CHAINS: dict[tuple[Procedure, CaseStatus], list[dict[str, str]]] = {
    (Procedure.ordinary, CaseStatus.filing_approval): [
        {"role": "squad_leader", "label": "中队长审核"},
        {"role": "district_leader", "label": "分管局长审批"},
    ],
    (Procedure.ordinary, CaseStatus.decision_approval): [
        {"role": "squad_leader", "label": "中队长审核"},
        {"role": "legal_reviewer", "label": "法制科审核"},
        {"role": "district_leader", "label": "分管局长审批"},
    ],
    (Procedure.ordinary, CaseStatus.closure_approval): [{"role": "squad_leader", "label": "中队长审批"}],
}


MEMO = "cases.approvals.memo"


@contextmanager
def memoized(session: Session) -> Iterator[None]:
    """Within the block, ``chain`` and ``role_codes`` answer each distinct question once: the approval inbox asks
    them for every case in an approval stage (thousands), nearly all with the same few answers. Only around reads —
    the block must not change chains or roles."""
    session.info[MEMO] = {}
    try:
        yield
    finally:
        session.info.pop(MEMO, None)


def _remembered(session: Session, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    memo = session.info.get(MEMO)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def chain(session: Session, unit_id: uuid.UUID, procedure: Procedure, stage: CaseStatus) -> list[dict[str, str]]:
    """The steps of ``stage`` for a case of ``unit_id``: the nearest configured unit (itself, then its ancestors),
    then the platform-wide chain, then the default."""
    return _remembered(session, ("chain", unit_id, procedure, stage),
                       lambda: _chain(session, unit_id, procedure, stage))  # fmt: skip


def _chain(session: Session, unit_id: uuid.UUID, procedure: Procedure, stage: CaseStatus) -> list[dict[str, str]]:
    depth = {
        a: d
        for a, d in session.execute(
            select(OrgUnitClosure.ancestor_id, OrgUnitClosure.depth).where(OrgUnitClosure.descendant_id == unit_id)
        )
    }
    rows = session.scalars(
        select(ApprovalChain).where(ApprovalChain.procedure == procedure, ApprovalChain.stage == stage)
    ).all()
    scoped = [r for r in rows if r.unit_id in depth]
    if scoped:
        return min(scoped, key=lambda r: depth[r.unit_id]).steps  # type: ignore[index]
    platform = next((r for r in rows if r.unit_id is None), None)
    if platform is not None:
        return platform.steps
    return DEFAULT_CHAINS.get((procedure, stage), [])


def role_codes(session: Session, user_id: uuid.UUID) -> set[str]:
    statement = select(RoleRow.code).join(UserRole, UserRole.role_id == RoleRow.id).where(UserRole.user_id == user_id)
    return _remembered(session, ("roles", user_id), lambda: set(session.scalars(statement)))


def current_step(session: Session, case: Case) -> dict[str, str] | None:
    if case.status not in (CaseStatus.filing_approval, CaseStatus.decision_approval, CaseStatus.closure_approval):
        return None
    steps = case.approval_chain or chain(session, case.unit_id, case.procedure, case.status)
    return steps[case.approval_step] if case.approval_step < len(steps) else None


def may_approve(session: Session, principal: StaffPrincipal, case: Case, handler: bool) -> bool:
    """The current step's role (or an administrator), held by someone who is not a handling officer of the case and
    has not signed an earlier step of this round (one person, one signature per round)."""
    step = current_step(session, case)
    if step is None or handler:
        return False
    codes = role_codes(session, principal.user_id)
    if step["role"] not in codes and "admin" not in codes:
        return False
    if case.approval_step == 0:
        return True
    # The last ``approval_step`` approvals of this stage are this round's (a rejection ends a round).
    signed = session.scalars(
        select(CaseApproval.user_id)
        .where(CaseApproval.case_id == case.id, CaseApproval.stage == case.status)
        .order_by(CaseApproval.at.desc(), CaseApproval.id.desc())
        .limit(case.approval_step)
    ).all()
    return principal.user_id not in signed


def sign(case_id: uuid.UUID, stage: str, step: int, user_id: uuid.UUID, approved: bool, opinion: str | None,
         at: datetime) -> str:  # fmt: skip
    """HMAC-SHA256 over the approval's content with the platform key: the record cannot be edited unnoticed."""
    payload = json.dumps(
        [str(case_id), stage, step, str(user_id), approved, opinion or "", at.isoformat()], ensure_ascii=False
    )
    return hmac.new(get_settings().secret_key.encode(), payload.encode(), hashlib.sha256).hexdigest()


def record(
    session: Session, principal: StaffPrincipal, case: Case, approved: bool, opinion: str | None, now: datetime
) -> dict[str, Any]:
    """The principal's signed approval (or rejection) of the current step; what the timeline entry records of it."""
    step = current_step(session, case) or {"label": "审批"}
    signature = sign(case.id, case.status.value, case.approval_step, principal.user_id, approved, opinion, now)
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


def verify(record: CaseApproval) -> bool:
    expected = sign(record.case_id, record.stage.value, record.step, record.user_id, record.approved, record.opinion,
                    record.at)  # fmt: skip
    return hmac.compare_digest(expected, record.signature)
