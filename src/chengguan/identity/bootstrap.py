"""Bootstrapping accounts outside the API (CLI, demo): the built-in roles and the first administrator."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from chengguan.audit import service as audit
from chengguan.core.config import Settings
from chengguan.core.principals import DataScope, cli_actor
from chengguan.identity import passwords
from chengguan.identity.models import Role, User
from chengguan.identity.permissions import KEYS
from chengguan.identity.repository import LoginFailureRepository, RoleRepository, UserRepository
from chengguan.identity.separation import DUTY_KEYS, DUTY_LABELS, DUTY_ROLES, Duty, ensure_separate

_READ_ORG = {"org:read", "officer:read", "vehicle:read", "device:read", "grid:read"}
_CASEWORK = {"source:read", "source:write", "dispatch:read", "case:read", "case:write", "law:read", "merchant:read"}
# Who works with the party in person (handling officers, their squad leader) or checks the decision names the right
# person (法制审核) may reveal personal data; leaders approving and the command centre see it masked.
PERSONAL_DATA = "personal_data:view"


@dataclass(frozen=True)
class BuiltinRole:
    code: str
    name: str
    description: str
    scope: DataScope
    permissions: frozenset[str]


# 三员分立 (identity.separation): the three administrators' roles hold disjoint duties. The system administrator keeps
# the business permissions too (one login opens every working screen of a small bureau), never a security or audit
# duty's.
SYSTEM_ADMIN_KEYS = KEYS - DUTY_KEYS[Duty.security] - DUTY_KEYS[Duty.audit]
SECURITY_ADMIN_KEYS = frozenset({"role:read", "role:write", "user:read", "user:grant", "org:read"})
AUDIT_ADMIN_KEYS = frozenset({"audit:read"})

BUILTIN_ROLES: tuple[BuiltinRole, ...] = (
    BuiltinRole(
        "admin",
        "系统管理员",
        "管理单位、账号与配置，全部数据；不能分配角色、不能查看审计日志（三员分立）",
        DataScope.all,
        SYSTEM_ADMIN_KEYS,
    ),
    BuiltinRole(
        "security_admin",
        "安全管理员",
        "维护角色与权限、为账号分配角色；不能新建或停用账号、不能查看审计日志",
        DataScope.all,
        SECURITY_ADMIN_KEYS,
    ),
    BuiltinRole(
        "audit_admin", "安全审计员", "查看、校验与导出审计日志，不能做其他操作", DataScope.all, AUDIT_ADMIN_KEYS
    ),
    BuiltinRole(
        "district_leader",
        "区局领导",
        "本区局及下属中队的数据，审批案件",
        DataScope.unit_and_below,
        frozenset(
            _READ_ORG
            | _CASEWORK
            | {"case:approve", "dispatch:write", "source:manage", "audit:read", "user:read", "role:read"}
            | {"payment:read", "payment:manage"}
        ),
    ),
    BuiltinRole(
        "squad_leader",
        "中队长",
        "本中队的数据，分办派遣与审批",
        DataScope.unit,
        frozenset(
            _READ_ORG
            | _CASEWORK
            | {"case:approve", "dispatch:write", "source:manage", "merchant:write", "payment:read"}
            | {"officer:write", "vehicle:write", "device:write", "mobile:use", PERSONAL_DATA}
        ),
    ),
    BuiltinRole(
        "officer",
        "执法队员",
        "仅本人的数据，使用执法通",
        DataScope.self,
        frozenset(
            {"grid:read", "source:read", "source:write", "case:read", "case:write", "law:read", "mobile:use"}
            | {"merchant:read", PERSONAL_DATA}
        ),
    ),
    BuiltinRole(
        "legal_reviewer",
        "法制审核员",
        "本单位及下级的案件，法制审核",
        DataScope.unit_and_below,
        frozenset(
            {"org:read", "officer:read", "case:read", "legal:review", "law:read", "law:write", "merchant:read"}
            | {PERSONAL_DATA}
        ),
    ),
    BuiltinRole(
        "command_operator",
        "指挥中心值班员",
        "指定单位的数据，指挥调度",
        DataScope.custom,
        frozenset(
            _READ_ORG
            | {"source:read", "source:write", "source:manage", "signal:write", "dispatch:read", "dispatch:write"}
            | {"law:read", "merchant:read"}
        ),
    ),
)


def ensure_builtin_roles(session: Session) -> dict[str, Role]:
    """Create the built-in roles that are missing (existing ones are left as administrators edited them)."""
    repo = RoleRepository(session)
    roles = {}
    for spec in BUILTIN_ROLES:
        role = repo.by_code(spec.code)
        if role is None:
            role = Role(
                code=spec.code, name=spec.name, description=spec.description, data_scope=spec.scope, builtin=True
            )
            session.add(role)
            session.flush()
            repo.set_permissions(role.id, spec.permissions)
            audit.record(
                session,
                cli_actor(),
                "role.create",
                target_type="role",
                target_id=role.id,
                target_label=f"{role.code} {role.name}",
                summary={"after": {"permissions": sorted(spec.permissions), "data_scope": spec.scope}},
            )
        roles[spec.code] = role
    session.flush()
    return roles


def ensure_admin(
    session: Session, settings: Settings, *, username: str, password: str, duty: Duty = Duty.system
) -> bool:
    """Create one of the three administrators (True) or reset its password and let it in again (False):
    reactivated, its remembered login failures forgotten, no forced change (whoever runs the CLI chose the
    password). An existing account keeps its other roles unless they carry another administrator's duty (422)."""
    name = DUTY_LABELS[duty]
    passwords.ensure_policy(settings, password, user_inputs=(username, name), field="password")
    roles = ensure_builtin_roles(session)
    users = UserRepository(session)
    user = users.by_username(username)
    created = user is None
    if user is None:
        user = User(username=username, display_name=name, password_hash="")
        session.add(user)
        session.flush()
    role_ids = {*users.role_ids(user.id), roles[DUTY_ROLES[duty]].id}
    held = {key for keys in RoleRepository(session).permissions(role_ids).values() for key in keys}
    ensure_separate(held, field="username", whose=f"账号 {username}")
    if not created:
        user.locked_until, user.is_active = None, True
        LoginFailureRepository(session).forget(username)
    passwords.set_password(session, settings, user, password, must_change=False)
    users.set_roles(user.id, role_ids)
    audit.record(
        session,
        cli_actor(),
        "user.create" if created else "user.reset_admin",
        target_type="user",
        target_id=user.id,
        target_label=username,
        summary={"duty": duty.value, "role": DUTY_ROLES[duty]},
    )
    session.flush()
    return created
