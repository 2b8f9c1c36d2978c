"""HTTP routes of the merchant H5 (/portal/shops, /portal/cases): the public shop page, claiming, the shop's details,
notices and rectification, reports, and the party's procedure rights. A merchant account sees its own shops only."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Request, Response, UploadFile
from fastapi.security import HTTPAuthorizationCredentials

from chengguan.audit import events
from chengguan.core.access import SessionDep, SettingsDep, bearer, client_ip, writes_on_read
from chengguan.core.errors import PROBLEM_RESPONSES, RATE_LIMITED_RESPONSES, DomainError, field_error
from chengguan.core.principals import PrincipalType
from chengguan.identity.dependencies import valid_token
from chengguan.identity.models import MerchantAccount
from chengguan.kit.media import MEDIA_RESPONSES
from chengguan.kit.schemas import IsoDateTime
from chengguan.portal.api import Merchant as MerchantAuth
from chengguan.portal.service import CODE_TTL
from chengguan.portal.service import send_code as send_portal_code
from chengguan.rectification import actions, notices
from chengguan.rectification.api import pdf_response, photo_response
from chengguan.shopfront import claims, page, portal_views, reports, rights
from chengguan.shopfront.enums import REPORT_CATEGORIES
from chengguan.shopfront.schemas import (
    ClaimIn,
    ClaimOut,
    CodeIn,
    CodeSent,
    HearingIn,
    MyShop,
    PartyCaseOut,
    PortalNotice,
    ProfileIn,
    ReportIn,
    ReportRead,
    ShopDetail,
    ShopPage,
)

router = APIRouter(prefix="/portal", tags=["商户端 · 一店一码"], responses=PROBLEM_RESPONSES)
Code = Annotated[str, Path(min_length=4, max_length=16, pattern=r"^[A-Za-z0-9]+$", description="一店一码")]
PHOTO_MAX = 10 * 2**20


def optional_account(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> MerchantAccount | None:
    """The portal account when a live merchant token comes with the request; the page is public without one."""
    if credentials is None:
        return None
    try:
        token = valid_token(request, session, settings, credentials, PrincipalType.merchant, "")
    except DomainError:
        return None
    account = session.get(MerchantAccount, token.subject_id)
    return account if account is not None and account.is_active else None


Viewer = Annotated[MerchantAccount | None, Depends(optional_account)]


@router.get("/shops/{code}", summary="店铺公开页（扫提示牌二维码）：店铺、所属中队、门前三包与适用的执法事项")
def shop_page(code: Code, session: SessionDep, viewer: Viewer) -> ShopPage:
    return portal_views.shop_page(session, page.load_shop(session, code), viewer)


@router.post("/shops/{code}/claim-code", status_code=202, responses=RATE_LIMITED_RESPONSES,
             summary="认领店铺：向手机号发送验证码")  # fmt: skip
def claim_code(code: Code, body: CodeIn, session: SessionDep, settings: SettingsDep) -> CodeSent:
    shop = page.load_shop(session, code)
    wait = send_portal_code(session, settings, body.phone, message=claims.claim_message(shop))
    return CodeSent(expires_in=int(CODE_TTL.total_seconds()), retry_after=wait)


@router.post("/shops/{code}/claim", summary="认领店铺：验证码 + 统一社会信用代码或经营者身份证号（须与档案一致）")
def claim(code: Code, body: ClaimIn, request: Request, session: SessionDep, settings: SettingsDep) -> ClaimOut:
    shop = page.load_shop(session, code)
    done = claims.claim(session, settings, shop, phone=body.phone, code=body.code, uscc=body.uscc,
                        operator_id_no=body.operator_id_no, ip=client_ip(request),
                        user_agent=request.headers.get("user-agent"))  # fmt: skip
    return portal_views.claim_out(done, shop)


@router.post("/shops/{code}/claim-agent", responses=MEDIA_RESPONSES,
             summary="委托代理人认领：上传授权委托书（图片或 PDF），经执法人员审核后生效")  # fmt: skip
def claim_agent(
    code: Code,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    phone: Annotated[str, Form(max_length=20)],
    sms_code: Annotated[str, Form(max_length=10, description="短信验证码")],
    agent_name: Annotated[str, Form(max_length=50, description="受托人姓名")],
    letter: Annotated[UploadFile, File(description="授权委托书（JPEG、PNG、WebP 或 PDF，≤10 MB）")],
) -> ClaimOut:
    shop = page.load_shop(session, code)
    done = claims.claim_by_agent(session, settings, shop, phone=phone, code=sms_code, agent_name=agent_name,
                                 letter=letter.file, filename=letter.filename or "授权委托书",
                                 declared=letter.content_type, ip=client_ip(request),
                                 user_agent=request.headers.get("user-agent"))  # fmt: skip
    return portal_views.claim_out(done, shop)


@router.get("/shops", summary="我的店铺（已认领与待审核）")
def my_shops(merchant: MerchantAuth, session: SessionDep) -> list[MyShop]:
    return portal_views.my_shops(session, merchant[1])


@router.get("/shops/{code}/details", summary="本店信息（认领后）")
def shop_details(code: Code, merchant: MerchantAuth, session: SessionDep) -> ShopDetail:
    return portal_views.detail(session, claims.owned(session, merchant[1], code))


@router.patch("/shops/{code}/details", summary="完善本店信息：营业时间、联系人")
def update_details(code: Code, body: ProfileIn, merchant: MerchantAuth, session: SessionDep) -> ShopDetail:
    shop = claims.owned(session, merchant[1], code)
    portal_views.update_profile(session, merchant[0], shop, body)
    return portal_views.detail(session, shop)


@router.post("/shops/{code}/storefront", responses=MEDIA_RESPONSES, summary="上传门头照片（按内容识别图片类型）")
async def upload_storefront(
    code: Code,
    merchant: MerchantAuth,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="门头照片（JPEG、PNG、WebP，≤10 MB）")],
) -> ShopDetail:
    shop = claims.owned(session, merchant[1], code)
    data = await file.read(PHOTO_MAX + 1)
    portal_views.set_storefront(session, settings, merchant[0], shop, data, file.filename, file.content_type)
    return portal_views.detail(session, shop)


@router.get("/shops/{code}/storefront", summary="门头照片", response_class=Response)
def storefront(code: Code, session: SessionDep, settings: SettingsDep) -> Response:
    return portal_views.storefront_response(session, settings, page.load_shop(session, code))


@router.get("/shops/{code}/notices", summary="本店收到的温馨提醒与整改通知")
def shop_notices(code: Code, merchant: MerchantAuth, session: SessionDep) -> list[PortalNotice]:
    return portal_views.notices_of(session, claims.owned(session, merchant[1], code))


@router.get("/shops/{code}/notices/{notice_id}", summary="通知详情（首次打开记为已查看）")
@writes_on_read  # the first opening is recorded
def shop_notice(code: Code, notice_id: uuid.UUID, merchant: MerchantAuth, session: SessionDep) -> PortalNotice:
    shop = claims.owned(session, merchant[1], code)
    notice = portal_views.notice_of(session, shop, notice_id)
    actions.mark_read(session, notice, merchant[0].actor)
    return portal_views.portal_notice(session, shop, notice)


@router.get("/shops/{code}/notices/{notice_id}/pdf", summary="责令（限期）整改通知书（PDF，已签章）",
            response_class=Response)  # fmt: skip
@writes_on_read  # sealed on first opening, and the download audited
def shop_notice_pdf(
    code: Code, notice_id: uuid.UUID, merchant: MerchantAuth, session: SessionDep, settings: SettingsDep
) -> Response:
    notice = portal_views.notice_of(session, claims.owned(session, merchant[1], code), notice_id)
    data = notices.pdf_bytes(session, settings, notice)
    events.download(session, merchant[0], "shop_notice", notice.id, notice.document_no or notice.code)
    return pdf_response(data, notice.document_no or notice.code)


@router.get("/shops/{code}/notices/{notice_id}/photos/{evidence_id}", summary="本店提交的整改照片",
            response_class=Response)  # fmt: skip
def shop_notice_photo(
    code: Code, notice_id: uuid.UUID, evidence_id: uuid.UUID, merchant: MerchantAuth, session: SessionDep,
    settings: SettingsDep,
) -> Response:  # fmt: skip
    notice = portal_views.notice_of(session, claims.owned(session, merchant[1], code), notice_id)
    return photo_response(session, settings, notice, evidence_id)


@router.post("/shops/{code}/notices/{notice_id}/rectification", responses=MEDIA_RESPONSES,
             summary="提交整改：现场照片（拍摄时间与位置随照片存证，类型按内容识别）")  # fmt: skip
def submit_rectification(
    code: Code,
    notice_id: uuid.UUID,
    merchant: MerchantAuth,
    session: SessionDep,
    settings: SettingsDep,
    files: Annotated[list[UploadFile], File(description="整改后的现场照片（JPEG、PNG、WebP、GIF），最多 9 张")],
    note: Annotated[str | None, Form(max_length=1000, description="整改情况说明")] = None,
    captured_at: Annotated[
        list[IsoDateTime] | None, Form(description="每张照片的拍摄时间（带时区），与照片一一对应")
    ] = None,
    lng: Annotated[list[float] | None, Form(description="拍摄位置经度（WGS-84），与照片一一对应")] = None,
    lat: Annotated[list[float] | None, Form(description="拍摄位置纬度（WGS-84）")] = None,
) -> PortalNotice:
    shop = claims.owned(session, merchant[1], code)
    notice = portal_views.notice_of(session, shop, notice_id)
    photos = portal_views.photos_from(files, captured_at or [], lng or [], lat or [], PHOTO_MAX)
    actions.submit(session, settings, merchant[0].actor, merchant[1].id, notice, photos, _text("note", note))
    return portal_views.portal_notice(session, shop, notice)


@router.get("/shops/{code}/reports", summary="本店反映的问题及办理进度")
def shop_reports(code: Code, merchant: MerchantAuth, session: SessionDep) -> list[ReportRead]:
    shop = claims.owned(session, merchant[1], code)
    return reports.reads(session, reports.of_shop(session, shop.id), photo_base=reports.MEDIA_PREFIX)


@router.post("/shops/{code}/reports", status_code=201, responses=MEDIA_RESPONSES,
             summary="反映问题（照片、位置、描述）：进入案源受理（渠道：商户上报）")  # fmt: skip
async def report_problem(
    code: Code,
    merchant: MerchantAuth,
    session: SessionDep,
    settings: SettingsDep,
    category_code: Annotated[str, Form(pattern=r"^[0-9]{5}$")],
    description: Annotated[str, Form(min_length=4, max_length=1000)],
    address: Annotated[str | None, Form(max_length=256)] = None,
    lng: Annotated[float | None, Form(ge=-180, le=180)] = None,
    lat: Annotated[float | None, Form(ge=-90, le=90)] = None,
    idempotency_key: Annotated[str | None, Form(max_length=64, pattern=r"^[A-Za-z0-9\-]+$")] = None,
    photo: Annotated[UploadFile | None, File(description="现场照片（≤10 MB）")] = None,
) -> ReportRead:
    shop = claims.owned(session, merchant[1], code)
    data = ReportIn(category_code=category_code, description=_text("description", description) or "",
                    address=_text("address", address), lng=lng, lat=lat)  # fmt: skip
    content = await photo.read(PHOTO_MAX + 1) if photo is not None else None
    if content is not None and len(content) > PHOTO_MAX:
        raise field_error("photo", "照片不能超过 10 MB", code="media.too_large")
    row = reports.submit(session, settings, merchant[0].actor, merchant[1], shop, data, content,
                         photo.filename if photo else None, photo.content_type if photo else None,
                         key=idempotency_key)  # fmt: skip
    return reports.reads(session, [row], photo_base=reports.MEDIA_PREFIX)[0]


@router.get("/report-categories", summary="可反映的问题类别（GB/T 47678.5）")
def report_categories() -> list[dict[str, str]]:
    return [{"value": k, "label": v} for k, v in REPORT_CATEGORIES.items()]


@router.get("/cases", summary="与我有关的案件（陈述申辩、听证的期限）")
def my_cases(merchant: MerchantAuth, session: SessionDep) -> list[PartyCaseOut]:
    return [rights.read(session, c) for c in rights.cases_of(session, merchant[1])]


@router.get("/cases/{case_id}", summary="案件的陈述申辩与听证")
def my_case(case_id: uuid.UUID, merchant: MerchantAuth, session: SessionDep) -> PartyCaseOut:
    return rights.read(session, rights.load(session, merchant[1], case_id))


@router.post("/cases/{case_id}/statements", status_code=201, responses=MEDIA_RESPONSES,
             summary="在线陈述申辩（期限内；《行政处罚法》第四十五条）")  # fmt: skip
def submit_statement(
    case_id: uuid.UUID,
    merchant: MerchantAuth,
    session: SessionDep,
    settings: SettingsDep,
    text: Annotated[str, Form(min_length=2, max_length=5000, description="陈述申辩的事实、理由")],
    files: Annotated[list[UploadFile] | None, File(description="证据材料（图片或 PDF），最多 6 个")] = None,
) -> PartyCaseOut:
    case = rights.load(session, merchant[1], case_id)
    attachments = [(f.file, f.filename or "材料", f.content_type) for f in files or []]
    rights.submit_statement(session, settings, merchant[0].actor, merchant[1], case, _text("text", text) or "",
                            attachments)  # fmt: skip
    return rights.read(session, case)


@router.post("/cases/{case_id}/hearing-request", status_code=201,
             summary="在线要求听证（告知后五个工作日内；《行政处罚法》第六十四条）")  # fmt: skip
def hearing_request(case_id: uuid.UUID, body: HearingIn, merchant: MerchantAuth, session: SessionDep) -> PartyCaseOut:
    case = rights.load(session, merchant[1], case_id)
    rights.request_hearing(session, merchant[0].actor, merchant[1], case, body.reason)
    return rights.read(session, case)


def _text(name: str, value: str | None) -> str | None:
    # PostgreSQL text cannot hold U+0000 and no real form field carries it: refuse at the edge (422, not 500).
    if value is not None and "\x00" in value:
        raise field_error(name, "文本中不能包含空字符（U+0000）")
    return value
