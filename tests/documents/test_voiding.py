"""A finished case holds no open draft (行政处罚法 第四十七条): closure waits until every document is sealed, signed
or voided; a voided draft keeps its number, says so on every page, and a new one of its kind can be made."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from cases.helpers import act, new_case
from documents.test_documents_api import text_of

Login = Callable[..., dict[str, str]]


def _simple_case_paid(client: TestClient, login: Login, setup: dict) -> tuple[dict, dict]:
    officer = login("bdg_officer")
    case = new_case(client, officer, setup, procedure="simple", penalty={"kinds": ["fine"], "fine_fen": 20_000})
    case = act(client, officer, case, "deliver_on_site", signed_or_refused=True)
    case = act(client, officer, case, "record_payment", amount_fen=20_000)
    return officer, case


def test_closure_waits_for_open_drafts_and_a_voided_draft_says_so(client: TestClient, login: Login, setup: dict):
    officer, case = _simple_case_paid(client, login, setup)
    draft = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "inspection_record"}, headers=officer)
    assert draft.status_code == 201, draft.text
    doc = draft.json()
    refused = act(client, officer, case, "submit_closure", expect=409)
    assert refused["code"] == "case.gate.open_drafts" and "现场检查（勘验）笔录" in refused["detail"]
    assert "第四十七条" in refused["detail"]
    short = client.post(f"/api/v1/documents/{doc['id']}/void", json={"reason": "错"}, headers=officer)
    assert short.status_code == 422
    voided = client.post(f"/api/v1/documents/{doc['id']}/void", json={"reason": "当事人信息录入有误，重新制作"},
                         headers=officer)  # fmt: skip
    assert voided.status_code == 200, voided.text
    body = voided.json()
    assert body["status"] == "voided" and body["void_reason"].startswith("当事人信息") and body["voided_by_name"]
    assert body["document_no"] == doc["document_no"]  # the number stays used: no gaps
    assert "作废" in text_of(client.get(doc["download_url"], headers=officer).content)
    again = client.post(f"/api/v1/documents/{doc['id']}/void", json={"reason": "再次作废试试"}, headers=officer)
    assert again.status_code == 409 and again.json()["code"] == "document.voided"
    sign = client.post(f"/api/v1/documents/{doc['id']}/seal", json={}, headers=officer)
    assert sign.status_code == 409
    fresh = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "inspection_record"}, headers=officer)
    assert fresh.json()["id"] != doc["id"] and fresh.json()["status"] == "draft"
    client.post(f"/api/v1/documents/{fresh.json()['id']}/void", json={"reason": "改为询问笔录记录"}, headers=officer)
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=officer).json()
    case = act(client, officer, detail, "submit_closure")
    assert case["status"] == "closed"
    assert [e["action"] for e in case["timeline"]].count("void_document") == 2


def test_a_sealed_document_is_not_voided(client: TestClient, login: Login, setup: dict):
    officer = login("bdg_officer")
    case = new_case(client, officer, setup)
    doc = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "rectification_notice"},
                      headers=officer).json()  # fmt: skip
    assert client.post(f"/api/v1/documents/{doc['id']}/seal", json={}, headers=officer).status_code == 200
    refused = client.post(f"/api/v1/documents/{doc['id']}/void", json={"reason": "不需要了"}, headers=officer)
    assert refused.status_code == 409 and refused.json()["code"] == "document.sealed"
    other = client.post(
        f"/api/v1/documents/{doc['id']}/void", json={"reason": "不需要了"}, headers=login("licun_officer")
    )
    assert other.status_code in (403, 404)
