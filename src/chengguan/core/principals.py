"""Who is acting: staff, merchant and public principals are distinct types (a merchant token is never staff).

In core because every layer takes a principal (data scope, audit actor) while only identity knows how one logs in.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum


class DataScope(StrEnum):
    """The five data scopes (数据权限): which units' records a role may see."""

    all = "all"
    custom = "custom"
    unit = "unit"
    unit_and_below = "unit_and_below"
    self = "self"


class PrincipalType(StrEnum):
    """Who holds a token: staff of the bureaus, merchants (商户) or members of the public (市民)."""

    staff = "staff"
    merchant = "merchant"
    public = "public"


DATA_SCOPE_LABELS = {
    DataScope.all: "全部数据",
    DataScope.custom: "自定义单位",
    DataScope.unit: "本单位",
    DataScope.unit_and_below: "本单位及下级",
    DataScope.self: "仅本人",
}

# When a user holds several roles the widest scope wins; this is the order from widest to narrowest
# (custom is combined with the others as a union of unit sets).
SCOPE_BREADTH = [DataScope.all, DataScope.unit_and_below, DataScope.custom, DataScope.unit, DataScope.self]


@dataclass(frozen=True)
class Actor:
    """What the audit log records about whoever performs a write."""

    actor_type: str
    actor_id: uuid.UUID | None
    actor_name: str
    actor_unit_id: uuid.UUID | None = None
    ip: str | None = None


SYSTEM = Actor(actor_type="system", actor_id=None, actor_name="系统")


def cli_actor(name: str = "命令行") -> Actor:
    return Actor(actor_type="system", actor_id=None, actor_name=name)


@dataclass(frozen=True)
class StaffPrincipal:
    """A logged-in staff user with the union of their roles' permissions and data scopes."""

    user_id: uuid.UUID
    username: str
    display_name: str
    unit_id: uuid.UUID | None
    officer_id: uuid.UUID | None
    permissions: frozenset[str]
    scopes: frozenset[DataScope]
    custom_unit_ids: frozenset[uuid.UUID] = frozenset()
    token_id: uuid.UUID | None = None
    ip: str | None = None
    must_change_password: bool = False  # an administrator reset the password: only changing it is allowed
    principal_type: PrincipalType = field(default=PrincipalType.staff, init=False)

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def data_scope(self) -> DataScope:
        """The widest scope held (for display; filtering uses every scope held)."""
        return next((s for s in SCOPE_BREADTH if s in self.scopes), DataScope.self)

    @property
    def actor(self) -> Actor:
        return Actor("staff", self.user_id, self.display_name, self.unit_id, self.ip)


@dataclass(frozen=True)
class _AccountPrincipal:
    """A logged-in outside account (not staff): no permissions, no data scope, only its own records."""

    account_id: uuid.UUID
    display_name: str
    token_id: uuid.UUID | None = None
    ip: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.principal_type.value, self.account_id, self.display_name, None, self.ip)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class MerchantPrincipal(_AccountPrincipal):
    """A merchant using the shop portal."""

    principal_type: PrincipalType = field(default=PrincipalType.merchant, init=False)


@dataclass(frozen=True)
class PublicPrincipal(_AccountPrincipal):
    """A member of the public reporting or tracking a problem."""

    principal_type: PrincipalType = field(default=PrincipalType.public, init=False)


Principal = StaffPrincipal | MerchantPrincipal | PublicPrincipal
