"""API schemas of the identity domain."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from chengguan.core.principals import DataScope, PrincipalType
from chengguan.kit.schemas import Filter, Out, Schema
from chengguan.org.enums import OfficerKind, OrgLevel


class LoginRequest(Schema):
    username: str = Field(min_length=1, max_length=50)
    password: str = Field(min_length=1, max_length=200)


class UnitRef(Out):
    id: uuid.UUID
    name: str
    level: OrgLevel
    division_code: str = Field(description="GB/T 2260 行政区划代码（中队 9 位）：决定适用的地方性法规")


class OfficerRef(Out):
    id: uuid.UUID
    name: str
    certificate_no: str | None
    kind: OfficerKind


class RoleRef(Out):
    id: uuid.UUID
    code: str
    name: str


class Me(Out):
    id: uuid.UUID
    username: str
    display_name: str
    principal_type: PrincipalType = PrincipalType.staff
    unit: UnitRef | None
    officer: OfficerRef | None
    roles: list[RoleRef]
    permissions: list[str]
    data_scope: DataScope
    must_change_password: bool = Field(False, description="管理员重置了密码：修改密码前不能使用其他接口")


class LoginResponse(Out):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    idle_timeout_seconds: int
    user: Me


class PasswordChange(Schema):
    old_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


class PermissionRead(Out):
    key: str
    name: str
    group: str


class UserRead(Out):
    id: uuid.UUID
    username: str
    display_name: str
    unit_id: uuid.UUID | None
    unit_name: str | None
    officer_id: uuid.UUID | None
    roles: list[RoleRef]
    is_active: bool
    locked_until: datetime | None
    last_login_at: datetime | None
    created_at: datetime


class UserCreate(Schema):
    username: str = Field(min_length=2, max_length=50, pattern=r"^[A-Za-z0-9_.\-]+$")
    display_name: str = Field(min_length=1, max_length=50)
    password: str = Field(min_length=1, max_length=200)
    unit_id: uuid.UUID | None = None
    officer_id: uuid.UUID | None = None


class UserUpdate(Schema):
    display_name: str | None = Field(None, min_length=1, max_length=50)
    unit_id: uuid.UUID | None = None
    officer_id: uuid.UUID | None = None
    is_active: bool | None = None
    password: str | None = Field(None, min_length=1, max_length=200)


class RoleAssignment(Schema):
    """分配角色 (the security administrator's duty): the account's roles, replacing those it held."""

    role_ids: list[uuid.UUID] = Field(max_length=50, description="角色 id；空数组表示收回全部角色")


class UserFilter(Filter):
    unit_id: uuid.UUID | None = None
    q: str | None = Field(None, max_length=50, description="用户名或姓名关键字")


class RoleFilter(Filter):
    q: str | None = Field(None, max_length=50, description="角色编码或名称")


class RoleRead(Out):
    id: uuid.UUID
    code: str
    name: str
    description: str | None
    permissions: list[str]
    data_scope: DataScope
    custom_unit_ids: list[uuid.UUID]
    builtin: bool
    duty: str | None = Field(None, description="三员分立：system 系统管理员 / security 安全管理员 / audit 安全审计员")


class RoleCreate(Schema):
    code: str = Field(min_length=2, max_length=50, pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1, max_length=50)
    description: str | None = Field(None, max_length=200)
    permissions: list[str] = Field(default_factory=list, max_length=200)
    data_scope: DataScope = DataScope.self
    custom_unit_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)


class RoleUpdate(Schema):
    name: str | None = Field(None, min_length=1, max_length=50)
    description: str | None = Field(None, max_length=200)
    permissions: list[str] | None = Field(None, max_length=200)
    data_scope: DataScope | None = None
    custom_unit_ids: list[uuid.UUID] | None = Field(None, max_length=500)
