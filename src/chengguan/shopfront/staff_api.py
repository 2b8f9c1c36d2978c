"""HTTP routes of the console's side of the merchant H5: the claims by agents to approve (授权委托书), and the
problems shops reported."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import select

from chengguan.audit import events
from chengguan.core.access import SessionDep, SettingsDep, require, writes_on_read
from chengguan.core.errors import PROBLEM_RESPONSES, NotFound
from chengguan.core.principals import StaffPrincipal
from chengguan.evidence.store import blob_store
from chengguan.kit.media import file_headers
from chengguan.kit.xlsx import XLSX_RESPONSES
from chengguan.merchants.models import Merchant
from chengguan.merchants.repository import MerchantRepository
from chengguan.shopfront import claim_list, claims, reports
from chengguan.shopfront.enums import ClaimStatus
from chengguan.shopfront.models import MerchantReport
from chengguan.shopfront.schemas import ClaimDecisionIn, ClaimRead, ReportRead

router = APIRouter(tags=["商户端 · 审核与上报"], responses=PROBLEM_RESPONSES)
Reader = Annotated[StaffPrincipal, Depends(require("merchant:read"))]
Writer = Annotated[StaffPrincipal, Depends(require("merchant:write"))]
ClaimStatusQ = Annotated[ClaimStatus | None, Query()]
MerchantQ = Annotated[uuid.UUID | None, Query()]


@router.get("/shop-claims", summary="店铺认领记录（委托代理人的认领待审核）")
def list_claims(session: SessionDep, principal: Reader, status: ClaimStatusQ = None,
                merchant_id: MerchantQ = None) -> list[ClaimRead]:  # fmt: skip
    return claim_list.listed(session, principal, status, merchant_id)


@router.get("/shop-claims/export.xlsx", response_class=Response, responses=XLSX_RESPONSES,
            summary="导出店铺认领记录（Excel，与列表相同的筛选与数据范围；号码脱敏，记入审计日志）")  # fmt: skip
@writes_on_read  # audited export
def export_claims(session: SessionDep, principal: Reader, status: ClaimStatusQ = None,
                  merchant_id: MerchantQ = None) -> Response:  # fmt: skip
    return claim_list.export(session, principal, status, merchant_id).response("店铺认领.xlsx")


@router.post("/shop-claims/{claim_id}/decision", summary="审核委托代理人的认领（通过即关联商户端账号）")
def decide_claim(claim_id: uuid.UUID, body: ClaimDecisionIn, session: SessionDep, principal: Writer) -> ClaimRead:
    return claim_list.reads(session, [claims.decide(session, principal, claim_id, body.approve, body.reason)])[0]


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
