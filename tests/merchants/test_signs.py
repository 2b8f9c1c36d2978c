"""The shops' door signs (打烊提示牌): A5 PDF, CJK text, the QR code opens the shop's merchant H5 page; a street
printed in one run, in address order; other squads' shops are not printable."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import cv2
import pytest
from pdfminer.high_level import extract_text
from pypdf import PdfReader
from sqlalchemy import func, select

from chengguan.core.db import Database
from chengguan.identity.models import User
from chengguan.merchants.models import Merchant
from chengguan.merchants.sign import SignSpec, render_signs


def _qr_text(pdf: bytes, folder: Path, page: int = 1) -> str:
    """Rasterise one page (poppler's pdftoppm, as a printer would) and decode its QR code with OpenCV."""
    (folder / "sign.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", str(page), "-l", str(page), "-singlefile", "sign.pdf", "sign"],
        cwd=folder, check=True,
    )  # fmt: skip
    image = cv2.imread(str(folder / "sign.png"))
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return text


@pytest.fixture(scope="module")
def shops(shared_db: Database) -> dict:
    """The demo officer's squad, one of its operating shops and a shop of another squad."""
    with shared_db.session(write=False) as s:
        squad = s.scalar(select(User.unit_id).where(User.username == "bdg_officer"))
        own = s.scalars(select(Merchant).where(Merchant.unit_id == squad).order_by(Merchant.code)).first()
        other = s.scalars(select(Merchant).where(Merchant.unit_id != squad).order_by(Merchant.code)).first()
        count = s.scalar(select(func.count()).select_from(Merchant).where(Merchant.unit_id == squad,
                                                                           Merchant.status == "operating"))  # fmt: skip
        return {"own": (own.id, own.code, own.name, own.address), "other": other.id, "squad": squad, "count": count}


def test_a_shops_sign_is_a5_with_its_name_and_a_qr_to_its_h5_page(client, login, shops, tmp_path):
    shop_id, code, name, _ = shops["own"]
    response = client.get(f"/api/v1/merchants/{shop_id}/sign.pdf", headers=login("bdg_leader"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    width_mm, height_mm = (float(v) * 25.4 / 72 for v in (page.mediabox.width, page.mediabox.height))
    assert (round(width_mm), round(height_mm)) == (148, 210)
    text = extract_text(io.BytesIO(response.content))
    for words in ("打烊提示牌", "城市共治识别码", name, code, "综合行政执法局"):
        assert words in text
    url = _qr_text(response.content, tmp_path)
    assert "/portal/shop/" in url and url.endswith(f"/portal/shop/{code}")


def test_a_street_prints_in_address_order_one_page_per_shop(client, login, shops):
    leader = login("bdg_leader")
    response = client.get("/api/v1/merchants/signs.pdf", params={"unit_id": str(shops["squad"])}, headers=leader)
    assert response.status_code == 200, response.text
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == shops["count"]
    street = shops["own"][3][:4]
    narrowed = client.get("/api/v1/merchants/signs.pdf", params={"street": street}, headers=leader)
    assert narrowed.status_code == 200
    assert 1 <= len(PdfReader(io.BytesIO(narrowed.content)).pages) <= shops["count"]


def test_signs_outside_the_callers_scope_or_matching_nothing_are_refused(client, login, shops):
    officer = login("bdg_officer")
    assert client.get(f"/api/v1/merchants/{shops['other']}/sign.pdf", headers=officer).status_code == 404
    none = client.get("/api/v1/merchants/signs.pdf", params={"street": "不存在的街道名"}, headers=officer)
    assert none.status_code == 422 and none.headers["content-type"].startswith("application/problem+json")
    assert client.get(f"/api/v1/merchants/{shops['own'][0]}/sign.pdf").status_code == 401


def test_a_long_shop_name_shrinks_to_fit_and_every_sign_gets_its_own_code(tmp_path):
    name = "青岛八大关老字号海鲜烧烤与精酿啤酒餐饮管理有限公司第一分店"
    signs = [
        SignSpec(bureau="青岛市市南区综合行政执法局", shop_name=name, shop_code=f"SH0000000{i}",
                 url=f"https://example.org/portal/shop/SH0000000{i}", squad="八大关中队")
        for i in (1, 2)
    ]  # fmt: skip
    pdf = render_signs(signs)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    assert _qr_text(pdf, tmp_path, page=2).endswith("SH00000002")
    with pytest.raises(ValueError):
        render_signs([])
