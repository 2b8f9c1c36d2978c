"""Statutory clocks of the penalty case (../shared/reference/deadlines.md) — pure date arithmetic, no clock read.

《行政处罚法》第八十五条: its 二日/三日/五日/七日 are working days (工作日, the holiday calendar of
``calendar.workdays``); every other period is in calendar days. 《行政强制法》第六十九条 says the same of its periods of
ten days or less. A calendar-day period that ends on a rest day moves to the next working day when the bureau's
rule says so (``roll_forward``, the procedure-law rule; deadlines.md asks for it to be configurable). Days are legal
dates in Asia/Shanghai; a period's start day is not counted.
"""

from __future__ import annotations

import calendar as _gregorian
from dataclasses import dataclass
from datetime import date, timedelta

from chengguan.calendar.workdays import WorkCalendar

# 第七十二条's late fee lives in law/ (below cases) so the knowledge base's calculator shares it; re-exported here.
from chengguan.law.late_fee import LATE_FEE_PERCENT_PER_DAY as LATE_FEE_PERCENT_PER_DAY
from chengguan.law.late_fee import LateFee as LateFee
from chengguan.law.late_fee import late_fee as late_fee

LIMITATION_YEARS = 2  # 第三十六条：二年内未被发现的，不再给予行政处罚
LIMITATION_YEARS_EXTENDED = 5  # 同条：涉及公民生命健康安全、金融安全且有危害后果的，延长至五年
DECISION_DAYS = 90  # 第六十条：自立案之日起九十日内作出行政处罚决定
SERVICE_WORKING_DAYS = 7  # 第六十一条：当事人不在场的，七日内送达
PAYMENT_DAYS = 15  # 第六十七条第三款：自收到行政处罚决定书之日起十五日内缴纳
PRESERVATION_WORKING_DAYS = 7  # 第五十六条：先行登记保存，七日内作出处理决定
WITHDRAW_DISCLOSURE_WORKING_DAYS = 3  # 第四十八条第二款：三日内撤回行政处罚决定信息
CASH_HANDIN_WORKING_DAYS = 2  # 第七十一条：当场收缴的罚款，自收缴之日起二日内交至行政机关
ENFORCEMENT_APPLICATION_MONTHS = 3  # 《行政强制法》第五十三条：期限届满之日起三个月内申请人民法院强制执行
SEIZURE_DAYS = 30  # 《行政强制法》第二十五条：查封、扣押的期限不得超过三十日（经批准可延长，不超过三十日）


def add_years(d: date, years: int) -> date:
    """The same calendar date ``years`` later (29 February → 28 February in a common year)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def add_months(d: date, months: int) -> date:
    """The same day of the month ``months`` later, or that month's last day when it is shorter."""
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(d.day, _gregorian.monthrange(year, month)[1]))


def limitation_ends(act_ended_on: date, *, extended: bool = False) -> date:
    """第三十六条: the last day on which the act may still be discovered and punished.

    The period runs from the day of the act, or for a continuing act from the day it ended (第二款); two years, five
    when the act endangered life, health or financial safety and caused harm (第一款)."""
    return add_years(act_ended_on, LIMITATION_YEARS_EXTENDED if extended else LIMITATION_YEARS)


def within_limitation(act_ended_on: date, discovered_on: date, *, extended: bool = False) -> bool:
    """第三十六条: whether an act discovered on ``discovered_on`` may still be punished."""
    return discovered_on <= limitation_ends(act_ended_on, extended=extended)


def decision_due(filed_on: date, cal: WorkCalendar, *, extension_days: int = 0, roll_forward: bool = True) -> date:
    """第六十条: the last day to decide — 90 calendar days from filing, plus approved extensions (the extension and
    its length come from the bureau's rules: 法律、法规、规章另有规定的，从其规定)."""
    return cal.add_calendar_days(filed_on, DECISION_DAYS + extension_days, roll_forward=roll_forward)


def statement_ends(notice_served_on: date, days: int, cal: WorkCalendar) -> date:
    """第四十四条、第四十五条: the last day of the statement and defense window, ``days`` working days (the law sets no
    number; bureaus' rules say 3–5) after the prior notice was served."""
    return cal.add_working_days(notice_served_on, days)


def hearing_request_last_day(notice_served_on: date, cal: WorkCalendar) -> date:
    """第六十四条第（一）项: a hearing is requested within five (working, 第八十五条) days of the notice."""
    return cal.add_working_days(notice_served_on, 5)


def hearing_earliest_day(notified_on: date, cal: WorkCalendar) -> date:
    """第六十四条第（二）项: the hearing is held no earlier than seven working days after the party was notified."""
    return cal.add_working_days(notified_on, 7)


def service_due(decided_on: date, cal: WorkCalendar) -> date:
    """第六十一条: a decision the party did not receive on the spot is served within seven working days."""
    return cal.add_working_days(decided_on, SERVICE_WORKING_DAYS)


def payment_due(received_on: date, cal: WorkCalendar, *, roll_forward: bool = True) -> date:
    """第六十七条第三款: the fine is paid within fifteen calendar days of receiving the decision."""
    return cal.add_calendar_days(received_on, PAYMENT_DAYS, roll_forward=roll_forward)


def preservation_due(preserved_on: date, cal: WorkCalendar) -> date:
    """第五十六条: what to do with evidence registered for preservation is decided within seven working days."""
    return cal.add_working_days(preserved_on, PRESERVATION_WORKING_DAYS)


def disclosure_withdrawal_due(changed_on: date, cal: WorkCalendar) -> date:
    """第四十八条第二款: a published decision that was changed or revoked is withdrawn within three working days."""
    return cal.add_working_days(changed_on, WITHDRAW_DISCLOSURE_WORKING_DAYS)


def cash_handin_due(collected_on: date, cal: WorkCalendar) -> date:
    """第七十一条: a fine collected on the spot is handed in to the bureau within two working days."""
    return cal.add_working_days(collected_on, CASH_HANDIN_WORKING_DAYS)


def enforcement_application_last_day(remedy_period_ended_on: date) -> date:
    """《行政强制法》第五十三条: the court is applied to within three months of the end of the remedy periods."""
    return add_months(remedy_period_ended_on, ENFORCEMENT_APPLICATION_MONTHS)


def reminder_period_ends(reminder_served_on: date, cal: WorkCalendar) -> date:
    """《行政强制法》第五十四条、第六十九条: the court may be applied to once ten working days after the reminder
    (催告书) was served have passed."""
    return cal.add_working_days(reminder_served_on, 10)


def seizure_ends(seized_on: date, *, extended: bool = False) -> date:
    """《行政强制法》第二十五条: a seizure lasts at most thirty days, once extendable by at most thirty."""
    return seized_on + timedelta(days=SEIZURE_DAYS * (2 if extended else 1))


@dataclass(frozen=True)
class Clock:
    """One running statutory clock of a case, for countdowns and the overdue sweep."""

    key: str
    label: str
    basis: str
    due: date
    warn_from: date

    def remaining_days(self, today: date) -> int:
        return (self.due - today).days

    def overdue(self, today: date) -> bool:
        return today > self.due

    def warning(self, today: date) -> bool:
        return self.warn_from <= today <= self.due


def clock(key: str, label: str, basis: str, due: date, *, warn_days: int) -> Clock:
    return Clock(key, label, basis, due, due - timedelta(days=warn_days))
