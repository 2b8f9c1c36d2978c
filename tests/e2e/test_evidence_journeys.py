"""证据存证 through the real UI: the officer uploads a scene photo on a case and sees it in the gallery, its
thumbnail and, in the detail, the SHA-256 and SM3 of exactly the bytes uploaded and a passing ledger check; a frame of
an AI camera (电子技术监控设备) is reviewed twice — 技术审核 by the squad leader, 法制审核 by the legal reviewer, each
in their own browser — before it counts as evidence (《行政处罚法》第四十一条); and on the phone the officer shoots,
locates and uploads through 现场取证."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser_support import DESKTOP, PHONE, colleague_and_matter
from browser_support import api as _api
from browser_support import field as _field
from browser_support import login as _login
from chengguan.core import clock
from chengguan.demo.scenes import Shot, render
from chengguan.evidence.digests import sm3_hex
from support import synthetic_ric


def _new_case(base: str) -> dict:
    """A fresh ordinary case of the demo officer (and a certified colleague without a login)."""
    officer, squad = _api(base, "bdg_officer"), _api(base, "bdg_leader")
    me, colleague, matter = colleague_and_matter(officer, squad)
    created = officer.post(
        "/cases",
        json={
            "procedure": "ordinary",
            "matter_code": matter["code"],
            "party": {"type": "individual", "name": "取证测试当事人", "id_no": synthetic_ric(uuid.uuid4().int)},
            "facts": "在八大关景区正阳关路占道经营",
            "address": "八大关景区正阳关路",
            "act_on": (clock.local_now().date() - timedelta(days=1)).isoformat(),
            "officer_ids": [me["officer"]["id"], colleague["id"]],
        },
    )
    assert created.status_code == 201, created.text
    return created.json()


def _photo(tmp_path: Path, name: str, seed: int) -> tuple[Path, bytes]:
    data = render(Shot("stall", clock.now(), "正阳关路 8 号", "占道经营", 120.3812, 36.0571, "DV-TEST", seed))
    path = tmp_path / name
    path.write_bytes(data)
    return path, data


def _open_case(page, base: str, case_id: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/console/cases/{case_id}")
    expect(page.get_by_test_id("case-code")).to_be_visible(timeout=15_000)


@pytest.mark.e2e
def test_officer_uploads_a_photo_and_sees_its_digests(browser, live_server, tmp_path):
    case = _new_case(live_server)
    path, data = _photo(tmp_path, "现场全景.jpg", 1)
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    try:
        _login(page, live_server, "bdg_officer")
        page.wait_for_url("**/console/**", timeout=15_000)
        _open_case(page, live_server, case["id"])
        section = page.get_by_test_id("case-evidence")
        expect(section.get_by_test_id("evidence-count")).to_contain_text("共 0 件")
        section.get_by_test_id("evidence-upload").click()
        dialog = page.get_by_test_id("evidence-upload-dialog")
        dialog.get_by_test_id("evidence-file").set_input_files(str(path))
        expect(dialog.get_by_test_id("evidence-file-name")).to_contain_text("现场全景.jpg")
        _field(dialog, "evidence-title").fill("占道经营现场全景")
        _field(dialog, "evidence-address").fill("正阳关路 8 号店外")
        dialog.get_by_test_id("evidence-upload-submit").click()
        expect(dialog).to_be_hidden(timeout=30_000)

        card = section.get_by_test_id("evidence-card")
        expect(card).to_have_count(1, timeout=15_000)
        expect(card).to_contain_text("占道经营现场全景")
        expect(card.get_by_test_id("evidence-thumb")).to_be_visible(timeout=15_000)  # fetched with the token
        expect(card).to_have_attribute("data-review", "not_required")
        card.click()
        drawer = page.get_by_test_id("evidence-detail")
        expect(drawer.get_by_test_id("evidence-sha256")).to_have_text(hashlib.sha256(data).hexdigest(), timeout=15_000)
        expect(drawer.get_by_test_id("evidence-sm3")).to_have_text(sm3_hex(data))
        expect(drawer.get_by_test_id("evidence-verified")).to_be_visible(timeout=15_000)
        expect(drawer.get_by_test_id("evidence-detail-image")).to_be_visible()
        timeline = page.locator("[data-testid=timeline-action][data-action=add_evidence]")
        page.keyboard.press("Escape")
        page.get_by_test_id("case-refresh").click()
        expect(timeline).to_have_count(1, timeout=15_000)
    finally:
        context.close()


def _review_in_browser(browser, base: str, username: str, case_id: str, passed_label: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    try:
        _login(page, base, username)
        page.wait_for_url("**/console/**", timeout=15_000)
        _open_case(page, base, case_id)
        section = page.get_by_test_id("case-evidence")
        expect(section.get_by_test_id("evidence-to-review")).to_be_visible(timeout=15_000)
        section.locator("[data-testid=evidence-card][data-review]").first.click()
        drawer = page.get_by_test_id("evidence-detail")
        box = drawer.get_by_test_id("evidence-review-box")
        expect(box).to_be_visible(timeout=15_000)
        _field(box, "evidence-opinion", "textarea").fill(f"{username}：画面清晰，记录完整准确")
        box.get_by_test_id("evidence-pass").click()
        expect(drawer.get_by_test_id("evidence-detail-review")).to_have_text(passed_label, timeout=15_000)
        expect(box).to_be_hidden()
    finally:
        context.close()


@pytest.mark.e2e
def test_machine_evidence_is_reviewed_at_two_levels_by_two_people(browser, live_server, tmp_path):
    case = _new_case(live_server)
    _, data = _photo(tmp_path, "抓拍.jpg", 2)
    uploaded = _api(live_server, "bdg_officer").post(
        f"/cases/{case['id']}/evidence",
        files={"file": ("CAM-370202-0001.jpg", data, "image/jpeg")},
        data={"origin": "machine", "device": "CAM-370202-0001", "title": "视频抓拍：占道经营"},
    )
    assert uploaded.status_code == 201, uploaded.text
    item = uploaded.json()
    assert item["review_status"] == "pending"

    _review_in_browser(browser, live_server, "bdg_leader", case["id"], "待法制审核")  # level 1 by a handler
    _review_in_browser(browser, live_server, "shinan_legal", case["id"], "审核通过")  # level 2 by the legal office

    after = _api(live_server, "bdg_officer").get(f"/evidence/{item['id']}").json()
    assert (after["review_status"], after["usable"]) == ("passed", True)
    assert [(r["level"], r["passed"]) for r in after["reviews"]] == [(1, True), (2, True)]
    assert after["reviews"][0]["user_name"] != after["reviews"][1]["user_name"]


@pytest.mark.e2e
def test_phone_shoots_locates_and_uploads(browser, live_server, tmp_path):
    case = _new_case(live_server)
    path, data = _photo(tmp_path, "IMG_0001.jpg", 3)
    context = browser.new_context(
        **PHONE, geolocation={"longitude": 120.3812345, "latitude": 36.0571234}, permissions=["geolocation"]
    )
    page = context.new_page()
    try:
        _login(page, live_server, "bdg_officer")
        page.wait_for_url("**/m/**", timeout=15_000)
        page.get_by_test_id("m-quick-evidence").click()
        page.wait_for_url("**/m/evidence", timeout=15_000)
        page.goto(f"{live_server}/m/evidence?case={case['id']}")
        expect(page.get_by_test_id("m-evidence-case")).to_contain_text(case["code"], timeout=15_000)
        page.get_by_test_id("m-evidence-file").set_input_files(str(path))
        expect(page.get_by_test_id("m-evidence-preview")).to_be_visible()
        expect(page.get_by_test_id("m-evidence-gps")).to_contain_text("120.38123", timeout=15_000)
        _field(page, "m-evidence-title").fill("店外占道近景")
        page.get_by_test_id("m-evidence-upload").click()
        done = page.get_by_test_id("m-evidence-done")
        expect(done).to_contain_text(hashlib.sha256(data).hexdigest(), timeout=30_000)
        expect(page.get_by_test_id("m-evidence-recent")).to_contain_text("店外占道近景")
    finally:
        context.close()
    items = _api(live_server, "bdg_officer").get(f"/cases/{case['id']}/evidence").json()["items"]
    assert [(i["title"], i["lng"], i["lat"]) for i in items] == [("店外占道近景", 120.3812345, 36.0571234)]
    assert items[0]["device"].startswith("执法通")
