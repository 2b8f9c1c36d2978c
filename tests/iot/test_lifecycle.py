"""An offline alarm is a signal (channel iot) with the last readings as evidence and a text to the shop; the shop's
portal lists its alarms; device registration, edits, deletion and rule edits are audited."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from chengguan.audit.models import AuditEntry
from chengguan.core import clock
from chengguan.evidence.models import EvidenceItem
from chengguan.intake.models import Signal
from chengguan.iot import health
from chengguan.iot.models import IotDevice
from chengguan.merchants.models import Merchant
from chengguan.notify.models import SmsMessage

T0 = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
SIMPLE = [{"metric": "fume", "above": 2.0, "for_s": 120, "clear_below": 1.5, "clear_for_s": 60}]


def _claimed_shop(db):  # type: ignore[no-untyped-def]
    with db.session() as s:
        claimed = select(Merchant).where(Merchant.account_id.is_not(None), Merchant.phone.is_not(None))
        return s.scalars(claimed.order_by(Merchant.code)).first()


def _register(client, admin, shop, **extra):  # type: ignore[no-untyped-def]
    body = {"code": f"OF-{uuid.uuid4().hex[:8]}", "kind": "oil_fume", "report_interval_s": 60} | extra
    if shop is not None:
        body["merchant_code"] = shop.code
    r = client.post("/api/v1/iot/devices", json=body, headers=admin)
    assert r.status_code == 201, r.text
    return r.json()


def _audited(db, action: str, target_id: str | None = None) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with db.session(write=False) as s:
        statement = select(AuditEntry).where(AuditEntry.action == action)
        if target_id is not None:
            statement = statement.where(AuditEntry.target_id == target_id)
        return list(s.scalars(statement.order_by(AuditEntry.seq)))


def test_an_offline_alarm_is_a_signal_with_the_last_readings_and_the_shop_is_told(client, admin, db, settings):  # type: ignore[no-untyped-def]
    shop = _claimed_shop(db)
    device = _register(client, admin, shop)
    code = device["code"]
    clock.set_now(T0 + timedelta(minutes=10))
    readings = [{"ts": (T0 + timedelta(minutes=i)).isoformat(), "values": {"fume": 0.8}} for i in range(5)]
    assert client.post(f"/api/v1/iot/devices/{code}/readings", json=readings, headers=admin).status_code == 200
    with db.session() as s:
        s.execute(update(IotDevice).where(IotDevice.code == code).values(last_seen_at=T0 + timedelta(minutes=4)))
        marked = health.sweep(s, settings, T0 + timedelta(minutes=10))
        s.commit()
    assert uuid.UUID(device["id"]) in marked
    [alarm] = client.get("/api/v1/iot/alarms", params={"device_code": code}, headers=admin).json()["items"]
    assert alarm["rule"] == "offline" and alarm["state"] == "active" and alarm["signal_id"]
    assert alarm["raised_at"].startswith("2026-12-07T04:06:00")  # last heard 04:04 + 2 × 60 s
    assert alarm["case_source_code"] and alarm["evidence_id"] and "短信" in alarm["notified"]
    with db.session() as s:
        signal = s.get(Signal, uuid.UUID(alarm["signal_id"]))
        assert signal.channel == "iot" and "离线" in signal.description and signal.device_id == code
        evidence = s.get(EvidenceItem, uuid.UUID(alarm["evidence_id"]))
        assert evidence.origin == "machine" and evidence.mime == "text/csv"
        assert evidence.source_id == signal.case_source_id
        sms = s.scalars(select(SmsMessage).where(SmsMessage.ref_id == uuid.UUID(alarm["id"]))).all()
        assert len(sms) == 1 and "离线" in sms[0].body and sms[0].phone == shop.phone
    csv = client.get(f"/api/v1/evidence/{alarm['evidence_id']}/file", headers=admin)
    assert csv.status_code == 200 and csv.text.count(code) == 5  # the five readings before the silence
    # Heard from again: cleared.
    back = [{"ts": (T0 + timedelta(minutes=9)).isoformat(), "values": {"fume": 0.7}}]
    assert client.post(f"/api/v1/iot/devices/{code}/readings", json=back, headers=admin).json()["cleared"] == 1
    # The shop sees its alarm in the merchant portal.
    sent = client.post("/api/v1/portal/login-code", json={"phone": shop.phone})
    assert sent.status_code == 202, sent.text
    outbox = client.get("/api/v1/sms-messages", params={"phone": shop.phone}, headers=admin).json()["items"]
    number = next(re.search(r"验证码为 (\d{6})", m["body"]).group(1) for m in outbox if "验证码" in m["body"])
    token = client.post("/api/v1/portal/login", json={"phone": shop.phone, "code": number}).json()["access_token"]
    mine = client.get("/api/v1/portal/iot-alarms", headers={"Authorization": f"Bearer {token}"})
    assert mine.status_code == 200, mine.text
    assert any(a["rule_label"] == "设备离线" and a["device_name"] == device["name"] for a in mine.json())


def test_device_edit_delete_and_rules_are_audited(client, admin, db):  # type: ignore[no-untyped-def]
    device = _register(client, admin, None, lng=120.38, lat=36.06, site="某工地")
    code, device_id = device["code"], device["id"]
    [created] = _audited(db, "iot_device.create", device_id)
    assert created.target_label.startswith(code) and created.summary["kind"] == "oil_fume"
    r = client.patch(f"/api/v1/iot/devices/{code}", json={"report_interval_s": 120, "site": "另一工地"}, headers=admin)
    assert r.status_code == 200, r.text and r.json()["report_interval_s"] == 120
    [edited] = _audited(db, "iot_device.update", device_id)
    assert edited.summary["before"] == {"report_interval_s": 60, "site": "某工地"}
    assert edited.summary["after"] == {"report_interval_s": 120, "site": "另一工地"}
    half = client.patch(f"/api/v1/iot/devices/{code}", json={"lng": 120.1}, headers=admin)
    assert half.status_code == 422
    assert client.put(f"/api/v1/iot/devices/{code}/rules", json=SIMPLE, headers=admin).status_code == 200
    [ruled] = _audited(db, "iot_rule.put", device_id)
    assert ruled.summary["rules"][0].startswith("fume>2")
    # No reading, no alarm: deleted outright.
    gone = client.delete(f"/api/v1/iot/devices/{code}", headers=admin)
    assert gone.json() == {"code": code, "deleted": True, "deactivated": False}
    assert _audited(db, "iot_device.delete", device_id)
    assert client.get(f"/api/v1/iot/devices/{code}", headers=admin).status_code == 404
    # With readings: deactivated, its records kept.
    kept = _register(client, admin, None, lng=120.38, lat=36.06)
    clock.set_now(T0 + timedelta(minutes=5))
    one = [{"ts": T0.isoformat(), "values": {"fume": 0.5}}]
    client.post(f"/api/v1/iot/devices/{kept['code']}/readings", json=one, headers=admin)
    r = client.delete(f"/api/v1/iot/devices/{kept['code']}", headers=admin)
    assert r.json()["deactivated"] is True and r.json()["deleted"] is False
    assert client.get(f"/api/v1/iot/devices/{kept['code']}", headers=admin).json()["active"] is False
    assert _audited(db, "iot_device.deactivate", kept["id"])


def test_the_directory_reloads_what_changed_only(client, admin, db):  # type: ignore[no-untyped-def]
    from chengguan.iot.directory import Directory

    device = _register(client, admin, None, lng=120.38, lat=36.06)
    key = f"code:{device['code']}"
    directory = Directory(ttl=0)  # check the registry's mark on every lookup
    with db.session() as s:
        before = directory.resolve(s, {key, "code:NOBODY-1"})
    assert before["code:NOBODY-1"] is None and {c.rule.key for c in before[key].rules} != {"fume>2"}
    with db.session() as s:
        assert directory.resolve(s, {key})[key] is before[key]  # nothing changed: the same entry
    assert client.put(f"/api/v1/iot/devices/{device['code']}/rules", json=SIMPLE, headers=admin).status_code == 200
    with db.session() as s:
        after = directory.resolve(s, {key})[key]
    assert [c.rule.key for c in after.rules] == ["fume>2"]  # the rule edit reached it without a restart
