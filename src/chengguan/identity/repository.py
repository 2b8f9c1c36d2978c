"""Queries of the identity tables."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from chengguan.core.principals import DataScope, StaffPrincipal
from chengguan.identity.models import (
    AuthToken,
    LoginFailure,
    PasswordHistory,
    Role,
    RolePermission,
    RoleUnit,
    User,
    UserRole,
)
from chengguan.kit.repository import Repository
from chengguan.org.scope import scope_clause


class UserRepository(Repository[User]):
    model = User
    order_by = (User.username,)

    def readable(self, principal: StaffPrincipal) -> Select[tuple[User]]:
        return select(User).where(scope_clause(principal, User.unit_id, own=User.id == principal.user_id))

    def by_username(self, username: str) -> User | None:
        return self.session.scalars(select(User).where(User.username == username)).first()

    def role_ids(self, user_id: uuid.UUID) -> list[uuid.UUID]:
        return list(self.session.scalars(select(UserRole.role_id).where(UserRole.user_id == user_id)))

    def roles_of(self, user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[Role]]:
        ids = list(user_ids)
        result: dict[uuid.UUID, list[Role]] = {i: [] for i in ids}
        if ids:
            rows = self.session.execute(
                select(UserRole.user_id, Role).join(Role, Role.id == UserRole.role_id).where(UserRole.user_id.in_(ids))
            )
            for user_id, role in rows:
                result[user_id].append(role)
        return result

    def set_roles(self, user_id: uuid.UUID, role_ids: Iterable[uuid.UUID]) -> None:
        self.session.execute(delete(UserRole).where(UserRole.user_id == user_id))
        self.session.add_all(UserRole(user_id=user_id, role_id=r) for r in dict.fromkeys(role_ids))


class RoleRepository(Repository[Role]):
    model = Role
    order_by = (Role.builtin.desc(), Role.code)

    def by_code(self, code: str) -> Role | None:
        return self.session.scalars(select(Role).where(Role.code == code)).first()

    def permissions(self, role_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
        ids = list(role_ids)
        result: dict[uuid.UUID, list[str]] = {i: [] for i in ids}
        if ids:
            rows = self.session.execute(
                select(RolePermission.role_id, RolePermission.permission)
                .where(RolePermission.role_id.in_(ids))
                .order_by(RolePermission.permission)
            )
            for role_id, key in rows:
                result[role_id].append(key)
        return result

    def custom_units(self, role_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
        ids = list(role_ids)
        result: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in ids}
        if ids:
            for role_id, unit_id in self.session.execute(
                select(RoleUnit.role_id, RoleUnit.unit_id).where(RoleUnit.role_id.in_(ids))
            ):
                result[role_id].append(unit_id)
        return result

    def set_permissions(self, role_id: uuid.UUID, keys: Iterable[str]) -> None:
        self.session.execute(delete(RolePermission).where(RolePermission.role_id == role_id))
        self.session.add_all(RolePermission(role_id=role_id, permission=k) for k in sorted(set(keys)))

    def set_custom_units(self, role_id: uuid.UUID, unit_ids: Iterable[uuid.UUID]) -> None:
        self.session.execute(delete(RoleUnit).where(RoleUnit.role_id == role_id))
        self.session.add_all(RoleUnit(role_id=role_id, unit_id=u) for u in dict.fromkeys(unit_ids))

    def holders_also_granted(self, role_id: uuid.UUID, keys: Iterable[str]) -> list[str]:
        """Usernames of the role's holders whose other roles grant any of ``keys``."""
        other = UserRole.__table__.alias("other")
        statement = (
            select(User.username)
            .join(UserRole, UserRole.user_id == User.id)
            .join(other, other.c.user_id == User.id)
            .join(RolePermission, RolePermission.role_id == other.c.role_id)
            .where(UserRole.role_id == role_id, other.c.role_id != role_id, RolePermission.permission.in_(list(keys)))
            .distinct()
            .order_by(User.username)
        )
        return list(self.session.scalars(statement))

    def holders(self, role_id: uuid.UUID) -> int:
        return len(list(self.session.scalars(select(UserRole.user_id).where(UserRole.role_id == role_id))))

    def grants_of_user(self, user_id: uuid.UUID) -> tuple[set[str], set[DataScope], set[uuid.UUID]]:
        """Permissions, scopes and custom units of every role the user holds, in two queries."""
        rows = self.session.execute(
            select(Role.id, Role.data_scope, RolePermission.permission)
            .join(UserRole, UserRole.role_id == Role.id)
            .outerjoin(RolePermission, RolePermission.role_id == Role.id)
            .where(UserRole.user_id == user_id)
        ).all()
        permissions = {key for _, _, key in rows if key}
        scopes = {scope for _, scope, _ in rows}
        custom_roles = {role_id for role_id, scope, _ in rows if scope is DataScope.custom}
        units: set[uuid.UUID] = set()
        if custom_roles:
            units = set(self.session.scalars(select(RoleUnit.unit_id).where(RoleUnit.role_id.in_(custom_roles))))
        return permissions, scopes, units


class TokenRepository(Repository[AuthToken]):
    model = AuthToken

    def by_digest(self, digest: str) -> AuthToken | None:
        return self.session.scalars(select(AuthToken).where(AuthToken.token_hash == digest)).first()


class LoginFailureRepository:
    """The failed logins the throttle counts (identity.throttle)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def of_address(self, address: str, since: datetime) -> list[datetime]:
        return list(
            self.session.scalars(
                select(LoginFailure.failed_at).where(LoginFailure.address == address, LoginFailure.failed_at > since)
            )
        )

    def of_account(self, username: str, since: datetime) -> list[tuple[str, datetime]]:
        rows = self.session.execute(
            select(LoginFailure.address, LoginFailure.failed_at).where(
                LoginFailure.username == username, LoginFailure.failed_at > since
            )
        )
        return [(address, at) for address, at in rows]

    def add(self, username: str, address: str, at: datetime) -> None:
        self.session.add(LoginFailure(username=username, address=address, failed_at=at))
        self.session.flush()

    def forget(self, username: str, address: str | None = None) -> None:
        """Forget the account's failures (from one address, or from all)."""
        statement = delete(LoginFailure).where(LoginFailure.username == username)
        if address is not None:
            statement = statement.where(LoginFailure.address == address)
        self.session.execute(statement)

    def prune(self, before: datetime) -> None:
        self.session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= before))


class PasswordHistoryRepository:
    """The hashes of a user's earlier passwords, newest first."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def recent(self, user_id: uuid.UUID, count: int) -> list[str]:
        return list(
            self.session.scalars(
                select(PasswordHistory.password_hash)
                .where(PasswordHistory.user_id == user_id)
                .order_by(PasswordHistory.set_at.desc(), PasswordHistory.id)
                .limit(count)
            )
        )

    def add(self, user_id: uuid.UUID, password_hash: str, at: datetime, *, keep: int) -> None:
        """Record a newly set password and drop what lies beyond the ``keep`` newest."""
        self.session.add(PasswordHistory(user_id=user_id, password_hash=password_hash, set_at=at))
        self.session.flush()
        kept = (
            select(PasswordHistory.id)
            .where(PasswordHistory.user_id == user_id)
            .order_by(PasswordHistory.set_at.desc(), PasswordHistory.id)
            .limit(max(keep, 1))
        )
        self.session.execute(
            delete(PasswordHistory).where(PasswordHistory.user_id == user_id, PasswordHistory.id.not_in(kept))
        )
