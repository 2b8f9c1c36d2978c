"""三员分立 (GB/T 22239-2019 等保2.0 第三级 8.1.4.2 / 8.1.10.1-3): system, security and audit administration are the
duties of three different people — no account and no role may hold the permissions of two of them (pure rules).

- 系统管理员 (system): manages units and accounts (their existence: create, edit, deactivate, reset passwords) and the
  platform's configuration; cannot grant roles, cannot read the audit log;
- 安全管理员 (security): composes roles and assigns them to accounts; cannot create or remove accounts, cannot read
  the audit log;
- 安全审计员 (audit): reads and exports the audit log, nothing else.

A duty is held through any one of its marking permissions; the checks run on the union of what an account holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from chengguan.core.errors import FieldProblem, Unprocessable


class Duty(StrEnum):
    """One of the three administrators' duties."""

    system = "system"
    security = "security"
    audit = "audit"


DUTY_LABELS = {Duty.system: "系统管理员", Duty.security: "安全管理员", Duty.audit: "安全审计员"}

# The permissions that make a holder one of the three administrators.
DUTY_KEYS: dict[Duty, frozenset[str]] = {
    Duty.system: frozenset({"user:write", "org:write", "calendar:write", "case:configure"}),
    Duty.security: frozenset({"role:write", "user:grant"}),
    Duty.audit: frozenset({"audit:read"}),
}

# The built-in role of each duty (identity.bootstrap) and the name its accounts get when created from the CLI.
DUTY_ROLES = {Duty.system: "admin", Duty.security: "security_admin", Duty.audit: "audit_admin"}


def duties_of(permissions: Iterable[str]) -> list[Duty]:
    """The duties these permissions carry, in the order system, security, audit."""
    held = set(permissions)
    return [duty for duty in Duty if held & DUTY_KEYS[duty]]


def duty_of(permissions: Iterable[str]) -> Duty | None:
    """The one duty of a compliant set of permissions (None: no administrator's duty)."""
    found = duties_of(permissions)
    return found[0] if found else None


class DutiesCombined(Unprocessable):
    """Two of the three administrators' duties in one account or one role (422)."""

    code = "role.separation_of_duties"


def ensure_separate(permissions: Iterable[str], *, field: str, whose: str) -> None:
    """Refuse a set of permissions that carries two or three duties (``whose``: 该角色 / 该账号 …)."""
    found = duties_of(permissions)
    if len(found) > 1:
        names = "与".join(DUTY_LABELS[d] for d in found)
        raise DutiesCombined(
            f"三员分立：{whose}不能同时具有{names}的权限（GB/T 22239 等保三级要求系统管理、安全管理、"
            "安全审计由不同人员担任）",
            errors=[FieldProblem(field=field, message=f"兼有{names}的权限")],
        )
