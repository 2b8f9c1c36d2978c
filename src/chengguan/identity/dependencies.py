"""FastAPI dependencies that authenticate the caller and check permission keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from chengguan.core.config import Settings
from chengguan.core.db import SAFE_METHODS, Database, get_session
from chengguan.core.errors import Forbidden, Unauthenticated
from chengguan.identity import auth
from chengguan.identity.enums import PrincipalType
from chengguan.identity.principals import StaffPrincipal

bearer = HTTPBearer(auto_error=False, description="POST /api/v1/auth/login 取得的 access_token")

# scope="function": the unit of work commits before the response is sent, so a client never sees 200 for writes
# that then fail to commit, nor a token refused because the login's commit had not happened yet.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def valid_token(
    request: Request,
    session: Session,
    settings: Settings,
    credentials: HTTPAuthorizationCredentials | None,
    kind: PrincipalType,
    refusal: str,
) -> auth.AuthToken:
    """The caller's live token of principal type ``kind`` (its idle clock moved on); 401 without one, 403
    (``refusal``) for a token of another type."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthenticated("请先登录")
    valid = auth.check_token(session, settings, credentials.credentials)
    if valid.token.principal_type is not kind:
        raise Forbidden(refusal, code="auth.wrong_principal_type")
    if valid.needs_touch:
        if request.method in SAFE_METHODS:
            # A read's unit of work is read-only (deferred on SQLite): record activity in a short write of its own.
            db: Database = request.app.state.db
            with db.session(write=True) as writer, writer.begin():
                auth.touch(writer, valid.token.id)
        else:
            # A write request already holds the write lock (SQLite BEGIN IMMEDIATE): a second writer would wait on it.
            auth.touch(session, valid.token.id)
    return valid.token


def current_staff_pending(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> StaffPrincipal:
    """The staff principal behind the bearer token, also while a forced password change is pending (only the
    routes that make that change possible use this: /auth/me, /auth/password, /auth/logout)."""
    token = valid_token(request, session, settings, credentials, PrincipalType.staff, "该账号类型不能访问执法端接口")
    return auth.staff_principal(session, token, client_ip(request))


CurrentStaffPending = Annotated[StaffPrincipal, Depends(current_staff_pending)]


async def current_staff(principal: CurrentStaffPending) -> StaffPrincipal:
    """The staff principal behind the bearer token; 401 otherwise (merchant/public tokens are not staff); 403
    ``auth.password_change_required`` until a password an administrator reset has been changed."""
    if principal.must_change_password:
        raise Forbidden("管理员已重置您的密码，请先修改密码后再继续使用", code="auth.password_change_required")
    return principal


CurrentStaff = Annotated[StaffPrincipal, Depends(current_staff)]


def require(*permissions: str) -> Callable[[StaffPrincipal], StaffPrincipal]:
    """A dependency admitting staff holding any one of ``permissions``."""

    # async: no I/O here, and a sync dependency would cost a thread-pool hop on every request.
    async def dependency(principal: CurrentStaff) -> StaffPrincipal:
        if not any(principal.has(p) for p in permissions):
            raise Forbidden("没有执行此操作的权限", code="auth.forbidden")
        return principal

    dependency.__name__ = "require_" + "_or_".join(p.replace(":", "_") for p in permissions)
    return dependency
