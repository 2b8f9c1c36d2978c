"""The rules of paying, pinned to their articles of 《行政处罚法》 (2021) at frozen dates: the amount owed with the
第七十二条 late fee, an order's life, how a payment splits, the on-the-spot limits (第六十八条至第七十条) and the
two-working-day hand-in (第七十一条 with 第八十五条)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest

from chengguan.calendar.workdays import WorkCalendar
from chengguan.cases import clocks
from chengguan.cases.enums import CaseStatus, DecisionKind, Procedure
from chengguan.cases.facts import amount_due
from chengguan.cases.models import Case
from chengguan.payments import rules
from chengguan.payments.enums import CashGround

CAL = WorkCalendar()
FINE = 500_00


def test_before_the_due_date_only_the_fine_is_owed():
    """第六十七条第三款: fifteen days to pay; nothing is added while they run."""
    due = rules.due_on(FINE, 0, date(2026, 3, 20), None, [], date(2026, 3, 20))
    assert (due.fine_fen, due.late_fee_fen, due.total_fen, due.overdue) == (FINE, 0, FINE, False)


def test_each_day_after_the_due_date_adds_three_percent_of_the_fine():
    """第七十二条第一款第（一）项：每日按罚款数额的百分之三加处罚款."""
    due = rules.due_on(FINE, 0, date(2026, 3, 20), None, [], date(2026, 3, 25))
    assert (due.late_fee_days, due.late_fee_fen, due.total_fen, due.overdue) == (5, 75_00, 575_00, True)


def test_the_late_fee_never_exceeds_the_fine():
    """第七十二条第一款第（一）项：加处罚款的数额不得超出罚款的数额 (34 days × 3 % = 102 % → capped at 100 %)."""
    due = rules.due_on(FINE, 0, date(2026, 1, 1), None, [], date(2026, 2, 4))
    assert (due.late_fee_days, due.late_fee_fen, due.late_fee_capped, due.total_fen) == (34, FINE, True, 2 * FINE)


def test_review_or_litigation_pauses_the_late_fee():
    """第七十三条第三款：申请行政复议或者提起行政诉讼的，加处罚款的数额在行政复议或者行政诉讼期间不予计算."""
    paused = [(date(2026, 3, 22), date(2026, 3, 23))]
    assert rules.due_on(FINE, 0, date(2026, 3, 20), None, paused, date(2026, 3, 25)).late_fee_days == 3


def test_what_was_paid_goes_to_the_fine_first_and_the_fee_stops_when_the_fine_is_paid():
    """第七十二条: the fee runs until the fine is paid in full (``fine_paid_on``); a partial payment reduces the fine
    owed, not the fee's base (3 % of the fine decided)."""
    partial = rules.due_on(FINE, 200_00, date(2026, 3, 20), None, [], date(2026, 3, 22))
    assert (partial.fine_fen, partial.late_fee_fen, partial.total_fen) == (300_00, 30_00, 330_00)
    fine_paid = rules.due_on(FINE, FINE, date(2026, 3, 20), date(2026, 3, 22), [], date(2026, 4, 30))
    assert (fine_paid.fine_fen, fine_paid.late_fee_fen) == (0, 30_00)  # the fee of the two days still owed


def test_the_amount_is_the_one_the_case_workflow_reads():
    """The order's amount and the case's own 尚欠 (cases.facts.amount_due, read by the closure gate) agree."""
    rng = random.Random(72)
    for _ in range(300):
        fine = rng.choice([50_00, 200_00, 500_00, 3000_00, 12345])
        paid = rng.choice([0, fine // 3, fine, fine + 1000])
        due_day = date(2026, 3, 1)
        on = date(2026, 3, rng.randint(1, 31))
        fine_paid_on = date(2026, 3, rng.randint(1, 31)) if paid >= fine else None
        case = Case(fine_fen=fine, paid_fen=paid, payment_due_on=due_day, fine_paid_on=fine_paid_on,
                    remedy_periods=[["2026-03-10", "2026-03-12"]])  # fmt: skip
        paused = [(date(2026, 3, 10), date(2026, 3, 12))]
        assert rules.due_on(fine, paid, due_day, fine_paid_on, paused, on).total_fen == amount_due(case, on)[1]


def test_an_order_is_made_only_for_a_served_fine_still_owed():
    """第六十六条、第六十七条."""
    ok = rules.order_refusal(CaseStatus.execution, DecisionKind.penalty, FINE, date(2026, 3, 20), FINE)
    assert ok is None
    refusals = {
        "payment.no_fine": (CaseStatus.execution, DecisionKind.no_penalty, None, None, 0),
        "payment.not_executable": (CaseStatus.service, DecisionKind.penalty, FINE, None, FINE),
        "payment.settled": (CaseStatus.execution, DecisionKind.penalty, FINE, date(2026, 3, 20), 0),
    }
    for code, args in refusals.items():
        refusal = rules.order_refusal(*args)
        assert refusal is not None and refusal.code == code


def test_an_order_expires_after_its_minutes_but_never_after_the_local_midnight():
    """第七十二条: the fee grows by the day, so tomorrow's amount is not today's."""
    morning = datetime(2026, 3, 16, 1, 0, tzinfo=UTC)  # 09:00 in Qingdao
    assert rules.order_expiry(morning, 120) == datetime(2026, 3, 16, 3, 0, tzinfo=UTC)
    late = datetime(2026, 3, 16, 15, 30, tzinfo=UTC)  # 23:30 in Qingdao
    assert rules.order_expiry(late, 120) == datetime(2026, 3, 16, 16, 0, tzinfo=UTC)  # 00:00 on the 17th


def test_a_payment_is_taken_up_to_what_is_owed_the_rest_goes_back():
    assert rules.split_payment(FINE, FINE) == (FINE, 0)
    assert rules.split_payment(FINE, 300_00) == (300_00, 200_00)
    assert rules.split_payment(FINE, 0) == (0, FINE)


def test_a_callback_must_name_the_order_and_its_amount():
    assert rules.notice_refusal("A1", FINE, "A1", FINE) is None
    assert rules.notice_refusal("A1", FINE, "A2", FINE).code == "payment.notify.order_mismatch"
    assert rules.notice_refusal("A1", FINE, "A1", FINE - 1).code == "payment.notify.amount_mismatch"


def cash(**overrides) -> str | None:
    args = {
        "procedure": Procedure.simple,
        "fine_fen": 100_00,
        "amount_fen": 100_00,
        "owed_fen": 100_00,
        "ground": CashGround.small_fine,
        "reason": None,
        "party_requested": False,
        "bill_no": "鲁财0001",
    }
    refusal = rules.cash_refusal(**(args | overrides))
    return refusal.code if refusal else None


def test_article_68_1_a_fine_of_100_yuan_or_less_decided_on_the_spot():
    """第六十八条第（一）项：依法给予一百元以下罚款的 (以下 includes 100) — for a 第五十一条 on-the-spot decision."""
    assert cash() is None
    assert cash(fine_fen=100_01, amount_fen=100_01, owed_fen=100_01) == "payment.cash.over_limit"
    assert cash(procedure=Procedure.ordinary) == "payment.cash.not_on_the_spot"


def test_article_68_2_hard_to_enforce_afterwards_with_the_reason():
    """第六十八条第（二）项：不当场收缴事后难以执行的."""
    ground = {"ground": CashGround.hard_to_enforce, "fine_fen": 200_00, "amount_fen": 200_00, "owed_fen": 200_00}
    assert cash(**ground) == "payment.cash.reason"
    assert cash(**ground, reason="当事人系外地流动摊贩，无固定住所") is None
    assert cash(**ground, reason="x", procedure=Procedure.ordinary) == "payment.cash.not_on_the_spot"


def test_article_69_remote_areas_when_the_party_asks_also_after_the_ordinary_procedure():
    """第六十九条：边远、水上、交通不便地区 … 依照本法第五十一条、第五十七条的规定作出罚款决定后 … 经当事人提出."""
    ground = {"ground": CashGround.remote_area, "procedure": Procedure.ordinary, "fine_fen": 2000_00,
              "amount_fen": 2000_00, "owed_fen": 2000_00, "reason": "海岛渔村，最近的银行网点需乘船两小时"}  # fmt: skip
    assert cash(**ground) == "payment.cash.not_requested"
    assert cash(**ground, party_requested=True) is None
    assert cash(**ground | {"reason": " "}, party_requested=True) == "payment.cash.reason"


def test_article_70_only_against_the_financial_departments_receipt_and_never_more_than_owed():
    """第七十条：必须出具财政部门统一制发的专用票据; and never more than is owed."""
    assert cash(bill_no=" ") == "payment.cash.bill_no"
    assert cash(amount_fen=100_01, owed_fen=100_00) == "payment.cash.amount"


@pytest.mark.parametrize(
    ("collected", "due"),
    [
        (date(2026, 3, 16), date(2026, 3, 18)),  # Monday → Wednesday
        (date(2026, 3, 19), date(2026, 3, 23)),  # Thursday → Monday (the weekend is not counted)
        (date(2026, 9, 30), date(2026, 10, 9)),  # before National Day: the holiday is not counted (第八十五条)
    ],
)
def test_article_71_cash_is_handed_in_within_two_working_days(collected: date, due: date):
    """第七十一条：自收缴罚款之日起二日内，交至行政机关; 第八十五条：“二日”是指工作日，不含法定节假日."""
    assert rules.handin_due(collected, CAL) == due == clocks.cash_handin_due(collected, CAL)
    assert rules.remit_due(collected, CAL) == due  # the bureau's two days to the bank are counted the same way


def test_article_71_on_the_water_the_two_days_run_from_coming_ashore():
    """第七十一条：在水上当场收缴的罚款，应当自抵岸之日起二日内交至行政机关."""
    assert rules.handin_due(date(2026, 3, 16), CAL, landed_on=date(2026, 3, 19)) == date(2026, 3, 23)


def test_the_simulated_gateway_takes_no_part_in_production(db):
    """It takes no money: in production it must not stand in for a real channel (and the jobs leave payments be)."""
    from chengguan.core.config import Settings
    from chengguan.core.errors import Forbidden
    from chengguan.payments import tasks
    from chengguan.payments.gateway import gateway_for

    production = Settings(env="production", secret_key="p" * 40, database_url=db.url, open311_api_keys="key-1")
    with db.session(write=False) as s, pytest.raises(Forbidden) as exc:
        gateway_for(s, production)
    assert exc.value.code == "payment.sim.production"
    assert tasks.run(db, production) == {}
