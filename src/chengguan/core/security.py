"""Security primitives: argon2 password hashes, the password policy, opaque bearer tokens."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's argon2id baseline (19 MiB, t=2): a login costs tens of milliseconds, a stolen hash years.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

# A well-formed hash of a random password: verifying against it when the user does not exist keeps the
# response time of "no such user" equal to "wrong password", so usernames cannot be probed by timing.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; a missing or corrupt hash is simply a mismatch."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problems(password: str, *, min_length: int = 8, username: str | None = None) -> list[str]:
    """The policy: at least ``min_length`` characters from at least 3 of 4 classes, not the username (zh-CN)."""
    problems = []
    if len(password) < min_length:
        problems.append(f"长度至少 {min_length} 位")
    classes = sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not (c.isascii() and c.isalnum()) for c in password),  # symbols, CJK and other scripts
        ]
    )
    if classes < 3:
        problems.append("须包含大写字母、小写字母、数字、符号中的至少三类")
    if username and password.lower() == username.lower():
        problems.append("不能与用户名相同")
    return problems


def new_token() -> tuple[str, str]:
    """A fresh bearer token and the digest that is stored (the raw token is shown once, never kept)."""
    raw = secrets.token_urlsafe(32)
    return raw, token_digest(raw)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
