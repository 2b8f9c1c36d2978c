"""Identity tables: staff users, roles with permission keys and data scopes, tokens, merchant/public accounts."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, false, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from chengguan.core.db import Base, Timestamps, UUIDPrimaryKey
from chengguan.core.fieldtypes import Encrypted, search_hash
from chengguan.core.principals import DataScope, PrincipalType
from chengguan.kit.types import str_enum
from chengguan.org import usage


class User(UUIDPrimaryKey, Timestamps, Base):
    """A staff login; the argon2 hash never leaves the service. ``locked_until`` tells until when addresses that
    failed for this account are held back (identity.throttle; it never locks out an address that did not fail);
    ``must_change_password`` after an administrator reset confines the user's token to changing it."""

    __tablename__ = "user_account"

    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    officer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("officer.id", ondelete="SET NULL"), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())


class PasswordHistory(UUIDPrimaryKey, Base):
    """A password a user had (its argon2 hash): the last ``CHENGGUAN_PASSWORD_HISTORY`` may not be chosen again."""

    __tablename__ = "password_history"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime]


class LoginFailure(UUIDPrimaryKey, Base):
    """One failed staff login — the username as typed (known or not), the client address, the time: what the
    login throttle (identity.throttle) counts, shared by every worker process through the database."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_username", "username", "failed_at"),
        Index("ix_login_failure_address", "address", "failed_at"),
        Index("ix_login_failure_failed_at", "failed_at"),
    )

    username: Mapped[str] = mapped_column(String(50))
    address: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime]


class Role(UUIDPrimaryKey, Timestamps, Base):
    """A role: a set of permission keys plus one data scope (custom scopes list their units in ``role_unit``)."""

    __tablename__ = "role"

    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(String(200))
    data_scope: Mapped[DataScope] = mapped_column(str_enum(DataScope, "data_scope"), default=DataScope.self)
    builtin: Mapped[bool] = mapped_column(default=False)


class RolePermission(Base):
    """One permission key granted by a role."""

    __tablename__ = "role_permission"

    role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("role.id", ondelete="CASCADE"), primary_key=True)
    permission: Mapped[str] = mapped_column(String(50), primary_key=True)


class RoleUnit(Base):
    """A unit covered by a role with the custom data scope (exactly the listed units; the UI ticks children too)."""

    __tablename__ = "role_unit"

    role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("role.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True)


class UserRole(Base):
    """A role held by a user."""

    __tablename__ = "user_role"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("role.id", ondelete="CASCADE"), primary_key=True, index=True)


class AuthToken(UUIDPrimaryKey, Base):
    """An issued bearer token: only its SHA-256 is stored; expiry, idle timeout and revocation are checked per call."""

    __tablename__ = "auth_token"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    principal_type: Mapped[PrincipalType] = mapped_column(str_enum(PrincipalType, "principal_type"))
    subject_id: Mapped[uuid.UUID] = mapped_column(index=True)
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))


class _AccountFields:
    """Login fields shared by the outside principal types (phone + argon2 hash)."""

    phone: Mapped[str] = mapped_column(Encrypted("phone", 32))
    phone_hash: Mapped[str] = search_hash("phone", "phone", unique=True)  # one account per phone
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)


class MerchantAccount(_AccountFields, UUIDPrimaryKey, Timestamps, Base):
    """A merchant's login for the shop portal (一店一码); a principal type separate from staff."""

    __tablename__ = "merchant_account"


class PublicAccount(_AccountFields, UUIDPrimaryKey, Timestamps, Base):
    """A citizen's account for complaints and tracking; a principal type separate from staff."""

    __tablename__ = "public_account"


def _accounts_of_officers(session: Session, officer_ids: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    rows = session.execute(select(User.officer_id, User.id).where(User.officer_id.in_(officer_ids))).tuples()
    return {officer_id: user_id for officer_id, user_id in rows if officer_id is not None}


usage.unit_referenced_by(User.unit_id, "用户")
usage.officer_referenced_by(User.officer_id, "该执法人员已关联登录账号，请先停用或解除账号", "officer.has_user")
usage.officer_accounts_from(_accounts_of_officers)
