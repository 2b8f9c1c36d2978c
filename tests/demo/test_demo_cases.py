"""The demo's penalty cases: enough of them, in every state, walked consistently, with valid signatures."""

from __future__ import annotations

import random
from collections import Counter

from fastapi.testclient import TestClient
from sqlalchemy import select

from chengguan.cases import approvals
from chengguan.cases.enums import CaseStatus, Procedure
from chengguan.cases.models import Case, CaseApproval, CaseEvent
from chengguan.core.db import Database
from chengguan.core.idnumbers import valid_ric, valid_uscc
from chengguan.law.enums import PartyType


def _demo_cases(db: Database) -> list[Case]:
    with db.session(write=False) as s:
        return list(s.scalars(select(Case).where(Case.code.like("%D%"))))


def test_at_least_500_cases_in_every_state_and_both_procedures(db: Database):
    cases = _demo_cases(db)
    assert len(cases) >= 500
    assert set(Counter(c.status for c in cases)) == set(CaseStatus)
    assert {c.procedure for c in cases} == set(Procedure)
    assert sum(c.supervised_at is not None for c in cases) >= 5  # filed long ago, undecided: 督查
    repeat = Counter(c.party_id_no for c in cases)
    assert any(n > 1 for n in repeat.values())  # repeat offenders


def test_parties_carry_valid_check_digits(db: Database):
    for c in _demo_cases(db):
        valid = valid_ric if c.party_type is PartyType.individual else valid_uscc
        assert valid(c.party_id_no), c.party_id_no


def test_timelines_end_where_the_cases_stand_and_approvals_verify(db: Database):
    with db.session(write=False) as s:
        events = s.execute(
            select(CaseEvent.case_id, CaseEvent.action, CaseEvent.to_status, CaseEvent.at).order_by(
                CaseEvent.case_id, CaseEvent.at, CaseEvent.id
            )
        ).all()
        signed = list(s.scalars(select(CaseApproval)))
    by_case: dict = {}
    for case_id, action, to_status, at in events:
        by_case.setdefault(case_id, []).append((action, to_status, at))
    for c in _demo_cases(db):
        timeline = [e for e in by_case[c.id] if e[0] != "supervise"]
        assert timeline[0][0] == "create"
        moves = [e for e in timeline if e[1] is not None]  # evidence added later changes no state
        assert moves[-1][1] == c.status.value, c.code
        assert [e[2] for e in timeline] == sorted(e[2] for e in timeline)
    assert signed and all(approvals.verify(a) for a in signed)


def test_a_sample_of_demo_cases_opens_in_the_api(client: TestClient, admin: dict[str, str], db: Database):
    sample = random.Random(3).sample(_demo_cases(db), 25)
    for c in sample:
        response = client.get(f"/api/v1/cases/{c.id}", headers=admin)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == c.status.value
