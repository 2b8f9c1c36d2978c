"""The password policy and the setting of a staff password (create, administrator reset, own change, CLI).

A password must (1) meet the composition rule of core.security (length, three character classes, not the
username), (2) not be guessable: zxcvbn's estimate — which knows the 30,000 most common passwords of public
leaks, English words and names, keyboard walks, dates, repeats and l33t spellings, plus the user's own username
and name and the platform's own words below — must reach ``CHENGGUAN_PASSWORD_MIN_SCORE`` (3: about 10^8
guesses), and (3) not be the current password nor one of the last ``CHENGGUAN_PASSWORD_HISTORY``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import FieldProblem, Unprocessable
from chengguan.core.security import hash_password, password_problems, verify_password
from chengguan.identity.models import User
from chengguan.identity.repository import PasswordHistoryRepository

# Words a guesser tries first against this platform (pinyin of its names, the bureau's usual abbreviations) and
# the most common pinyin of Chinese passwords that zxcvbn's English-centred lists lack.
PLATFORM_WORDS = (
    "chengguan", "cgj", "cgzf", "zhifa", "zonghezhifa", "chengshiguanli", "guanli", "zhifaju", "chengguanju",
    "admin", "administrator", "woaini", "zhongguo", "zhang", "wang", "li", "liu", "chen", "yang", "huang", "zhao",
)  # fmt: skip
ZXCVBN_MAX = 72  # zxcvbn refuses longer input; the first 72 characters' strength is a floor for the whole


def policy_problems(settings: Settings, password: str, *, user_inputs: tuple[str, ...] = ()) -> list[str]:
    """The reasons (zh-CN) the password is refused; empty when it passes rules (1) and (2)."""
    username = user_inputs[0] if user_inputs else None
    problems = password_problems(password, min_length=settings.password_min_length, username=username)
    if problems:
        return problems
    inputs = [i for i in user_inputs if i] + list(PLATFORM_WORDS)
    if zxcvbn(password[:ZXCVBN_MAX], user_inputs=inputs)["score"] < settings.password_min_score:
        problems.append("过于常见或容易被猜到（常用密码、键盘顺序、年份日期、用户名或姓名的变形等），请换一个")
    return problems


def ensure_policy(settings: Settings, password: str, *, user_inputs: tuple[str, ...] = (), field: str) -> None:
    """Refuse a weak password (422 ``password.weak``) with the policy's reasons."""
    problems = policy_problems(settings, password, user_inputs=user_inputs)
    if problems:
        message = "；".join(problems)
        raise Unprocessable(
            f"密码不符合要求：{message}", code="password.weak", errors=[FieldProblem(field=field, message=message)]
        )


def ensure_not_reused(session: Session, settings: Settings, user: User, password: str, *, field: str) -> None:
    """Refuse the current password and the last ``password_history`` ones (422 ``password.reused``)."""
    earlier = [user.password_hash, *PasswordHistoryRepository(session).recent(user.id, settings.password_history)]
    if any(verify_password(h, password) for h in dict.fromkeys(earlier)):
        message = f"不能使用当前密码或最近 {settings.password_history} 次用过的密码"
        raise Unprocessable(message, code="password.reused", errors=[FieldProblem(field=field, message=message)])


def set_password(session: Session, settings: Settings, user: User, password: str, *, must_change: bool) -> None:
    """Store the new password's hash (and remember it); ``must_change``: the user must replace it at next use."""
    now = clock.now()
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.must_change_password = must_change
    session.flush()
    PasswordHistoryRepository(session).add(user.id, user.password_hash, now, keep=settings.password_history)
