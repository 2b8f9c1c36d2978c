"""HTTP routes of the merchant register (商户档案)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from chengguan.core.access import SessionDep, require
from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.router import add_crud_routes
from chengguan.merchants.schemas import (
    MerchantCreate,
    MerchantDetail,
    MerchantFilter,
    MerchantPersonal,
    MerchantRead,
    MerchantUpdate,
)
from chengguan.merchants.service import merchant_service

router = APIRouter(responses=PROBLEM_RESPONSES)
Reader = Annotated[StaffPrincipal, Depends(require("merchant:read"))]


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
