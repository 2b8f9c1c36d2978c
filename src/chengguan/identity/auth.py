"""Login (behind the throttle), logout, token validation, changing one's password: the use cases of authentication."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from chengguan.audit import service as audit
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import FieldProblem, TooManyRequests, Unauthenticated, Unprocessable
from chengguan.core.principals import Actor, PrincipalType, StaffPrincipal
from chengguan.core.security import new_token, token_digest, verify_password
from chengguan.identity import passwords, throttle
from chengguan.identity.models import AuthToken, User
from chengguan.identity.repository import LoginFailureRepository, RoleRepository, TokenRepository, UserRepository

log = logging.getLogger("chengguan")

TOUCH_EVERY = timedelta(seconds=60)  # last_used_at precision: enough for a 30-minute idle timeout, few writes


class LoginFailed(Unauthenticated):
    code = "auth.invalid_credentials"
    keep_writes = True  # the remembered failure must survive the refusal


class LoginThrottled(TooManyRequests):
    code = "auth.throttled"


@dataclass(frozen=True)
class IssuedToken:
    raw: str
    token: AuthToken
    user: User


def _refusal_message(refusal: throttle.Refusal, now: datetime) -> str:
    wait = throttle.wait_text(refusal.retry_after(now))
    if refusal.reason == "address":
        return f"登录失败次数过多，请 {wait}后再试"
    return f"该账号近期登录失败次数过多，请 {wait}后再试；如非本人操作，请联系系统管理员"


def _account_failures(failures: LoginFailureRepository, username: str, since: datetime) -> list[throttle.Failure]:
    return [throttle.Failure(address, at) for address, at in failures.of_account(username, since)]


def login(
    session: Session, settings: Settings, *, username: str, password: str, ip: str | None, user_agent: str | None
) -> IssuedToken:
    """Check the password unless the throttle refuses the attempt first (429, identity.throttle)."""
    now = clock.now()
    policy = throttle.ThrottlePolicy.of(settings)
    address = (ip or "unknown")[:64]
    name = username[:50]
    failures = LoginFailureRepository(session)
    refusal = throttle.decide(
        policy,
        now,
        address,
        failures.of_address(address, now - policy.address_window),
        _account_failures(failures, name, now - policy.memory),
    )
    if refusal is not None:
        # Not audited: refusals cost an attacker nothing, so they are not allowed to grow the hash-chained log.
        log.warning("login throttled (%s) for %r from %s until %s", refusal.reason, name, address, refusal.until)
        raise LoginThrottled(
            _refusal_message(refusal, now), retry_after=refusal.retry_after(now), retry_at=refusal.until
        )
    users = UserRepository(session)
    user = users.by_username(username)
    if user is None or not verify_password(user.password_hash if user else None, password) or not user.is_active:
        failures.add(name, address, now)
        failures.prune(now - policy.memory)
        if user is not None:
            remembered = _account_failures(failures, name, now - policy.memory)
            user.locked_until = throttle.account_backoff_until(policy, remembered)
            audit.record(
                session,
                Actor("anonymous", None, name, None, ip),
                "auth.login_failed",
                target_type="user",
                target_id=user.id,
                target_label=user.username,
                summary={"failures": len(remembered), "held_back_until": _iso(user.locked_until)},
            )
        raise LoginFailed("用户名或密码错误")
    failures.forget(name, address)
    user.locked_until = throttle.account_backoff_until(policy, _account_failures(failures, name, now - policy.memory))
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


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


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


def token_refusal(
    settings: Settings, revoked_at: datetime | None, expires_at: datetime, last_used_at: datetime, now: datetime
) -> Unauthenticated | None:
    """Why a known token no longer admits its holder (revoked, expired, idle too long), or None."""
    if revoked_at is not None:
        return Unauthenticated("登录已失效，请重新登录", code="auth.token_invalid")
    if clock.as_utc(expires_at) <= now:
        return Unauthenticated("登录已过期，请重新登录", code="auth.token_expired")
    if now - clock.as_utc(last_used_at) > timedelta(minutes=settings.token_idle_minutes):
        return Unauthenticated("长时间未操作，请重新登录", code="auth.token_idle")
    return None


def check_token(session: Session, settings: Settings, raw: str) -> ValidToken:
    """The token if it is known, unrevoked, unexpired and used within the idle timeout."""
    return check_digest(session, settings, token_digest(raw))


def check_digest(session: Session, settings: Settings, digest: str) -> ValidToken:
    """``check_token`` by the token's SHA-256 (the form it is stored and cached in)."""
    token = TokenRepository(session).by_digest(digest)
    now = clock.now()
    if token is None:
        raise Unauthenticated("登录已失效，请重新登录", code="auth.token_invalid")
    refusal = token_refusal(settings, token.revoked_at, token.expires_at, token.last_used_at, now)
    if refusal is not None:
        raise refusal
    return ValidToken(token=token, needs_touch=now - clock.as_utc(token.last_used_at) >= TOUCH_EVERY)


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
        must_change_password=user.must_change_password,
    )


def change_password(
    session: Session, settings: Settings, principal: StaffPrincipal, *, old_password: str, new_password: str
) -> None:
    """Change one's own password after proving the old one; it ends a forced change (administrator reset)."""
    user = session.get(User, principal.user_id)
    assert user is not None
    if not verify_password(user.password_hash, old_password):
        raise Unprocessable(
            "原密码不正确",
            code="password.wrong_old",
            errors=[FieldProblem(field="old_password", message="原密码不正确")],
        )
    field = "new_password"
    passwords.ensure_policy(settings, new_password, user_inputs=(user.username, user.display_name), field=field)
    passwords.ensure_not_reused(session, settings, user, new_password, field=field)
    forced = user.must_change_password
    passwords.set_password(session, settings, user, new_password, must_change=False)
    revoke_tokens(session, user.id, keep=principal.token_id)
    audit.record(
        session,
        principal.actor,
        "user.password_changed",
        target_type="user",
        target_id=user.id,
        target_label=user.username,
        summary={"forced": forced},
    )
