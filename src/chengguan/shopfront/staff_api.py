"""HTTP routes of the console's side of the merchant H5: the claims by agents to approve (授权委托书), and the
problems shops reported."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import select

from chengguan.audit import events
from chengguan.core.access import SessionDep, SettingsDep, require
from chengguan.core.errors import PROBLEM_RESPONSES, NotFound
from chengguan.core.principals import StaffPrincipal
from chengguan.evidence.store import blob_store
from chengguan.identity.models import MerchantAccount
from chengguan.kit.media import file_headers
from chengguan.merchants.models import Merchant
from chengguan.merchants.repository import MerchantRepository
from chengguan.shopfront import claims, reports
from chengguan.shopfront.enums import CLAIM_METHOD_LABELS, CLAIM_STATUS_LABELS, ClaimStatus
from chengguan.shopfront.models import MerchantReport, ShopClaim
from chengguan.shopfront.schemas import ClaimDecisionIn, ClaimRead, ReportRead

router = APIRouter(tags=["商户端 · 审核与上报"], responses=PROBLEM_RESPONSES)
Reader = Annotated[StaffPrincipal, Depends(require("merchant:read"))]
Writer = Annotated[StaffPrincipal, Depends(require("merchant:write"))]


def _reads(session, rows: list[ShopClaim]) -> list[ClaimRead]:
    shops = {m.id: m for m in session.scalars(select(Merchant).where(Merchant.id.in_({r.merchant_id for r in rows})))}
    accounts = select(MerchantAccount.id, MerchantAccount.phone).where(
        MerchantAccount.id.in_({r.account_id for r in rows})
    )
    phones = dict(session.execute(accounts).tuples().all())
    return [
        ClaimRead(id=r.id, merchant_id=r.merchant_id, merchant_code=shops[r.merchant_id].code,
                  merchant_name=shops[r.merchant_id].name, account_phone=phones.get(r.account_id, ""),
                  method=r.method, method_label=CLAIM_METHOD_LABELS[r.method], status=r.status,
                  status_label=CLAIM_STATUS_LABELS[r.status], agent_name=r.agent_name,
                  has_letter=r.letter_sha256 is not None, created_at=r.created_at,
                  decided_by_name=r.decided_by_name, decided_at=r.decided_at, reason=r.reason)
        for r in rows
    ]  # fmt: skip


@router.get("/shop-claims", summary="店铺认领记录（委托代理人的认领待审核）")
def list_claims(
    session: SessionDep,
    principal: Reader,
    status: Annotated[ClaimStatus | None, Query()] = None,
    merchant_id: Annotated[uuid.UUID | None, Query()] = None,
) -> list[ClaimRead]:
    readable = MerchantRepository(session).readable(principal).with_only_columns(Merchant.id)
    statement = select(ShopClaim).where(ShopClaim.merchant_id.in_(readable)).order_by(ShopClaim.created_at.desc())
    if status is not None:
        statement = statement.where(ShopClaim.status == status)
    if merchant_id is not None:
        statement = statement.where(ShopClaim.merchant_id == merchant_id)
    return _reads(session, list(session.scalars(statement.limit(200))))


@router.post("/shop-claims/{claim_id}/decision", summary="审核委托代理人的认领（通过即关联商户端账号）")
def decide_claim(claim_id: uuid.UUID, body: ClaimDecisionIn, session: SessionDep, principal: Writer) -> ClaimRead:
    return _reads(session, [claims.decide(session, principal, claim_id, body.approve, body.reason)])[0]


@router.get("/shop-claims/{claim_id}/letter", summary="授权委托书原件", response_class=Response)
def claim_letter(claim_id: uuid.UUID, session: SessionDep, settings: SettingsDep, principal: Reader) -> Response:
    row, _ = claims.load_claim(session, principal, claim_id)
    if row.letter_sha256 is None or row.letter_mime is None:
        raise NotFound("该认领没有授权委托书", code="claim.no_letter")
    events.download(session, principal, "shop_claim", row.id, "授权委托书")
    headers = file_headers(row.letter_mime, row.letter_filename or "授权委托书")
    return Response(blob_store(settings).get(row.letter_sha256), media_type=row.letter_mime, headers=headers)


@router.get("/merchant-reports", summary="商户反映的问题（含办理进度）")
def list_reports(
    session: SessionDep, principal: Reader, merchant_id: Annotated[uuid.UUID | None, Query()] = None
) -> list[ReportRead]:
    readable = MerchantRepository(session).readable(principal).with_only_columns(Merchant.id)
    statement = select(MerchantReport).where(MerchantReport.merchant_id.in_(readable))
    if merchant_id is not None:
        statement = statement.where(MerchantReport.merchant_id == merchant_id)
    rows = list(session.scalars(statement.order_by(MerchantReport.created_at.desc()).limit(200)))
    return reports.reads(session, rows, photo_base=reports.MEDIA_PREFIX)
