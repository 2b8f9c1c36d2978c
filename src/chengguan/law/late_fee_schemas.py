"""API schemas of the late-fee calculator (加处罚款, 《行政处罚法》第七十二条): money in integer fen, legal dates."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from chengguan.kit.schemas import Schema


class PausedPeriod(Schema):
    """A review or litigation period (第七十三条第三款) — its days are not counted; ``end`` omitted: still running."""

    start: dt.date
    end: dt.date | None = None


class LateFeeRequest(Schema):
    fine_fen: int = Field(ge=0, le=100_000_000_000, description="罚款数额（分）")
    payment_due_date: dt.date = Field(description="缴款期限的最后一日（此日之后起算加处罚款）")
    as_of: dt.date = Field(description="计算截止日（含当日），不得早于缴款期限")
    paused: list[PausedPeriod] = Field(
        default_factory=list, max_length=20, description="行政复议、行政诉讼期间（第七十三条第三款，不予计算）"
    )


class LateFeeResult(BaseModel):
    late_fee_fen: int = Field(description="加处罚款（分），不超过罚款数额")
    days: int = Field(description="计入的逾期天数")
    capped: bool = Field(description="是否已达罚款数额上限")
    fine_fen: int
    payment_due_date: dt.date
    as_of: dt.date
    basis: str
