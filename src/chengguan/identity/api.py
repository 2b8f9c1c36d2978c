"""HTTP routes of authentication, users, roles and the permission catalogue."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from chengguan.core.access import CurrentStaff, CurrentStaffPending, SessionDep, SettingsDep, client_ip, require
from chengguan.core.errors import LOGIN_RESPONSES, PROBLEM_RESPONSES
from chengguan.core.principals import StaffPrincipal
from chengguan.identity import auth, export
from chengguan.identity.me import me_of, rendered_me
from chengguan.identity.permissions import CATALOGUE
from chengguan.identity.schemas import (
    LoginRequest,
    LoginResponse,
    Me,
    PasswordChange,
    PermissionRead,
    RoleAssignment,
    RoleCreate,
    RoleFilter,
    RoleRead,
    RoleUpdate,
    UserCreate,
    UserFilter,
    UserRead,
    UserUpdate,
)
from chengguan.identity.users import role_service, user_service
from chengguan.kit.router import add_crud_routes

router = APIRouter(responses=PROBLEM_RESPONSES)


@router.post("/auth/login", tags=["认证"], summary="登录", responses=LOGIN_RESPONSES)
def login(body: LoginRequest, request: Request, session: SessionDep, settings: SettingsDep) -> LoginResponse:
    issued = auth.login(
        session,
        settings,
        username=body.username,
        password=body.password,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )
    principal = auth.staff_principal(session, issued.token, client_ip(request))
    return LoginResponse(
        access_token=issued.raw,
        expires_at=issued.token.expires_at,
        idle_timeout_seconds=settings.token_idle_minutes * 60,
        user=me_of(session, principal),
    )


@router.post("/auth/logout", tags=["认证"], summary="退出登录（吊销令牌）", status_code=204, response_class=Response)
def logout(session: SessionDep, principal: CurrentStaffPending) -> Response:
    auth.logout(session, principal)
    return Response(status_code=204)


@router.get("/auth/me", tags=["认证"], summary="当前用户", response_model=Me)
async def me(request: Request, principal: CurrentStaffPending) -> Response:
    return Response(await rendered_me(request, principal), media_type="application/json")


@router.post("/auth/password", tags=["认证"], summary="修改本人密码", status_code=204, response_class=Response)
def change_password(
    body: PasswordChange, session: SessionDep, settings: SettingsDep, principal: CurrentStaffPending
) -> Response:
    auth.change_password(session, settings, principal, old_password=body.old_password, new_password=body.new_password)
    return Response(status_code=204)


@router.get("/permissions", tags=["角色权限"], summary="权限目录")
def permissions(principal: CurrentStaff) -> list[PermissionRead]:
    return [PermissionRead(key=p.key, name=p.name, group=p.group) for p in CATALOGUE]


UserWriter = Annotated[StaffPrincipal, Depends(require("user:write"))]


@router.post("/users/{item_id}/unlock", tags=["用户管理"], summary="解除锁定")
def unlock_user(item_id: uuid.UUID, session: SessionDep, principal: UserWriter) -> UserRead:
    return user_service.unlock(session, principal, item_id)  # type: ignore[return-value]


Granter = Annotated[StaffPrincipal, Depends(require("user:grant"))]


@router.put("/users/{item_id}/roles", tags=["用户管理"], summary="分配角色（安全管理员；三员分立）")
def assign_roles(item_id: uuid.UUID, body: RoleAssignment, session: SessionDep, principal: Granter) -> UserRead:
    return user_service.assign_roles(session, principal, item_id, body.role_ids)  # type: ignore[return-value]


add_crud_routes(
    router,
    user_service,
    path="/users",
    read=UserRead,
    create=UserCreate,
    update=UserUpdate,
    filters=UserFilter,
    read_permission="user:read",
    write_permission="user:write",
    tag="用户管理",
    export=export.USERS,
)
add_crud_routes(
    router,
    role_service,
    path="/roles",
    read=RoleRead,
    create=RoleCreate,
    update=RoleUpdate,
    filters=RoleFilter,
    read_permission="role:read",
    write_permission="role:write",
    tag="角色权限",
    export=export.ROLES,
)
