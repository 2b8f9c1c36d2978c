"""A matter applies only where its law is in force — recommendation, search, the matter list, the calculator and
filing, for Qingdao, Beijing and Shanghai (a third province), and deciding a case whose matter is out of region."""

from __future__ import annotations

import tomllib
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.helpers import act, act_time, new_case, ric
from chengguan.cases import service
from chengguan.cases.models import Case
from chengguan.cases.schemas import CaseCreate
from chengguan.core.errors import Unprocessable
from chengguan.core.principals import DataScope, StaffPrincipal
from chengguan.identity.models import User
from chengguan.law.jurisdiction import region_applies
from chengguan.law.models import EnforcementMatter
from chengguan.org.enums import Gender, OfficerKind, OrgLevel
from chengguan.org.models import Officer, OrgUnit

LAW = "/api/v1/law"
REGIONS = {"qingdao": "370202", "beijing": "110105", "shanghai": "310101"}
TEXTS = [
    c["text"] for c in tomllib.loads((Path(__file__).parents[1] / "law" / "recommend_cases.toml").read_text())["case"]
]


@pytest.fixture(scope="module")
def matters(shared_db) -> dict[str, str | None]:
    with shared_db.session(write=False) as s:
        return {m.code: m.region_code for m in s.scalars(select(EnforcementMatter))}


@pytest.mark.parametrize("place", sorted(REGIONS))
def test_recommend_search_list_and_assess_offer_only_matters_in_force(client, login, matters, place):
    region, officer = REGIONS[place], login("bdg_officer")
    allowed = {code for code, r in matters.items() if region_applies(r, region)}
    foreign = set(matters) - allowed
    seen: set[str] = set()
    for text in TEXTS[::3]:
        items = client.post(f"{LAW}/recommend", json={"text": text, "region": region, "limit": 5}, headers=officer)
        seen |= {i["matter_code"] for i in items.json()["items"]}
    assert seen and seen <= allowed
    listed = client.get(f"{LAW}/matters", params={"region": region, "page_size": 200}, headers=officer).json()
    assert {m["code"] for m in listed["items"]} == allowed
    found = client.get(f"{LAW}/search", params={"q": "罚款", "kind": "matter", "region": region, "limit": 100},
                       headers=officer).json()  # fmt: skip
    assert found["items"] and all(region_applies(i["region_code"], region) for i in found["items"])
    for code in sorted(foreign)[:3]:
        refused = client.post(f"{LAW}/assess", json={"matter_code": code, "party_type": "individual",
                                                     "region": region}, headers=officer)  # fmt: skip
        assert refused.status_code == 422 and refused.json()["code"] == "law.matter_out_of_region"
    some = sorted(allowed & {c for c, r in matters.items() if r})[:1] or sorted(allowed)[:1]
    assessed = client.post(f"{LAW}/assess", json={"matter_code": some[0], "party_type": "organization",
                                                  "region": region}, headers=officer)  # fmt: skip
    assert assessed.status_code in (200, 422) and assessed.json().get("code") != "law.matter_out_of_region"


def test_defaults_are_the_callers_region(client, login, matters):
    officer = login("bdg_officer")  # 八大关 squad: 市南区, Qingdao
    qingdao = {code for code, r in matters.items() if region_applies(r, "370202")}
    listed = client.get(f"{LAW}/matters", params={"page_size": 200}, headers=officer).json()
    assert {m["code"] for m in listed["items"]} == qingdao
    every = client.get(f"{LAW}/matters", params={"page_size": 200, "region": "all"}, headers=officer).json()
    assert {m["code"] for m in every["items"]} == set(matters)
    text = "门口摆桌子卖烧烤，占了人行道"
    items = client.post(f"{LAW}/recommend", json={"text": text}, headers=officer).json()["items"]
    assert items and all(i["matter_code"] in qingdao for i in items)
    assert not items[0]["matter_code"].startswith("09009")  # not 机动车违停 first
    beijing = next(code for code, r in matters.items() if r == "110000")
    refused = client.post(f"{LAW}/assess", json={"matter_code": beijing, "party_type": "individual"}, headers=officer)
    assert refused.status_code == 422 and refused.json()["code"] == "law.matter_out_of_region"


def _unit(session: Session, division: str, name: str) -> tuple[OrgUnit, list[uuid.UUID]]:
    """A squad in another province (rolled back with the test's session) and two certified officers."""
    unit = OrgUnit(name=name, level=OrgLevel.squad, division_code=division)
    session.add(unit)
    session.flush()
    officers = [Officer(unit_id=unit.id, name=f"执法员{i}", gender=Gender.male, rank="一级行政执法员",
                        kind=OfficerKind.certified, certificate_no=f"T{division}{i}") for i in range(2)]  # fmt: skip
    session.add_all(officers)
    session.flush()
    return unit, [o.id for o in officers]


def _principal(session: Session, unit: OrgUnit) -> StaffPrincipal:
    admin = session.scalar(select(User).where(User.username == "admin"))
    return StaffPrincipal(
        user_id=admin.id,
        username="admin",
        display_name="管理员",
        unit_id=unit.id,
        officer_id=None,
        permissions=frozenset({"case:write", "case:read"}),
        scopes=frozenset({DataScope.all}),
    )


def _filing(matter: str, officers: list[uuid.UUID], unit: OrgUnit) -> CaseCreate:
    return CaseCreate.model_validate(
        {
            "procedure": "ordinary",
            "unit_id": str(unit.id),
            "matter_code": matter,
            "officer_ids": [str(o) for o in officers],
            "party": {"type": "individual", "name": "某某", "id_no": ric(uuid.uuid4().int), "address": "某市某路1号"},
            "facts": "当事人在某路1号门前占用人行道堆放物料约5平方米",
            "address": "某路1号门前",
            "act_at": act_time(2),
        }
    )


@pytest.mark.parametrize("place", sorted(REGIONS))
def test_filing_accepts_only_matters_in_force_for_the_unit(db, matters, place):
    region = REGIONS[place]
    with db.session() as session:
        unit, officers = _unit(session, region + "901", f"{place}测试中队")
        principal = _principal(session, unit)
        for code, matter_region in sorted(matters.items()):
            if matter_region is None and code not in sorted(matters)[:5]:
                continue  # national matters behave alike: a few suffice
            data = _filing(code, officers, unit)
            if region_applies(matter_region, region):
                assert service.create(session, principal, data).matter_code == code
            else:
                with pytest.raises(Unprocessable) as refused:
                    service.create(session, principal, data)
                assert refused.value.code == "case.matter_out_of_region"
                assert refused.value.errors[0].field == "matter_code"
        session.rollback()


def test_filing_a_beijing_matter_in_qingdao_is_a_422_problem(client, login, setup, matters):
    beijing = next(code for code, r in sorted(matters.items()) if r == "110000")
    response = client.post("/api/v1/cases", json={
        "procedure": "ordinary", "matter_code": beijing, "officer_ids": setup["officers"], "act_at": act_time(1),
        "party": {"type": "individual", "name": "某某", "id_no": ric(uuid.uuid4().int)},
    }, headers=login("bdg_officer"))  # fmt: skip
    assert response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "case.matter_out_of_region" and "北京市市容环境卫生条例" in body["detail"]


def test_deciding_an_out_of_region_case_is_refused(client, login, setup, db, matters):
    """A case opened on a matter that does not apply (data from before the rule) cannot be decided on it."""
    officer = login("bdg_officer")
    case = new_case(client, officer, setup)
    beijing = next(code for code, r in sorted(matters.items()) if r == "110000")
    with db.session() as session:
        row = session.get(Case, uuid.UUID(case["id"]))
        row.matter_code, row.knowledge_version = beijing, None
        session.commit()
    case = act(client, officer, client.get(f"/api/v1/cases/{case['id']}", headers=officer).json(), "start_check")
    refused = client.post(f"/api/v1/cases/{case['id']}/actions/submit_filing", json={"version": case["version"]},
                          headers=officer)  # fmt: skip
    assert refused.status_code == 422 and refused.json()["code"] == "case.matter_out_of_region"
