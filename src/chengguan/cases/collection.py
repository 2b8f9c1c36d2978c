"""Fines the collecting channel reports (《行政处罚法》第六十七条: the deciding bureau does not collect; the party pays
at the designated bank or through the electronic payment system): recorded on the case by the same step as an
officer's 登记缴款 — the workflow's gate, the effects (``paid_fen``; ``fine_paid_on`` stops the 第七十二条 late fee)
and the timeline entry — in the channel's name with the role 收缴机构, never a person's.

The modules above cases that talk to a payment channel (payments) call this once they have verified its report."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from chengguan.cases import service
from chengguan.cases.enums import CaseAction, Role
from chengguan.cases.models import Case
from chengguan.cases.schemas import CaseActionIn
from chengguan.cases.timeline import already_done
from chengguan.core.errors import Conflict, NotFound
from chengguan.core.principals import Actor
from chengguan.kit import locking

COLLECTOR = frozenset({Role.collector})


def record_collected(
    session: Session,
    case_id: uuid.UUID,
    *,
    amount_fen: int,
    on: date,
    actor: Actor,
    key: str,
    record: dict[str, Any],
) -> Case:
    """第六十七条第三款: record ``amount_fen`` paid on ``on`` through the channel ``actor`` (idempotent on ``key``: a
    report recorded before changes nothing). The workflow refuses it as it would an officer's entry (409 when the
    case is not in 执行, or its decision imposes no fine)."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在", code="case.not_found")
    if already_done(session, case.id, key):
        return case
    data = CaseActionIn(version=case.version, idempotency_key=key, on=on, amount_fen=amount_fen, data=record)

    def replay() -> Case | None:
        return case if already_done(session, case.id, key) else None

    conflict = Conflict("案件正在被他人办理，请稍后重试", code="case.version_conflict")
    work = lambda: service.apply_action(session, case, CaseAction.record_payment, data, COLLECTOR, actor)  # noqa: E731
    return locking.once(session, work, replay=replay, conflict=conflict)
