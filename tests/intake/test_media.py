"""Photos of reports and outcomes (POST /media): the type is the content's — a lie or a non-image is 415 and nothing
is stored; what is stored is served with its detected type, inline (an image), and nosniff."""

from __future__ import annotations

import io
from collections.abc import Callable

from fastapi.testclient import TestClient
from PIL import Image

from evidence.helpers import jpeg, sample

Login = Callable[..., dict[str, str]]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _upload(client: TestClient, headers: dict, data: bytes, name: str, mime: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/media", files={"file": (name, data, mime)}, headers=headers)


def test_a_photo_is_stored_and_served_as_what_it_is(client: TestClient, login: Login, data_dir):  # type: ignore[no-untyped-def]
    officer = login("bdg_officer")
    stored = _upload(client, officer, _png(), "现场.png", "image/png")
    assert stored.status_code == 201, stored.text
    assert stored.json()["url"].endswith(".png")
    served = client.get(stored.json()["url"])
    assert served.status_code == 200 and served.content == _png()
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"].startswith("inline;")
    # a generic type sent by the phone: the bytes decide
    generic = _upload(client, officer, jpeg("media-generic"), "blob", "application/octet-stream")
    assert generic.status_code == 201 and generic.json()["url"].endswith(".jpg")


def test_what_is_not_the_photo_it_claims_is_refused_with_415(client: TestClient, login: Login, data_dir):  # type: ignore[no-untyped-def]
    officer = login("bdg_officer")
    before = sorted(p.name for p in (data_dir / "media").rglob("*") if p.is_file())
    cases = [
        ("这不是照片".encode() * 50, "现场.jpg", "image/jpeg", "media.type_mismatch"),  # text declared a photo
        (jpeg("png-lie"), "现场.png", "image/png", "media.type_mismatch"),  # a JPEG declared a PNG
        (b"\xff\xd8\xff\xe0" + b"scene" * 400, "现场.jpg", "image/jpeg", "media.type_mismatch"),  # a signature only
        (sample("application/pdf", "m"), "通知.pdf", "application/pdf", "media.unsupported_type"),  # not a photo
        (sample("application/x-msdownload"), "a.exe", "application/octet-stream", "media.unsupported_type"),
    ]
    for data, name, mime, code in cases:
        refused = _upload(client, officer, data, name, mime)
        assert refused.status_code == 415, (name, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == code and refused.json()["status"] == 415, (name, refused.text)
    assert sorted(p.name for p in (data_dir / "media").rglob("*") if p.is_file()) == before
