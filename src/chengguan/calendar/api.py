"""HTTP routes of the working-day calendar: deadline arithmetic, a month's days, and the overrides."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from chengguan.calendar import service
from chengguan.calendar.schemas import (
    MAX_DAY,
    MAX_PERIOD_DAYS,
    MIN_DAY,
    CalendarDay,
    CalendarOverrideCreate,
    CalendarOverrideFilter,
    CalendarOverrideRead,
    CalendarOverrideUpdate,
    Deadline,
    IsoDate,
    Unit,
)
from chengguan.calendar.service import calendar_override_service
from chengguan.core.access import CurrentStaff, SessionDep, require
from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.schemas import PageQuery, Paginated

router = APIRouter(prefix="/calendar", tags=["工作日历"], responses=PROBLEM_RESPONSES)

CalendarWriter = Annotated[StaffPrincipal, Depends(require("calendar:write"))]


@router.get("/deadline", summary="计算期间届满日（工作日 / 自然日）")
def deadline(
    session: SessionDep,
    principal: CurrentStaff,
    start: Annotated[IsoDate, Query(description="起算日 YYYY-MM-DD（当日不计入）")],
    days: Annotated[int, Query(ge=0, le=MAX_PERIOD_DAYS, description="期间天数")],
    unit: Annotated[Unit, Query(description="working：工作日（《行政处罚法》第八十五条）；calendar：自然日")],
    roll_forward: Annotated[
        bool, Query(description="自然日期间届满日为节假日或周末时顺延至下一个工作日（仅 calendar）")
    ] = False,
) -> Deadline:
    # Any staff member: every screen that shows a statutory clock needs it, whatever the caller's permissions.
    return service.deadline(session, start, days, unit, roll_forward)


@router.get("/days", summary="某月每日是否工作日（日历视图）")
def month_days(
    session: SessionDep,
    principal: CurrentStaff,
    year: Annotated[int, Query(ge=MIN_DAY.year, le=MAX_DAY.year, description="年份")],
    month: Annotated[int, Query(ge=1, le=12, description="月份")],
) -> list[CalendarDay]:
    return service.month_days(session, year, month)


@router.get("/overrides", summary="日历调整列表")
def list_overrides(
    session: SessionDep,
    principal: CurrentStaff,
    page: PageQuery,
    filters: Annotated[CalendarOverrideFilter, Query()],
) -> Paginated[CalendarOverrideRead]:
    return calendar_override_service.list(session, principal, filters, page)  # type: ignore[return-value]


@router.get("/overrides/{item_id}", summary="日历调整详情")
def get_override(item_id: uuid.UUID, session: SessionDep, principal: CurrentStaff) -> CalendarOverrideRead:
    return calendar_override_service.read(session, principal, item_id)  # type: ignore[return-value]


@router.post("/overrides", status_code=201, summary="新增日历调整（调休、放假）")
def create_override(
    body: CalendarOverrideCreate, session: SessionDep, principal: CalendarWriter
) -> CalendarOverrideRead:
    return calendar_override_service.create(session, principal, body)  # type: ignore[return-value]


@router.patch("/overrides/{item_id}", summary="修改日历调整")
def update_override(
    item_id: uuid.UUID, body: CalendarOverrideUpdate, session: SessionDep, principal: CalendarWriter
) -> CalendarOverrideRead:
    return calendar_override_service.update(session, principal, item_id, body)  # type: ignore[return-value]


@router.delete("/overrides/{item_id}", status_code=204, response_class=Response, summary="删除日历调整")
def delete_override(item_id: uuid.UUID, session: SessionDep, principal: CalendarWriter) -> Response:
    calendar_override_service.delete(session, principal, item_id)
    return Response(status_code=204)
