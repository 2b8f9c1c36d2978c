"""HTTP routes of the merchant portal (商户端): SMS code login and the documents served to the account's phone."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import Field

from chengguan.core.access import SessionDep, SettingsDep, bearer, client_ip
from chengguan.core.errors import PROBLEM_RESPONSES, RATE_LIMITED_RESPONSES, Unauthenticated
from chengguan.core.principals import MerchantPrincipal, PrincipalType
from chengguan.identity.dependencies import valid_token
from chengguan.identity.models import MerchantAccount
from chengguan.kit.schemas import Out, Schema
from chengguan.portal import service

router = APIRouter(prefix="/portal", tags=["商户端"], responses=PROBLEM_RESPONSES)


class PhoneIn(Schema):
    phone: str = Field(max_length=20, description="签署电子送达确认书（商户端）时留的手机号码")


class CodeSent(Out):
    sent: bool = True
    expires_in: int
    retry_after: int


class LoginIn(PhoneIn):
    code: str = Field(max_length=10, description="短信验证码（6 位）")


class AccountOut(Out):
    id: str
    phone: str
    display_name: str


class PortalToken(Out):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    account: AccountOut


class ServedOut(Out):
    id: str
    title: str
    document_no: str | None
    bureau: str
    case_code: str
    party_name: str | None
    sent_at: datetime | None
    opened_at: datetime | None
    status: str
    status_label: str
    link: str = Field(description="当事人查看页（首次打开即为送达时间）")


class ServedList(Out):
    items: list[ServedOut]


def current_merchant(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> tuple[MerchantPrincipal, MerchantAccount]:
    token = valid_token(request, session, settings, credentials, PrincipalType.merchant, "请使用商户端账号登录")
    account = session.get(MerchantAccount, token.subject_id)
    if account is None or not account.is_active:
        raise Unauthenticated("账号已停用", code="auth.account_disabled")
    principal = MerchantPrincipal(account.id, account.display_name, token_id=token.id, ip=client_ip(request))
    return principal, account


Merchant = Annotated[tuple[MerchantPrincipal, MerchantAccount], Depends(current_merchant)]


def account_out(account: MerchantAccount) -> AccountOut:
    return AccountOut(id=str(account.id), phone=account.phone, display_name=account.display_name)


@router.post(
    "/login-code",
    status_code=202,
    summary="发送登录验证码（仅向签署了商户端电子送达的号码发送）",
    responses=RATE_LIMITED_RESPONSES,
)
def send_code(body: PhoneIn, session: SessionDep, settings: SettingsDep) -> CodeSent:
    wait = service.send_code(session, settings, body.phone)
    return CodeSent(expires_in=int(service.CODE_TTL.total_seconds()), retry_after=wait)


@router.post("/login", summary="验证码登录商户端")
def login(body: LoginIn, request: Request, session: SessionDep, settings: SettingsDep) -> PortalToken:
    done = service.login(session, settings, body.phone, body.code, ip=client_ip(request),
                         user_agent=request.headers.get("user-agent"))  # fmt: skip
    return PortalToken(access_token=done.raw_token, expires_at=done.token.expires_at, account=account_out(done.account))


@router.get("/me", summary="当前商户端账号")
def me(merchant: Merchant) -> AccountOut:
    return account_out(merchant[1])


@router.get("/deliveries", summary="送达给本人的执法文书（打开即视为送达）")
def deliveries(merchant: Merchant, session: SessionDep) -> ServedList:
    return ServedList(
        items=[
            ServedOut(
                id=str(s.delivery.id),
                title=s.document.title,
                document_no=s.document.document_no,
                bureau=s.bureau,
                case_code=s.case_code,
                party_name=s.delivery.party_name,
                sent_at=s.delivery.sent_at,
                opened_at=s.delivery.opened_at,
                status=s.delivery.status.value,
                status_label=s.status_label,
                link=f"/s/{s.delivery.token}",
            )
            for s in service.documents(session, merchant[1])
        ]
    )


@router.post("/logout", status_code=204, response_class=Response, summary="退出商户端")
def logout(merchant: Merchant, session: SessionDep) -> Response:
    service.logout(session, merchant[0])
    return Response(status_code=204)
