"""Calendar table: administrators' overrides of the State Council holiday schedule (one row per day)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from chengguan.core.db import Base, Timestamps, UUIDPrimaryKey


class CalendarOverride(UUIDPrimaryKey, Timestamps, Base):
    """One day declared working or not by an administrator (调休, local holiday); it wins over the package's schedule
    when counting the working days of 《行政处罚法》第八十五条."""

    __tablename__ = "calendar_override"

    day: Mapped[date] = mapped_column(unique=True)
    working: Mapped[bool]
    name: Mapped[str] = mapped_column(String(50))
