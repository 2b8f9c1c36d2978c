"""On-the-spot collection (当场收缴): an officer takes the fine in cash where the law allows it (第六十八条、第六十九条)
against the financial department's receipt (第七十条), records it on the case as the officer's own 登记缴款, and
hands the cash in to the bureau within two working days (第七十一条、第八十五条); the bureau pays it into the bank
within two more. The overdue lists are read from the due dates kept on each collection."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.audit import service as audit
from chengguan.calendar.service import work_calendar
from chengguan.cases import service as cases
from chengguan.cases.enums import CaseAction
from chengguan.cases.models import Case
from chengguan.cases.repository import load as load_case
from chengguan.cases.schemas import CaseActionIn
from chengguan.cases.timeline import add_event
from chengguan.core import clock
from chengguan.core.errors import Conflict, Forbidden, NotFound, field_error
from chengguan.core.principals import StaffPrincipal
from chengguan.org.models import Officer
from chengguan.payments import repository, rules
from chengguan.payments.enums import CASH_GROUND_LABELS, CASH_STATUS_LABELS, CashStatus
from chengguan.payments.models import CashCollection
from chengguan.payments.schemas import CashIn, CashOut
from chengguan.payments.service import due_of


def collect(session: Session, principal: StaffPrincipal, case_id: uuid.UUID, data: CashIn) -> CashCollection:
    """Record cash the principal (a handling officer) collected on the spot: the law's grounds and limits checked
    (422 naming the article), the payment recorded on the case by the workflow as the officer's own act (so only
    the case's handling officers may), the hand-in day set (第七十一条)."""
    if principal.officer_id is None:
        raise Forbidden("当场收缴须由执法人员本人登记", code="payment.cash.not_officer")
    case = load_case(session, case_id, principal)
    bill_no = data.bill_no.strip()
    same = session.scalars(select(CashCollection).where(CashCollection.bill_no == bill_no)).first()
    if same is not None:
        if same.case_id == case.id and same.amount_fen == data.amount_fen:
            return same  # a retry of the same entry
        raise Conflict(f"专用票据 {bill_no} 已登记过", code="payment.cash.bill_used")
    today = clock.local_now().date()
    on = data.collected_on or today
    if data.on_water and data.landed_on is None:
        raise field_error("landed_on", "在水上收缴的，请填写抵岸日期（第七十一条：自抵岸之日起二日内交至行政机关）",
                          code="payment.cash.landed_on")  # fmt: skip
    decided = case.decided_on or case.decision_served_on
    if on > today or (decided is not None and on < decided):
        raise field_error("collected_on", "收缴日期须在处罚决定作出之后、不晚于今天", code="payment.cash.date")
    if data.landed_on is not None and not on <= data.landed_on <= today:
        raise field_error("landed_on", "抵岸日期须在收缴之后、不晚于今天", code="payment.cash.date")
    refusal = rules.cash_refusal(procedure=case.procedure, fine_fen=case.fine_fen, amount_fen=data.amount_fen,
                                 owed_fen=due_of(case, on).total_fen, ground=data.ground, reason=data.reason,
                                 party_requested=data.party_requested, bill_no=bill_no)  # fmt: skip
    if refusal is not None:
        raise field_error("ground", refusal.message, code=refusal.code)
    officer = session.get(Officer, principal.officer_id)
    assert officer is not None
    key = data.idempotency_key or f"cash:{bill_no}"
    record = {"channel": "cash", "bill_no": bill_no, "ground": data.ground.value, "officer": officer.name}
    cases.act(session, principal, case.id, CaseAction.record_payment,
              CaseActionIn(version=data.version, idempotency_key=key, on=on, amount_fen=data.amount_fen,
                           data=record))  # fmt: skip
    cal = work_calendar(session)
    row = CashCollection(case_id=case.id, unit_id=case.unit_id, officer_id=officer.id, officer_name=officer.name,
                         amount_fen=data.amount_fen, ground=data.ground, reason=(data.reason or "").strip() or None,
                         party_requested=data.party_requested, bill_no=bill_no, collected_at=clock.now(),
                         collected_on=on, on_water=data.on_water, landed_on=data.landed_on,
                         handin_due_on=rules.handin_due(on, cal, landed_on=data.landed_on if data.on_water else None),
                         status=CashStatus.collected, created_by_id=principal.user_id)  # fmt: skip
    session.add(row)
    session.flush()
    summary = {"case": case.code, "amount_fen": row.amount_fen, "ground": row.ground.value,
               "handin_due_on": row.handin_due_on.isoformat()}  # fmt: skip
    audit.record(session, principal.actor, "payment.cash_collect", target_type="cash_collection", target_id=row.id,
                 target_label=bill_no, summary=summary)  # fmt: skip
    return row


def _load(session: Session, principal: StaffPrincipal, collection_id: uuid.UUID) -> CashCollection:
    row = session.scalars(
        repository.cash_statement(principal).where(CashCollection.id == collection_id).with_for_update()
    ).first()
    if row is None:
        raise NotFound("当场收缴记录不存在或不在您的数据权限范围内", code="payment.cash.not_found")
    return row


def hand_in(session: Session, principal: StaffPrincipal, collection_id: uuid.UUID, note: str | None) -> CashCollection:
    """第七十一条: the bureau received the cash (its cashier confirms); from today it has two working days to pay it
    into the bank."""
    row = _load(session, principal, collection_id)
    if row.status is not CashStatus.collected:
        raise Conflict("该笔罚款已上交", code="payment.cash.already_handed_in")
    now = clock.now()
    today = clock.local_date(now)
    row.status, row.handed_in_at, row.handed_in_by_name = CashStatus.handed_in, now, principal.display_name[:100]
    row.remit_due_on = rules.remit_due(today, work_calendar(session))
    _case_entry(session, row, "cash_hand_in", principal, note,
                {"handin_due_on": row.handin_due_on.isoformat(), "late": today > row.handin_due_on})  # fmt: skip
    return row


def remit(session: Session, principal: StaffPrincipal, collection_id: uuid.UUID, slip_no: str) -> CashCollection:
    """第七十一条: the bureau paid the cash into the designated bank (the bank's slip number recorded)."""
    row = _load(session, principal, collection_id)
    if row.status is not CashStatus.handed_in:
        raise Conflict("该笔罚款尚未上交或已缴付银行", code="payment.cash.not_handed_in")
    row.status, row.remitted_at, row.remitted_by_name = CashStatus.remitted, clock.now(), principal.display_name[:100]
    row.bank_slip_no = slip_no.strip()[:60]
    _case_entry(session, row, "cash_remit", principal, None, {"bank_slip_no": row.bank_slip_no})
    return row


def _case_entry(session: Session, row: CashCollection, action: str, principal: StaffPrincipal, note: str | None,
                data: dict) -> None:  # type: ignore[type-arg]  # fmt: skip
    case = session.get(Case, row.case_id)
    assert case is not None
    now = clock.now()
    add_event(session, case, action, principal.actor, now, from_status=case.status, to_status=case.status,
              reason=note, data={"bill_no": row.bill_no, "amount_fen": row.amount_fen, **data})  # fmt: skip
    session.flush()
    summary = {"case": case.code, "amount_fen": row.amount_fen, **data}
    audit.record(session, principal.actor, f"payment.{action}", target_type="cash_collection", target_id=row.id,
                 target_label=row.bill_no, summary=summary)  # fmt: skip


def overdue(row: CashCollection, on: date) -> bool:
    """Past the day the cash was due at the bureau (or, handed in, at the bank) — 第七十一条."""
    if row.status is CashStatus.collected:
        return on > row.handin_due_on
    return row.status is CashStatus.handed_in and row.remit_due_on is not None and on > row.remit_due_on


def cash_outs(session: Session, rows: list[CashCollection]) -> list[CashOut]:
    """Collections as the list shows them, each with its case's code."""
    codes = dict(session.execute(select(Case.id, Case.code).where(Case.id.in_({r.case_id for r in rows}))).all())
    on = clock.local_now().date()
    return [cash_out(r, codes.get(r.case_id, ""), on) for r in rows]


def cash_out(row: CashCollection, case_code: str, on: date) -> CashOut:
    return CashOut(
        id=row.id, case_id=row.case_id, case_code=case_code, officer_name=row.officer_name,
        amount_fen=row.amount_fen, ground=row.ground, ground_label=CASH_GROUND_LABELS[row.ground], reason=row.reason,
        bill_no=row.bill_no, collected_on=row.collected_on, on_water=row.on_water, landed_on=row.landed_on,
        handin_due_on=row.handin_due_on, status=row.status, status_label=CASH_STATUS_LABELS[row.status],
        handed_in_at=row.handed_in_at, handed_in_by_name=row.handed_in_by_name, remit_due_on=row.remit_due_on,
        remitted_at=row.remitted_at, bank_slip_no=row.bank_slip_no, overdue=overdue(row, on),
    )  # fmt: skip
