"""API schemas of the working-day calendar."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from chengguan.kit.schemas import Filter, Out, Schema

MIN_DAY = dt.date(1900, 1, 1)
MAX_DAY = dt.date(2199, 12, 31)
MAX_PERIOD_DAYS = 3650
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(value: Any) -> dt.date:
    # Pydantic would take 1700000000 or "2026-10-01T00:00" as a date and words its errors in English: accept only
    # YYYY-MM-DD, and say what is wrong in Chinese (the handler shows the message of an unknown error type).
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            parsed = dt.date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("date_invalid", "不是有效的日期") from None
    else:
        raise PydanticCustomError("date_format", "须为 YYYY-MM-DD 格式的日期，例如 2026-10-01")
    if not MIN_DAY <= parsed <= MAX_DAY:
        raise PydanticCustomError("date_range", "日期须在 1900-01-01 至 2199-12-31 之间")
    return parsed


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
"""A date written YYYY-MM-DD between 1900 and 2199, with zh-CN errors."""

Unit = Literal["working", "calendar"]
Source = Literal["override", "statutory", "fallback", "weekend", "weekday"]


class Deadline(Out):
    start: dt.date = Field(description="起算日（不计入期间）")
    days: int = Field(description="期间天数")
    unit: Unit = Field(description="working：工作日（《行政处罚法》第八十五条）；calendar：自然日")
    roll_forward: bool = Field(description="自然日期间届满日为休息日时是否顺延至下一个工作日")
    due_date: dt.date = Field(description="期间届满日（最后一日）")
    covered: bool = Field(description="起算日至届满日所跨年份的放假安排是否均已录入；false 时结果为临时推算")


class CalendarDay(Out):
    date: dt.date
    weekday: int = Field(description="星期，1=星期一 … 7=星期日")
    is_working_day: bool
    holiday_name: str | None = Field(description="节假日或调休名称，例如“国庆节”“春节调休上班”")
    source: Source = Field(
        description="override：管理员调整；statutory：国务院放假安排；fallback：未录入年份按固定日期法定节假日推算；"
        "weekend：普通周末；weekday：普通工作日"
    )
    covered: bool = Field(description="该年放假安排是否已录入")


class CalendarOverrideRead(Out):
    id: uuid.UUID
    day: dt.date
    working: bool
    name: str
    created_at: dt.datetime
    updated_at: dt.datetime


class CalendarOverrideCreate(Schema):
    day: IsoDate = Field(description="日期")
    working: bool = Field(description="true：上班（调休上班）；false：放假")
    name: str = Field(min_length=1, max_length=50, description="名称，例如“春节调休”")


class CalendarOverrideUpdate(Schema):
    day: IsoDate | None = None
    working: bool | None = None
    name: str | None = Field(None, min_length=1, max_length=50)


class CalendarOverrideFilter(Filter):
    year: int | None = Field(None, ge=MIN_DAY.year, le=MAX_DAY.year, description="年份")
    working: bool | None = Field(None, description="true：调休上班；false：放假")
