"""Demo payments (码上付): some served fines paid online through the simulated gateway on their own past days — the
order made, paid on the gateway's page, its signed callback verified and recorded on the case, a receipt numbered —
one of them after the due date with its 第七十二条 late fee; two orders left open today; the rest still owed (the
overdue ones accruing their late fee). A few small on-the-spot fines collected in cash (第六十八条), handed in and
paid into the bank or not yet (第七十一条), and each past day with payments reconciled as the daily job would.

Everything runs through the real code (orders, the gateway, the verification, the case workflow) at the clock of
the day it happens; nothing is dated after now."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.calendar.service import work_calendar
from chengguan.cases.enums import CaseAction, CaseStatus, DecisionKind, Procedure, Role
from chengguan.cases.models import Case, CaseOfficer
from chengguan.cases.schemas import CaseActionIn
from chengguan.cases.service import apply_action
from chengguan.cases.timeline import add_event
from chengguan.core import clock
from chengguan.core.config import Settings, get_settings
from chengguan.core.principals import Actor
from chengguan.core.progress import SILENT, Stage
from chengguan.documents.enums import DeliveryMethod, DeliveryStatus
from chengguan.documents.models import Delivery, ServiceConsent
from chengguan.identity.models import User
from chengguan.org.models import Officer
from chengguan.payments import notify, reconcile, rules, service
from chengguan.payments.enums import CashGround, CashStatus
from chengguan.payments.models import CashCollection
from chengguan.payments.simulated.gateway import SimulatedGateway

ON_TIME, LATE, OPEN, CASH = 5, 1, 2, 3
CASHIER = Actor("staff", None, "局财务室出纳")


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), clock.SHANGHAI)


def _owing(session: Session) -> list[Case]:
    """Cases in 执行 whose served decision imposes a fine nobody has paid yet, oldest decision first."""
    return list(session.scalars(
        select(Case).where(Case.status == CaseStatus.execution, Case.decision_kind == DecisionKind.penalty,
                           Case.fine_fen > 0, Case.paid_fen == 0, Case.payment_due_on.is_not(None))
        .order_by(Case.decision_served_on, Case.code)
    ))  # fmt: skip


def _portal_cases(session: Session) -> set[uuid.UUID]:
    """Cases whose party chose the merchant portal and received a document there."""
    rows = session.execute(
        select(Delivery.case_id, ServiceConsent.channels).join(ServiceConsent, ServiceConsent.id == Delivery.consent_id)
        .where(Delivery.method == DeliveryMethod.electronic, Delivery.status == DeliveryStatus.served)
    )  # fmt: skip
    return {case_id for case_id, channels in rows if "portal" in (channels or [])}


def _paid_online(session: Session, settings: Settings, case: Case, at: datetime, payer: Actor) -> date:
    """The party opens an order at ``at``, pays it two minutes later; the gateway's callback follows."""
    with clock.frozen(at):
        opened = service.open_order(session, settings, case, payer, return_url="/portal")
    gateway = SimulatedGateway(session, settings)
    with clock.frozen(at + timedelta(minutes=2)):
        trade = gateway.pay(opened.order.order_no)
    with clock.frozen(at + timedelta(minutes=2, seconds=3)):
        callback = gateway.callback(trade)
        notify.handle(session, settings, "sim", callback.headers, callback.body, None)
    return clock.local_date(at)


def _when(case: Case, day: date, now: datetime, rng: random.Random) -> datetime | None:
    """A time on ``day`` after the case's last step and well before now (None: there is none)."""
    at = max(_local(day, rng.randint(9, 20), rng.randint(0, 59)), clock.as_utc(case.updated_at) + timedelta(minutes=30))
    return at if at <= now - timedelta(minutes=10) else None


def _collected_in_cash(
    session: Session, case: Case, at: datetime, n: int, rng: random.Random, now: datetime
) -> CashCollection:
    """The officer who decided on the spot takes the small fine in cash against the provincial receipt
    (第六十八条第（一）项、第七十条) and records it on the case as the handling officer."""
    lead = session.scalars(select(Officer).join(CaseOfficer, CaseOfficer.officer_id == Officer.id)
                           .where(CaseOfficer.case_id == case.id, CaseOfficer.lead.is_(True))).one()  # fmt: skip
    user_id = session.scalar(select(User.id).where(User.officer_id == lead.id))
    day, bill_no = clock.local_date(at), f"鲁财罚{clock.local_date(at):%Y}{rng.randint(0, 10**6 - 1):06d}{n}"
    cal = work_calendar(session)
    with clock.frozen(at):
        data = CaseActionIn(version=case.version, idempotency_key=f"cash:{bill_no}", on=day,
                            amount_fen=case.fine_fen, data={"channel": "cash", "bill_no": bill_no,
                                                            "ground": CashGround.small_fine.value,
                                                            "officer": lead.name})  # fmt: skip
        apply_action(session, case, CaseAction.record_payment, data, frozenset({Role.handler}),
                     Actor("staff", user_id, lead.name))  # fmt: skip
    row = CashCollection(case_id=case.id, unit_id=case.unit_id, officer_id=lead.id, officer_name=lead.name,
                         amount_fen=case.fine_fen or 0, ground=CashGround.small_fine, bill_no=bill_no,
                         collected_at=at, collected_on=day, handin_due_on=rules.handin_due(day, cal),
                         status=CashStatus.collected)  # fmt: skip
    session.add(row)
    handed = _local(cal.add_working_days(day, 1), 10)
    if n < 2 and handed <= now:  # the first two were handed in the next working day; the last one was not
        row.status, row.handed_in_at, row.handed_in_by_name = CashStatus.handed_in, handed, CASHIER.actor_name
        row.remit_due_on = rules.remit_due(clock.local_date(handed), cal)
        add_event(session, case, "cash_hand_in", CASHIER, handed, from_status=case.status, to_status=case.status,
                  data={"bill_no": bill_no, "amount_fen": row.amount_fen})  # fmt: skip
        remitted = _local(cal.add_working_days(clock.local_date(handed), 1), 15)
        if n == 0 and remitted <= now:
            row.status, row.remitted_at, row.remitted_by_name = CashStatus.remitted, remitted, CASHIER.actor_name
            row.bank_slip_no = f"BOC{clock.local_date(remitted):%Y%m%d}{rng.randint(100, 999)}"
            add_event(session, case, "cash_remit", CASHIER, remitted, from_status=case.status, to_status=case.status,
                      data={"bill_no": bill_no, "bank_slip_no": row.bank_slip_no})  # fmt: skip
    session.flush()
    return row


def seed_payments(session: Session, data_dir: Path | str | None = None, seed: int = 2026, stage: Stage = SILENT) -> int:
    """Pay, leave open and collect as the module says. Returns the number of payments made (online and cash)."""
    settings = get_settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": Path(data_dir)})
    rng = random.Random(seed + 13)
    now, today = clock.now(), clock.local_now().date()
    owing, portal = _owing(session), _portal_cases(session)
    # the parties who use the portal first: their receipts show there
    ordinary = sorted((c for c in owing if c.procedure is Procedure.ordinary),
                      key=lambda c: (c.id not in portal, c.code))  # fmt: skip
    stage.start(ON_TIME + LATE + OPEN + CASH + 1)
    planned: list[tuple[datetime, Case]] = []
    for case in ordinary:  # paid within the fifteen days (第六十七条第三款)
        if len(planned) >= ON_TIME:
            break
        assert case.decision_served_on is not None and case.payment_due_on is not None
        day = case.decision_served_on + timedelta(days=rng.randint(1, 6))
        at = _when(case, min(day, case.payment_due_on), now, rng) if day < today else None
        if at is not None:
            planned.append((at, case))
    for case in ordinary:  # paid after the due date: with the late fee of the days in between (第七十二条)
        if case in (c for _, c in planned) or case.payment_due_on + timedelta(days=4) >= today:  # type: ignore[operator]
            continue
        at = _when(case, case.payment_due_on + timedelta(days=3), now, rng)  # type: ignore[operator]
        if at is not None:
            planned.append((at, case))
            break
    days, used = set(), {case.id for _, case in planned}
    for at, case in sorted(planned, key=lambda p: p[0]):  # in time order: receipt numbers run with the days
        days.add(_paid_online(session, settings, case, at, Actor("merchant", None, case.party_name[:100])))
        stage.advance()
    made = len(planned)
    opened, midnight = 0, _local(today, 0)
    for case in reversed(ordinary):  # the newest decisions: an order made today, not paid yet
        if opened >= OPEN or case.id in used:
            continue
        at = max(now - timedelta(minutes=25 + 10 * opened), midnight + (now - midnight) * (OPEN - opened) / (OPEN + 1))
        if clock.as_utc(case.updated_at) >= at:  # just after midnight: within the minutes today has had
            continue
        with clock.frozen(at):
            service.open_order(session, settings, case, Actor("merchant", None, case.party_name[:100]))
        opened += 1
        used.add(case.id)
        stage.advance()
    small = [c for c in owing if c.procedure is Procedure.simple and (c.fine_fen or 0) <= rules.SMALL_FINE_FEN]
    for n, case in enumerate(small[:CASH]):  # on the spot, when the decision was handed over
        at = clock.as_utc(case.updated_at) + timedelta(minutes=rng.randint(3, 15))
        if at <= now - timedelta(minutes=5):
            _collected_in_cash(session, case, at, n, rng, now)
            made += 1
        stage.advance()
    for day in sorted(days):  # the daily job's reconciliation of each past day with payments
        ran = _local(day + timedelta(days=1), 0, 40)
        if ran > now:
            continue
        with clock.frozen(ran):
            reconcile.store(session, reconcile.report(session, settings, day), reconcile.RECONCILER)
    stage.advance()
    return made
