"""The 案卷 on closure (《行政处罚法》第四十七条): assembled automatically when the case closes — catalogue,
documents in legal order, evidence list, evidence files — as one ZIP whose manifest carries every file's SHA-256 and
SM3; archiving closes the file to new documents."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable

from fastapi.testclient import TestClient

from cases.helpers import act, decided
from chengguan.evidence.digests import digest_bytes
from documents.test_signatures import signature

Login = Callable[..., dict[str, str]]


def test_closing_a_case_exports_its_file_as_a_zip_with_digests(client: TestClient, login: Login, setup: dict):
    officer, squad = login("bdg_officer"), login("bdg_leader")
    case = decided(client, login, setup)
    for kind in ("filing_approval", "inspection_record", "penalty_decision"):
        made = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": kind}, headers=officer)
        assert made.status_code == 201, made.text
        if kind == "penalty_decision":  # the decision is sealed; the forms and records are signed (第四十七条)
            assert client.post(f"/api/v1/documents/{made.json()['id']}/seal", json={}, headers=officer).is_success
        else:
            url = f"/api/v1/documents/{made.json()['id']}/signatures"
            assert client.post(url, json={"role": "officer", "signature": signature()}, headers=officer).is_success
    assert client.get(f"/api/v1/cases/{case['id']}/archive", headers=officer).status_code == 404
    early = client.post(f"/api/v1/cases/{case['id']}/archive", headers=officer)
    assert early.status_code == 409 and early.json()["code"] == "archive.not_closed"
    case = act(client, officer, case, "serve_decision")
    case = act(client, officer, case, "record_payment", amount_fen=case["fine_fen"])
    case = act(client, officer, case, "submit_closure")
    case = act(client, squad, case, "approve", reason="同意结案")
    assert case["status"] == "closed"
    made = client.get(f"/api/v1/cases/{case['id']}/archive", headers=officer)
    assert made.status_code == 200, made.text
    info = made.json()
    response = client.get(info["download_url"], headers=officer)
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert hashlib.sha256(response.content).hexdigest() == info["sha256"] and len(response.content) == info["size"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = [n for n in zf.namelist() if n != "manifest.json"]
        assert [f["path"] for f in manifest["files"]] == names and info["files"] == len(names)
        for entry in manifest["files"]:
            d = digest_bytes(zf.read(entry["path"]))
            assert (d.sha256, d.sm3, d.size) == (entry["sha256"], entry["sm3"], entry["size"])
    titles = [f["title"] for f in manifest["files"] if f["kind"] == "document"]
    # legal order: catalogue first, then filing, investigation, evidence list, decision
    assert titles == ["案卷目录", "立案审批表", "现场检查（勘验）笔录", "证据清单", "行政处罚决定书"]
    assert manifest["case"]["code"] == case["code"] and manifest["evidence_ledger_head"] is not None
    case = act(client, officer, case, "archive")
    again = client.get(f"/api/v1/cases/{case['id']}/archive", headers=officer).json()
    assert again["sha256"] != info["sha256"] or again["created_at"] != info["created_at"]  # re-made on 归档
    refused = client.post(f"/api/v1/cases/{case['id']}/documents", json={"kind": "inquiry_record"}, headers=officer)
    assert refused.status_code == 409 and "已归档" in refused.json()["detail"]
