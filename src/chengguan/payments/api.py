"""HTTP routes of 码上付: payment orders of a case, an order's status, the channel's callbacks, the public receipt
file, on-the-spot cash and its hand-in, refunds of excess, and the daily reconciliation."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from chengguan.audit import events
from chengguan.cases.repository import load as load_case
from chengguan.core.access import (
    SessionDep,
    SettingsDep,
    StaffAuthenticator,
    bearer,
    client_ip,
    current_staff,
    require,
    writes_on_read,
)
from chengguan.core.errors import PROBLEM_RESPONSES, Forbidden, NotFound, field_error
from chengguan.core.principals import Actor, StaffPrincipal
from chengguan.kit.media import NOSNIFF
from chengguan.kit.xlsx import XLSX_RESPONSES
from chengguan.payments import cash, export, portal, receipts, reconcile, repository, service
from chengguan.payments.enums import CashStatus
from chengguan.payments.models import PaymentOrder
from chengguan.payments.notify import handle
from chengguan.payments.schemas import (
    CasePayments,
    CashIn,
    CashList,
    CashOut,
    HandInIn,
    NotifyAck,
    OrderIn,
    PaymentOrderOut,
    PaymentStatusOut,
    ReconciliationOut,
    RefundIn,
    RemitIn,
)
from chengguan.portal.api import current_merchant

router = APIRouter(tags=["码上付（缴款）"], responses=PROBLEM_RESPONSES)
public_router = APIRouter(prefix="/public", tags=["码上付（缴款）"], responses=PROBLEM_RESPONSES)
Reader = Annotated[StaffPrincipal, Depends(require("case:read"))]
Writer = Annotated[StaffPrincipal, Depends(require("case:write"))]
Orderer = Annotated[StaffPrincipal, Depends(require("case:write", "payment:manage"))]
Finance = Annotated[StaffPrincipal, Depends(require("payment:read", "payment:manage"))]
Manager = Annotated[StaffPrincipal, Depends(require("payment:manage"))]
CaseId = Annotated[uuid.UUID, Path(description="案件 id")]
OrderNo = Annotated[str, Path(min_length=6, max_length=32, pattern=r"^[A-Za-z0-9_-]+$", description="缴款单号")]
Day = Annotated[dt.date | None, Query(description="对账日期（默认昨天）")]
FIRST_DAY = dt.date(2000, 1, 1)


def _safe_return(url: str | None) -> str | None:
    """Only a path of this platform (an open redirect through the pay page would send payers anywhere)."""
    return url if url and url.startswith("/") and not url.startswith("//") else None


@router.post("/cases/{case_id}/payment-orders", status_code=201, summary="生成缴款单（罚款 + 加处罚款，实时计算）")
def create_order(
    principal: Orderer, session: SessionDep, settings: SettingsDep, case_id: CaseId, body: OrderIn | None = None
) -> PaymentOrderOut:
    case = load_case(session, case_id, principal)
    opened = service.open_order(session, settings, case, principal.actor,
                                return_url=_safe_return(body.return_url if body else None))  # fmt: skip
    return service.order_out(opened.order, case.code, reused=opened.reused, qr=True)


@router.get("/cases/{case_id}/payments", summary="案件的缴款：今日应缴、缴款单、电子缴款凭证、当场收缴")
def case_payments(principal: Reader, session: SessionDep, settings: SettingsDep, case_id: CaseId) -> CasePayments:
    case = load_case(session, case_id, principal)
    orders = repository.orders_of_cases(session, [case.id])
    found = repository.receipts_of_orders(session, [o.id for o in orders])
    on = service.today()
    rows = repository.cash_list(session, principal, status=None, overdue_on=None, case_id=case.id)
    refusal = service.refusal_of(case, on)
    return CasePayments(
        due=service.due_out(case, on),
        orders=[service.status_out(settings, o, found.get(o.id)) for o in orders],
        receipts=[service.receipt_out(settings, found[o.id], o.order_no) for o in orders if o.id in found],
        cash=[cash.cash_out(r, case.code, on) for r in rows], can_order=refusal is None, refusal=refusal,
    )  # fmt: skip


@router.post("/cases/{case_id}/cash-collections", status_code=201, summary="登记当场收缴（第六十八条至第七十一条）")
def collect_cash(principal: Writer, session: SessionDep, case_id: CaseId, body: CashIn) -> CashOut:
    row = cash.collect(session, principal, case_id, body)
    return cash.cash_out(row, reconcile.case_code(session, row.case_id), service.today())


@dataclass
class CashQuery:
    """The cash list's filters (the list and its export take the same)."""

    status: CashStatus | None = None
    overdue: bool = Query(False, description="仅逾期：超过二日未上交，或上交后超过二日未缴付银行（第七十一条）")
    case_id: uuid.UUID | None = None

    def where(self) -> dict[str, Any]:
        return {"status": self.status, "case_id": self.case_id, "overdue_on": service.today() if self.overdue else None}


@router.get("/payments/cash-collections", summary="当场收缴记录（可筛选逾期未上交、未缴付银行）")
def list_cash(principal: Finance, session: SessionDep, query: Annotated[CashQuery, Depends()]) -> CashList:
    rows = repository.cash_list(session, principal, **query.where())
    return CashList(items=cash.cash_outs(session, rows), total=len(rows))


@router.get("/payments/cash-collections/export.xlsx", response_class=Response, responses=XLSX_RESPONSES,
            summary="导出当场收缴台账（Excel，与列表相同的筛选与排序，全部符合条件的记录，记入审计日志）")  # fmt: skip
@writes_on_read  # audited export
def export_cash(principal: Finance, session: SessionDep, query: Annotated[CashQuery, Depends()]) -> Response:
    return export.export_cash(session, principal, **query.where()).response("当场收缴台账.xlsx")


@router.post("/payments/cash-collections/{collection_id}/hand-in", summary="确认当场收缴的罚款已上交")
def hand_in(principal: Manager, session: SessionDep, collection_id: uuid.UUID, body: HandInIn) -> CashOut:
    return cash.cash_outs(session, [cash.hand_in(session, principal, collection_id, body.note)])[0]


@router.post("/payments/cash-collections/{collection_id}/remit", summary="确认已将罚款缴付指定银行")
def remit(principal: Manager, session: SessionDep, collection_id: uuid.UUID, body: RemitIn) -> CashOut:
    return cash.cash_outs(session, [cash.remit(session, principal, collection_id, body.bank_slip_no)])[0]


def _report(session, settings, principal: StaffPrincipal, day: dt.date) -> ReconciliationOut:  # type: ignore[no-untyped-def]
    if not FIRST_DAY <= day <= service.today() + dt.timedelta(days=1):
        raise field_error("day", "对账日期须在 2000 年以后且不晚于今天", code="payment.reconcile.day")
    out = reconcile.report(session, settings, day)
    out.cash = cash.cash_outs(session, repository.cash_of_day(session, principal, day))
    out.totals["cash_fen"] = sum(c.amount_fen for c in out.cash)
    return out


@router.get("/payments/reconciliation", summary="每日对账：渠道账单、缴款单、支付通知与案件登记的核对")
def reconciliation(
    principal: Finance, session: SessionDep, settings: SettingsDep, day: Day = None
) -> ReconciliationOut:
    return _report(session, settings, principal, day or service.today() - dt.timedelta(days=1))


@router.get("/payments/reconciliation/export.xlsx", response_class=Response, responses=XLSX_RESPONSES,
            summary="导出某日对账结果（Excel：当日缴款单、差异、当场收缴各一表，记入审计日志）")  # fmt: skip
@writes_on_read  # audited export
def export_reconciliation(principal: Finance, session: SessionDep, settings: SettingsDep, day: Day = None) -> Response:
    out = _report(session, settings, principal, day or service.today() - dt.timedelta(days=1))
    return export.export_reconciliation(session, principal, out).response(f"缴款对账-{out.day.isoformat()}.xlsx")


@router.post("/payments/reconciliation", summary="立即对账并保存该日结果")
def run_reconciliation(
    principal: Manager, session: SessionDep, settings: SettingsDep, day: Day = None
) -> ReconciliationOut:
    out = _report(session, settings, principal, day or service.today() - dt.timedelta(days=1))
    row = reconcile.store(session, out, principal.actor)
    out.stored_at = row.ran_at
    return out


@router.post("/payments/notify/{provider}", summary="支付渠道的支付结果通知（验签、解密、幂等）")
async def notify(
    provider: Annotated[str, Path(max_length=16, pattern=r"^[a-z0-9_]+$")],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
) -> NotifyAck:
    body = await request.body()  # the exact bytes: the signature covers them, not a re-serialised JSON
    headers = dict(request.headers)
    await run_in_threadpool(handle, session, settings, provider, headers, body, client_ip(request))
    return NotifyAck()


async def _order_for(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    order_no: OrderNo,
) -> PaymentOrder:
    """The order, for the staff who may read its case or the party it was served to (404 for anyone else)."""
    authenticate: StaffAuthenticator = request.app.state.authenticate_staff
    principal: StaffPrincipal | None
    try:
        principal = await current_staff(await authenticate(request, credentials))
    except Forbidden as exc:
        if exc.code != "auth.wrong_principal_type":
            raise
        principal = None  # not a staff token: the party's merchant token, or a refusal
    return await run_in_threadpool(_readable_order, request, session, settings, credentials, order_no, principal)


def _readable_order(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: HTTPAuthorizationCredentials | None,
    order_no: str,
    principal: StaffPrincipal | None,
) -> PaymentOrder:
    order = repository.order_by_no(session, order_no)
    if principal is None:
        _, account = current_merchant(request, session, settings, credentials)
        if order is None or not portal.owns(session, account, order.case_id):
            raise NotFound("缴款单不存在", code="payment.not_found") from None
        return order
    if order is None:
        raise NotFound("缴款单不存在", code="payment.not_found")
    load_case(session, order.case_id, principal)
    return order


@router.get("/payments/{order_no}", summary="缴款单状态（执法人员或当事人）")
def order_status(
    order: Annotated[PaymentOrder, Depends(_order_for)], session: SessionDep, settings: SettingsDep
) -> PaymentStatusOut:
    return service.status_out(settings, order, repository.receipts_of_orders(session, [order.id]).get(order.id))


@router.post("/payments/{order_no}/refund", summary="退还多缴款项（未计入案件的部分）")
def refund(
    principal: Manager, session: SessionDep, settings: SettingsDep, order_no: OrderNo, body: RefundIn
) -> PaymentStatusOut:
    order = repository.order_by_no(session, order_no)
    if order is None:
        raise NotFound("缴款单不存在", code="payment.not_found")
    load_case(session, order.case_id, principal)
    order = reconcile.refund_excess(session, settings, order, principal.actor, body.reason)
    return service.status_out(settings, order, repository.receipts_of_orders(session, [order.id]).get(order.id))


@public_router.get(
    "/receipts/{token}.pdf",
    summary="电子缴款凭证 PDF（凭二维码或缴款结果页的链接）",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
@writes_on_read  # sealed on first opening, and the download audited
def receipt_pdf(
    token: Annotated[str, Path(min_length=8, max_length=64)],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    receipt = receipts.by_token(session, token)
    data = receipts.ensure_pdf(session, settings, receipt)
    holder = Actor("public", None, "缴款凭证链接", None, client_ip(request))  # the link's holder: no account
    events.download(session, holder, "payment_receipt", receipt.id, receipt.receipt_no, format="pdf")
    name = quote(receipts.file_name(receipt))
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f"inline; filename*=UTF-8''{name}", "Cache-Control": "no-store",
                             **NOSNIFF})  # fmt: skip
