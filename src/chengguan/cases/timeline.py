"""The case's timeline (全过程记录, 《行政处罚法》第四十七条): one entry per act on the case — who, when, from which
address — appended and never changed, and the entries as the detail page shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from chengguan.audit import events
from chengguan.cases.enums import ACTION_LABELS, CaseAction
from chengguan.cases.models import Case, CaseEvent
from chengguan.cases.schemas import EventRead
from chengguan.core.principals import Actor, StaffPrincipal
from chengguan.intake import timeline

EVENT_LABELS = {  # entries that are not workflow actions
    "create": "立案登记",
    "supervise": "超期转督查",
    "withdraw_disclosure": "撤回公开信息",
    "add_evidence": "登记证据",
    "review_evidence": "证据审核",
    "amend": "补正案件信息",
    "party_statement": "当事人在线陈述申辩",
    # payments: what a payment channel or the bureau's cashier records beside 登记缴款
    "payment_excess": "多缴款项待退还",
    "payment_refund": "退还多缴款项",
    "cash_hand_in": "当场收缴罚款上交",
    "cash_remit": "当场收缴罚款缴付银行",
}


def add_event(session: Session, case: Case, action: str, actor: Actor, now: datetime, **fields: Any) -> None:
    """Append one entry: ``from_status``, ``to_status``, ``reason``, ``data`` and the request's idempotency ``key``,
    as ``intake.timeline.entry`` takes them; the actor's address is recorded with it."""
    session.add(timeline.entry(CaseEvent, actor, now, action, case_id=case.id, ip=actor.ip, **fields))


def add_audited_event(
    session: Session, case: Case, action: str, principal: StaffPrincipal | Actor, now: datetime, **fields: Any
) -> None:
    """``add_event`` for an act someone does through the platform, also written to the hash-chained audit log as
    ``case.<action>`` (the timeline keeps the details; the log gets the move and, for corrections, the field names —
    no party data, which the log could never re-encrypt). The demo's past acts use ``add_event`` alone. ``principal``
    is an ``Actor`` for what no person does (a payment channel's verified report, cases.collection)."""
    add_event(session, case, action, principal if isinstance(principal, Actor) else principal.actor, now, **fields)
    summary = {name: str(fields[name]) for name in ("from_status", "to_status") if fields.get(name) is not None}
    changes = (fields.get("data") or {}).get("changes")
    if isinstance(changes, dict):
        summary["changed"] = sorted(changes)
    events.record(session, principal, f"case.{action}", "case", case.id, case.code, **summary)


def already_done(session: Session, case_id: uuid.UUID, key: str) -> bool:
    """Whether a request with idempotency key ``key`` was already recorded on the case."""
    return timeline.recorded(session, CaseEvent, CaseEvent.case_id == case_id, key)


def event_read(e: CaseEvent) -> EventRead:
    try:
        label = ACTION_LABELS[CaseAction(e.action)]
    except ValueError:
        label = EVENT_LABELS.get(e.action, e.action)
    return EventRead(id=e.id, at=e.at, action=e.action, action_label=label, from_status=e.from_status,
                     to_status=e.to_status, actor_name=e.actor_name, ip=e.ip, reason=e.reason, data=e.data)  # fmt: skip
