"""Data scopes (数据权限): every demo role × every scoped resource lists exactly its scope; out of scope is 404."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from chengguan.demo.accounts import COMMAND_DISTRICTS, demo_id
from chengguan.identity.models import User
from chengguan.org.models import Device, Grid, Officer, OrgUnit, Vehicle
from support import staff_account

# resource → (path, permission, model, unit column)
RESOURCES = {
    "org-units": ("/api/v1/org-units", "org:read", OrgUnit, "id"),
    "officers": ("/api/v1/officers", "officer:read", Officer, "unit_id"),
    "vehicles": ("/api/v1/vehicles", "vehicle:read", Vehicle, "unit_id"),
    "devices": ("/api/v1/devices", "device:read", Device, "unit_id"),
    "grids": ("/api/v1/grids", "grid:read", Grid, "squad_id"),
    "users": ("/api/v1/users", "user:read", User, "unit_id"),
}

SHINAN, LICUN_SQUAD, BADAGUAN = "370202", "370213002", "370202003"


def _unit_codes(session) -> dict[uuid.UUID, str]:
    return dict(session.execute(select(OrgUnit.id, OrgUnit.division_code)).tuples().all())


def expected_units(username: str, codes: dict[uuid.UUID, str]) -> set[uuid.UUID] | None:
    """Units whose rows the demo login may see (None = every row), derived from the demo design, not the code."""
    if username == "admin":
        return None
    if username in ("shinan_leader", "shinan_legal"):
        return {i for i, c in codes.items() if c.startswith(SHINAN)}
    if username == "bdg_leader":
        return {i for i, c in codes.items() if c == BADAGUAN}
    if username == "command":
        return {i for i, c in codes.items() if c[:6] in COMMAND_DISTRICTS and len(c) >= 6 and c != "370200"}
    return set()  # officers: "self" — only their own rows


def _all_items(client, path, headers):
    items, page = [], 1
    while True:
        response = client.get(f"{path}?page={page}&page_size=200", headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        if len(items) >= body["total"] or not body["items"]:
            return items, body["total"]
        page += 1


def _own_rows(session, username: str, model) -> set[str]:
    user = session.scalars(select(User).where(User.username == username)).one()
    if model is Officer:
        return {str(user.officer_id)} if user.officer_id else set()
    if model is User:
        return {str(user.id)}
    if model is OrgUnit:
        return {str(user.unit_id)}
    if model is Grid:
        return {str(g) for g in session.scalars(select(Grid.id).where(Grid.squad_id == user.unit_id))}
    return set()


LOGINS = ["admin", "shinan_leader", "bdg_leader", "bdg_officer", "licun_officer", "shinan_legal", "command"]


@pytest.mark.parametrize("resource", sorted(RESOURCES))
@pytest.mark.parametrize("username", LOGINS)
def test_list_shows_exactly_the_scope(client, db, login, username, resource):
    path, permission, model, unit_column = RESOURCES[resource]
    headers = login(username)
    me = client.get("/api/v1/auth/me", headers=headers).json()
    if permission not in me["permissions"]:
        response = client.get(path, headers=headers)
        assert response.status_code == 403 and response.json()["code"] == "auth.forbidden"
        return
    with db.session(write=False) as session:
        codes = _unit_codes(session)
        allowed = expected_units(username, codes)
        rows = session.scalars(select(model)).all()
        expected = {str(r.id) for r in rows if allowed is None or getattr(r, unit_column) in allowed}
        expected |= _own_rows(session, username, model) if allowed is not None else set()
    items, total = _all_items(client, path, headers)
    assert total == len(expected)
    assert {i["id"] for i in items} == expected


OTHER_DISTRICT = {  # a record in 李沧区 (370213) per resource, by deterministic demo id
    "org-units": lambda s: demo_id("unit", LICUN_SQUAD),
    "grids": lambda s: s.scalars(select(Grid.id).where(Grid.grid_code.startswith("370213")).limit(1)).one(),
    "officers": lambda s: s.scalars(
        select(Officer.id)
        .join(OrgUnit, OrgUnit.id == Officer.unit_id)
        .where(OrgUnit.division_code.startswith("370213"))
    ).first(),
    "vehicles": lambda s: s.scalars(
        select(Vehicle.id)
        .join(OrgUnit, OrgUnit.id == Vehicle.unit_id)
        .where(OrgUnit.division_code.startswith("370213"))
    ).first(),
    "devices": lambda s: s.scalars(
        select(Device.id).join(OrgUnit, OrgUnit.id == Device.unit_id).where(OrgUnit.division_code.startswith("370213"))
    ).first(),
}


@pytest.mark.parametrize("resource", sorted(OTHER_DISTRICT))
@pytest.mark.parametrize("username", ["admin", "shinan_leader", "bdg_leader", "shinan_legal", "command"])
def test_other_district_record_is_404(client, db, login, username, resource):
    path, permission, *_ = RESOURCES[resource]
    headers = login(username)
    with db.session(write=False) as session:
        record_id = OTHER_DISTRICT[resource](session)
    response = client.get(f"{path}/{record_id}", headers=headers)
    me = client.get("/api/v1/auth/me", headers=headers).json()
    if permission not in me["permissions"]:
        assert response.status_code == 403
    elif username == "admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "not_found"


def test_officer_sees_only_self_and_own_squad_grids(client, db, login):
    headers = login("bdg_officer")
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert me["data_scope"] == "self" and me["officer"]["certificate_no"]
    assert me["unit"]["division_code"].startswith("370202")  # the web app's law views name the caller's region
    grids, _ = _all_items(client, "/api/v1/grids", headers)
    assert grids and {g["squad_id"] for g in grids} == {me["unit"]["id"]}


SCOPES = ["all", "custom", "unit", "unit_and_below", "self"]


@pytest.mark.parametrize("scope", SCOPES)
def test_each_scope_on_a_role(client, db, admin, login, scope):
    """One role switched through all five scopes: the officer list follows (custom = the listed units)."""
    with db.session(write=False) as session:
        by_code = {c: i for i, c in _unit_codes(session).items()}
        district, squad = by_code["370203"], by_code["370203001"]
        linked = set(session.scalars(select(User.officer_id).where(User.officer_id.is_not(None))))
        free = [
            o
            for o in session.scalars(select(Officer.id).where(Officer.unit_id == squad).order_by(Officer.id))
            if o not in linked
        ]
    officer_id = free[SCOPES.index(scope)]
    custom_units = [by_code["370213001"], by_code[BADAGUAN]]
    role = client.post(
        "/api/v1/roles",
        headers=login("secadmin"),
        json={
            "code": f"scope_{scope}_{uuid.uuid4().hex[:6]}",
            "name": f"范围测试{scope}",
            "permissions": ["officer:read"],
            "data_scope": scope,
            "custom_unit_ids": [str(u) for u in custom_units] if scope == "custom" else [],
        },
    ).json()
    username = f"s{uuid.uuid4().hex[:10]}"
    staff_account(client, username=username, password="Scope#Test1", roles=[role["id"]], display_name="范围测试",
                  unit_id=district, officer_id=officer_id)  # fmt: skip
    items, _ = _all_items(client, "/api/v1/officers", login(username, "Scope#Test1"))
    with db.session(write=False) as session:
        codes = _unit_codes(session)
        below = {i for i, c in codes.items() if c.startswith("370203")}
        units = {
            "all": set(codes),
            "custom": set(custom_units),
            "unit": {district},
            "unit_and_below": below,
            "self": set(),
        }[scope]
        officers = session.execute(select(Officer.id, Officer.unit_id)).tuples().all()
    expected = {str(o) for o, u in officers if u in units} | {str(officer_id)}
    assert {i["id"] for i in items} == expected
