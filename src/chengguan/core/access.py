"""Who is calling a route: the FastAPI dependencies every router declares, apart from how a token is checked.

Routers of every layer need "the logged-in staff holding permission X"; only identity knows tokens and accounts.
identity provides the check (``StaffAuthenticator``) and the app puts it on ``app.state.authenticate_staff``, so a
router depends on core alone and identity stays free to import the packages whose routers it guards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Protocol

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from chengguan.core.config import Settings
from chengguan.core.db import get_session
from chengguan.core.errors import Forbidden
from chengguan.core.principals import StaffPrincipal

bearer = HTTPBearer(auto_error=False, description="POST /api/v1/auth/login 取得的 access_token")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]

# scope="function": the unit of work commits before the response is sent, so a client never sees 200 for writes
# that then fail to commit, nor a token refused because the login's commit had not happened yet.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


class StaffAuthenticator(Protocol):
    """The staff principal behind the bearer token (401 without a live staff token, 403 for another type).

    Asynchronous: a token it has resolved lately is answered from memory without a thread-pool hop; it opens a
    session of its own when it must ask the database, so a route that needs no session opens none."""

    async def __call__(self, request: Request, credentials: HTTPAuthorizationCredentials | None) -> StaffPrincipal: ...


async def current_staff_pending(request: Request, credentials: Credentials) -> StaffPrincipal:
    """The staff principal behind the bearer token, also while a forced password change is pending (only the
    routes that make that change possible use this: /auth/me, /auth/password, /auth/logout)."""
    authenticate: StaffAuthenticator = request.app.state.authenticate_staff
    return await authenticate(request, credentials)


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
