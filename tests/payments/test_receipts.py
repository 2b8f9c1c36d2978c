"""The electronic receipt (罚没款电子缴款凭证) of a paid order: a numbered A4 PDF with CJK text, sealed with the
bureau's seal, its QR code pointing at the public verification page, where it (and an uploaded copy) checks out —
and a copy changed by one byte does not."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pdfminer.high_level import extract_text
from PIL import Image

from chengguan.payments import receipts
from payments.helpers import Login, gateway_pays, new_order, notify, served


def _paid(client: TestClient, login: Login, setup) -> dict:  # type: ignore[no-untyped-def]
    case = served(client, login, setup)
    order = new_order(client, login("bdg_officer"), case["id"])
    assert notify(client, *gateway_pays(client, order["order_no"])).status_code == 200
    return client.get(f"/api/v1/payments/{order['order_no']}", headers=login("bdg_officer")).json() | {"case": case}


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_the_receipt_is_a_numbered_sealed_pdf_whose_qr_verifies(
    client: TestClient, login: Login, setup, tmp_path: Path
):
    paid = _paid(client, login, setup)
    response = client.get(_path(paid["receipt_url"]))
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    pdf = response.content
    assert client.get(_path(paid["receipt_url"])).content == pdf  # sealed once: the same file every time
    text = re.sub(r"\s+", "", extract_text(io.BytesIO(pdf)))
    for expected in (receipts.TITLE, paid["receipt_no"], paid["case"]["code"], "人民币伍佰元整", "500.00元",
                     paid["order_no"], "第六十七条第三款", "测试当事人", "扫码核验"):  # fmt: skip
        assert expected in text, expected
    assert "370203" in text and "*" in text  # the identity number, masked
    token = paid["verify_url"].rsplit("/", 1)[1]
    shown = client.get(f"/api/v1/public/verify/{token}").json()
    assert (shown["title"], shown["document_no"], shown["sealed"], shown["ok"]) == (receipts.TITLE, paid["receipt_no"],
                                                                                   True, True)  # fmt: skip
    assert "500.00元" in shown["message"] and shown["signature"]["trusted"] is True
    upload = client.post(f"/api/v1/public/verify/{token}", files={"file": ("r.pdf", pdf, "application/pdf")}).json()
    assert upload["ok"] is True and upload["matches"] is True
    tampered = bytearray(pdf)
    tampered[len(tampered) // 3] ^= 0x20
    changed = client.post(
        f"/api/v1/public/verify/{token}", files={"file": ("r.pdf", bytes(tampered), "application/pdf")}
    )
    assert changed.json()["ok"] is False and changed.json()["matches"] is False
    assert client.get("/api/v1/public/verify/" + "x" * 24).status_code == 404  # neither a document nor a receipt
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils not installed")
    (tmp_path / "receipt.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(tmp_path / "receipt.pdf"),
                    str(tmp_path / "page")], check=True)  # fmt: skip
    [png] = list(tmp_path.glob("page*.png"))
    with Image.open(png) as page:
        assert page.size[0] < page.size[1]  # A4 portrait
        reds = sum(1 for r, g, b in page.convert("RGB").getdata() if r > 180 and g < 90 and b < 90)
        assert reds > 500  # the red seal is pressed on it


def test_receipt_numbers_run_per_bureau_and_year_without_gaps(client: TestClient, login: Login, setup):
    first, second = _paid(client, login, setup), _paid(client, login, setup)
    n1, n2 = (int(re.search(r"第(\d+)号", p["receipt_no"]).group(1)) for p in (first, second))
    assert n2 == n1 + 1 and first["receipt_no"].split("〔")[0] == second["receipt_no"].split("〔")[0]


def test_the_minute_job_seals_receipts_not_opened_yet(client: TestClient, login: Login, setup, db, settings):
    from chengguan.payments.tasks import render_receipts

    paid = _paid(client, login, setup)
    with db.session() as s, s.begin():
        assert render_receipts(s, settings) >= 1  # a few a pass, the oldest first (the demo's too)
        while render_receipts(s, settings):
            pass
    token = paid["verify_url"].rsplit("/", 1)[1]
    assert client.get(f"/api/v1/public/verify/{token}").json()["sealed"] is True
