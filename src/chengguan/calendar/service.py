"""Use cases of the working-day calendar: the database-backed ``WorkCalendar`` (cached per process), deadlines, and
audited maintenance of the overrides."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any, ClassVar

from pydantic import BaseModel
from sqlalchemy import Select, event
from sqlalchemy.orm import Session

from chengguan.calendar.models import CalendarOverride
from chengguan.calendar.repository import CalendarOverrideRepository
from chengguan.calendar.schemas import CalendarDay, CalendarOverrideRead, Deadline, Unit
from chengguan.calendar.workdays import Override, WorkCalendar
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.crud import CrudService, conflict

# --- the calendar of this process ---------------------------------------------------------------------------------
# Key: (local version, row count, latest updated_at). Count and latest change catch every write committed by any
# process; the local version, bumped after this process commits a write, also catches the rare write that leaves
# both unchanged (delete one row and add another at the same instant — a frozen test clock).

_WRITTEN = "calendar.overrides_written"
_lock = threading.Lock()
_version = 0
_cache: tuple[tuple[Any, ...], WorkCalendar] | None = None


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    global _version
    if session.info.pop(_WRITTEN, False):
        with _lock:
            _version += 1


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


def work_calendar(session: Session) -> WorkCalendar:
    """The working-day calendar with the administrators' overrides (《行政处罚法》第八十五条), cached per process."""
    global _cache
    repo = CalendarOverrideRepository(session)
    key = (_version, *repo.fingerprint())  # read before the rows: a write in between only costs a reload
    cached = _cache
    if cached is not None and cached[0] == key and not session.info.get(_WRITTEN):
        return cached[1]
    calendar = WorkCalendar({row.day: Override(row.working, row.name) for row in repo.all()})
    if not session.info.get(_WRITTEN):  # never cache what this unit of work may still roll back
        _cache = (key, calendar)
    return calendar


def add_working_days(session: Session, start: date, n: int) -> date:
    """The n-th working day after ``start`` (二日/三日/五日/七日 are working days, 《行政处罚法》第八十五条)."""
    return work_calendar(session).add_working_days(start, n)


def add_calendar_days(session: Session, start: date, n: int, roll_forward: bool = False) -> date:
    """``start`` + n calendar days; with ``roll_forward`` an end on a rest day moves to the next working day."""
    return work_calendar(session).add_calendar_days(start, n, roll_forward)


def deadline(session: Session, start: date, days: int, unit: Unit, roll_forward: bool = False) -> Deadline:
    """The last day of a period (working days per 《行政处罚法》第八十五条, else calendar days) and whether every
    year it spans has a known holiday schedule."""
    calendar = work_calendar(session)
    if unit == "working":
        roll_forward = False  # a count of working days always ends on a working day
        due = calendar.add_working_days(start, days)
    else:
        due = calendar.add_calendar_days(start, days, roll_forward)
    covered = all(calendar.covered(year) for year in range(start.year, due.year + 1))
    return Deadline(start=start, days=days, unit=unit, roll_forward=roll_forward, due_date=due, covered=covered)


def month_days(session: Session, year: int, month: int) -> list[CalendarDay]:
    """The days of one month for the calendar screen: working or not, holiday name, the rule that decided."""
    calendar = work_calendar(session)
    covered = calendar.covered(year)
    return [
        CalendarDay(
            date=info.day,
            weekday=info.day.isoweekday(),
            is_working_day=info.working,
            holiday_name=info.name,
            source=info.source.value,
            covered=covered,
        )
        for info in calendar.month(year, month)
    ]


# --- maintenance of the overrides -----------------------------------------------------------------------------


class CalendarOverrideService(CrudService[CalendarOverride]):
    """Administrators' overrides of the holiday schedule (one per day); each write is audited and refreshes the
    calendar of every process."""

    model = CalendarOverride
    repository = CalendarOverrideRepository
    target_type = "calendar_override"
    noun = "日历调整"

    keyword_columns: ClassVar[tuple[str, ...]] = ("name",)

    def label(self, obj: CalendarOverride) -> str:
        return f"{obj.day.isoformat()} {obj.name}"

    def to_read(self, session: Session, objs: list[CalendarOverride]) -> list[BaseModel]:
        return [CalendarOverrideRead.model_validate(o) for o in objs]

    def apply_filters(
        self, statement: Select[tuple[CalendarOverride]], filters: BaseModel | None
    ) -> Select[tuple[CalendarOverride]]:
        values = filters.model_dump(exclude_none=True) if filters is not None else {}
        if "year" in values:
            year = values["year"]
            statement = statement.where(CalendarOverride.day.between(date(year, 1, 1), date(year, 12, 31)))
        if "working" in values:
            statement = statement.where(CalendarOverride.working == values["working"])
        return statement

    def clean(
        self, session: Session, principal: StaffPrincipal, values: dict[str, Any], obj: CalendarOverride | None
    ) -> dict[str, Any]:
        day = values.get("day")
        changed = day is not None and (obj is None or obj.day != day)
        if changed and CalendarOverrideRepository(session).by_day(day) is not None:
            raise conflict("day", f"{day.isoformat()} 已有日历调整，请修改该条记录")
        return values

    def after_write(self, session: Session, obj: CalendarOverride | None) -> None:
        session.info[_WRITTEN] = True  # bump the process's calendar version once this unit of work commits


calendar_override_service = CalendarOverrideService()
