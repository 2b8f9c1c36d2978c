"""HTTP routes of the merchant register (商户档案)."""

from fastapi import APIRouter

from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.kit.router import add_crud_routes
from chengguan.merchants.schemas import MerchantCreate, MerchantDetail, MerchantFilter, MerchantRead, MerchantUpdate
from chengguan.merchants.service import merchant_service

router = APIRouter(responses=PROBLEM_RESPONSES)

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
