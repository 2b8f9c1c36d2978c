"""The demo's accounts: one printed login per role, and a named account for every person who approves or reviews in
the demo's cases (each district's 分管副局长 and 法制审核员, each squad's 中队长), so every signature on an approval
or review is a person's (their passwords are random: only the printed logins are meant to be used)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.security import hash_password
from chengguan.demo.geography import DemoCity, DemoUnit
from chengguan.identity.bootstrap import ensure_builtin_roles
from chengguan.identity.models import Role, User
from chengguan.identity.repository import RoleRepository, UserRepository

DEMO_NAMESPACE = uuid.UUID("6f1c1c52-8d1e-4c3a-9a55-2c1e0b7a2026")


def demo_id(kind: str, key: str) -> uuid.UUID:
    """Deterministic ids: the same demo object has the same id in every database it is loaded into."""
    return uuid.uuid5(DEMO_NAMESPACE, f"{kind}:{key}")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    role_name: str
    unit_code: str
    display_name: str
    officer_position: str | None = None


# One login per role; units by division code. Passwords are demo-only and printed on purpose. Logins of a person
# who holds a post (中队长, 分管副局长, 法制审核员, 队员) are that officer's account and carry their name.
DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("admin", "Admin@2026", "admin", "系统管理员", "370200", "系统管理员"),
    # 三员分立 (identity.separation): the security and audit administrators are separate people.
    DemoLogin("secadmin", "Secure@2026", "security_admin", "安全管理员", "370200", "安全管理员"),
    DemoLogin("auditor", "Audit@2026", "audit_admin", "安全审计员", "370200", "安全审计员"),
    DemoLogin("shinan_leader", "Leader@2026", "district_leader", "区局领导", "370202", "市南区局领导", "副局长"),
    DemoLogin("bdg_leader", "Squad@2026", "squad_leader", "中队长", "370202003", "八大关中队长", "中队长"),
    DemoLogin("bdg_officer", "Officer@2026", "officer", "执法队员", "370202003", "八大关执法队员", "队员"),
    DemoLogin("licun_officer", "Officer@2026", "officer", "执法队员", "370213002", "李村执法队员", "队员"),
    DemoLogin("shinan_legal", "Legal@2026", "legal_reviewer", "法制审核员", "370202", "市南区法制审核员", "法制审核员"),
    DemoLogin("command", "Command@2026", "command_operator", "指挥中心值班员", "370200", "指挥中心值班员", "科员"),
)
# The command centre's custom scope: 市南区 and 市北区 with their squads (李沧区 has its own centre).
COMMAND_DISTRICTS = ("370202", "370203")
# Posts that approve or review, the role their account holds, and the unit level they sit at.
POSTS = (("副局长", "district_leader", "district"), ("法制审核员", "legal_reviewer", "district"),
         ("中队长", "squad_leader", "squad"))  # fmt: skip


def units_of(city: DemoCity) -> list[DemoUnit]:
    return [city.city, *city.districts, *city.squads]


def insert_accounts(session: Session, city: DemoCity, unit_ids: dict[str, uuid.UUID]) -> int:
    """The printed logins, then a named account for every approving post not already held by one; returns how many
    printed logins there are."""
    roles: dict[str, Role] = ensure_builtin_roles(session)
    command_units = [unit_ids[u.code] for u in units_of(city) if u.code[:6] in COMMAND_DISTRICTS and u.level != "city"]
    RoleRepository(session).set_custom_units(roles["command_operator"].id, command_units)
    taken: set[uuid.UUID] = set()
    users = UserRepository(session)

    def add(username: str, password: str, role: str, unit_code: str, name: str, officer_id: uuid.UUID | None) -> None:
        user = User(id=demo_id("user", username), username=username, display_name=name,
                    password_hash=hash_password(password), unit_id=unit_ids[unit_code], officer_id=officer_id,
                    password_changed_at=clock.now())  # fmt: skip
        session.add(user)
        session.flush()
        users.set_roles(user.id, [roles[role].id])
        if officer_id:
            taken.add(officer_id)

    def holder(unit_code: str, position: str | None):  # type: ignore[no-untyped-def]
        return next((o for o in city.officers if o.unit_code == unit_code and o.kind == "certified"
                     and o.position == position and demo_id("officer", o.code) not in taken), None)  # fmt: skip

    for login in DEMO_LOGINS:
        officer = holder(login.unit_code, login.officer_position) if login.officer_position else None
        officer_id = demo_id("officer", officer.code) if officer else None
        add(login.username, login.password, login.role, login.unit_code,
            officer.name if officer else login.display_name, officer_id)  # fmt: skip
    for unit in units_of(city):
        for position, role, level in POSTS:
            officer = holder(unit.code, position) if unit.level == level else None
            if officer is not None:
                add(f"{role}.{unit.code}", secrets.token_urlsafe(18), role, unit.code, officer.name,
                    demo_id("officer", officer.code))  # fmt: skip
    return len(DEMO_LOGINS)
