"""HTTP route of the SMS outbox (短信发件箱): what the platform sent to parties, for audit and for the local gateway."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from chengguan.core.access import SessionDep, require
from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.schemas import Out
from chengguan.notify.models import SmsMessage

router = APIRouter(tags=["短信发件箱"], responses=PROBLEM_RESPONSES)
# The system administrator runs the gateway; the audit administrator may read what was sent as well.
Auditor = Annotated[StaffPrincipal, Depends(require("sms:read", "audit:read"))]


class SmsOut(Out):
    id: uuid.UUID
    phone: str
    body: str
    purpose: str
    adapter: str
    status: str
    error: str | None
    created_at: datetime


class SmsList(Out):
    items: list[SmsOut]


@router.get("/sms-messages", summary="短信发件箱（最近发送的短信）")
def sms_messages(
    session: SessionDep,
    principal: Auditor,
    phone: Annotated[str | None, Query(max_length=20, description="按手机号码筛选")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SmsList:
    query = select(SmsMessage).order_by(SmsMessage.created_at.desc()).limit(limit)
    if phone:
        query = query.where(SmsMessage.phone == phone)
    return SmsList(items=[SmsOut.model_validate(m, from_attributes=True) for m in session.scalars(query)])
