"""HTTP routes of the SMS outbox (短信发件箱): what the platform sent to parties, for audit and for the local gateway;
its Excel export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from chengguan.core.access import SessionDep, require, writes_on_read
from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.xlsx import XLSX_RESPONSES
from chengguan.notify import outbox
from chengguan.notify.outbox import SmsList

router = APIRouter(tags=["短信发件箱"], responses=PROBLEM_RESPONSES)
# The system administrator runs the gateway; the audit administrator may read what was sent as well.
Auditor = Annotated[StaffPrincipal, Depends(require("sms:read", "audit:read"))]
Phone = Annotated[str | None, Query(max_length=20, description="按手机号码筛选")]


@router.get("/sms-messages", summary="短信发件箱（最近发送的短信）")
def sms_messages(
    session: SessionDep, principal: Auditor, phone: Phone = None, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> SmsList:
    # The recipient's number is masked like everywhere else (filtering by the full number works: it is hashed).
    return outbox.listed(session, phone, limit)


@router.get("/sms-messages/export.xlsx", response_class=Response, responses=XLSX_RESPONSES,
            summary="导出短信发件箱（Excel，与列表相同的筛选，全部符合条件的短信；号码脱敏，记入审计）")  # fmt: skip
@writes_on_read  # audited export
def export_sms(session: SessionDep, principal: Auditor, phone: Phone = None) -> Response:
    return outbox.export(session, principal, phone).response("短信发件箱.xlsx")
