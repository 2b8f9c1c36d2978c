"""Login, logout, token validation and the password policy: the use cases of authentication."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from chengguan.audit import service as audit
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import FieldProblem, Locked, Unauthenticated, Unprocessable
from chengguan.core.security import hash_password, new_token, password_problems, token_digest, verify_password
from chengguan.identity.enums import PrincipalType
from chengguan.identity.models import AuthToken, User
from chengguan.identity.principals import Actor, StaffPrincipal
from chengguan.identity.repository import RoleRepository, TokenRepository, UserRepository

TOUCH_EVERY = timedelta(seconds=60)  # last_used_at precision: enough for a 30-minute idle timeout, few writes


class LoginFailed(Unauthenticated):
    code = "auth.invalid_credentials"
    keep_writes = True  # the failure counter must survive the refusal


class AccountLocked(Locked):
    keep_writes = True


@dataclass(frozen=True)
class IssuedToken:
    raw: str
    token: AuthToken
    user: User


def _locked_message(until: datetime, now: datetime) -> str:
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    return f"账号已锁定，请 {minutes} 分钟后再试"


def login(
    session: Session, settings: Settings, *, username: str, password: str, ip: str | None, user_agent: str | None
) -> IssuedToken:
    """Check the password; after ``lockout_threshold`` consecutive failures lock the account for ``lockout_minutes``."""
    now = clock.now()
    users = UserRepository(session)
    user = users.by_username(username)
    actor = Actor("anonymous", None, username[:100], None, ip)
    if user is not None and user.locked_until is not None and clock.as_utc(user.locked_until) > now:
        audit.record(
            session,
            actor,
            "auth.login_refused_locked",
            target_type="user",
            target_id=user.id,
            target_label=user.username,
        )
        raise AccountLocked(_locked_message(clock.as_utc(user.locked_until), now), locked_until=user.locked_until)
    if user is None or not verify_password(user.password_hash if user else None, password) or not user.is_active:
        if user is not None:
            user.failed_login_count += 1
            summary = {"failed_login_count": user.failed_login_count}
            if user.failed_login_count >= settings.lockout_threshold:
                user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
                user.failed_login_count = 0
                summary["locked_until"] = user.locked_until.isoformat()
                audit.record(
                    session,
                    actor,
                    "auth.locked",
                    target_type="user",
                    target_id=user.id,
                    target_label=user.username,
                    summary=summary,
                )
                raise AccountLocked(_locked_message(user.locked_until, now), locked_until=user.locked_until)
            audit.record(
                session,
                actor,
                "auth.login_failed",
                target_type="user",
                target_id=user.id,
                target_label=user.username,
                summary=summary,
            )
        raise LoginFailed("用户名或密码错误")
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now
    raw, token = issue_token(session, settings, PrincipalType.staff, user.id, ip=ip, user_agent=user_agent)
    audit.record(
        session,
        Actor("staff", user.id, user.display_name, user.unit_id, ip),
        "auth.login",
        target_type="user",
        target_id=user.id,
        target_label=user.username,
    )
    return IssuedToken(raw=raw, token=token, user=user)


def issue_token(
    session: Session,
    settings: Settings,
    kind: PrincipalType,
    subject_id: uuid.UUID,
    *,
    ip: str | None,
    user_agent: str | None,
) -> tuple[str, AuthToken]:
    """A new bearer token for a staff user or an outside account: the raw token (shown once) and its stored row."""
    now = clock.now()
    raw, digest = new_token()
    token = AuthToken(
        token_hash=digest,
        principal_type=kind,
        subject_id=subject_id,
        issued_at=now,
        expires_at=now + timedelta(minutes=settings.token_ttl_minutes),
        last_used_at=now,
        ip=ip,
        user_agent=(user_agent or "")[:200] or None,
    )
    session.add(token)
    session.flush()
    return raw, token


def revoke_tokens(session: Session, user_id: uuid.UUID, *, keep: uuid.UUID | None = None) -> None:
    """Revoke every live token of a user (a changed password must end sessions elsewhere), except ``keep``."""
    statement = update(AuthToken).where(AuthToken.subject_id == user_id, AuthToken.revoked_at.is_(None))
    if keep is not None:
        statement = statement.where(AuthToken.id != keep)
    session.execute(statement.values(revoked_at=clock.now()))


def logout(session: Session, principal: StaffPrincipal) -> None:
    """Revoke the token used for this call; it is refused from now on, on every process."""
    if principal.token_id is not None:
        session.execute(update(AuthToken).where(AuthToken.id == principal.token_id).values(revoked_at=clock.now()))
    audit.record(
        session,
        principal.actor,
        "auth.logout",
        target_type="user",
        target_id=principal.user_id,
        target_label=principal.username,
    )


@dataclass(frozen=True)
class ValidToken:
    token: AuthToken
    needs_touch: bool


def check_token(session: Session, settings: Settings, raw: str) -> ValidToken:
    """The token if it is known, unrevoked, unexpired and used within the idle timeout."""
    token = TokenRepository(session).by_digest(token_digest(raw))
    now = clock.now()
    if token is None or token.revoked_at is not None:
        raise Unauthenticated("登录已失效，请重新登录", code="auth.token_invalid")
    if clock.as_utc(token.expires_at) <= now:
        raise Unauthenticated("登录已过期，请重新登录", code="auth.token_expired")
    idle = now - clock.as_utc(token.last_used_at)
    if idle > timedelta(minutes=settings.token_idle_minutes):
        raise Unauthenticated("长时间未操作，请重新登录", code="auth.token_idle")
    return ValidToken(token=token, needs_touch=idle >= TOUCH_EVERY)


def touch(session: Session, token_id: uuid.UUID) -> None:
    """Record activity (keeps the idle timeout sliding)."""
    session.execute(update(AuthToken).where(AuthToken.id == token_id).values(last_used_at=clock.now()))


def staff_principal(session: Session, token: AuthToken, ip: str | None) -> StaffPrincipal:
    """Resolve the staff user behind a token, with the union of their roles' grants."""
    return principal_of_user(session, token.subject_id, token_id=token.id, ip=ip)


def principal_of_user(
    session: Session, user_id: uuid.UUID, *, token_id: uuid.UUID | None = None, ip: str | None = None
) -> StaffPrincipal:
    """The staff principal of a user with their current grants — also for work done later on their behalf (an
    electronic service completes when the party opens the link the officer sent)."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise Unauthenticated("账号已停用", code="auth.account_disabled")
    permissions, scopes, units = RoleRepository(session).grants_of_user(user.id)
    return StaffPrincipal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        unit_id=user.unit_id,
        officer_id=user.officer_id,
        permissions=frozenset(permissions),
        scopes=frozenset(scopes),
        custom_unit_ids=frozenset(units),
        token_id=token_id,
        ip=ip,
    )


def ensure_password_policy(settings: Settings, password: str, *, username: str | None, field: str = "password") -> None:
    """Refuse a weak password with the policy's reasons (zh-CN)."""
    problems = password_problems(password, min_length=settings.password_min_length, username=username)
    if problems:
        message = "；".join(problems)
        raise Unprocessable(
            f"密码不符合要求：{message}", code="password.weak", errors=[FieldProblem(field=field, message=message)]
        )


def change_password(
    session: Session, settings: Settings, principal: StaffPrincipal, *, old_password: str, new_password: str
) -> None:
    """Change one's own password after proving the old one."""
    user = session.get(User, principal.user_id)
    assert user is not None
    if not verify_password(user.password_hash, old_password):
        raise Unprocessable(
            "原密码不正确",
            code="password.wrong_old",
            errors=[FieldProblem(field="old_password", message="原密码不正确")],
        )
    ensure_password_policy(settings, new_password, username=user.username, field="new_password")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = clock.now()
    revoke_tokens(session, user.id, keep=principal.token_id)
    audit.record(
        session,
        principal.actor,
        "user.password_changed",
        target_type="user",
        target_id=user.id,
        target_label=user.username,
    )
