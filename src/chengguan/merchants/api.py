"""HTTP routes of the merchant register (商户档案) and the shops' door signs (打烊提示牌 · 城市共治识别码)."""

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Response

from chengguan.core.access import SessionDep, SettingsDep, require, writes_on_read
from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.media import NOSNIFF
from chengguan.kit.router import add_crud_routes
from chengguan.kit.xlsx import XLSX_RESPONSES
from chengguan.merchants import export, signs
from chengguan.merchants.schemas import (
    MerchantCreate,
    MerchantDetail,
    MerchantFilter,
    MerchantPersonal,
    MerchantRead,
    MerchantUpdate,
    SignFilter,
)
from chengguan.merchants.service import merchant_service

router = APIRouter(responses=PROBLEM_RESPONSES)
Reader = Annotated[StaffPrincipal, Depends(require("merchant:read"))]
PDF = {200: {"content": {"application/pdf": {}}, "description": "A5 打烊提示牌，每户一页"}}


def _pdf(data: bytes, name: str) -> Response:
    headers = {"Content-Disposition": f"inline; filename*=UTF-8''{quote(name)}", "Cache-Control": "no-store"}
    return Response(data, media_type="application/pdf", headers={**headers, **NOSNIFF})


# Declared before the CRUD routes: /merchants/{item_id} would otherwise take "signs.pdf" or "export.xlsx" for an id.
@router.get("/merchants/signs.pdf", summary="批量打印打烊提示牌（按地址排序，一次最多 500 户）", tags=["商户档案"],
            response_class=Response, responses=PDF)  # fmt: skip
@writes_on_read  # audited export
def street_signs(
    session: SessionDep, settings: SettingsDep, principal: Reader, query: Annotated[SignFilter, Query()]
) -> Response:
    return _pdf(signs.signs_pdf(session, settings, principal, query), "打烊提示牌.pdf")


@router.get("/merchants/export.xlsx", tags=["商户档案"], response_class=Response, responses=XLSX_RESPONSES,
            summary="导出商户档案（Excel，与列表相同的筛选与排序，证件号与电话脱敏，记入审计日志）")  # fmt: skip
@writes_on_read  # audited export
def export_merchants(session: SessionDep, principal: Reader, filters: Annotated[MerchantFilter, Query()]) -> Response:
    return export.export_merchants(session, principal, filters).response("商户档案.xlsx")


@router.get("/merchants/{merchant_id}/sign.pdf", summary="打烊提示牌（城市共治识别码，A5）", tags=["商户档案"],
            response_class=Response, responses=PDF)  # fmt: skip
@writes_on_read  # audited download
def shop_sign(merchant_id: uuid.UUID, session: SessionDep, settings: SettingsDep, principal: Reader) -> Response:
    return _pdf(signs.sign_pdf(session, settings, principal, merchant_id), f"打烊提示牌-{merchant_id}.pdf")


@router.post(
    "/merchants/{item_id}/personal:reveal",
    response_model=MerchantPersonal,
    tags=["商户档案"],
    summary="查看经营者完整身份证号与电话（须 personal_data:view 权限，记入审计日志）",
)
def reveal_merchant(item_id: uuid.UUID, session: SessionDep, principal: Reader) -> MerchantPersonal:
    return merchant_service.reveal(session, principal, item_id)


add_crud_routes(
    router,
    merchant_service,
    path="/merchants",
    read=MerchantRead,
    create=MerchantCreate,
    update=MerchantUpdate,
    filters=MerchantFilter,
    read_permission="merchant:read",
    write_permission="merchant:write",
    tag="商户档案",
    detail=MerchantDetail,
)
