"""Notices with legal effect over HTTP: the numbered, sealed 责令（限期）整改通知书 and the 温馨提醒 that warning first
allows; the SMS; the shop's photos fixed in the evidence ledger (origin party, time and place kept); the officer's
confirmation, rejection and re-inspection; the lists of what awaits the officer and what is overdue; and the job
that turns an overdue or twice-rejected rectification into a case source (channel rectification_overdue)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from chengguan.core import clock
from chengguan.core.db import Database
from chengguan.evidence.models import EvidenceItem, LedgerEntryRow
from chengguan.intake.models import CaseSource, Signal
from chengguan.rectification.tasks import escalate_due
from rectification.helpers import STREET_ORDER, Login, act, claim, jpeg, new_shop, outbox, send, today

STALLS = "09002-QD-01"  # 便民摊点群: no warning-first rule in the demo


def _submit(client: TestClient, shop: dict, notice: dict, portal: dict[str, str], **form) -> dict:
    files = [("files", ("after.jpg", jpeg(), "image/jpeg"))]
    response = client.post(f"/api/v1/portal/shops/{shop['code']}/notices/{notice['id']}/rectification",
                           files=files, data=form, headers=portal)  # fmt: skip
    assert response.status_code == 200, response.text
    return response.json()["notice"]


def test_an_order_is_numbered_sealed_cites_the_matter_and_is_sent_by_sms(client: TestClient, login: Login, place):
    shop = new_shop(client, login, place)
    notice = send(client, login, shop)
    assert notice["document_no"].startswith("市南区综执责改字〔") and notice["document_no"].endswith("号")
    assert notice["status"] == "pending" and notice["sms_status"] == "sent" and notice["has_pdf"]
    assert "《青岛市市容和环境卫生管理条例》第二十四条第一款" in notice["basis"]
    assert "《中华人民共和国行政处罚法》第二十八条第一款" in notice["basis"]
    [sms] = [m for m in outbox(client, login, shop["number"]) if m["purpose"] == "shop_notice"]
    assert notice["document_no"] in sms["body"] and f"/portal/shop/{shop['code']}" in sms["body"]
    pdf = client.get(f"/api/v1/notices/{notice['id']}/pdf", headers=login("bdg_officer"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and b"/ByteRange" in pdf.content  # PAdES: the bureau's seal
    assert [e["action"] for e in notice["events"]] == ["issue"]


def test_a_warning_needs_warning_first_and_a_repeat_is_refused(client: TestClient, login: Login, place):
    shop = new_shop(client, login, place)
    matter = STALLS  # a matter without a rule in the demo
    refused = send(client, login, shop, kind="warning", matter_code=matter, expect=409)
    assert refused["code"] == "notice.warning_not_allowed" and refused["rule"] == "no_rule"
    rule = client.put(f"/api/v1/warning-first/rules/{matter}", json={"enabled": True, "window_days": 180},
                      headers=login("bdg_leader"))  # fmt: skip
    assert rule.status_code == 200 and rule.json()["window_days"] == 180
    decision = client.post("/api/v1/warning-first/decisions", headers=login("bdg_officer"),
                           json={"matter_code": matter, "merchant_id": shop["id"], "harm": "minor"})  # fmt: skip
    assert decision.status_code == 201 and decision.json()["outcome"] == "warning"
    assert decision.json()["rule"] == "first_minor" and "第三十三条" in decision.json()["basis"]
    warned = send(client, login, shop, kind="warning", matter_code=matter, decision_id=decision.json()["id"])
    assert warned["code"].startswith("TX") and warned["document_no"] is None and not warned["has_pdf"]
    assert warned["decision"]["rule"] == "first_minor"
    again = client.post("/api/v1/warning-first/decisions", headers=login("bdg_officer"),
                        json={"matter_code": matter, "merchant_id": shop["id"], "harm": "minor"})  # fmt: skip
    assert (again.json()["outcome"], again.json()["rule"]) == ("case", "repeat_notice")
    repeat = send(client, login, shop, kind="warning", matter_code=matter, expect=409)
    assert repeat["code"] == "notice.warning_not_allowed" and repeat["rule"] == "repeat_notice"
    serious = client.post("/api/v1/warning-first/decisions", headers=login("bdg_officer"),
                          json={"matter_code": matter, "merchant_id": new_shop(client, login, place)["id"],
                                "harm": "serious"})  # fmt: skip
    assert serious.json()["rule"] == "harm"


def test_the_shop_uploads_photos_the_officer_confirms(client: TestClient, login: Login, place, db: Database):
    shop = new_shop(client, login, place)
    notice = send(client, login, shop)
    portal = claim(client, login, shop)
    taken = clock.local_now() - timedelta(minutes=5)
    after = _submit(client, shop, notice, portal, note="货架已移回店内", captured_at=taken.isoformat(),
                    lng="120.3712", lat="36.0561")  # fmt: skip
    assert after["status"] == "submitted"
    [submission] = after["submissions"]
    [photo] = submission["photos"]
    assert (photo["lng"], photo["lat"]) == (120.3712, 36.0561)
    assert datetime.fromisoformat(photo["captured_at"]) == taken.replace(microsecond=taken.microsecond)
    with db.session(write=False) as s:
        item = s.get(EvidenceItem, uuid.UUID(photo["id"]))
        assert item.origin == "party" and item.case_id is None and item.uploaded_by_id is None
        entry = s.get(LedgerEntryRow, item.ledger_seq)
        assert entry.sha256 == item.sha256 == photo["sha256"]
    image = client.get(photo["url"], headers=portal)
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    officer = client.get(f"/api/v1/notices/{notice['id']}", headers=login("bdg_officer")).json()
    assert officer["actions"] == ["confirm", "reject", "schedule_reinspection", "withdraw"]
    assert client.get(officer["submissions"][0]["photos"][0]["url"], headers=login("bdg_officer")).status_code == 200
    awaiting = client.get("/api/v1/notices", params={"awaiting": True, "merchant_id": shop["id"]},
                          headers=login("bdg_leader")).json()  # fmt: skip
    assert [n["id"] for n in awaiting["items"]] == [notice["id"]]
    done = act(client, login, officer, "confirm")
    assert done["status"] == "confirmed" and done["closed_at"]
    mine = client.get(f"/api/v1/portal/shops/{shop['code']}/notices/{notice['id']}", headers=portal).json()
    assert mine["notice"]["status_label"] == "已整改" and not mine["can_submit"]


def test_exif_time_and_place_are_kept_when_the_h5_sends_none(client: TestClient, login: Login, place):
    shop = new_shop(client, login, place)
    notice = send(client, login, shop)
    portal = claim(client, login, shop)
    taken = (clock.local_now() - timedelta(hours=1)).replace(microsecond=0, tzinfo=None)
    photo = jpeg(taken=taken, gps=(120.38, 36.06))
    response = client.post(f"/api/v1/portal/shops/{shop['code']}/notices/{notice['id']}/rectification",
                           files=[("files", ("p.jpg", photo, "image/jpeg"))], headers=portal)  # fmt: skip
    assert response.status_code == 200, response.text
    [kept] = response.json()["notice"]["submissions"][0]["photos"]
    assert abs(kept["lng"] - 120.38) < 1e-3 and abs(kept["lat"] - 36.06) < 1e-3 and kept["device"] == "TestPhone 1"
    assert datetime.fromisoformat(kept["captured_at"]).astimezone(clock.SHANGHAI).replace(tzinfo=None) == taken


def test_a_photo_that_is_not_one_is_refused_from_its_bytes(client: TestClient, login: Login, place):
    shop = new_shop(client, login, place)
    notice = send(client, login, shop)
    portal = claim(client, login, shop)
    fake = client.post(f"/api/v1/portal/shops/{shop['code']}/notices/{notice['id']}/rectification",
                       files=[("files", ("p.jpg", b"%PDF-1.7 not a photo", "image/jpeg"))], headers=portal)  # fmt: skip
    assert fake.status_code == 415 and fake.json()["code"] == "media.type_mismatch"
    pdf = client.post(f"/api/v1/portal/shops/{shop['code']}/notices/{notice['id']}/rectification",
                      files=[("files", ("p.pdf", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n", "application/pdf"))],
                      headers=portal)  # fmt: skip
    assert pdf.status_code == 415
    none = client.post(f"/api/v1/portal/shops/{shop['code']}/notices/{notice['id']}/rectification",
                       data={"note": "x"}, headers=portal)  # fmt: skip
    assert none.status_code == 422


def test_rejected_twice_becomes_a_case_source(client: TestClient, login: Login, place, db: Database, settings):
    shop = new_shop(client, login, place)
    notice = send(client, login, shop)
    portal = claim(client, login, shop)
    for n in (1, 2):
        submitted = _submit(client, shop, notice, portal)
        refused = act(client, login, submitted, "reject", expect=422)
        assert refused["code"] == "rectification.reason_required"
        notice = act(client, login, submitted, "reject", reason=f"第{n}次：门前仍有货架")
        assert notice["status"] == "rejected" and notice["rejections"] == n
    with db.session() as s:
        assert escalate_due(s, settings) >= 1
        s.flush()
        source = s.scalar(select(CaseSource).join(Signal, Signal.case_source_id == CaseSource.id)
                          .where(Signal.idempotency_key == f"rectification:{notice['id']}"))  # fmt: skip
        assert source is not None and source.channel == "rectification_overdue" and source.category_code == "09005"
        assert escalate_due(s, settings) == 0  # escalated once
        s.commit()
    after = client.get(f"/api/v1/notices/{notice['id']}", headers=login("bdg_officer")).json()
    assert after["status"] == "escalated" and after["escalated_source_id"] == str(source.id)
    assert after["events"][-1]["action"] == "escalate" and after["events"][-1]["reason"] == "整改2次不合格"
    assert [m for m in outbox(client, login, shop["number"]) if m["purpose"] == "shop_notice_escalated"]
    overdue = client.get("/api/v1/notices", params={"overdue": True, "merchant_id": shop["id"]},
                         headers=login("bdg_officer")).json()  # fmt: skip
    assert overdue["total"] == 1


def test_overdue_becomes_a_case_source_and_a_late_upload_is_refused(client: TestClient, login: Login, place,
                                                                     db: Database, settings):  # fmt: skip
    shop = new_shop(client, login, place)
    notice = send(client, login, shop, due_date=str(today() + timedelta(days=1)))
    clock.set_now(clock.now() + timedelta(days=3))
    portal = claim(client, login, shop)
    late = client.post(f"/api/v1/portal/shops/{shop['code']}/notices/{notice['id']}/rectification",
                       files=[("files", ("p.jpg", jpeg(), "image/jpeg"))], headers=portal)  # fmt: skip
    assert late.status_code == 409 and late.json()["code"] == "rectification.overdue"
    assert late.json()["expired_on"] == notice["due_date"]
    listed = client.get("/api/v1/notices", params={"overdue": True, "merchant_id": shop["id"]},
                        headers=login("bdg_officer")).json()  # fmt: skip
    assert listed["items"][0]["overdue"] and listed["items"][0]["days_left"] == -2
    with db.session() as s:
        assert escalate_due(s, settings) >= 1
        s.commit()
    assert client.get(f"/api/v1/notices/{notice['id']}", headers=login("bdg_officer")).json()["status"] == "escalated"


def test_reinspection_withdrawal_and_stale_versions(client: TestClient, login: Login, place):
    shop = new_shop(client, login, place)
    notice = send(client, login, shop)
    past = act(client, login, notice, "schedule_reinspection", expect=422,
               reinspection_on=str(today() - timedelta(days=1)))  # fmt: skip
    assert past["code"] == "rectification.reinspection_date"
    planned = act(client, login, notice, "schedule_reinspection", reinspection_on=str(today() + timedelta(days=1)))
    assert planned["status"] == "reinspection" and planned["reinspection_on"]
    stale = act(client, login, notice, "confirm", expect=409)
    assert stale["code"] == "notice.version_conflict"
    assert act(client, login, planned, "confirm")["status"] == "confirmed"
    again = act(client, login, send(client, login, shop), "withdraw", reason="发错商户")
    assert again["status"] == "withdrawn"
    invalid = act(client, login, again, "confirm", expect=409)
    assert invalid["code"] == "rectification.invalid_transition"


def test_scope_and_input(client: TestClient, login: Login, place):
    shop = new_shop(client, login, place)
    other = client.get("/api/v1/notices", headers=login("licun_officer")).json()
    notice = send(client, login, shop)
    assert notice["id"] not in [n["id"] for n in other["items"]]
    assert client.get(f"/api/v1/notices/{notice['id']}", headers=login("licun_officer")).status_code == 404
    unknown = send(client, login, shop, matter_code="00000-XX-99", expect=422)
    assert unknown["code"] == "notice.matter_unknown"
    past = send(client, login, shop, due_date=str(today() - timedelta(days=1)), expect=422)
    assert past["code"] == "notice.due_date"
    assert send(client, login, shop, kind="reprimand", expect=422)["code"] == "request.validation"
    assert STREET_ORDER in client.get("/api/v1/notices", params={"q": shop["code"]},
                                      headers=login("bdg_officer")).json()["items"][0]["matter_code"]  # fmt: skip
