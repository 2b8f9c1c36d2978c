"""Masking by permission: the case detail and list, the merchant register and the case export show identity
numbers, phones and home addresses masked to everyone; a holder of personal_data:view may reveal them, and every
reveal is a ``personal_data.read`` entry of the audit log. Forms posting a masked value back keep the stored one."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from cases.helpers import case_body, new_case, ric
from chengguan.audit.models import AuditEntry
from chengguan.cases.models import Case, CaseOfficer
from chengguan.core.masking import mask_address, mask_id_no, mask_phone
from chengguan.identity.models import User
from chengguan.law.enums import PartyType
from chengguan.merchants.models import Merchant

# user → (may reveal, sees the case): the handling officer and the legal reviewer work with the party; the district
# leader approves with the record masked; an officer of another squad cannot read the case at all.
READERS = {
    "bdg_officer": (True, True),
    "shinan_legal": (True, True),
    "shinan_leader": (False, True),
    "licun_officer": (True, False),
}


@pytest.fixture(scope="module")
def handled(shared_db) -> dict:
    """An individual's case handled by bdg_officer (so readable by every 市南区 reader above), as stored."""
    with shared_db.session(write=False) as s:
        officer = s.scalar(select(User.officer_id).where(User.username == "bdg_officer"))
        case = s.scalars(
            select(Case)
            .join(CaseOfficer, CaseOfficer.case_id == Case.id)
            .where(CaseOfficer.officer_id == officer, Case.party_type == PartyType.individual)
            .where(Case.party_phone.is_not(None), Case.party_address.is_not(None))
            .order_by(Case.code)
            .limit(1)
        ).one()
        return {"id": str(case.id), "code": case.code, "id_no": case.party_id_no, "phone": case.party_phone,
                "address": case.party_address}  # fmt: skip


def last_audit(db, action: str) -> AuditEntry | None:
    with db.session(write=False) as s:
        return s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq.desc())).first()


@pytest.mark.parametrize("username", sorted(READERS))
def test_the_case_detail_is_masked_and_revealed_only_with_the_permission(client, login, db, handled, username):
    may_reveal, sees = READERS[username]
    who = login(username)
    detail = client.get(f"/api/v1/cases/{handled['id']}", headers=who)
    revealed = client.post(f"/api/v1/cases/{handled['id']}/party:reveal", headers=who)
    if not sees:
        assert (detail.status_code, revealed.status_code) == (404, 403 if not may_reveal else 404)
        return
    body = detail.json()
    assert (body["party_id_no"], body["party_phone"], body["party_address"]) == (
        mask_id_no(handled["id_no"]), mask_phone(handled["phone"]), mask_address(handled["address"]))  # fmt: skip
    assert body["party_masked"] is True and body["may_reveal"] is may_reveal
    assert handled["id_no"] not in detail.text and handled["phone"] not in detail.text
    if not may_reveal:
        assert revealed.status_code == 403 and revealed.json()["code"] == "personal_data.forbidden"
        return
    assert revealed.status_code == 200, revealed.text
    assert revealed.json() == {"id_no": handled["id_no"], "phone": handled["phone"], "address": handled["address"],
                               "masked": False}  # fmt: skip
    entry = last_audit(db, "personal_data.read")
    assert entry is not None and entry.target_id == handled["id"] and entry.target_label == handled["code"]
    assert entry.actor_name and entry.summary["fields"] == ["party_id_no", "party_phone", "party_address"]
    assert handled["id_no"] not in json.dumps(entry.summary, ensure_ascii=False)


def test_the_case_list_shows_no_personal_number(client, login, handled):
    listed = client.get("/api/v1/cases", params={"q": handled["code"]}, headers=login("bdg_officer"))
    assert listed.json()["total"] == 1
    assert handled["id_no"] not in listed.text and handled["phone"] not in listed.text


def test_an_organisation_keeps_its_public_credit_code(client, login, shared_db):
    with shared_db.session(write=False) as s:
        case = s.scalars(select(Case).where(Case.party_type == PartyType.organization).limit(1)).one()
        uscc, phone, case_id = case.party_id_no, case.party_phone, case.id
    body = client.get(f"/api/v1/cases/{case_id}", headers=login("admin")).json()
    assert body["party_id_no"] == uscc and body["party_phone"] == mask_phone(phone)


def test_a_masked_party_posted_back_unchanged_keeps_the_stored_values(client, login, setup):
    officer = login("bdg_officer")
    party = {"type": "individual", "name": "脱敏测试", "id_no": ric(7777), "phone": "13712345678",
             "address": "青岛市市南区香港中路8号"}  # fmt: skip
    case = new_case(client, officer, setup, party=party)
    shown = {"type": "individual", "name": "脱敏测试人", "id_no": case["party_id_no"], "phone": case["party_phone"],
             "address": case["party_address"]}  # fmt: skip
    assert "*" in shown["id_no"] and "*" in shown["phone"]
    amended = client.patch(f"/api/v1/cases/{case['id']}", headers=officer,
                           json={"version": case["version"], "party": shown, "reason": "更正姓名"})  # fmt: skip
    assert amended.status_code == 200, amended.text
    assert set(amended.json()["timeline"][-1]["data"]["changes"]) == {"party_name"}
    full = client.post(f"/api/v1/cases/{case['id']}/party:reveal", headers=officer).json()
    assert (full["id_no"], full["phone"], full["address"]) == (party["id_no"], party["phone"], party["address"])
    starred = case_body(setup, party=party | {"phone": "137****5678"})
    starred = client.post("/api/v1/cases", headers=officer, json=starred)
    assert starred.status_code == 422 and starred.json()["code"] == "case.party.masked"


MERCHANT_READERS = {"bdg_officer": 200, "bdg_leader": 200, "shinan_leader": 403}


@pytest.mark.parametrize("username", sorted(MERCHANT_READERS))
def test_the_merchant_register_masks_the_operator(client, login, db, shared_db, username):
    with shared_db.session(write=False) as s:
        unit = s.scalar(select(User.unit_id).where(User.username == "bdg_officer"))
        shop = s.scalars(select(Merchant).where(Merchant.unit_id == unit, Merchant.operator_id_no.is_not(None),
                                                Merchant.phone.is_not(None)).limit(1)).one()  # fmt: skip
        shop_id, id_no, phone = str(shop.id), shop.operator_id_no, shop.phone
    who = login(username)
    listed = client.get("/api/v1/merchants", params={"q": shop.code}, headers=who)
    detail = client.get(f"/api/v1/merchants/{shop_id}", headers=who)
    for response in (listed, detail):
        assert response.status_code == 200 and id_no not in response.text and phone not in response.text
    assert (detail.json()["operator_id_no"], detail.json()["phone"]) == (mask_id_no(id_no), mask_phone(phone))
    revealed = client.post(f"/api/v1/merchants/{shop_id}/personal:reveal", headers=who)
    assert revealed.status_code == MERCHANT_READERS[username], revealed.text
    if revealed.status_code == 200:
        assert (revealed.json()["operator_id_no"], revealed.json()["phone"]) == (id_no, phone)
        entry = last_audit(db, "personal_data.read")
        assert entry is not None and (entry.target_type, entry.target_id) == ("merchant", shop_id)


def test_merchant_writes_keep_masked_values_and_audit_them_masked(client, login, db, setup):
    leader = login("bdg_leader")
    created = client.post("/api/v1/merchants", headers=leader, json={
        "name": "脱敏测试小吃店", "kind": "individual_business", "operator_name": "赵测试", "operator_id_no": ric(8181),
        "phone": "13612345678", "business_type": "餐饮", "address": "青岛市市南区八大关路1号",
        "unit_id": str(setup["unit_id"])})  # fmt: skip
    assert created.status_code == 201, created.text
    shop = created.json()
    assert shop["operator_id_no"] == mask_id_no(ric(8181)) and shop["phone"] == "136****5678"
    entry = last_audit(db, "merchant.create")
    assert entry is not None and "13612345678" not in json.dumps(entry.summary)
    assert entry.summary["after"]["phone"] == "136****5678" and "phone_hash" not in entry.summary["after"]
    shown = {"operator_id_no": shop["operator_id_no"], "phone": shop["phone"], "name": "脱敏小吃"}
    back = client.patch(f"/api/v1/merchants/{shop['id']}", headers=leader, json=shown)
    assert back.status_code == 200, back.text
    full = client.post(f"/api/v1/merchants/{shop['id']}/personal:reveal", headers=leader).json()
    assert (full["operator_id_no"], full["phone"]) == (ric(8181), "13612345678")
    other = client.patch(f"/api/v1/merchants/{shop['id']}", headers=leader, json={"phone": "139****0000"})
    assert other.status_code == 422 and other.json()["code"] == "merchant.masked"


EXPORTERS = {"bdg_officer": (200, 200), "shinan_leader": (200, 403)}  # masked export, full export


@pytest.mark.parametrize("username", sorted(EXPORTERS))
def test_the_case_export_is_masked_unless_permitted_and_audited(client, login, db, handled, username):
    who = login(username)
    masked_status, full_status = EXPORTERS[username]
    masked = client.post("/api/v1/cases/export", json={"q": handled["code"]}, headers=who)
    assert masked.status_code == masked_status
    rows = list(load_workbook(io.BytesIO(masked.content)).active.iter_rows(values_only=True))
    assert rows[0][6:9] == ("证件号码", "联系电话", "当事人地址") and len(rows) == 2
    shown = (mask_id_no(handled["id_no"]), mask_phone(handled["phone"]), mask_address(handled["address"]))
    assert rows[1][6:9] == shown
    before = last_audit(db, "personal_data.read")
    full = client.post("/api/v1/cases/export", json={"q": handled["code"], "reveal": True}, headers=who)
    assert full.status_code == full_status
    if full_status != 200:
        assert full.json()["code"] == "personal_data.forbidden"
        return
    rows = list(load_workbook(io.BytesIO(full.content)).active.iter_rows(values_only=True))
    assert rows[1][6:9] == (handled["id_no"], handled["phone"], handled["address"])
    entry = last_audit(db, "personal_data.read")
    assert entry is not None and entry.seq != (before.seq if before else None)
    assert entry.target_type == "case_export" and entry.summary["purpose"] == "case.export"
