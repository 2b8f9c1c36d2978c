"""HTTP routes of the party's payment page (商户端 · 码上付): the decisions to pay, and the order to pay one with."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from chengguan.core.access import SessionDep, SettingsDep
from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.payments import portal, service
from chengguan.payments.schemas import PaymentOrderOut, PortalPayables
from chengguan.portal.api import Merchant

router = APIRouter(prefix="/portal/payments", tags=["商户端"], responses=PROBLEM_RESPONSES)


@router.get("", summary="我的罚款：送达给本人的处罚决定、今日应缴金额（含加处罚款）与缴款凭证")
def payables(merchant: Merchant, session: SessionDep, settings: SettingsDep) -> PortalPayables:
    return PortalPayables(items=portal.payables(session, settings, merchant[1]))


@router.post("/{case_id}/orders", status_code=201, summary="去缴款：生成（或沿用）缴款单，返回支付页面地址")
def create_order(merchant: Merchant, case_id: uuid.UUID, session: SessionDep, settings: SettingsDep) -> PaymentOrderOut:
    principal, account = merchant
    case = portal.case_of(session, account, case_id)
    opened = service.open_order(session, settings, case, principal.actor, return_url=f"/portal?paid={case.code}")
    return service.order_out(opened.order, case.code, reused=opened.reused)
