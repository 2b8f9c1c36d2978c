"""Correct what a case states — the facts, the time and place of the act, the party — while it is still being
investigated. 行政处罚法 第五十四条: the facts are established by the investigation, so they may be completed until
the case goes to review; after the prior notice (第四十四条) the party was told the facts and a change needs a new
notice, so corrections stop there. Every correction is on the timeline with what it changed and why (第四十七条)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from chengguan.cases.enums import CaseStatus, Role
from chengguan.cases.facts import roles_of
from chengguan.cases.models import Case
from chengguan.cases.repository import load
from chengguan.cases.schemas import CaseParticularsIn
from chengguan.cases.service import check_party
from chengguan.cases.timeline import add_audited_event
from chengguan.core import clock
from chengguan.core.errors import Conflict, Forbidden, field_error
from chengguan.core.principals import StaffPrincipal

AMENDABLE = frozenset(
    {CaseStatus.registered, CaseStatus.preliminary_check, CaseStatus.investigation, CaseStatus.case_review}
)
PARTY_FIELDS = ("type", "name", "id_no", "phone", "address", "representative")


def amend(session: Session, principal: StaffPrincipal, case_id: uuid.UUID, data: CaseParticularsIn) -> Case:
    """Apply the corrections a handling officer makes before review; 409 once the case is past investigation."""
    case = load(session, case_id, principal)
    if Role.handler not in roles_of(session, principal, case):
        raise Forbidden("只有本案承办人可以补正案件信息", code="case.forbidden")
    if data.version != case.version:
        raise Conflict("案件已被他人更新，请刷新后重试", code="case.version_conflict", current_version=case.version)
    if case.status not in AMENDABLE:
        raise Conflict(
            "案件已进入审核、告知或决定环节，不能再补正事实（变更须重新告知，《行政处罚法》第四十四条）",
            code="case.not_amendable",
        )
    now = clock.now()
    changes: dict[str, Any] = {}
    for name in ("facts", "address"):
        value = getattr(data, name)
        if value is not None and value.strip() != (getattr(case, name) or ""):
            changes[name] = [getattr(case, name), value.strip()]
            setattr(case, name, value.strip())
    if data.act_at is not None and data.act_at != case.act_at:
        if data.act_at > now:
            raise field_error("act_at", "违法行为发生时间不能晚于现在")
        day = clock.as_utc(data.act_at).astimezone(clock.SHANGHAI).date()
        changes["act_at"] = [case.act_at.isoformat() if case.act_at else None, data.act_at.isoformat()]
        case.act_at, case.act_on = data.act_at, day
    if data.party is not None:
        check_party(data.party)
        for name in PARTY_FIELDS:
            value = getattr(data.party, name)
            value = value.upper() if name == "id_no" and value else value
            column = f"party_{name}"
            if value != getattr(case, column):
                changes[column] = [str(getattr(case, column) or ""), str(value or "")]
                setattr(case, column, value)
    if not changes:
        return case
    case.updated_at = now
    add_audited_event(session, case, "amend", principal, now, from_status=case.status, to_status=case.status,
                      reason=data.reason, data={"changes": changes})  # fmt: skip
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict("案件已被他人更新，请刷新后重试", code="case.version_conflict") from exc
    return case
