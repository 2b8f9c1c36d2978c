"""The rules of paying a fine — pure functions of plain values (no clock read, no session), each naming its article
of 《中华人民共和国行政处罚法》 (2021).

- 第六十七条第三款: the party pays within fifteen days of receiving the decision, at the designated bank or through
  the electronic payment system (the clock is ``cases.clocks.payment_due``; here: what is owed on a day);
- 第七十二条第一款第（一）项: from the day after, 3 % of the fine a day, never more than the fine (the calculation is
  ``law.late_fee``, shared with the knowledge base's calculator), paused while review or litigation runs (第七十三条);
- 第六十八条、第六十九条: when an officer may collect on the spot; 第七十条: against the financial department's receipt;
- 第七十一条 with 第八十五条: cash is handed in within two working days, and paid into the bank within two more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from chengguan.calendar.workdays import WorkCalendar
from chengguan.cases import clocks
from chengguan.cases.enums import CaseStatus, DecisionKind, Procedure
from chengguan.cases.gates import Refusal
from chengguan.core.clock import SHANGHAI
from chengguan.law.late_fee import late_fee
from chengguan.payments.enums import CashGround

SMALL_FINE_FEN = 100_00  # 第六十八条第（一）项：依法给予一百元以下罚款的（“以下”含本数）
HANDIN_WORKING_DAYS = clocks.CASH_HANDIN_WORKING_DAYS  # 第七十一条：二日内（第八十五条：工作日）
BILL_NO_MAX = 40
ON_THE_SPOT_ONLY = "仅当场作出的处罚决定可当场收缴（《行政处罚法》第六十八条）"


@dataclass(frozen=True)
class Due:
    """What the party owes on a day: the unpaid fine and the unpaid late fee (fen), the fee's days and cap."""

    fine_fen: int
    late_fee_fen: int
    late_fee_days: int
    late_fee_capped: bool
    payment_due_on: date | None
    overdue: bool

    @property
    def total_fen(self) -> int:
        return self.fine_fen + self.late_fee_fen


NOTHING = Due(0, 0, 0, False, None, False)


def due_on(
    fine_fen: int | None,
    paid_fen: int,
    payment_due_on: date | None,
    fine_paid_on: date | None,
    paused: Iterable[tuple[date, date | None]],
    on: date,
) -> Due:
    """第六十七条第三款、第七十二条第一款第（一）项、第七十三条第三款: owed on ``on`` — the fine not yet paid plus the
    late fee counted from the day after ``payment_due_on`` until the fine was paid in full (``fine_paid_on``) or
    ``on``; what was paid goes to the fine first, then to the fee. The same amount as ``cases.facts.amount_due``."""
    if fine_fen is None or payment_due_on is None:
        return NOTHING
    until = min(on, fine_paid_on) if fine_paid_on else on
    fee = late_fee(fine_fen, payment_due_on, until, paused)
    total = max(0, fine_fen + fee.amount_fen - paid_fen)
    fine_part = min(total, max(0, fine_fen - paid_fen))
    return Due(fine_part, total - fine_part, fee.days, fee.capped, payment_due_on, on > payment_due_on)


def order_refusal(
    status: CaseStatus, decision_kind: DecisionKind | None, fine_fen: int | None, payment_due_on: date | None, owed: int
) -> Refusal | None:
    """第六十六条、第六十七条: a payment order is made for a fine decided and served (the case in 执行) while some of
    it, or of its late fee, is still owed."""
    if decision_kind is not DecisionKind.penalty or not fine_fen:
        return Refusal("payment.no_fine", "该案件的处罚决定没有罚款，无需缴款")
    if status is not CaseStatus.execution or payment_due_on is None:
        return Refusal("payment.not_executable", "处罚决定书送达后方可缴纳罚款（《行政处罚法》第六十六条、第六十七条）")
    if owed <= 0:
        return Refusal("payment.settled", "罚款及加处罚款已缴清")
    return None


def order_expiry(created_at: datetime, minutes: int) -> datetime:
    """An order is payable for ``minutes`` but never past the local midnight: 第七十二条's fee grows by the day, so
    tomorrow's amount is not today's (the order is made again)."""
    local = created_at.astimezone(SHANGHAI)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0, 0), SHANGHAI)
    return min(created_at + timedelta(minutes=minutes), midnight)


def split_payment(amount_fen: int, owed_fen: int) -> tuple[int, int]:
    """(recorded on the case, returned to the payer): a payment is taken up to what is owed on the day it was made;
    the rest was not owed (paid twice, or paid after an officer recorded cash) and is refunded."""
    applied = max(0, min(amount_fen, owed_fen))
    return applied, amount_fen - applied


def notice_refusal(order_no: str, amount_fen: int, notice_order_no: str, notice_amount_fen: int) -> Refusal | None:
    """A verified callback is still checked against the order it names: same order, same amount (a channel that
    reports another amount did not take the payment the order asked for)."""
    if notice_order_no != order_no:
        return Refusal("payment.notify.order_mismatch", "回调中的订单号与订单不一致")
    if notice_amount_fen != amount_fen:
        return Refusal(
            "payment.notify.amount_mismatch",
            f"回调金额 {notice_amount_fen / 100:.2f} 元与订单金额 {amount_fen / 100:.2f} 元不一致",
        )
    return None


def cash_refusal(
    *,
    procedure: Procedure,
    fine_fen: int | None,
    amount_fen: int,
    owed_fen: int,
    ground: CashGround,
    reason: str | None,
    party_requested: bool,
    bill_no: str,
) -> Refusal | None:
    """Whether an officer may collect ``amount_fen`` in cash on the spot.

    第六十八条: for a decision made on the spot (第五十一条, the simple procedure), when the fine is 100 yuan or less
    (（一）) or when it would be hard to enforce afterwards (（二）, the reason recorded); 第六十九条: in remote, water
    or poorly connected areas, for a decision under 第五十一条 or 第五十七条, when the party asks because paying at the
    bank or electronically is truly difficult; 第七十条: only against the financial department's receipt
    (专用票据, its number recorded); 第六十七条: never more than is owed."""
    if not fine_fen:
        return Refusal("payment.cash.no_fine", "该案件的处罚决定没有罚款")
    if ground is CashGround.small_fine:
        if procedure is not Procedure.simple:
            return Refusal("payment.cash.not_on_the_spot", ON_THE_SPOT_ONLY)
        if fine_fen > SMALL_FINE_FEN:
            return Refusal("payment.cash.over_limit", "罚款超过一百元，不得以“一百元以下罚款”为由当场收缴"
                           "（《行政处罚法》第六十八条第（一）项）")  # fmt: skip
    elif ground is CashGround.hard_to_enforce:
        if procedure is not Procedure.simple:
            return Refusal("payment.cash.not_on_the_spot", ON_THE_SPOT_ONLY)
        if not (reason or "").strip():
            return Refusal("payment.cash.reason",
                           "请写明不当场收缴事后难以执行的情形（《行政处罚法》第六十八条第（二）项）")  # fmt: skip
    else:  # 第六十九条 applies to decisions under 第五十一条 (simple) and 第五十七条 (ordinary) alike
        if not party_requested:
            return Refusal("payment.cash.not_requested",
                           "边远、水上、交通不便地区当场收缴须经当事人提出（《行政处罚法》第六十九条）")  # fmt: skip
        if not (reason or "").strip():
            return Refusal("payment.cash.reason", "请写明地点及到银行或通过电子支付系统缴纳确有困难的情形"
                           "（《行政处罚法》第六十九条）")  # fmt: skip
    if not bill_no.strip() or len(bill_no.strip()) > BILL_NO_MAX:
        return Refusal("payment.cash.bill_no", "请填写财政部门统一制发的专用票据号码"
                       "（《行政处罚法》第七十条：不出具的，当事人有权拒绝缴纳）")  # fmt: skip
    if amount_fen <= 0 or amount_fen > owed_fen:
        return Refusal("payment.cash.amount", f"收缴金额须大于 0 且不超过应缴金额 {owed_fen / 100:.2f} 元")
    return None


def handin_due(collected_on: date, cal: WorkCalendar, *, landed_on: date | None = None) -> date:
    """第七十一条: cash collected on the spot reaches the bureau within two (working, 第八十五条) days of the day it
    was collected — of the day the officer came ashore, when it was collected on the water."""
    return clocks.cash_handin_due(landed_on or collected_on, cal)


def remit_due(handed_in_on: date, cal: WorkCalendar) -> date:
    """第七十一条: the bureau pays the cash handed in into the designated bank within two (working) days."""
    return cal.add_working_days(handed_in_on, HANDIN_WORKING_DAYS)
