"""Drones, relay vehicles and body cameras as evidence sources; alarm clips; the per-camera throttle; the audit
entries of reviews, zones and alarm handling."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta

import cv2
import numpy as np
import pytest
from sqlalchemy import select

from cases.helpers import case_body
from chengguan.audit.models import AuditEntry
from chengguan.core import clock
from chengguan.evidence.enums import EvidenceKind, EvidenceOrigin, ReviewStatus
from chengguan.evidence.models import EvidenceItem
from chengguan.evidence.service import verify_all
from chengguan.law.models import EnforcementMatter
from chengguan.org.enums import DeviceKind, OfficerKind
from chengguan.org.models import Device, Officer
from chengguan.video.clips import encode
from video.helpers import ZONE, jpeg, stall_frames

PROBLEM = "application/problem+json"


def clip_bytes(n: int = 4) -> bytes:
    frames = [cv2.imencode(".jpg", np.full((48, 64, 3), 40 * i, np.uint8))[1].tobytes() for i in range(n)]
    data = encode(frames)
    assert data is not None
    return data


@pytest.fixture(scope="session")
def mobile(shared_db) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(id, code) of the demo's first drone, relay vehicle and body camera."""
    with shared_db.session(write=False) as session:
        out = {}
        for kind in (DeviceKind.drone, DeviceKind.relay_vehicle, DeviceKind.body_camera):
            d = session.scalars(select(Device).where(Device.kind == kind).order_by(Device.code)).first()
            out[kind.value] = (str(d.id), d.code)
        return out


def actions(db, action: str, target_id: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with db.session(write=False) as session:
        rows = select(AuditEntry).where(AuditEntry.action == action, AuditEntry.target_id == target_id)
        return list(session.scalars(rows))


def alarm_source(client, admin, camera: tuple[str, str], review_camera) -> dict:  # type: ignore[no-untyped-def]
    device_id, code = camera
    review_camera(device_id)
    assert client.put(f"/api/v1/video/cameras/{device_id}/zones", json=[ZONE], headers=admin).status_code == 200
    body = {"camera_code": code, "frames": stall_frames(8), "clip": base64.b64encode(clip_bytes()).decode()}
    r = client.post("/api/v1/video/detections", json=body, headers=admin)
    assert r.status_code == 200, r.text
    [alarm] = r.json()["alarms"]
    return client.get(f"/api/v1/video/alarms/{alarm['alarm_id']}", headers=admin).json()


def test_mobile_kinds_are_video_devices_with_labels(client, admin, mobile) -> None:  # type: ignore[no-untyped-def]
    labels = client.get("/api/v1/meta/labels", headers=admin).json()
    kinds = {i["value"]: i["label"] for i in labels["device_kind"]} if isinstance(labels["device_kind"], list) else (
        labels["device_kind"]
    )
    assert kinds["drone"] == "无人机" and kinds["relay_vehicle"] == "中继车"
    listed = {c["code"]: c for c in client.get("/api/v1/video/cameras", params={"kind": "drone"}, headers=admin).json()}
    assert mobile["drone"][1] in listed and listed[mobile["drone"][1]]["review_label"] == "未审核"


def test_an_alarm_clip_is_evidence_beside_its_snapshots(client, admin, cameras, review_camera, db, settings) -> None:  # type: ignore[no-untyped-def]
    alarm = alarm_source(client, admin, cameras[7], review_camera)
    assert len(alarm["evidence_ids"]) == 4 and alarm["clip_url"].startswith("/api/v1/evidence/")
    listed = client.get(f"/api/v1/sources/{alarm['case_source_id']}/evidence", headers=admin).json()["items"]
    assert {i["kind"] for i in listed} == {"photo", "video"} and len(listed) == 4
    clip = next(i for i in listed if i["kind"] == "video")
    assert clip["mime"] == "video/mp4" and clip["review_status"] == "pending" and clip["may_review"] is False
    got = client.get(clip["file_url"], headers=admin)
    assert got.status_code == 200 and got.content == clip_bytes()
    with db.session() as session:
        assert verify_all(session, settings).report.ok


def test_drone_footage_attaches_to_a_source_and_the_case_opened_from_it_takes_it(  # type: ignore[no-untyped-def]
    client, admin, login, cameras, mobile, review_camera, db
) -> None:
    source_id = alarm_source(client, admin, cameras[8], review_camera)["case_source_id"]
    drone_id, drone = mobile["drone"]
    files = {"file": ("uav.jpg", jpeg(3), "image/jpeg")}
    form = {"device_code": drone, "source_id": source_id, "lng": "120.38", "lat": "36.06"}
    refused = client.post("/api/v1/video/footage", data=form, files=files, headers=admin)
    assert refused.status_code == 409 and refused.json()["code"] == "video.device_not_reviewed"
    assert refused.headers["content-type"].startswith(PROBLEM) and "第四十一条" in refused.json()["detail"]
    review_camera(drone_id)
    r = client.post("/api/v1/video/footage", data=form, files=files, headers=admin)
    assert r.status_code == 201, r.text
    item = r.json()
    assert item["origin"] == "machine" and item["device"] == drone and item["review_status"] == "pending"
    assert item["case_id"] is None and item["kind"] == "photo"
    both = client.post("/api/v1/video/footage", data=form | {"case_id": str(uuid.uuid4())}, files=files, headers=admin)
    assert both.status_code == 422 and both.json()["code"] == "video.target_required"
    listed = client.get(f"/api/v1/sources/{source_id}/evidence", headers=admin).json()["items"]
    assert item["id"] in {i["id"] for i in listed}
    # A case opened from the source takes the evidence fixed on it: snapshots, clip and the drone's picture.
    with db.session(write=False) as session:
        me = session.scalar(select(Officer).where(Officer.kind == OfficerKind.certified).order_by(Officer.id))
        partner = session.scalars(
            select(Officer.id).where(Officer.unit_id == me.unit_id, Officer.kind == OfficerKind.certified,
                                     Officer.id != me.id)
        ).first()  # fmt: skip
        matter = session.scalars(
            select(EnforcementMatter.code).where(EnforcementMatter.region_code.is_(None)).order_by(EnforcementMatter.code)
        ).first()
    body = case_body({"matter": matter, "officers": [str(me.id), str(partner)]}, source_id=source_id,
                     unit_id=str(me.unit_id))  # fmt: skip
    body.pop("penalty")
    case = client.post("/api/v1/cases", json=body, headers=admin)
    assert case.status_code == 201, case.text
    held = client.get(f"/api/v1/cases/{case.json()['id']}/evidence", headers=admin).json()["items"]
    assert {i["id"] for i in held} == {i["id"] for i in listed} and all(i["case_id"] for i in held)


def test_body_camera_video_on_a_case_and_an_unreviewed_relay_vehicle_refused(  # type: ignore[no-untyped-def]
    client, admin, mobile, review_camera, db
) -> None:
    with db.session(write=False) as session:
        from chengguan.cases.enums import TERMINAL
        from chengguan.cases.models import Case

        case = session.scalars(select(Case).where(Case.status.not_in(TERMINAL)).order_by(Case.code)).first()
    body_id, body_code = mobile["body_camera"]
    review_camera(body_id)
    files = {"file": ("bwc.mp4", clip_bytes(6), "video/mp4")}
    captured = (clock.now() - timedelta(minutes=5)).isoformat()
    r = client.post("/api/v1/video/footage", data={"device_code": body_code, "case_id": str(case.id),
                    "captured_at": captured}, files=files, headers=admin)  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "video" and r.json()["case_id"] == str(case.id) and r.json()["origin"] == "machine"
    with db.session(write=False) as session:
        item = session.get(EvidenceItem, uuid.UUID(r.json()["id"]))
        assert item.kind is EvidenceKind.video and item.origin is EvidenceOrigin.machine
        assert item.review_status is ReviewStatus.pending and item.ledger_seq
    relay = client.post("/api/v1/video/footage", data={"device_code": mobile["relay_vehicle"][1],
                        "case_id": str(case.id)}, files=files, headers=admin)  # fmt: skip
    assert relay.status_code == 409 and relay.json()["code"] == "video.device_not_reviewed"
    unknown = client.post("/api/v1/video/footage", data={"device_code": "UAV-NOPE", "case_id": str(case.id)},
                          files=files, headers=admin)  # fmt: skip
    assert unknown.status_code == 404 and unknown.json()["code"] == "video.camera_not_found"


def test_a_storming_camera_is_throttled_and_shows_it(client, admin, cameras, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    device_id, code = cameras[9]
    monkeypatch.setattr(settings, "video_alarms_per_hour", 2)
    zones = [ZONE | {"name": f"区域{i}", "polygon": [[0.2, 0.5], [0.8, 0.5], [0.8, 0.95], [0.2, 0.95]]}
             for i in range(4)]  # fmt: skip
    assert client.put(f"/api/v1/video/cameras/{device_id}/zones", json=zones, headers=admin).status_code == 200
    r = client.post("/api/v1/video/detections", json={"camera_code": code, "frames": stall_frames(8)}, headers=admin)
    assert len(r.json()["alarms"]) == 2  # four zones alarm at once: two raised, two held back
    camera = client.get(f"/api/v1/video/cameras/{device_id}", headers=admin).json()
    assert camera["throttled"] is True and camera["suppressed_alarms"] == 2 and camera["suppressed_total"] == 2
    assert camera["throttled_until"]


def test_reviews_zones_and_alarm_handling_are_audited(client, admin, cameras, review_camera, db) -> None:  # type: ignore[no-untyped-def]
    device_id, code = cameras[10]
    review_camera(device_id)
    assert {e.summary["which"] for e in actions(db, "camera.review", device_id)} == {"legal", "technical"}
    assert actions(db, "camera.site", device_id)
    client.put(f"/api/v1/video/cameras/{device_id}/zones", json=[ZONE], headers=admin)
    [zoned] = actions(db, "video_zone.put", device_id)
    assert ZONE["name"] in zoned.summary["zones"][0] and zoned.target_label.startswith(code)
    r = client.post("/api/v1/video/detections", json={"camera_code": code, "frames": stall_frames(8)}, headers=admin)
    alarm_id = r.json()["alarms"][0]["alarm_id"]
    client.post(f"/api/v1/video/alarms/{alarm_id}/dismiss", json={"reason": "树影误识别"}, headers=admin)
    [dismissed] = actions(db, "video_alarm.dismiss", alarm_id)
    assert dismissed.summary["reason"] == "树影误识别" and dismissed.summary["case_source_code"]
    labels = client.get("/api/v1/meta/labels", headers=admin).json()
    assert "video_alarm.dismiss" in str(labels["audit_action"])
