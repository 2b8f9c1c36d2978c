"""The trusted client address in the audit log: X-Forwarded-For from anyone is ignored; through a proxy named in
CHENGGUAN_TRUSTED_PROXIES the real client is recorded — on logins, tokens and refusals (whose entries outlive the
request's rollback and never turn the refusal into a 500)."""

from __future__ import annotations

import logging
import uuid

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from chengguan.app import create_app
from chengguan.audit.models import AuditEntry
from chengguan.cases.models import Case
from chengguan.core import auditnotes
from chengguan.core.security import token_digest
from chengguan.identity.models import AuthToken, User
from chengguan.org.models import OrgUnit
from support import demo_server

PASSWORD = {"bdg_leader": "Squad@2026", "auditor": "Audit@2026"}
FORGED = "6.6.6.6"


def _last(db, action: str) -> AuditEntry:
    with db.session(write=False) as session:
        return session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq.desc())
        ).first()


def _client(world, peer: str, trusted: str = "") -> TestClient:
    app = world.app if not trusted else create_app(world.settings.model_copy(update={"trusted_proxies": trusted}),
                                                    world.db)  # fmt: skip
    return TestClient(app, raise_server_exceptions=False, client=(peer, 40000))


def _login(client: TestClient, username: str, **headers: str) -> httpx.Response:
    return client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD[username]},
                       headers=headers)  # fmt: skip


def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(world, db):
    spoofing = {"X-Forwarded-For": FORGED, "X-Real-IP": FORGED}
    for trusted in ("", "10.0.0.0/8"):  # nobody trusted, or only the bureau's proxies: the caller is neither
        client = _client(world, "203.0.113.5", trusted)
        refused = client.post("/api/v1/auth/login", json={"username": "bdg_leader", "password": "wrong-Pass1"},
                              headers=spoofing)  # fmt: skip
        assert refused.status_code == 401
        assert _last(db, "auth.login_failed").ip == "203.0.113.5"
        assert _login(client, "bdg_leader", **spoofing).status_code == 200
        assert _last(db, "auth.login").ip == "203.0.113.5"


def test_through_a_trusted_proxy_the_real_client_is_recorded(world, db):
    client = _client(world, "10.1.2.3", "10.0.0.0/8")
    # The client wrote 6.6.6.6 itself; the proxy appended the address it saw (198.51.100.7), then a second proxy.
    chain = {"X-Forwarded-For": f"{FORGED}, 198.51.100.7, 10.9.9.9"}
    response = _login(client, "bdg_leader", **chain)
    assert response.status_code == 200
    assert _last(db, "auth.login").ip == "198.51.100.7"
    with db.session(write=False) as session:
        digest = token_digest(response.json()["access_token"])
        assert session.scalars(select(AuthToken).where(AuthToken.token_hash == digest)).one().ip == "198.51.100.7"


def _licun_case(db) -> Case:
    with db.session(write=False) as session:
        licun = session.scalar(select(OrgUnit.id).where(OrgUnit.division_code == "370213002"))
        return session.scalars(select(Case).where(Case.unit_id == licun).order_by(Case.id)).first()


def test_a_refused_cross_unit_read_names_caller_target_and_trusted_address(world, db):
    client = _client(world, "10.1.2.3", "10.0.0.0/8")
    via_proxy = {"X-Forwarded-For": f"{FORGED}, 198.51.100.8"}
    token = _login(client, "bdg_leader", **via_proxy).json()["access_token"]
    case = _licun_case(db)
    refused = client.get(f"/api/v1/cases/{case.id}", headers={"Authorization": f"Bearer {token}", **via_proxy})
    assert refused.status_code == 404 and refused.json()["code"] == "case.not_found"
    entry = _last(db, "access.refused")
    with db.session(write=False) as session:
        leader = session.scalar(select(User).where(User.username == "bdg_leader"))
    assert (entry.actor_id, entry.actor_name, entry.actor_unit_id) == (leader.id, leader.display_name, leader.unit_id)
    assert (entry.target_type, entry.target_id, entry.target_label) == ("case", str(case.id), case.code)
    assert entry.summary == {"reason": "out_of_scope", "status": 404} and entry.ip == "198.51.100.8"
    # An id that exists nowhere is a plain 404: no refusal of another unit's object to record.
    before = entry.seq
    missing = client.get(f"/api/v1/cases/{uuid.uuid4()}", headers={"Authorization": f"Bearer {token}"})
    assert missing.status_code == 404 and _last(db, "access.refused").seq == before


def test_a_refusal_in_a_write_request_outlives_its_rollback(client, login, db):
    """An action on another unit's case is refused after the request began writing; the refusal stays recorded."""
    case = _licun_case(db)
    refused = client.post(f"/api/v1/cases/{case.id}/actions/start_check", headers=login("bdg_leader"),
                          json={"version": case.version})  # fmt: skip
    assert refused.status_code == 404
    entry = _last(db, "access.refused")
    assert entry.target_id == str(case.id) and entry.summary["status"] == 404


def test_a_refusal_whose_entry_cannot_be_written_is_still_a_404_and_is_logged(client, login, db, monkeypatch, caplog):
    def broken(_db, _note):
        raise RuntimeError("database gone")

    headers = login("bdg_leader")
    monkeypatch.setattr(auditnotes._Wiring, "writer", broken)
    case = _licun_case(db)
    with caplog.at_level(logging.ERROR, logger="chengguan.audit"):
        refused = client.get(f"/api/v1/cases/{case.id}", headers=headers)
    assert refused.status_code == 404 and refused.json()["code"] == "case.not_found"
    assert str(case.id) in caplog.text and "access.refused" in caplog.text  # kept in the process log instead


@pytest.mark.commits
def test_the_served_app_ignores_a_forged_header_from_its_own_machine(tmp_path):
    """`chengguan serve` leaves proxy headers to the app: uvicorn's own handling trusted 127.0.0.1 by default, so a
    forged X-Forwarded-For from any local process (or through a proxy that passes it on) named the client."""
    with demo_server(tmp_path) as base, httpx.Client(base_url=base, trust_env=False, timeout=30) as http:
        refused = http.post("/api/v1/auth/login", json={"username": "bdg_leader", "password": "wrong-Pass1"},
                            headers={"X-Forwarded-For": FORGED, "X-Real-IP": FORGED})  # fmt: skip
        assert refused.status_code == 401
        token = http.post("/api/v1/auth/login", json={"username": "auditor", "password": PASSWORD["auditor"]}).json()
        entries = http.get("/api/v1/audit", params={"action": "auth.login_failed"},
                           headers={"Authorization": f"Bearer {token['access_token']}"}).json()["items"]  # fmt: skip
    assert entries and entries[0]["ip"] == "127.0.0.1"
