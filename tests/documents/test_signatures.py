"""Handwritten signatures on documents (《行政处罚法》第五十二条: the on-the-spot decision is signed by the officers and
handed to the party, who signs for it; 第五十五条: inquiries and inspections are recorded in 笔录).

An officer named on the case signs for themselves, the party signs on the officer's device; the signature is printed
in its slot of the PDF at once; a signed draft's texts are locked, and a sealed document takes no more signatures."""

from __future__ import annotations

import base64
import io
import itertools
import re
from collections.abc import Callable
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from pdfminer.high_level import extract_text
from PIL import Image, ImageDraw
from pypdf import PdfReader

from cases.helpers import decided, new_case
from chengguan.core import clock
from chengguan.documents.builders import build
from chengguan.documents.kinds import OFFICER_SIGNED, PARTY_SIGNED, DocumentKind, signers
from chengguan.documents.layout import SignatureLine, chinese_date
from documents.test_builders import CTX

Login = Callable[..., dict[str, str]]
K = DocumentKind


_strokes = itertools.count(1)


def signature() -> str:
    """A PNG signature, a different stroke each time (the PDF would store two identical images once)."""
    n = next(_strokes)
    img = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
    ImageDraw.Draw(img).line(
        [(10, 90), (40 + n % 200, 20), (150, 100), (290, 30 + n % 60)], fill=(0, 0, 0, 255), width=4
    )
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _images(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def _text(pdf: bytes) -> str:
    return re.sub(r"\s", "", extract_text(io.BytesIO(pdf)))


def _slots(kind: DocumentKind) -> set[str]:
    ctx = replace(CTX, officers=tuple(replace(o, id=f"o{i}") for i, o in enumerate(CTX.officers)))
    blocks = build(kind, ctx, None, None).blocks
    return {f.slot.split(":")[0] for b in blocks if isinstance(b, SignatureLine) for f in b.fields if f.slot}


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_the_catalogue_of_signers_matches_the_slots_the_documents_print(kind: DocumentKind):
    printed = _slots(kind)
    # the 电子送达确认书's party slot is filled by the consent's own signature (第六十一条第二款), not signed here
    assert printed == set(signers(kind)) | ({"party"} if kind is K.e_service_consent else set())
    assert K.on_site_decision in OFFICER_SIGNED and K.on_site_decision in PARTY_SIGNED  # 第五十二条


def _record(client: TestClient, login: Login, setup: dict, kind: str = "inquiry_record") -> tuple[dict, dict, dict]:
    officer = login("bdg_officer")
    case = new_case(client, officer, setup)
    made = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": kind}, headers=officer)
    assert made.status_code == 201, made.text
    return officer, case, made.json()


def test_officer_and_party_sign_an_inquiry_record_and_the_pdf_shows_both(client: TestClient, login: Login, setup: dict):
    officer, case, doc = _record(client, login, setup)
    assert doc["signers"] == ["officer", "party"] and doc["signatures"] == []
    before = client.get(doc["download_url"], headers=officer).content
    url = f"/api/v1/documents/{doc['id']}/signatures"
    mine = client.post(url, json={"role": "officer", "signature": signature()}, headers=officer)
    assert mine.status_code == 200, mine.text
    [signed] = mine.json()["signatures"]
    assert (signed["role"], signed["slot"]) == ("officer", f"officer:{setup['officers'][0]}")
    party = client.post(url, json={"role": "party", "signature": signature()}, headers=officer)
    assert party.status_code == 200, party.text
    assert [s["signer_name"] for s in party.json()["signatures"]][-1] == case["party_name"]
    after = client.get(doc["download_url"], headers=officer).content
    assert _images(after) == _images(before) + 2
    assert f"日期：{chinese_date(clock.local_now().date())}" in _text(after)
    # signing the same slot again replaces the signature, it does not add one
    again = client.post(url, json={"role": "party", "signature": signature(), "signer_name": "张代理"}, headers=officer)
    assert [s["signer_name"] for s in again.json()["signatures"] if s["role"] == "party"] == ["张代理"]
    assert _images(client.get(doc["download_url"], headers=officer).content) == _images(after)
    listed = client.get(f"/api/v1/cases/{case['id']}/documents", headers=officer).json()["items"]
    assert len(next(d for d in listed if d["id"] == doc["id"])["signatures"]) == 2
    # what the signatures confirm can no longer be edited
    edit = client.put(f"/api/v1/documents/{doc['id']}/fields", json={"fields": {"record": "改写"}}, headers=officer)
    assert edit.status_code == 409 and edit.json()["code"] == "document.signed"


def test_only_the_officers_printed_on_the_document_sign_for_themselves(client: TestClient, login: Login, setup: dict):
    _, _, doc = _record(client, login, setup)
    url = f"/api/v1/documents/{doc['id']}/signatures"
    leader = client.post(url, json={"role": "officer", "signature": signature()}, headers=login("bdg_leader"))
    assert leader.status_code == 403 and leader.json()["code"] == "signature.not_officer"  # not an officer of the case
    assert "本案执法人员" in leader.json()["detail"]
    # the party's slot stays open to whoever records it on the officer's device
    party = client.post(url, json={"role": "party", "signature": signature()}, headers=login("bdg_leader"))
    assert party.status_code == 200 and party.json()["signatures"][0]["recorded_by_name"]


def test_bad_signatures_and_documents_without_a_slot_are_refused(client: TestClient, login: Login, setup: dict):
    officer, _, doc = _record(client, login, setup, "inquiry_notice")
    url = f"/api/v1/documents/{doc['id']}/signatures"
    no_slot = client.post(url, json={"role": "officer", "signature": signature()}, headers=officer)
    assert no_slot.status_code == 409 and no_slot.json()["code"] == "signature.no_slot"
    _, _, record = _record(client, login, setup)
    url = f"/api/v1/documents/{record['id']}/signatures"
    for body, code in (
        ({"role": "party", "signature": "data:image/jpeg;base64,AAAA"}, "signature.invalid"),
        ({"role": "party", "signature": "data:image/png;base64,!!"}, "signature.invalid"),
        ({"role": "boss", "signature": signature()}, "request.validation"),
    ):
        bad = client.post(url, json=body, headers=officer)
        assert bad.status_code == 422 and bad.json()["code"] == code, bad.text


def test_sign_then_seal_the_signatures_stay_and_a_sealed_document_takes_no_more(
    client: TestClient, login: Login, setup: dict
):
    officer = login("bdg_officer")
    case = new_case(client, officer, setup, procedure="simple",
                    penalty={"kinds": ["fine"], "fine_fen": 5_000, "reasoning": "当场"})  # fmt: skip
    made = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "on_site_decision"}, headers=officer)
    doc = made.json()
    url = f"/api/v1/documents/{doc['id']}/signatures"
    for role in ("officer", "party"):
        assert client.post(url, json={"role": role, "signature": signature()}, headers=officer).status_code == 200
    sealed = client.post(f"/api/v1/documents/{doc['id']}/seal", json={"algorithm": "rsa"}, headers=officer)
    assert sealed.status_code == 200 and len(sealed.json()["signatures"]) == 2
    pdf = client.get(doc["download_url"], headers=officer).content
    assert _images(pdf) >= 2
    late = client.post(url, json={"role": "party", "signature": signature()}, headers=officer)
    assert late.status_code == 409 and late.json()["code"] == "document.sealed"


def test_the_consent_document_shows_the_signature_drawn_when_consenting(client: TestClient, login: Login, setup: dict):
    officer = login("bdg_officer")
    case = decided(client, login, setup)
    blank = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "e_service_consent"}, headers=officer)
    before = _images(client.get(blank.json()["download_url"], headers=officer).content)
    consent = client.post(f"/api/v1/cases/{case['id']}/service-consents",
                          json={"party_name": "测试当事人", "phone": "13900002222", "signature": signature()},
                          headers=officer)  # fmt: skip
    assert consent.status_code == 201, consent.text
    made = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "e_service_consent"}, headers=officer)
    assert _images(client.get(made.json()["download_url"], headers=officer).content) == before + 1
