"""三员分立 (GB/T 22239 等保三级): the system, security and audit administrators hold disjoint duties; no role and no
account may combine two; role assignment is the security administrator's, never for oneself; the audit log is the
audit administrator's alone."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from chengguan.audit.models import AuditEntry
from chengguan.core.errors import DomainError
from chengguan.identity.bootstrap import BUILTIN_ROLES, ensure_admin
from chengguan.identity.permissions import KEYS
from chengguan.identity.separation import DUTY_KEYS, Duty, duties_of
from support import staff_account

STRONG = "Strong#Pass1"


def test_the_three_builtin_administrators_hold_one_duty_each_and_no_builtin_role_holds_two():
    roles = {r.code: r for r in BUILTIN_ROLES}
    assert duties_of(roles["admin"].permissions) == [Duty.system]
    assert duties_of(roles["security_admin"].permissions) == [Duty.security]
    assert duties_of(roles["audit_admin"].permissions) == [Duty.audit]
    assert roles["audit_admin"].permissions == {"audit:read"}  # reads and exports the log, nothing else
    for role in BUILTIN_ROLES:
        assert len(duties_of(role.permissions)) <= 1, role.code
    assert all(keys <= KEYS for keys in DUTY_KEYS.values())


@pytest.mark.parametrize(
    ("username", "allowed", "refused"),
    [
        ("admin", ["/api/v1/users", "/api/v1/org-units", "/api/v1/roles"], ["/api/v1/audit", "/api/v1/audit/export"]),
        ("secadmin", ["/api/v1/users", "/api/v1/roles"], ["/api/v1/audit", "/api/v1/cases", "/api/v1/sms-messages"]),
        ("auditor", ["/api/v1/audit", "/api/v1/audit/verify", "/api/v1/audit/export"],
         ["/api/v1/users", "/api/v1/roles", "/api/v1/cases", "/api/v1/org-units"]),
    ],
)  # fmt: skip
def test_each_administrator_reaches_only_its_duty(client, login, username, allowed, refused):
    headers = login(username)
    for path in allowed:
        assert client.get(path, headers=headers).status_code == 200, path
    for path in refused:
        response = client.get(path, headers=headers)
        assert response.status_code == 403 and response.json()["code"] == "auth.forbidden", path


def _account() -> dict[str, str]:
    return {"username": f"n{uuid.uuid4().hex[:8]}", "display_name": "新账号", "password": STRONG}


def test_the_system_administrator_creates_accounts_but_assigns_no_roles(client, login):
    admin = login("admin")
    made = client.post("/api/v1/users", headers=admin, json=_account())
    assert made.status_code == 201 and made.json()["roles"] == []
    with_roles = client.post("/api/v1/users", headers=admin, json=_account() | {"role_ids": []})
    assert with_roles.status_code == 422  # role_ids is no field of the account any more
    refused = client.put(f"/api/v1/users/{made.json()['id']}/roles", headers=admin, json={"role_ids": []})
    assert refused.status_code == 403
    assert client.post("/api/v1/roles", headers=admin, json={"code": "x_role", "name": "某角色"}).status_code == 403


def test_the_system_administrator_cannot_take_over_the_other_administrators_accounts(client, login):
    """Resetting the audit administrator's password would let the system administrator read the log as them."""
    admin = login("admin")
    users = {u["username"]: u["id"] for u in client.get("/api/v1/users?page_size=100", headers=admin).json()["items"]}
    for username in ("auditor", "secadmin"):
        reset = client.patch(f"/api/v1/users/{users[username]}", headers=admin, json={"password": "Taken#Over-2026"})
        assert reset.status_code == 403 and reset.json()["code"] == "user.other_duty", username
        assert client.delete(f"/api/v1/users/{users[username]}", headers=admin).status_code == 403
    assert client.post("/api/v1/auth/login", json={"username": "auditor", "password": "Audit@2026"}).status_code == 200


def test_the_security_administrator_assigns_roles_but_manages_no_accounts(client, login):
    secadmin = login("secadmin")
    made = client.post("/api/v1/users", headers=secadmin, json=_account())
    assert made.status_code == 403
    account = staff_account(client, username=f"s{uuid.uuid4().hex[:8]}", password=STRONG, roles=["officer"])
    assert [r["code"] for r in account["roles"]] == ["officer"]
    me = client.get("/api/v1/auth/me", headers=secadmin).json()
    own = client.put(f"/api/v1/users/{me['id']}/roles", headers=secadmin, json={"role_ids": []})
    assert own.status_code == 403 and own.json()["code"] == "role.self_grant"


def _roles(client, headers) -> dict[str, str]:
    return {r["code"]: r["id"] for r in client.get("/api/v1/roles?page_size=200", headers=headers).json()["items"]}


@pytest.mark.parametrize(
    "codes", [["admin", "audit_admin"], ["admin", "security_admin"], ["security_admin", "audit_admin"]]
)
def test_no_account_holds_two_administrators_roles(client, login, codes):
    secadmin = login("secadmin")
    account = staff_account(client, username=f"t{uuid.uuid4().hex[:8]}", password=STRONG, roles=["officer"])
    roles = _roles(client, secadmin)
    refused = client.put(f"/api/v1/users/{account['id']}/roles", headers=secadmin,
                         json={"role_ids": [roles[c] for c in codes]})  # fmt: skip
    body = refused.json()
    assert refused.status_code == 422 and body["code"] == "role.separation_of_duties"
    assert "三员分立" in body["detail"] and body["errors"][0]["field"] == "role_ids"


def _role(name: str, permissions: list[str]) -> dict[str, object]:
    return {"code": f"r_{uuid.uuid4().hex[:8]}", "name": name, "permissions": permissions}


def test_no_role_holds_two_duties_nor_gives_a_holder_a_second_one(client, login):
    secadmin = login("secadmin")
    mixed = client.post("/api/v1/roles", headers=secadmin, json=_role("混合", ["user:write", "audit:read"]))
    assert mixed.status_code == 422 and mixed.json()["code"] == "role.separation_of_duties"
    # A role without duties, held with the system administrator's role, may not gain the audit duty later.
    helper = client.post("/api/v1/roles", headers=secadmin, json=_role("助理", ["case:read"]))
    assert helper.status_code == 201, helper.text
    username = f"h{uuid.uuid4().hex[:8]}"
    staff_account(client, username=username, password=STRONG, roles=["admin", helper.json()["id"]])
    grown = client.patch(f"/api/v1/roles/{helper.json()['id']}", headers=secadmin,
                         json={"permissions": ["case:read", "audit:read"]})  # fmt: skip
    assert grown.status_code == 422 and grown.json()["code"] == "role.separation_of_duties"
    assert username in grown.json()["detail"]


def test_refusals_of_the_audit_log_are_themselves_audited(client, login, db):
    assert client.get("/api/v1/audit", headers=login("admin")).status_code == 403
    with db.session(write=False) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "access.refused").order_by(AuditEntry.seq.desc())
        ).first()
    assert entry.actor_name == "系统管理员" and entry.target_label == "GET /api/v1/audit"
    assert entry.summary["required"] == ["audit:read"]


def test_cli_bootstrap_creates_each_administrator_and_refuses_combining(db, settings):
    with db.session() as session, session.begin():
        name = f"sec{uuid.uuid4().hex[:6]}"
        assert ensure_admin(session, settings, username=name, password="Sec#Admin-2026x", duty=Duty.security)
        with pytest.raises(DomainError) as refused:
            ensure_admin(session, settings, username=name, password="Sec#Admin-2026x", duty=Duty.audit)
        assert refused.value.code == "role.separation_of_duties"
        session.rollback()


def test_the_labels_name_the_three_duties(client, login):
    labels = client.get("/api/v1/meta/labels", headers=login("auditor")).json()
    assert {e["value"]: e["label"] for e in labels["admin_duty"]} == {
        "system": "系统管理员", "security": "安全管理员", "audit": "安全审计员"
    }  # fmt: skip
    assert {e["value"]: e["label"] for e in labels["audit_action"]}["access.refused"] == "拒绝越权访问"
    roles = {r["code"]: r for r in client.get("/api/v1/roles", headers=login("secadmin")).json()["items"]}
    assert (roles["admin"]["duty"], roles["security_admin"]["duty"], roles["audit_admin"]["duty"]) == (
        "system", "security", "audit"
    )  # fmt: skip
    permissions = {p["key"]: p for p in client.get("/api/v1/permissions", headers=login("admin")).json()}
    assert permissions["user:grant"]["name"] == "为用户分配角色" and permissions["audit:read"]["group"] == "安全审计"
