"""Queries of the calendar overrides (an unscoped table: every staff member reads the same calendar)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from chengguan.calendar.models import CalendarOverride
from chengguan.kit.repository import Repository


class CalendarOverrideRepository(Repository[CalendarOverride]):
    model = CalendarOverride
    order_by = (CalendarOverride.day,)

    def all(self) -> list[CalendarOverride]:
        return list(self.session.scalars(select(CalendarOverride).order_by(*self.order_by)))

    def by_day(self, day: date) -> CalendarOverride | None:
        return self.session.scalars(select(CalendarOverride).where(CalendarOverride.day == day)).first()

    def fingerprint(self) -> tuple[int, datetime | None]:
        """Row count and latest change: differs after any committed insert, update or delete (cache key)."""
        count, latest = self.session.execute(
            select(func.count(CalendarOverride.id), func.max(CalendarOverride.updated_at))
        ).one()
        return int(count), latest
