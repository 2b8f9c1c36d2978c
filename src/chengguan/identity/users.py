"""Use cases of staff users and roles."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.audit import service as audit
from chengguan.core import clock
from chengguan.core.config import get_settings
from chengguan.core.errors import Conflict, FieldProblem, Forbidden, field_error
from chengguan.core.principals import DataScope, StaffPrincipal
from chengguan.core.security import hash_password
from chengguan.identity import auth, passwords
from chengguan.identity.models import Role, User
from chengguan.identity.permissions import KEYS
from chengguan.identity.repository import (
    LoginFailureRepository,
    PasswordHistoryRepository,
    RoleRepository,
    UserRepository,
)
from chengguan.identity.schemas import RoleRead, RoleRef, UserRead
from chengguan.identity.separation import (
    DUTY_KEYS,
    DUTY_LABELS,
    DutiesCombined,
    duties_of,
    duty_of,
    ensure_separate,
)
from chengguan.kit.crud import CrudService, conflict
from chengguan.kit.snapshot import as_dict
from chengguan.org.references import unit_in_scope
from chengguan.org.repository import OfficerRepository, unit_names


class UserService(CrudService[User]):
    """Staff accounts: policy-checked argon2 passwords, roles, unit; deleting deactivates (history stays)."""

    model = User
    repository = UserRepository
    target_type = "user"
    noun = "用户"

    def label(self, obj: User) -> str:
        return obj.username

    def to_read(self, session: Session, objs: list[User]) -> list[BaseModel]:
        names = unit_names(session, (o.unit_id for o in objs))
        roles = UserRepository(session).roles_of(o.id for o in objs)
        return [
            UserRead.model_validate(
                {k: v for k, v in as_dict(o).items() if k in UserRead.model_fields}
                | {
                    "unit_name": names.get(o.unit_id) if o.unit_id else None,
                    "roles": [RoleRef.model_validate(r) for r in roles[o.id]],
                }
            )
            for o in objs
        ]

    keyword_columns = ("username", "display_name")

    def clean(
        self, session: Session, principal: StaffPrincipal, values: dict[str, Any], obj: User | None
    ) -> dict[str, Any]:
        if values.get("unit_id") is not None:
            unit_in_scope(session, principal, values["unit_id"])
        if values.get("officer_id") is not None:
            officer = OfficerRepository(session).get_readable(principal, values["officer_id"])
            if officer is None:
                raise field_error("officer_id", "执法人员不存在或不在您的数据权限范围内")
            linked = session.scalars(select(User).where(User.officer_id == officer.id)).first()
            if linked is not None and linked is not obj:
                raise conflict("officer_id", "该执法人员已关联其他账号")
        if obj is None and UserRepository(session).by_username(values["username"]) is not None:
            raise conflict("username", "用户名已存在")
        password = values.pop("password", None)
        if password is not None:
            settings = get_settings()
            username = values.get("username") or (obj.username if obj else "")
            display_name = values.get("display_name") or (obj.display_name if obj else "")
            passwords.ensure_policy(settings, password, user_inputs=(username, display_name), field="password")
            if obj is not None:
                passwords.ensure_not_reused(session, settings, obj, password, field="password")
            # Hashed here (the insert needs it); the history row follows once the user row exists (_remember).
            values["password_hash"] = hash_password(password)
            values["password_changed_at"] = clock.now()
            # Set by someone else, the password is known to them: its owner must replace it before anything else.
            values["must_change_password"] = obj is not None and obj.id != principal.user_id
        if obj is not None and values.get("is_active") is False and obj.id == principal.user_id:
            raise field_error("is_active", "不能停用自己的账号")
        return values

    def _remember(self, session: Session, user_id: uuid.UUID) -> None:
        user = session.get(User, user_id)
        assert user is not None
        settings = get_settings()
        PasswordHistoryRepository(session).add(user.id, user.password_hash, clock.now(), keep=settings.password_history)

    def assign_roles(
        self, session: Session, principal: StaffPrincipal, id: uuid.UUID, role_ids: list[uuid.UUID]
    ) -> BaseModel:
        """分配角色 — the security administrator's duty (三员分立, identity.separation): not to oneself, and never
        so that the account holds two administrators' duties. Accounts themselves are the system administrator's."""
        user = self.load(session, principal, id)
        if user.id == principal.user_id:
            raise Forbidden("不能为自己分配角色（三员分立：授权须由他人完成）", code="role.self_grant")
        found = {r.id: r for r in session.scalars(select(Role).where(Role.id.in_(role_ids)))}
        missing = [str(r) for r in role_ids if r not in found]
        if missing:
            raise field_error("role_ids", f"角色不存在：{', '.join(missing)}")
        granted = RoleRepository(session).permissions(found)
        ensure_separate({k for keys in granted.values() for k in keys}, field="role_ids", whose="同一账号")
        repo = UserRepository(session)
        before = sorted(str(r) for r in repo.role_ids(user.id))
        repo.set_roles(user.id, role_ids)
        auth.revoke_tokens(session, user.id)  # the new grants hold from the next login, not in a token of the old ones
        audit.record(
            session,
            principal.actor,
            "user.roles",
            target_type="user",
            target_id=user.id,
            target_label=user.username,
            summary={"before": {"role_ids": before}, "after": {"role_ids": sorted({str(r) for r in role_ids})}},
        )
        session.flush()
        return self.read(session, principal, user.id)

    def create(self, session: Session, principal: StaffPrincipal, data: BaseModel) -> BaseModel:
        result = super().create(session, principal, data)
        self._remember(session, result.id)  # type: ignore[attr-defined]
        return result

    def load_to_manage(self, session: Session, principal: StaffPrincipal, id: uuid.UUID) -> User:
        """An account the principal may change: not one holding another administrator's duty — else the system
        administrator could reset the audit administrator's password and read the log as them (三员分立). Those
        accounts are reset from the command line (``chengguan create-admin --duty …``)."""
        user = self.load(session, principal, id)
        held = RoleRepository(session).grants_of_user(user.id)[0]
        other = [d for d in duties_of(held) if d not in duties_of(principal.permissions)]
        if other:
            raise Forbidden(
                f"该账号是{DUTY_LABELS[other[0]]}，不能由您修改（三员分立；可在服务器上用 create-admin 重置）",
                code="user.other_duty",
            )
        return user

    def update(self, session: Session, principal: StaffPrincipal, id: uuid.UUID, data: BaseModel) -> BaseModel:
        self.load_to_manage(session, principal, id)
        reset = getattr(data, "password", None) is not None
        if reset or getattr(data, "is_active", None) is False:
            auth.revoke_tokens(session, id)  # a reset or deactivated account keeps no live session
        result = super().update(session, principal, id, data)
        if reset:
            self._remember(session, id)
        return result

    def delete(self, session: Session, principal: StaffPrincipal, id: uuid.UUID) -> None:
        """Accounts are deactivated, never deleted: the audit log and case history keep pointing at them."""
        user = self.load_to_manage(session, principal, id)
        if user.id == principal.user_id:
            raise Conflict("不能停用自己的账号", code="user.self")
        self._set_active(session, principal, user, False)

    def unlock(self, session: Session, principal: StaffPrincipal, id: uuid.UUID) -> BaseModel:
        user = self.load_to_manage(session, principal, id)
        audit.record(
            session,
            principal.actor,
            "user.unlock",
            target_type="user",
            target_id=user.id,
            target_label=user.username,
            summary={"before": {"locked_until": str(user.locked_until)}},
        )
        user.locked_until = None
        LoginFailureRepository(session).forget(user.username)  # the account's remembered failures, every address
        session.flush()
        return self.read(session, principal, id)

    def _set_active(self, session: Session, principal: StaffPrincipal, user: User, active: bool) -> None:
        before = user.is_active
        user.is_active = active
        session.flush()
        audit.record(
            session,
            principal.actor,
            "user.deactivate" if not active else "user.activate",
            target_type="user",
            target_id=user.id,
            target_label=user.username,
            summary={"before": {"is_active": before}, "after": {"is_active": active}},
        )


class RoleService(CrudService[Role]):
    """Roles: permission keys from the catalogue and one data scope (custom lists its units)."""

    model = Role
    repository = RoleRepository
    target_type = "role"
    noun = "角色"

    def label(self, obj: Role) -> str:
        return f"{obj.code} {obj.name}"

    def to_read(self, session: Session, objs: list[Role]) -> list[BaseModel]:
        repo = RoleRepository(session)
        ids = [o.id for o in objs]
        permissions, units = repo.permissions(ids), repo.custom_units(ids)
        return [
            RoleRead.model_validate(
                {k: v for k, v in as_dict(o).items() if k in RoleRead.model_fields}
                | {"permissions": permissions[o.id], "custom_unit_ids": units[o.id], "duty": duty_of(permissions[o.id])}
            )
            for o in objs
        ]

    keyword_columns = ("code", "name")

    def clean(
        self, session: Session, principal: StaffPrincipal, values: dict[str, Any], obj: Role | None
    ) -> dict[str, Any]:
        unknown = sorted(set(values.get("permissions") or []) - KEYS)
        if unknown:
            raise field_error("permissions", f"未知的权限标识：{', '.join(unknown)}")
        # Composing roles is the security administrator's duty (三员分立): bounded by the separation of the three
        # administrators' duties, not by what the composer holds (they hold none of the business permissions).
        ensure_separate(values.get("permissions") or [], field="permissions", whose="同一角色")
        for unit_id in values.get("custom_unit_ids") or []:
            unit_in_scope(session, principal, unit_id, field="custom_unit_ids")
        scope = values.get("data_scope") or (obj.data_scope if obj else DataScope.self)
        if scope is DataScope.all and DataScope.all not in principal.scopes:
            raise field_error("data_scope", "不能授予超出自身范围的“全部数据”权限")
        if obj is None and RoleRepository(session).by_code(values["code"]) is not None:
            raise conflict("code", "角色编码已存在")
        return {k: v for k, v in values.items() if k not in ("permissions", "custom_unit_ids")}

    def _store_grants(self, session: Session, role_id: uuid.UUID, data: BaseModel) -> None:
        repo = RoleRepository(session)
        fields = data.model_dump(exclude_unset=True)
        if fields.get("permissions") is not None:
            repo.set_permissions(role_id, fields["permissions"])
        if fields.get("custom_unit_ids") is not None:
            repo.set_custom_units(role_id, fields["custom_unit_ids"])
        session.flush()

    def create(self, session: Session, principal: StaffPrincipal, data: BaseModel) -> BaseModel:
        result = super().create(session, principal, data)
        self._store_grants(session, result.id, data)  # type: ignore[attr-defined]
        return self.read(session, principal, result.id)  # type: ignore[attr-defined]

    def update(self, session: Session, principal: StaffPrincipal, id: uuid.UUID, data: BaseModel) -> BaseModel:
        role = self.load(session, principal, id)
        before = self.to_read(session, [role])[0].model_dump(mode="json", include={"permissions", "custom_unit_ids"})
        self.clean(session, principal, data.model_dump(exclude_unset=True) | {"code": role.code}, role)
        permissions = getattr(data, "permissions", None)
        if permissions is not None:
            self._keep_holders_separate(session, role, permissions)
        self._store_grants(session, role.id, data)
        after = self.to_read(session, [role])[0].model_dump(mode="json", include={"permissions", "custom_unit_ids"})
        if before != after:
            audit.record(
                session,
                principal.actor,
                "role.grants",
                target_type="role",
                target_id=role.id,
                target_label=self.label(role),
                summary={"before": before, "after": after},
            )
        return super().update(session, principal, id, data)

    def _keep_holders_separate(self, session: Session, role: Role, permissions: list[str]) -> None:
        """A role's new permissions must not give any holder two administrators' duties through their other roles."""
        duty = duty_of(permissions)
        if duty is None:
            return
        others = sorted({k for d, keys in DUTY_KEYS.items() if d is not duty for k in keys})
        clashing = RoleRepository(session).holders_also_granted(role.id, others)
        if clashing:
            raise DutiesCombined(
                f"三员分立：{len(clashing)} 个持有该角色的账号（{'、'.join(clashing[:5])}）另有其他管理员的权限，"
                f"该角色不能再具有{DUTY_LABELS[duty]}的权限",
                errors=[FieldProblem(field="permissions", message="持有者将兼有两类管理员的权限")],
            )

    def before_delete(self, session: Session, principal: StaffPrincipal, obj: Role) -> None:
        if obj.builtin:
            raise Conflict("内置角色不能删除", code="role.builtin")
        if RoleRepository(session).holders(obj.id):
            raise Conflict("仍有用户持有该角色，不能删除", code="role.in_use")


user_service = UserService()
role_service = RoleService()
