"""Production refuses the demo's printed logins: their passwords are in the README and on every demo screen."""

from __future__ import annotations

from sqlalchemy import inspect, select

from chengguan.core.db import Database
from chengguan.core.security import verify_password
from chengguan.demo.accounts import DEMO_LOGINS
from chengguan.identity.models import User


class ProductionRefused(RuntimeError):
    """The process must not serve in production as configured (message in zh-CN)."""


def open_demo_logins(db: Database) -> list[str]:
    """The printed demo logins that are active and still open with their printed password."""
    if not inspect(db.engine).has_table(User.__tablename__):
        return []  # not migrated yet: no accounts at all
    passwords = {login.username: login.password for login in DEMO_LOGINS}
    with db.session(write=False) as session:
        rows = session.execute(
            select(User.username, User.password_hash).where(User.username.in_(passwords), User.is_active)
        ).all()
    return sorted(username for username, password_hash in rows if verify_password(password_hash, passwords[username]))


def refuse_demo_logins(db: Database) -> None:
    """Raise ``ProductionRefused`` naming the demo logins that would let anyone in."""
    names = open_demo_logins(db)
    if names:
        raise ProductionRefused(
            f"生产环境拒绝启动：示范账号 {'、'.join(names)} 仍可用公开的示范密码登录。"
            "请修改这些账号的密码或停用它们（chengguan create-admin 可重设管理员密码）后再启动。"
        )
