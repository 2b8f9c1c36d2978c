"""Evidence over HTTP: upload (multipart) and the item's shape, the file itself, the proof, the whole-ledger check,
and the refusals in problem+json (413 size, 422 input, 403 permission, 404 scope)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from cases.helpers import new_case
from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.evidence import service
from chengguan.evidence.batches import ItemProof, check_item_proof
from chengguan.evidence.digests import digest_bytes
from chengguan.evidence.models import LedgerHead
from evidence.helpers import jpeg, sample

Login = Callable[..., dict[str, str]]
JPEG = jpeg("scene")


@pytest.fixture
def case(client: TestClient, login: Login, setup: dict) -> dict:
    return new_case(client, login("bdg_officer"), setup)


def upload(client: TestClient, headers: dict, case_id: str, data: bytes = JPEG, name: str = "现场.jpg",
           mime: str = "image/jpeg", **form) -> object:  # fmt: skip
    return client.post(f"/api/v1/cases/{case_id}/evidence", files={"file": (name, data, mime)}, data=form,
                       headers=headers)  # fmt: skip


def test_upload_list_and_read(client: TestClient, login: Login, case: dict):
    officer = login("bdg_officer")
    data = jpeg(str(uuid.uuid4()))
    form = {"title": "占道经营现场", "captured_at": "2026-03-01T09:30:00+08:00", "lng": "120.38", "lat": "36.07",
            "address": "中山路1号", "device": "华为 Mate 60", "description": "店外摆放"}  # fmt: skip
    response = upload(client, officer, case["id"], data, **form)
    assert response.status_code == 201, response.text
    item = response.json()
    digests = digest_bytes(data)
    assert (item["sha256"], item["sm3"], item["size"]) == tuple(digests)
    assert (item["kind"], item["kind_label"], item["origin"], item["origin_label"]) == (
        "photo", "照片", "officer", "执法人员采集"
    )  # fmt: skip
    assert (item["review_status"], item["review_label"], item["reviews"]) == ("not_required", "无需审核", [])
    assert item["captured_at"].startswith("2026-03-01T01:30:00") and (item["lng"], item["lat"]) == (120.38, 36.07)
    assert item["officer_name"] and item["uploaded_by_name"] and item["ledger_seq"] > 0
    assert item["file_url"] == f"/api/v1/evidence/{item['id']}/file"

    listed = client.get(f"/api/v1/cases/{case['id']}/evidence", headers=officer).json()["items"]
    assert [i["id"] for i in listed] == [item["id"]]
    assert client.get(f"/api/v1/evidence/{item['id']}", headers=login("bdg_leader")).json()["sha256"] == digests.sha256


def test_the_file_comes_back_as_stored(client: TestClient, login: Login, case: dict):
    officer = login("bdg_officer")
    item = upload(client, officer, case["id"]).json()
    response = client.get(item["file_url"], headers=officer)
    assert response.status_code == 200 and response.content == JPEG
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["content-disposition"].startswith("inline; filename*=UTF-8''")
    assert response.headers["etag"] == f'"{item["sha256"]}"'
    assert response.headers["content-security-policy"] == "sandbox"
    assert response.headers["x-content-type-options"] == "nosniff"
    ranged = client.get(item["file_url"], headers={**officer, "Range": "bytes=0-3"})  # video players seek
    assert ranged.status_code == 206 and ranged.content == JPEG[:4]


def test_an_uploaded_page_is_refused_and_text_is_downloaded_not_shown(client: TestClient, login: Login, case: dict):
    officer = login("bdg_officer")
    page = upload(client, officer, case["id"], b"<script>alert(1)</script>", "x.html", "text/html")
    assert page.status_code == 415 and page.json()["code"] == "media.type_mismatch", page.text
    text = upload(client, officer, case["id"], "<b>询问笔录</b>".encode(), "笔录.txt", "text/plain").json()
    assert (text["kind"], text["mime"]) == ("file", "text/plain")
    response = client.get(text["file_url"], headers=officer)
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_text_file_declared_a_photo_is_refused_with_415(client: TestClient, login: Login, case: dict):
    """The probe: text sent as image/jpeg was stored and served inline as a photo."""
    officer = login("bdg_officer")
    before = client.get(f"/api/v1/cases/{case['id']}/evidence", headers=officer).json()["items"]
    lie = upload(client, officer, case["id"], "这不是照片".encode() * 100, "现场.jpg", "image/jpeg")
    assert lie.status_code == 415 and lie.headers["content-type"] == "application/problem+json"
    body = lie.json()
    assert (body["code"], body["status"], body["detected"]) == ("media.type_mismatch", 415, "text/plain")
    assert "不符" in body["detail"]
    exe = upload(client, officer, case["id"], sample("application/x-msdownload"), "a.exe", "application/octet-stream")
    assert exe.status_code == 415 and exe.json()["code"] == "media.unsupported_type"
    assert client.get(f"/api/v1/cases/{case['id']}/evidence", headers=officer).json()["items"] == before
    # the content decides the stored and served type, whatever generic type the client sent
    item = upload(client, officer, case["id"], jpeg("generic"), "IMG_0001", "application/octet-stream").json()
    assert (item["mime"], item["kind"]) == ("image/jpeg", "photo")
    served = client.get(item["file_url"], headers=officer)
    assert served.headers["content-type"] == "image/jpeg" and served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"].startswith("inline;")
    pdf = upload(client, officer, case["id"], sample("application/pdf", "p"), "决定书.pdf", "application/pdf").json()
    served = client.get(pdf["file_url"], headers=officer)
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"].startswith("attachment;")  # only images are shown in place


def test_proof_before_and_after_sealing(client: TestClient, login: Login, case: dict, db: Database,
                                        settings: Settings):  # fmt: skip
    officer = login("bdg_officer")
    item = upload(client, officer, case["id"]).json()
    with db.session() as s, s.begin():
        head = s.get(LedgerHead, 1)
        sealed_before = head.sealed_seq >= item["ledger_seq"]
    proof = client.get(f"/api/v1/evidence/{item['id']}/proof", headers=officer).json()
    assert proof["verified"] and proof["reasons"] == []
    assert proof["entry"]["item_id"] == item["id"] and proof["entry"]["sha256"] == item["sha256"]
    if not sealed_before:
        assert proof["batch"] is None and proof["proof"] is None
        with db.session() as s, s.begin():
            service.seal_pending(s, settings)
        proof = client.get(f"/api/v1/evidence/{item['id']}/proof", headers=officer).json()
    batch, path = proof["batch"], proof["proof"]
    assert batch["first_seq"] <= item["ledger_seq"] <= batch["last_seq"] and path["root"] == batch["root"]
    fields = {k: path[k] for k in ("seq", "entry_hash", "first_seq", "index", "tree_size", "root")}
    assert check_item_proof(ItemProof(**fields, path=tuple(path["path"])))
    assert proof["verified"] and path["tree"] == "rfc6962-sha256"


def test_whole_ledger_check_is_for_auditors(client: TestClient, login: Login, admin: dict):
    assert client.get("/api/v1/evidence/verify", headers=login("bdg_officer")).status_code == 403
    assert client.get("/api/v1/evidence/verify", headers=admin).status_code == 403  # 三员分立: not the system admin's
    body = client.get("/api/v1/evidence/verify", headers=login("auditor")).json()
    assert body["ok"] and body["first_break"] is None, body
    assert body["checked"] == body["head_seq"] == body["files_checked"] > 0 and body["batches_checked"] > 0
    assert client.get("/api/v1/evidence/verify", headers=login("shinan_leader")).status_code == 200


def test_refusals(client: TestClient, login: Login, case: dict, settings: Settings, monkeypatch):
    officer = login("bdg_officer")
    empty = upload(client, officer, case["id"], b"")
    assert (empty.status_code, empty.json()["code"]) == (422, "evidence.empty")
    assert empty.headers["content-type"] == "application/problem+json"
    naive = upload(client, officer, case["id"], captured_at="2026-03-01T09:30:00")
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "captured_at"
    assert upload(client, officer, case["id"], origin="robot").status_code == 422
    assert upload(client, officer, case["id"], lng="200", lat="36").status_code == 422
    machine = upload(client, officer, case["id"], origin="machine")
    assert machine.status_code == 422 and machine.json()["errors"][0]["field"] == "device"
    nul = upload(client, officer, case["id"], address="中山路\x001号")
    assert nul.status_code == 422
    assert upload(client, login("shinan_legal"), case["id"]).status_code == 403  # no case:write
    assert upload(client, login("licun_officer"), case["id"]).status_code == 404  # not in their scope
    assert upload(client, officer, str(uuid.uuid4())).status_code == 404
    monkeypatch.setattr(settings, "evidence_max_upload_mb", 1)
    big = upload(client, officer, case["id"], b"x" * (2**20 + 1))
    assert (big.status_code, big.json()["code"], big.json()["status"]) == (413, "evidence.too_large", 413)


def test_other_squads_do_not_see_the_evidence(client: TestClient, login: Login, case: dict):
    item = upload(client, login("bdg_officer"), case["id"]).json()
    other = login("licun_officer")
    assert client.get(f"/api/v1/evidence/{item['id']}", headers=other).status_code == 404
    assert client.get(item["file_url"], headers=other).status_code == 404
    assert client.get(f"/api/v1/evidence/{item['id']}/proof", headers=other).status_code == 404
    assert client.get(f"/api/v1/cases/{case['id']}/evidence", headers=other).status_code == 404
    assert client.get(f"/api/v1/evidence/{uuid.uuid4()}", headers=login("bdg_officer")).status_code == 404


def test_demo_cases_carry_their_photos(client: TestClient, login: Login):
    officer = login("bdg_leader")
    cases = client.get("/api/v1/cases", params={"status": "archived", "page_size": 50}, headers=officer).json()
    demo = next(c for c in cases["items"] if "D" in c["code"])  # other tests archive cases of their own
    items = client.get(f"/api/v1/cases/{demo['id']}/evidence", headers=officer).json()["items"]
    assert len(items) >= 2 and all(i["kind"] == "photo" for i in items)
    photo = client.get(items[0]["file_url"], headers=officer)
    assert photo.content[:3] == b"\xff\xd8\xff" and digest_bytes(photo.content).sha256 == items[0]["sha256"]
