"""The registry contract: devices, the simple rule form, readings over HTTP into the engine, alarms → signal (channel
iot) with the readings as machine evidence and a text to the shop."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from chengguan.core import clock
from chengguan.evidence.models import EvidenceItem
from chengguan.intake.models import Signal
from chengguan.merchants.models import Merchant
from chengguan.notify.models import SmsMessage

T0 = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)  # 12:00 in Qingdao


def _shop(db):
    with db.session() as s:
        return s.scalars(select(Merchant).where(Merchant.business_type == "餐饮", Merchant.phone.is_not(None))).first()


def _device(client, headers, shop=None, **extra):
    code = f"OF-{uuid.uuid4().hex[:8]}"
    body = {"code": code, "kind": "oil_fume", "report_interval_s": 60} | extra
    if shop is not None:
        body["merchant_code"] = shop.code
    r = client.post("/api/v1/iot/devices", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_register_and_contract_shapes(client, admin, db):
    shop = _shop(db)
    device = _device(client, admin, shop)
    assert device["merchant_id"] == str(shop.id) and device["health"] == "unknown"
    assert device["lng"] == shop.lng  # placed at the shop
    again = client.post(
        "/api/v1/iot/devices", json={"code": device["code"], "kind": "dust", "report_interval_s": 60}, headers=admin
    )
    assert again.status_code == 409 and again.json()["code"] == "iot.code_taken"
    rules = client.get(f"/api/v1/iot/devices/{device['code']}/rules", headers=admin).json()
    assert rules["source"] == "default" and any(r["kind"] == "fan_without_purifier" for r in rules["items"])
    simple = [{"metric": "fume", "above": 2.0, "for_s": 120, "clear_below": 1.5, "clear_for_s": 60}]
    put = client.put(f"/api/v1/iot/devices/{device['code']}/rules", json=simple, headers=admin)
    assert put.status_code == 200, put.text
    assert put.json()["source"] == "device" and put.json()["items"][0]["key"] == "fume>2"
    bad = [{"metric": "fume", "above": 2.0, "clear_below": 2.5}]
    r = client.put(f"/api/v1/iot/devices/{device['code']}/rules", json=bad, headers=admin)
    assert r.status_code == 422 and r.json()["code"] == "iot.rule_invalid"
    r = client.get("/api/v1/iot/devices/NOPE-1/readings", headers=admin)
    assert r.status_code == 404 and r.json()["code"] == "iot.device_not_found"


def test_alarm_becomes_signal_with_evidence_and_sms(client, admin, db):
    shop = _shop(db)
    device = _device(client, admin, shop)
    code = device["code"]
    simple = [{"metric": "fume", "above": 2.0, "for_s": 120, "clear_below": 1.5, "clear_for_s": 60}]
    assert client.put(f"/api/v1/iot/devices/{code}/rules", json=simple, headers=admin).status_code == 200
    clock.set_now(T0 + timedelta(minutes=30))
    values = [1.0, 3.0, 3.1, 3.2, 2.4, 1.9, 1.0, 1.1, 1.2]  # above from 60 s; 120 s at 180 s; below 1.5 from 360 s
    readings = [
        {"ts": (T0 + timedelta(seconds=60 * i)).isoformat(), "values": {"fume": v}} for i, v in enumerate(values)
    ]
    r = client.post(f"/api/v1/iot/devices/{code}/readings", json=readings, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json() == {"stored": 9, "raised": 1, "cleared": 1}
    again = client.post(f"/api/v1/iot/devices/{code}/readings", json=readings, headers=admin)
    assert again.json()["raised"] == 0  # resent after an outage: nothing twice
    alarms = client.get("/api/v1/iot/alarms", params={"device_code": code}, headers=admin).json()
    assert alarms["total"] == 1
    alarm = alarms["items"][0]
    assert alarm["rule"] == "fume>2" and alarm["state"] == "cleared"
    assert alarm["raised_at"].startswith("2026-12-07T04:03:00")  # the reading's own time
    assert alarm["signal_id"] and alarm["case_source_code"]
    with db.session() as s:
        signal = s.get(Signal, uuid.UUID(alarm["signal_id"]))
        assert signal.channel == "iot" and signal.category_code == "06027" and signal.device_id == code
        evidence = s.get(EvidenceItem, uuid.UUID(alarm["evidence_id"]))
        assert evidence.origin == "machine" and evidence.device == code and evidence.mime == "text/csv"
        assert evidence.source_id == signal.case_source_id and evidence.review_status == "pending"
        sms = s.scalars(select(SmsMessage).where(SmsMessage.ref_id == uuid.UUID(alarm["id"]))).all()
        assert ([m.phone for m in sms] == [shop.phone] and "油烟" in sms[0].body) or "fume" in sms[0].body
    page = client.get(f"/api/v1/iot/devices/{code}/readings", params={"limit": 3}, headers=admin).json()
    assert [i["values"]["fume"] for i in page["items"]] == [1.2, 1.1, 1.0]  # newest first
    series = client.get(
        f"/api/v1/iot/devices/{code}/series", params={"metric": "fume", "hours": 1}, headers=admin
    ).json()
    assert series["points"] and max(p["value"] for p in series["points"]) > 2


def test_scope_and_permissions(client, login, admin):
    device = _device(client, admin, None, lng=120.35, lat=36.06)
    officer = login("bdg_officer")
    r = client.post(
        "/api/v1/iot/devices", json={"code": "X-1", "kind": "dust", "report_interval_s": 60}, headers=officer
    )
    assert r.status_code == 403
    assert client.get("/api/v1/iot/alarms", headers=login("command")).status_code == 200
    assert client.get("/api/v1/iot/health", headers=admin).json()["unknown"] >= 1
    assert device["unit_id"]
