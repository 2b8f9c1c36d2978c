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
from chengguan.merchants import signs
from chengguan.merchants.schemas import (
    MerchantCreate,
    MerchantDetail,
    MerchantFilter,
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


# Declared before the CRUD routes: /merchants/{item_id} would otherwise take "signs.pdf" for an id.
@router.get("/merchants/signs.pdf", summary="批量打印打烊提示牌（按地址排序，一次最多 500 户）", tags=["商户档案"],
            response_class=Response, responses=PDF)  # fmt: skip
@writes_on_read  # audited export
def street_signs(
    session: SessionDep, settings: SettingsDep, principal: Reader, query: Annotated[SignFilter, Query()]
) -> Response:
    return _pdf(signs.signs_pdf(session, settings, principal, query), "打烊提示牌.pdf")


@router.get("/merchants/{merchant_id}/sign.pdf", summary="打烊提示牌（城市共治识别码，A5）", tags=["商户档案"],
            response_class=Response, responses=PDF)  # fmt: skip
@writes_on_read  # audited download
def shop_sign(merchant_id: uuid.UUID, session: SessionDep, settings: SettingsDep, principal: Reader) -> Response:
    return _pdf(signs.sign_pdf(session, settings, principal, merchant_id), f"打烊提示牌-{merchant_id}.pdf")


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
