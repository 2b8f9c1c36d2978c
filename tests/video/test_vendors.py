"""AI edge-box pushes: each adapter turns a push into a frame; repeated pushes of a standing stall build the dwell
and raise one alarm; unknown vendors and unreadable pushes are problems, not 500s."""

from __future__ import annotations

from datetime import timedelta

from chengguan.core import clock
from video.helpers import ZONE


def test_generic_pushes_build_dwell_and_raise_one_alarm(client, admin, cameras) -> None:  # type: ignore[no-untyped-def]
    device_id, code = cameras[7]
    client.put(f"/api/v1/video/cameras/{device_id}/zones", json=[ZONE], headers=admin)
    start = clock.local_now().replace(microsecond=0) - timedelta(minutes=10)
    raised = []
    for i in range(10):
        push = {"deviceSn": code, "alarmTime": (start + timedelta(seconds=10 * i)).strftime("%Y-%m-%d %H:%M:%S"),
                "width": 1920, "height": 1080,
                "targets": [{"label": "stall", "score": 0.91, "bbox": [760, 640, 400, 220]}]}  # fmt: skip
        r = client.post("/api/v1/video/vendors/generic/alarms", json=push, headers=admin)
        assert r.status_code == 200, r.text
        raised += r.json()["alarms"]
    assert len(raised) == 1 and raised[0]["zone"] == ZONE["name"]


def test_isapi_push_is_read(client, admin, cameras) -> None:  # type: ignore[no-untyped-def]
    device_id, code = cameras[8]
    client.put(f"/api/v1/video/cameras/{device_id}/zones", json=[ZONE], headers=admin)
    at = (clock.local_now() - timedelta(minutes=5)).isoformat(timespec="seconds")
    push = {"EventNotificationAlert": {"channelName": code, "dateTime": at, "eventType": "parking",
            "targets": [{"targetType": "stall", "confidence": 88, "targetID": 3,
                         "Rect": {"x": 400, "y": 600, "width": 200, "height": 200}}]}}  # fmt: skip
    r = client.post("/api/v1/video/vendors/isapi/alarms", json=push, headers=admin)
    assert r.status_code == 200 and r.json() == {"alarms": []}


def test_unknown_vendor_and_unreadable_pushes(client, admin, cameras) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/video/vendors/acme/alarms", json={}, headers=admin)
    assert r.status_code == 404 and r.json()["code"] == "video.unknown_vendor"
    r = client.post("/api/v1/video/vendors/generic/alarms", json={"deviceSn": cameras[0][1], "alarmTime": "昨天"},
                    headers=admin)  # fmt: skip
    assert r.status_code == 422
    push = {"deviceSn": "CAM-NONE", "alarmTime": "2026-12-07 10:00:00", "width": 10, "height": 10, "targets": []}
    assert client.post("/api/v1/video/vendors/generic/alarms", json=push, headers=admin).status_code == 404
