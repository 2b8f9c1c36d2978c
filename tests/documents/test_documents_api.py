"""Documents over HTTP: generated from the case record with a gap-free number per bureau, kind and year (also under
concurrency), texts a person writes re-render the draft while the rest stays locked, the PDF is the real file."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from pdfminer.high_level import extract_text

from cases.helpers import act, new_case

Login = Callable[..., dict[str, str]]
NUMBER = re.compile(r"^市南区综执(?P<word>[^字]+)字〔(?P<year>\d{4})〕第(?P<n>\d{4})号$")


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s", "", extract_text(io.BytesIO(pdf)))


def test_a_notice_is_generated_numbered_and_downloadable(client: TestClient, login: Login, setup: dict):
    officer = login("bdg_officer")
    case = new_case(client, officer, setup)
    made = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "rectification_notice"}, headers=officer)
    assert made.status_code == 201, made.text
    doc = made.json()
    assert NUMBER.match(doc["document_no"]).group("word") == "责改" and not doc["sealed"]
    listed = client.get(f"/api/v1/cases/{case['id']}/documents", headers=officer).json()["items"]
    assert [(d["id"], d["kind"], d["download_url"]) for d in listed] == [
        (doc["id"], "rectification_notice", f"/api/v1/documents/{doc['id']}.pdf")
    ]
    pdf = client.get(doc["download_url"], headers=officer)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = text_of(pdf.content)
    assert "责令（限期）改正通知书" in text and doc["document_no"] in text and "测试当事人" in text
    # generating again refreshes the same draft, keeping its number
    again = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "rectification_notice"}, headers=officer)
    assert (again.json()["id"], again.json()["document_no"]) == (doc["id"], doc["document_no"])


def test_only_what_a_person_may_write_can_be_written(client: TestClient, login: Login, setup: dict):
    officer = login("bdg_officer")
    case = new_case(client, officer, setup)
    doc = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "inspection_record"}, headers=officer)
    doc = doc.json()
    wrote = client.put(f"/api/v1/documents/{doc['id']}/fields", json={"fields": {"record": "现场发现摊位三处。"}},
                       headers=officer)  # fmt: skip
    assert wrote.status_code == 200 and wrote.json()["fields"] == {"record": "现场发现摊位三处。"}
    assert "现场发现摊位三处。" in text_of(client.get(doc["download_url"], headers=officer).content)
    locked = client.put(f"/api/v1/documents/{doc['id']}/fields", json={"fields": {"party": "别人"}}, headers=officer)
    assert locked.status_code == 422 and locked.json()["code"] == "document.locked_field"


def test_a_decision_needs_the_decision_the_case_took(client: TestClient, login: Login, setup: dict):
    officer = login("bdg_officer")
    case = new_case(client, officer, setup)
    refused = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "penalty_decision"}, headers=officer)
    assert refused.status_code == 409 and refused.json()["code"] == "document.not_applicable"
    kinds = {k["kind"]: k for k in client.get(f"/api/v1/cases/{case['id']}/document-kinds", headers=officer).json()}
    assert len(kinds) >= 20 and kinds["filing_approval"]["available"] and not kinds["penalty_decision"]["available"]
    simple = new_case(client, officer, setup, procedure="simple", signed_or_refused=True,
                      penalty={"kinds": ["fine"], "fine_fen": 5_000, "reasoning": "当场"})  # fmt: skip
    act(client, officer, simple, "deliver_on_site", signed_or_refused=True)
    made = client.post(f"/api/v1/cases/{simple['id']}/documents", json={"kind": "on_site_decision"}, headers=officer)
    assert made.status_code == 201 and NUMBER.match(made.json()["document_no"]).group("word") == "当罚"


def test_other_squads_cannot_see_a_cases_documents(client: TestClient, login: Login, setup: dict):
    case = new_case(client, login("bdg_officer"), setup)
    doc = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "filing_approval"},
                      headers=login("bdg_officer")).json()  # fmt: skip
    stranger = login("licun_officer")
    assert client.get(f"/api/v1/documents/{doc['id']}", headers=stranger).status_code == 404
    assert client.get(doc["download_url"], headers=stranger).status_code == 404


@pytest.mark.commits
def test_fifty_concurrent_generations_get_fifty_consecutive_numbers(client: TestClient, login: Login, setup: dict):
    officer = login("bdg_officer")
    cases = [new_case(client, officer, setup) for _ in range(50)]
    numbers: list[str] = []
    errors: list[str] = []

    def generate(case: dict) -> None:
        r = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "inquiry_notice"}, headers=officer)
        (numbers if r.status_code == 201 else errors).append(r.json().get("document_no") or r.text)

    threads = [threading.Thread(target=generate, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    ns = sorted(int(NUMBER.match(n).group("n")) for n in numbers)
    assert len(set(numbers)) == 50 and ns == list(range(ns[0], ns[0] + 50))
