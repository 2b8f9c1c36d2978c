"""The demo city has a past: two months of reports taken in through the real intake code, on every day, more on
working days, all dealt with — so a trend or a monthly comparison has something to compare (issue 22)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from chengguan.core import clock
from chengguan.core.db import Database
from chengguan.demo.history import DAYS, RECENT
from chengguan.demo.intake import KINDS
from chengguan.intake.enums import SourceStatus
from chengguan.intake.models import CaseSource

TEXTS = sorted(
    {kind.text for kind in KINDS}
)  # the reports the history makes (not the cameras' or the overdue rectifications)


def test_two_months_of_dealt_with_reports_on_every_day(shared_db: Database):
    today = clock.local_now().date()
    first, last = today - timedelta(days=DAYS), today - timedelta(days=RECENT + 1)
    with shared_db.session(write=False) as s:
        rows = s.execute(
            select(CaseSource.created_at, CaseSource.status, CaseSource.closed_at).where(
                CaseSource.description.in_(TEXTS)
            )
        ).all()
    past = [(clock.as_utc(c).astimezone(clock.SHANGHAI), st, cl) for c, st, cl in rows]
    history = [(c, st, cl) for c, st, cl in past if first <= c.date() <= last]
    per_day = Counter(c.date() for c, _, _ in history)
    assert len(per_day) == (last - first).days + 1  # not a day without a report
    workdays = [n for d, n in per_day.items() if d.weekday() < 5]
    weekends = [n for d, n in per_day.items() if d.weekday() >= 5]
    assert sum(workdays) / len(workdays) > sum(weekends) / len(weekends)
    assert {st for _, st, _ in history} <= {SourceStatus.closed, SourceStatus.voided}
    assert all(7 <= c.hour < 23 for c, _, _ in history)  # people report by day
    closed = [(c, cl) for c, st, cl in history if st is SourceStatus.closed]
    assert closed and all(cl is not None and clock.as_utc(cl) > clock.as_utc(c) for c, cl in closed)
    assert all(clock.as_utc(cl) <= clock.now() for _, cl in closed)
