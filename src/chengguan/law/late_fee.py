"""加处罚款 (《行政处罚法》第七十二条第一款第（一）项、第七十三条第三款) — a pure calculation, no clock read.

It lives in the law layer (below cases) so that the calculator route of the knowledge base and the penalty case share
one rule: ``chengguan.cases.clocks`` re-exports it for the case's own amount due.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

LATE_FEE_PERCENT_PER_DAY = 3  # 第七十二条第一款第（一）项：每日按罚款数额的百分之三加处罚款
LATE_FEE_BASIS = (
    "《中华人民共和国行政处罚法》第七十二条第一款第（一）项：到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，"
    "加处罚款的数额不得超出罚款的数额；第七十三条第三款：行政复议或者行政诉讼期间不予计算。"
)


@dataclass(frozen=True)
class LateFee:
    """第七十二条 late fee as of one day: the days counted, the amount (fen) and whether the cap was reached."""

    days: int
    amount_fen: int
    capped: bool


def late_fee(fine_fen: int, due: date, today: date, paused: Iterable[tuple[date, date | None]] = ()) -> LateFee:
    """第七十二条第一款第（一）项：到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额;
    第七十三条第三款：复议或者诉讼期间不予计算.

    Counts every day after ``due`` up to and including ``today`` that lies outside the ``paused`` ranges (review or
    litigation, both ends included; an open range runs to today). Each day adds exactly 3 % of the fine; the sum is
    rounded down to the fen once (never more than the law allows) and capped at the fine itself."""
    if fine_fen < 0:
        raise ValueError("fine_fen must not be negative")
    days = 0
    ranges = [(start, end or today) for start, end in paused]
    d = due + timedelta(days=1)
    while d <= today:
        if not any(start <= d <= end for start, end in ranges):
            days += 1
        d += timedelta(days=1)
    amount = fine_fen * LATE_FEE_PERCENT_PER_DAY * days // 100
    return LateFee(days, min(amount, fine_fen), amount >= fine_fen)
