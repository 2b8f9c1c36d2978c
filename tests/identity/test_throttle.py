"""The login throttle's rules (identity.throttle), pure: per-address sliding window, per-account exponential
back-off that never holds back an address that did not fail for the account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chengguan.core.config import Settings
from chengguan.identity.throttle import Failure, Refusal, ThrottlePolicy, backoff, decide, wait_text

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = ThrottlePolicy(
    address_failures=10,
    address_window=timedelta(seconds=60),
    account_threshold=5,
    backoff_base=timedelta(seconds=2),
    backoff_cap=timedelta(minutes=15),
    memory=timedelta(hours=24),
)
S = timedelta(seconds=1)


def test_policy_comes_from_the_settings():
    assert ThrottlePolicy.of(Settings(_env_file=None)) == POLICY


@pytest.mark.parametrize(
    ("failures", "delay"),
    [(0, None), (4, None), (5, 2 * S), (6, 4 * S), (9, 32 * S), (13, 512 * S), (14, 15 * 60 * S), (500, 15 * 60 * S)],
)
def test_backoff_doubles_from_the_threshold_up_to_the_cap(failures, delay):
    assert backoff(POLICY, failures) == delay


def test_address_window_refuses_the_eleventh_try_until_the_oldest_leaves():
    failures = [T0 + i * S for i in range(10)]  # 09:00:00 … 09:00:09
    assert decide(POLICY, T0 + 9 * S, "10.0.0.1", failures[:9], []) is None
    refusal = decide(POLICY, T0 + 10 * S, "10.0.0.1", failures, [])
    assert refusal == Refusal("address", T0 + 60 * S) and refusal.retry_after(T0 + 10 * S) == 50
    assert decide(POLICY, T0 + 60 * S, "10.0.0.1", failures, []) is None  # the first left the window
    assert decide(POLICY, T0 + 60 * S, "10.0.0.1", [*failures, T0 + 59 * S], []) == Refusal("address", T0 + 61 * S)


def test_account_backoff_holds_back_only_addresses_that_failed_for_it():
    account = [Failure("10.6.6.6", T0 + i * S) for i in range(6)]  # six failures from the attacker's address
    # The attacker: the 6th failure was at T0+5 s, back-off 4 s → refused until T0+9 s.
    assert decide(POLICY, T0 + 6 * S, "10.6.6.6", [f.at for f in account], account) == Refusal("account", T0 + 9 * S)
    assert decide(POLICY, T0 + 9 * S, "10.6.6.6", [f.at for f in account], account) is None
    # The owner at their own desk, which never failed: never held back.
    assert decide(POLICY, T0 + 6 * S, "10.1.1.1", [], account) is None


def test_below_the_threshold_a_failing_address_may_retry_at_once():
    account = [Failure("10.1.1.1", T0 + i * S) for i in range(4)]
    assert decide(POLICY, T0 + 4 * S, "10.1.1.1", [f.at for f in account], account) is None


def test_failures_from_many_addresses_count_for_the_account():
    account = [Failure(f"10.9.0.{i}", T0 + i * S) for i in range(12)]  # a botnet, one guess per address
    refusal = decide(POLICY, T0 + 12 * S, "10.9.0.3", [T0 + 3 * S], account)
    assert refusal == Refusal("account", T0 + 11 * S + 256 * S)  # 12 failures: 2 s × 2^7
    assert decide(POLICY, T0 + 12 * S, "10.9.0.99", [], account) is None  # a fresh address gets its one try


def test_retry_after_is_whole_seconds_rounded_up():
    assert Refusal("address", T0 + timedelta(milliseconds=1)).retry_after(T0) == 1
    assert Refusal("address", T0 + timedelta(seconds=61, milliseconds=10)).retry_after(T0) == 62


@pytest.mark.parametrize(
    ("seconds", "text"), [(1, "1 秒"), (59, "59 秒"), (60, "1 分钟"), (61, "2 分钟"), (900, "15 分钟")]
)
def test_wait_text(seconds, text):
    assert wait_text(seconds) == text
