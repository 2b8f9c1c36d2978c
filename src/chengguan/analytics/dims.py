"""What can be counted and by what (统计口径的骨架): measures, dimensions, windows and their rules — pure, no I/O.

A measure counts one fact table in a window of local (Asia/Shanghai) dates:

- ``sources`` 案源数: case sources by registration time (``case_source.created_at``);
- ``cases`` 案件数: penalty cases by registration time (``penalty_case.created_at``: 立案登记 or 当场处罚);
- ``fines`` 罚款金额（分）: the fines of penalty decisions by decision date (``decided_on``), integer fen; by hour,
  the local hour of the decision's instant (the timeline entry that made it: the decision's last approval, or the
  on-the-spot delivery of 当场处罚), since ``decided_on`` is a date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from chengguan.core.errors import field_error

MAX_WINDOW_DAYS = 5 * 366  # "a window over 5 years" is refused: 5 calendar years, leap days included
DEFAULT_WINDOW_DAYS = 30


class Measure(StrEnum):
    sources = "sources"
    cases = "cases"
    fines = "fines"


class Dim(StrEnum):
    district = "district"
    street = "street"
    category = "category"
    channel = "channel"
    hour = "hour"
    day = "day"
    month = "month"
    industry = "industry"


MEASURE_LABELS = {Measure.sources: "案源数", Measure.cases: "案件数", Measure.fines: "罚款金额"}
MEASURE_UNITS = {Measure.sources: "件", Measure.cases: "件", Measure.fines: "分"}
DIM_LABELS = {
    Dim.district: "区（市）",
    Dim.street: "街道中队",
    Dim.category: "事项类别",
    Dim.channel: "来源渠道",
    Dim.hour: "时段（小时）",
    Dim.day: "日期",
    Dim.month: "月份",
    Dim.industry: "行业",
}
# Which permission reads which measure: sources are 案源管理's, cases and fines 执法办案's.
MEASURE_PERMISSION = {Measure.sources: "source:read", Measure.cases: "case:read", Measure.fines: "case:read"}
# Channels through which the public complains (群众诉求): the 吻合度 compares where they complain with where cases are.
COMPLAINT_CHANNELS = ("complaint", "hotline", "open311", "public")
TIME_DIMS = frozenset({Dim.hour, Dim.day, Dim.month})
NONE_KEY = ""  # the row of facts without the dimension's value (not yet routed, no shop …)
NONE_LABELS = {
    Dim.district: "未分办",
    Dim.street: "未分办",
    Dim.category: "未分类",
    Dim.channel: "直接立案",
    Dim.industry: "未关联商户",
    Dim.hour: "未记录决定时刻",  # fines only: a decision whose timeline entry is missing (imported history)
}


@dataclass(frozen=True)
class Window:
    """Local dates ``start`` … ``end``, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Window:
        """The window of the same length just before (环比)."""
        return Window(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def last_year(self) -> Window:
        """The same dates a year earlier (同比); 29 February falls back to the 28th."""
        return Window(_year_back(self.start), _year_back(self.end))


def _year_back(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)


def window(start: date | None, end: date | None, today: date) -> Window:
    """The asked window (default: the last 30 days to today); 422 naming ``from``/``to`` when it is reversed or longer
    than five years."""
    end = end or today
    start = start or end - timedelta(days=DEFAULT_WINDOW_DAYS - 1)
    if start > end:
        raise field_error("from", "开始日期不能晚于结束日期", code="analytics.window_reversed")
    if (end - start).days + 1 > MAX_WINDOW_DAYS:
        raise field_error("to", "统计时段不能超过 5 年，请缩小时间范围", code="analytics.window_too_long")
    return Window(start, end)


def time_label(by: Dim, key: str) -> str:
    """Chinese label of a time bucket key (``08`` → ``08时``, ``2026-05`` → ``2026年5月``)."""
    if by is Dim.hour:
        return f"{key}时"
    if by is Dim.month and len(key) == 7:
        return f"{key[:4]}年{int(key[5:])}月"
    if by is Dim.day and len(key) == 10:
        return f"{key[:4]}年{int(key[5:7])}月{int(key[8:])}日"
    return key


def time_keys(by: Dim, w: Window) -> list[str]:
    """Every bucket of the window, so a series has its empty hours, days and months too."""
    if by is Dim.hour:
        return [f"{h:02d}" for h in range(24)]
    if by is Dim.day:
        return [(w.start + timedelta(days=n)).isoformat() for n in range(w.days)]
    months, y, m = [], w.start.year, w.start.month
    while (y, m) <= (w.end.year, w.end.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months
