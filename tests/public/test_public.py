"""The public's side without a login: 公众随手拍 (photo, place, tracking code, status page with personal data
masked, hourly limit) and 执法公示 (monitoring sites, art. 41; discretion standards in force, art. 34)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from chengguan.intake.models import CaseSource, Signal
from chengguan.public import reports
from chengguan.public.models import PublicReport

POINT = {"lng": 120.3460, "lat": 36.0560}  # 市南区, inside the demo's grids


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def _upload(client) -> str:
    response = client.post("/api/v1/public/media", files={"file": ("scene.jpg", _photo(), "image/jpeg")})
    assert response.status_code == 201, response.text
    return response.json()["url"]


def _report(**change) -> dict:
    return {"category_code": "09005", "description": "饭店门口摆桌子卖烧烤，占了人行道", **POINT} | change


def test_a_citizen_reports_with_a_photo_and_follows_it_by_code(client, db):
    photo = _upload(client)
    body = _report(photos=[photo], phone="13912345678", address="中山路 12 号门前",
                   description="门口占道经营，店主电话 13812345678，请处理")  # fmt: skip
    made = client.post("/api/v1/public/reports", json=body)
    assert made.status_code == 201, made.text
    code = made.json()["tracking_code"]
    assert re.fullmatch(f"[{reports.ALPHABET}]{{12}}", code) and made.json()["status_url"].endswith(code)

    with db.session(write=False) as s:
        signal = s.scalar(select(Signal).join(PublicReport).where(PublicReport.tracking_code == code))
        assert signal.channel == "public" and signal.media == [photo]
        assert signal.reporter["phone"] == "13912345678"  # kept for a call back, never shown
        assert s.get(CaseSource, signal.case_source_id).channel == "public"

    page = client.get(f"/api/v1/public/reports/{code.lower()[:6]}-{code.lower()[6:]}")  # as typed on a phone
    assert page.status_code == 200, page.text
    status = page.json()
    assert status["status"] == "open" and status["category_code"] == "09005" and status["photos"] == [photo]
    assert "13812345678" not in page.text and "138****5678" in status["description"]
    assert "13912345678" not in page.text and "reporter" not in status
    assert [s["label"] for s in status["steps"]][:1] == ["已提交"]
    assert client.get(photo).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"photos": ["/api/v1/media/" + "0" * 64 + ".jpg"]}, None),  # never uploaded
        ({"photos": ["https://example.org/x.jpg"]}, "photos"),
        ({"category_code": "99999"}, "category_code"),
        ({"description": "占道"}, "description"),
        ({"phone": "12345"}, "phone"),
        ({"lng": 200}, "lng"),
        ({"lng": 60.0, "lat": 60.0}, "lng"),  # a valid coordinate outside China: the platform's refusal, not a 400
    ],
)
def test_bad_reports_are_refused_with_problem_json(client, change, field):
    response = client.post("/api/v1/public/reports", json=_report(**change))
    assert response.status_code in (404, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    if field:
        assert field in {e["field"].split(".")[-1] for e in response.json().get("errors") or []}


def test_an_unknown_code_is_404_and_a_non_photo_upload_415(client):
    missing = client.get("/api/v1/public/reports/ABCDEFGHJKMN")
    assert missing.status_code == 404 and missing.json()["code"] == "public.tracking_not_found"
    text = client.post("/api/v1/public/media", files={"file": ("x.jpg", b"not an image at all", "image/jpeg")})
    assert text.status_code == 415 and text.headers["content-type"].startswith("application/problem+json")


def test_one_address_submits_at_most_ten_reports_an_hour(client):
    codes = [client.post("/api/v1/public/reports", json=_report()).status_code for _ in range(reports.PER_HOUR)]
    assert codes == [201] * reports.PER_HOUR
    refused = client.post("/api/v1/public/reports", json=_report())
    assert refused.status_code == 429 and refused.json()["code"] == "public.too_many_reports"


def test_places_are_found_by_grid_name_or_shop_address(client):
    found = client.get("/api/v1/public/places", params={"q": "八大峡"}).json()
    assert found and found[0]["kind"] == "grid" and "八大峡" in found[0]["label"]
    assert all({"lng", "lat", "label"} <= set(p) for p in found)
    assert client.get("/api/v1/public/places", params={"q": "八"}).status_code == 422
    outlines = client.get("/api/v1/public/grids.geojson").json()
    assert outlines["type"] == "FeatureCollection" and outlines["features"]
    assert set(outlines["features"][0]["properties"]) == {"grid_code", "name"}


def test_the_monitoring_sites_and_the_standards_in_force_are_published(client):
    sites = client.get("/api/v1/public/monitoring-sites").json()
    # Only the cameras that passed both reviews, calibrated within a year, site published (video.standing): the
    # demo has 60 cameras, 12 not (fully) reviewed and one whose calibration expired.
    assert "第四十一条" in sites["basis"] and len(sites["items"]) == 47
    assert all(s["code"] and s["unit"] and s["site"] and s["calibrated_on"] for s in sites["items"])
    standards = client.get("/api/v1/public/discretion-standards").json()
    assert "第三十四条" in standards["basis"]
    assert [s["code"] for s in standards["items"]] == ["qingdao"]  # the city's own, not Beijing's nor the default
    qingdao = standards["items"][0]
    assert set(qingdao["districts"]) == {"市南区综合行政执法局", "市北区综合行政执法局", "李沧区综合行政执法局"}
    assert {t["tier_label"] for t in qingdao["tiers"]} >= {"一般", "较重", "严重"}
