"""Handwritten signatures arrive as PNG data URLs (consent to e-service, document signatures, the party's receipt):
the bytes must be a PNG image — a JPEG or text behind the PNG prefix is 415 — and stored images and documents are
served with nosniff."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable

from fastapi.testclient import TestClient
from PIL import Image

from cases.helpers import new_case
from evidence.helpers import jpeg

Login = Callable[..., dict[str, str]]


def _data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (120, 40), (0, 0, 0, 255)).save(out, "PNG")
    return out.getvalue()


def test_a_signature_must_be_a_png_image(client: TestClient, login: Login, setup: dict):
    officer = login("bdg_officer")
    case = new_case(client, officer, setup)
    url = f"/api/v1/cases/{case['id']}/service-consents"
    body = {"party_name": "测试当事人", "phone": "13900002222", "channels": ["sms"]}
    for fake in (jpeg("sig"), b"<svg onload=alert(1)>", b"\x89PNG\r\n\x1a\n" + b"not a png" * 20):
        refused = client.post(url, json=body | {"signature": _data_url(fake)}, headers=officer)
        assert refused.status_code == 415, refused.text
        assert refused.json()["code"] == "media.type_mismatch"
        assert refused.headers["content-type"] == "application/problem+json"
    assert client.get(url, headers=officer).json()["items"] == []
    made = client.post(url, json=body | {"signature": _data_url(_png())}, headers=officer)
    assert made.status_code == 201, made.text
    served = client.get(made.json()["signature_url"], headers=officer)
    assert served.headers["content-type"] == "image/png" and served.headers["x-content-type-options"] == "nosniff"


def test_documents_are_served_with_nosniff(client: TestClient, login: Login, setup: dict):
    officer = login("bdg_officer")
    case = new_case(client, officer, setup)
    doc = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "inquiry_record"}, headers=officer)
    assert doc.status_code == 201, doc.text
    pdf = client.get(doc.json()["download_url"], headers=officer)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.headers["x-content-type-options"] == "nosniff"
    signed = client.post(f"/api/v1/documents/{doc.json()['id']}/signatures",
                         json={"role": "party", "signature": _data_url(jpeg("doc-sig"))}, headers=officer)  # fmt: skip
    assert signed.status_code == 415 and signed.json()["code"] == "media.type_mismatch"
