"""The login throttle — pure rules over the remembered failures (no I/O; identity.auth applies them).

Why not a lockout: locking an account after N failures lets anyone who knows a username lock its owner out — an
anonymous attacker could keep the administrator out for good. The throttle slows guessing instead, and never
holds back an address that has not failed:

1. **Per client address** — at most ``login_address_failures`` failed logins in a sliding window of
   ``login_address_window_seconds``, whatever the usernames. Beyond that every login from the address gets 429
   until the oldest failure leaves the window. One machine cannot spray passwords over many accounts.
2. **Per account, exponential back-off** — once an account has ``lockout_threshold`` failures (from all addresses,
   remembered ``login_failure_memory_hours``), an address that itself failed for the account must wait
   ``login_backoff_seconds × 2^(failures − threshold)`` — at most ``lockout_minutes`` — after the account's last
   failure. An address with no failure for the account is not held back: the owner typing the right password
   from their own desk gets in while someone elsewhere guesses. A successful login forgets the failures of that
   account from that address (the others stay counted).

What this leaves an attacker: one address gets ``login_address_failures`` guesses a minute spread over accounts,
and against one account after the threshold about one guess per back-off step. Many addresses (a botnet) get one
guess each per account before they too are held back; the password policy (identity.passwords: no common,
guessable or reused passwords) is what makes those few guesses worthless. Failures are recorded for unknown
usernames alike, so the throttle's answers never tell which usernames exist.

Several worker processes share the failures through the database (table ``login_failure``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from chengguan.core.config import Settings


@dataclass(frozen=True)
class ThrottlePolicy:
    address_failures: int
    address_window: timedelta
    account_threshold: int
    backoff_base: timedelta
    backoff_cap: timedelta
    memory: timedelta

    @classmethod
    def of(cls, settings: Settings) -> ThrottlePolicy:
        return cls(
            address_failures=settings.login_address_failures,
            address_window=timedelta(seconds=settings.login_address_window_seconds),
            account_threshold=settings.lockout_threshold,
            backoff_base=timedelta(seconds=settings.login_backoff_seconds),
            backoff_cap=timedelta(minutes=settings.lockout_minutes),
            memory=timedelta(hours=settings.login_failure_memory_hours),
        )


@dataclass(frozen=True)
class Failure:
    """One remembered failed login of the account in question."""

    address: str
    at: datetime


@dataclass(frozen=True)
class Refusal:
    reason: Literal["address", "account"]
    until: datetime

    def retry_after(self, now: datetime) -> int:
        """Whole seconds to wait (the ``Retry-After`` header), at least 1."""
        return max(1, math.ceil((self.until - now).total_seconds()))


def backoff(policy: ThrottlePolicy, failures: int) -> timedelta | None:
    """How long after its last failure an account holds back failing addresses; None below the threshold."""
    if failures < policy.account_threshold:
        return None
    steps = failures - policy.account_threshold
    if steps >= 32:  # 2^32 × any base is past any sensible cap
        return policy.backoff_cap
    return min(policy.backoff_cap, policy.backoff_base * 2**steps)


def account_backoff_until(policy: ThrottlePolicy, failures: Sequence[Failure]) -> datetime | None:
    """Until when addresses that failed for the account must wait (rule 2), or None."""
    delay = backoff(policy, len(failures))
    return None if delay is None else max(f.at for f in failures) + delay


def decide(
    policy: ThrottlePolicy,
    now: datetime,
    address: str,
    address_failures: Sequence[datetime],
    account_failures: Sequence[Failure],
) -> Refusal | None:
    """Whether a login attempt from ``address`` may be checked at all (None) or is refused until a time.

    ``address_failures``: this address's failed logins (any username) inside the address window;
    ``account_failures``: the account's remembered failures (any address)."""
    recent = sorted(t for t in address_failures if t > now - policy.address_window)
    if len(recent) >= policy.address_failures:
        # Allowed again once fewer than the limit remain in the window: when recent[-limit] leaves it.
        return Refusal("address", recent[-policy.address_failures] + policy.address_window)
    if not any(f.address == address for f in account_failures):
        return None  # this address never failed for the account: the owner is never held back by others
    until = account_backoff_until(policy, account_failures)
    if until is not None and now < until:
        return Refusal("account", until)
    return None


def wait_text(seconds: int) -> str:
    """45 → "45 秒", 130 → "3 分钟" (rounded up): the zh-CN wait in a refusal."""
    return f"{seconds} 秒" if seconds < 60 else f"{math.ceil(seconds / 60)} 分钟"
