"""The video API: the zones contract, detections → alarms (clue or evidence, art. 41), alarm handling."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from chengguan.evidence.enums import EvidenceOrigin, ReviewStatus
from chengguan.evidence.models import EvidenceItem
from chengguan.evidence.service import verify_all
from chengguan.intake.models import CaseSource, Signal
from video.helpers import ZONE, stall_frames

PROBLEM = "application/problem+json"


def put_zone(client, admin, device_id, **kw):  # type: ignore[no-untyped-def]
    r = client.put(f"/api/v1/video/cameras/{device_id}/zones", json=[ZONE | kw], headers=admin)
    assert r.status_code == 200, r.text
    return r.json()


def test_unknown_camera_is_a_404_problem(client, admin) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/video/detections", json={"camera_code": "CAM-NOPE", "frames": stall_frames(1)},
                    headers=admin)  # fmt: skip
    assert r.status_code == 404
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["code"] == "video.camera_not_found"


def test_zones_contract_and_its_refusals(client, admin, cameras) -> None:  # type: ignore[no-untyped-def]
    device_id, _ = cameras[0]
    url = f"/api/v1/video/cameras/{device_id}/zones"
    schedule = {"periods": [{"days": [1, 2, 3, 4, 5], "start": "08:00", "end": "20:00"}], "holidays": "all_day",
                "business_hours": {"start": "07:00", "end": "22:00"}}  # fmt: skip
    [zone] = put_zone(client, admin, device_id, schedule=schedule)
    assert zone["category_name"] == "占道经营"
    assert client.get(url, headers=admin).json()[0]["schedule"]["holidays"] == "all_day"
    # Same name again: same id (its dismiss rate stays with it).
    assert put_zone(client, admin, device_id, min_dwell_s=120)[0]["id"] == zone["id"]
    for bad in (
        {"min_dwell_s": 29},
        {"min_dwell_s": 4 * 3600 + 1},
        {"polygon": [[0, 0], [1, 1], [0, 1], [1, 0]]},  # a bow tie
        {"polygon": [[0, 0], [1.2, 0], [1, 1]]},  # outside the image
        {"category_code": "99999"},
        {"schedule": {"periods": [{"days": [8], "start": "08:00", "end": "20:00"}]}},
    ):
        r = client.put(url, json=[ZONE | bad], headers=admin)
        assert r.status_code == 422, bad
        assert r.headers["content-type"].startswith(PROBLEM)
    r = client.put(url, json=[ZONE, ZONE], headers=admin)
    assert r.json()["code"] == "video.duplicate_zone"


def test_an_unreviewed_cameras_alarm_is_a_clue_never_evidence(client, admin, unreviewed, db) -> None:  # type: ignore[no-untyped-def]
    device_id, code = unreviewed[0]
    put_zone(client, admin, device_id)
    r = client.post("/api/v1/video/detections", json={"camera_code": code, "frames": stall_frames(8)}, headers=admin)
    assert r.status_code == 200, r.text
    [alarm] = r.json()["alarms"]
    assert alarm["evidence_usable"] is False and alarm["zone"] == ZONE["name"]
    detail = client.get(f"/api/v1/video/alarms/{alarm['alarm_id']}", headers=admin).json()
    assert "线索" in detail["basis"] and len(detail["snapshots"]) == 3 and detail["evidence_ids"] == []
    with db.session() as session:
        signal = session.get(Signal, uuid.UUID(alarm["signal_id"]))
        assert signal.channel == "ai_video" and "线索" in signal.description
        fixed = select(EvidenceItem).where(EvidenceItem.source_id == signal.case_source_id)
        assert session.scalars(fixed).all() == []
    # Reviewing the camera afterwards does not turn the old clue into evidence.
    assert client.get(f"/api/v1/video/alarms/{alarm['alarm_id']}", headers=admin).json()["evidence_usable"] is False


def test_a_reviewed_cameras_alarm_is_machine_evidence_pending_review(  # type: ignore[no-untyped-def]
    client, admin, cameras, db, settings, review_camera
) -> None:
    device_id, code = cameras[2]
    review_camera(device_id)
    camera = client.get(f"/api/v1/video/cameras/{device_id}", headers=admin).json()
    assert camera["evidence_capable"] is True and camera["legal_by"] and camera["review_label"] == "已审核"
    put_zone(client, admin, device_id)
    frames = stall_frames(10)
    first = client.post("/api/v1/video/detections", json={"camera_code": code, "frames": frames[:4]}, headers=admin)
    assert first.json() == {"alarms": []}  # 30 s so far
    r = client.post("/api/v1/video/detections", json={"camera_code": code, "frames": frames[4:]}, headers=admin)
    [alarm] = r.json()["alarms"]
    assert alarm["evidence_usable"] is True
    ids = client.get(f"/api/v1/video/alarms/{alarm['alarm_id']}", headers=admin).json()["evidence_ids"]
    with db.session() as session:
        items = session.scalars(select(EvidenceItem).where(EvidenceItem.id.in_([uuid.UUID(i) for i in ids]))).all()
        assert len(items) == 3 and {i.device for i in items} == {code}
        assert {i.origin for i in items} == {EvidenceOrigin.machine}
        assert {i.review_status for i in items} == {ReviewStatus.pending}
        source = session.get(CaseSource, items[0].source_id)
        assert source is not None and source.channel == "ai_video"
        assert verify_all(session, settings).report.ok
    # The same stall keeps standing: no second alarm.
    more = stall_frames(30, start=None)
    r = client.post("/api/v1/video/detections", json={"camera_code": code, "frames": more[-5:]}, headers=admin)
    assert r.json() == {"alarms": []}


def test_confirm_dismiss_and_the_dismiss_rate(client, admin, cameras) -> None:  # type: ignore[no-untyped-def]
    ids = []
    for device_id, code in cameras[3:5]:
        put_zone(client, admin, device_id)
        r = client.post("/api/v1/video/detections", json={"camera_code": code, "frames": stall_frames(8)},
                        headers=admin)  # fmt: skip
        ids.append(r.json()["alarms"][0]["alarm_id"])
    ok = client.post(f"/api/v1/video/alarms/{ids[0]}/confirm", headers=admin).json()
    assert ok["status"] == "confirmed" and ok["handled_by"]
    source = client.get(f"/api/v1/case-sources/{ok['case_source_id']}", headers=admin).json()
    assert source["status"] == "accepted"
    r = client.post(f"/api/v1/video/alarms/{ids[1]}/dismiss", json={"reason": "树影误识别"}, headers=admin)
    assert r.json()["status"] == "dismissed"
    voided = client.get(f"/api/v1/case-sources/{r.json()['case_source_id']}", headers=admin).json()
    assert voided["status"] == "voided"
    again = client.post(f"/api/v1/video/alarms/{ids[1]}/confirm", headers=admin)
    assert again.status_code == 409 and again.json()["code"] == "video.alarm_handled"
    rows = {r["camera_code"]: r for r in client.get("/api/v1/video/alarms/accuracy", headers=admin).json()}
    assert rows[cameras[4][1]]["dismiss_rate"] == 1.0 and rows[cameras[3][1]]["dismiss_rate"] == 0.0


def test_legal_review_needs_the_legal_reviewer(client, login, cameras) -> None:  # type: ignore[no-untyped-def]
    device_id, _ = cameras[0]
    r = client.put(f"/api/v1/video/cameras/{device_id}/review/technical", json={"passed": False},
                   headers=login("shinan_legal"))  # fmt: skip
    assert r.status_code == 403
