"""Video patrol through the real UI: a reviewed camera raises an alarm (snapshots and a clip fixed as evidence); the
command center's patrol wall (视频轮巡) shows the camera with its latest alarm, and one click opens the alarm with its
camera, its zone drawn on the snapshot, the evidence and the clip; one more click reaches the camera's zone editor."""

from __future__ import annotations

import base64
import io
import os
from datetime import timedelta

import cv2
import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from browser_support import DESKTOP
from browser_support import api as _api
from browser_support import login as _login
from chengguan.core import clock
from chengguan.video.clips import encode

ZONE = {"name": "人行道东段", "category_code": "09006", "polygon": [[0.2, 0.5], [0.8, 0.5], [0.8, 0.95], [0.2, 0.95]],
        "classes": ["stall"], "min_dwell_s": 60, "cooldown_s": 1800}  # fmt: skip


def _jpeg(i: int) -> bytes:
    picture = Image.new("RGB", (320, 240), (70, 80, 90))
    picture.paste((200, 40, 40), (130, 140, 190, 200))  # the stall
    out = io.BytesIO()
    picture.save(out, "JPEG", comment=f"帧 {i}".encode())
    return out.getvalue()


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = os.environ.get("CHENGGUAN_E2E_SHOTS")
    if folder:  # for a person to look at: the pictures loaded, the tags' fade-in done
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(800)
        page.screenshot(path=os.path.join(folder, name), full_page=True)


@pytest.mark.e2e
def test_patrol_wall_to_alarm_camera_zone_and_evidence(browser, live_server):  # type: ignore[no-untyped-def]
    admin = _api(live_server, "admin")
    [first, *_] = admin.get("/video/patrol").json()
    camera = first["cameras"][0]["camera"]
    today = clock.local_now().date()
    calibrated = (today - timedelta(days=30)).isoformat()
    reviews = {"legal": {"passed": True, "opinion": "设置合理、标志明显"},
               "technical": {"passed": True, "calibrated_on": calibrated}}  # fmt: skip
    for which, body in reviews.items():
        assert admin.put(f"/video/cameras/{camera['id']}/review/{which}", json=body).status_code == 200
    site = {"site": "香港中路 8 号路口东北角", "published_on": today.isoformat()}
    assert admin.put(f"/video/cameras/{camera['id']}/site", json=site).status_code == 200
    assert admin.put(f"/video/cameras/{camera['id']}/zones", json=[ZONE]).status_code == 200
    start = clock.now() - timedelta(minutes=3)
    frames = [{"ts": (start + timedelta(seconds=10 * i)).isoformat(),
               "objects": [{"track_id": 7, "class": "stall", "bbox": [0.4, 0.58, 0.6, 0.83], "score": 0.9}],
               "snapshot": base64.b64encode(_jpeg(i)).decode()} for i in range(8)]  # fmt: skip
    clip = encode([cv2.imencode(".jpg", np.full((240, 320, 3), 30 * i, np.uint8))[1].tobytes() for i in range(6)])
    body = {"camera_code": camera["code"], "frames": frames, "clip": base64.b64encode(clip).decode()}
    [alarm] = admin.post("/video/detections", json=body).json()["alarms"]

    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    try:
        _login(page, live_server, "admin")
        page.wait_for_url("**/console/**", timeout=15_000)
        page.goto(f"{live_server}/console/video/patrol")
        page.get_by_test_id("patrol-play").click()  # hold the rotation on the first street
        wall = page.get_by_test_id("patrol-wall")
        expect(wall).to_contain_text(camera["name"], timeout=15_000)
        _shot(page, "patrol.png")
        wall.get_by_test_id("patrol-alarm").first.click()
        page.wait_for_url(f"**/console/video/alarms/{alarm['alarm_id']}", timeout=15_000)
        detail = page.get_by_test_id("alarm-detail")
        expect(detail).to_contain_text(ZONE["name"], timeout=15_000)
        expect(page.get_by_test_id("alarm-zone")).to_contain_text("占道经营")
        expect(page.get_by_test_id("alarm-stage").locator("polygon")).to_have_count(1)
        rows = page.get_by_test_id("alarm-evidence").locator("tbody tr")
        expect(rows).to_have_count(4, timeout=15_000)  # three snapshots and the clip
        expect(page.get_by_test_id("alarm-source")).to_be_visible()
        page.get_by_test_id("alarm-clip").click()
        expect(page.get_by_test_id("alarm-clip-player")).to_be_visible(timeout=15_000)
        _shot(page, "alarm.png")
        page.get_by_test_id("alarm-camera").click()
        page.wait_for_url(f"**/console/video/cameras/{camera['id']}/zones", timeout=15_000)
        expect(page.get_by_test_id("zone-canvas").locator("polygon")).to_have_count(1, timeout=15_000)
    finally:
        context.close()
