"""Audit of what matters: one entry per class of act — case actions, evidence in and out, document, archive and
export downloads, configuration changes, refused accesses, failed logins — each with the actor and the trusted
client address; the hot reads write nothing; the chain still verifies after all of it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cases.helpers import act, new_case
from chengguan.audit import service as audit
from chengguan.audit.models import AuditEntry
from chengguan.cases.models import Case
from chengguan.core.db import Database
from chengguan.demo.loader import DEMO_LOGINS
from chengguan.documents.models import Document
from chengguan.identity.models import User
from chengguan.org.models import Officer, OrgUnit
from evidence.helpers import jpeg

PASSWORDS = {login.username: login.password for login in DEMO_LOGINS}
PROBE_IP = "198.51.100.23"  # every request of these tests comes from here (TestClient's peer address)


@dataclass
class Probe:
    """A client calling from PROBE_IP, its demo logins, and the audit entries written since it started."""

    client: TestClient
    db: Database
    setup: dict
    start: int

    def login(self, username: str) -> dict[str, str]:
        response = self.client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORDS[username]})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def entries(self, action: str | None = None) -> list[AuditEntry]:
        with self.db.session(write=False) as session:
            statement = select(AuditEntry).where(AuditEntry.seq > self.start).order_by(AuditEntry.seq)
            if action:
                statement = statement.where(AuditEntry.action == action)
            return list(session.scalars(statement))


def _head(db: Database) -> int:
    with db.session(write=False) as session:
        return session.scalar(select(func.max(AuditEntry.seq))) or 0


@pytest.fixture
def probe(world, setup) -> Iterator[Probe]:
    client = TestClient(world.app, client=(PROBE_IP, 50000), raise_server_exceptions=False)
    yield Probe(client, world.db, setup, _head(world.db))


def _demo(db: Database, statement):  # type: ignore[no-untyped-def]
    with db.session(write=False) as session:
        return session.scalars(statement).first()


def _unit(db: Database, code: str) -> uuid.UUID:
    return _demo(db, select(OrgUnit.id).where(OrgUnit.division_code == code))


LICUN = "370213002"  # 李村中队 (李沧区): outside every scope of 市南区's accounts


# -- each class of act: do it from PROBE_IP, return (action, target_id, actor username) -----------------------------


def _case_create(p: Probe):
    case = new_case(p.client, p.login("bdg_officer"), p.setup)
    return "case.create", case["id"], "bdg_officer"


def _case_transition(p: Probe):
    officer = p.login("bdg_officer")
    case = act(p.client, officer, new_case(p.client, officer, p.setup), "start_check")
    return "case.start_check", case["id"], "bdg_officer"


def _case_amend(p: Probe):
    officer = p.login("bdg_officer")
    case = new_case(p.client, officer, p.setup)
    done = p.client.patch(f"/api/v1/cases/{case['id']}", headers=officer,
                          json={"version": case["version"], "facts": "补正后的违法事实：占道堆放建材约8平方米",
                                "reason": "现场复核面积"})  # fmt: skip
    assert done.status_code == 200, done.text
    [entry] = [e for e in p.entries("case.amend") if e.target_id == case["id"]]
    assert entry.summary["changed"] == ["facts"]  # names, not values: no party data in the log
    return "case.amend", case["id"], "bdg_officer"


def _case_approval(p: Probe):
    officer, squad = p.login("bdg_officer"), p.login("bdg_leader")
    case = new_case(p.client, officer, p.setup)
    for action in ("start_check", "submit_filing"):
        case = act(p.client, officer, case, action)
    case = act(p.client, squad, case, "approve")
    return "case.approve", case["id"], "bdg_leader"


def _evidence_upload(p: Probe):
    officer = p.login("bdg_officer")
    case = new_case(p.client, officer, p.setup)
    sent = p.client.post(f"/api/v1/cases/{case['id']}/evidence", headers=officer,
                         files={"file": ("现场.jpg", jpeg(str(uuid.uuid4())), "image/jpeg")})  # fmt: skip
    assert sent.status_code == 201, sent.text
    return "evidence.upload", sent.json()["id"], "bdg_officer"


def _evidence_download(p: Probe):
    officer = p.login("bdg_officer")
    case = new_case(p.client, officer, p.setup)
    item = p.client.post(f"/api/v1/cases/{case['id']}/evidence", headers=officer,
                         files={"file": ("现场.jpg", jpeg(str(uuid.uuid4())), "image/jpeg")}).json()  # fmt: skip
    assert p.client.get(f"/api/v1/evidence/{item['id']}/file", headers=officer).status_code == 200
    # A player seeking in a video asks for later byte ranges: parts of the same taking, not new downloads.
    assert p.client.get(f"/api/v1/evidence/{item['id']}/file", headers=officer | {"Range": "bytes=10-"}).is_success
    assert len([e for e in p.entries("evidence.download") if e.target_id == item["id"]]) == 1
    return "evidence.download", item["id"], "bdg_officer"


def _sealed_document(p: Probe) -> Document:
    return _demo(p.db, select(Document).where(Document.status == "sealed").order_by(Document.id))


def _document_pdf(p: Probe):
    doc = _sealed_document(p)
    assert p.client.get(f"/api/v1/documents/{doc.id}.pdf", headers=p.login("admin")).status_code == 200
    return "document.download", str(doc.id), "admin"


def _document_docx(p: Probe):
    doc = _sealed_document(p)
    assert p.client.get(f"/api/v1/documents/{doc.id}.docx", headers=p.login("admin")).status_code == 200
    [entry] = [e for e in p.entries("document.download") if e.target_id == str(doc.id)]
    assert entry.summary["format"] == "docx" and len(entry.summary["sha256"]) == 64
    return "document.download", str(doc.id), "admin"


def _archive_download(p: Probe):
    case_id = _demo(p.db, select(Case.id).where(Case.status == "closed").order_by(Case.id))
    response = p.client.get(f"/api/v1/cases/{case_id}/archive.zip", headers=p.login("admin"))
    assert response.status_code == 200, response.text
    return "case_archive.download", str(case_id), "admin"


def _export_download(p: Probe):
    response = p.client.get("/api/v1/law/matters.xlsx", headers=p.login("bdg_officer"))
    assert response.status_code == 200
    return "export.download", "law_matters", "bdg_officer"


def _export_signs(p: Probe):
    leader = p.login("bdg_leader")
    squad = _demo(p.db, select(User.unit_id).where(User.username == "bdg_leader"))
    response = p.client.get("/api/v1/merchants/signs.pdf", params={"unit_id": str(squad)}, headers=leader)
    assert response.status_code == 200, response.text
    [entry] = [e for e in p.entries("export.download") if e.target_id == "merchant_signs"]
    assert entry.summary["shops"] > 0 and entry.summary["format"] == "pdf"
    return "export.download", "merchant_signs", "bdg_leader"


def _config_org_unit(p: Probe):
    unit = _unit(p.db, LICUN)
    done = p.client.patch(f"/api/v1/org-units/{unit}", headers=p.login("admin"), json={"phone": "0532-88990011"})
    assert done.status_code == 200, done.text
    return "org_unit.update", str(unit), "admin"


def _config_calendar(p: Probe):
    done = p.client.post("/api/v1/calendar/overrides", headers=p.login("admin"),
                         json={"day": "2031-05-06", "working": False, "name": "测试调休"})  # fmt: skip
    assert done.status_code == 201, done.text
    return "calendar_override.create", done.json()["id"], "admin"


def _config_approval_chain(p: Probe):
    steps = [{"role": "squad_leader", "label": "中队长审核"}]
    done = p.client.put("/api/v1/approval-chains", headers=p.login("admin"),
                        json={"unit_id": str(_unit(p.db, LICUN)), "procedure": "ordinary",
                              "stage": "closure_approval", "steps": steps})  # fmt: skip
    assert done.status_code == 200, done.text
    return "approval_chain.put", done.json()["id"], "admin"


def _refused_case(p: Probe):
    case_id = _demo(p.db, select(Case.id).where(Case.unit_id == _unit(p.db, LICUN)).order_by(Case.id))
    refused = p.client.get(f"/api/v1/cases/{case_id}", headers=p.login("bdg_leader"))
    assert refused.status_code == 404 and refused.json()["code"] == "case.not_found"
    return "access.refused", str(case_id), "bdg_leader"


def _refused_registry(p: Probe):
    officer_id = _demo(p.db, select(Officer.id).where(Officer.unit_id == _unit(p.db, LICUN)).order_by(Officer.id))
    refused = p.client.get(f"/api/v1/officers/{officer_id}", headers=p.login("bdg_leader"))
    assert refused.status_code == 404
    return "access.refused", str(officer_id), "bdg_leader"


def _refused_document(p: Probe):
    licun_case = select(Case.id).where(Case.unit_id == _unit(p.db, LICUN))
    doc_id = _demo(p.db, select(Document.id).where(Document.case_id.in_(licun_case)).order_by(Document.id))
    refused = p.client.get(f"/api/v1/documents/{doc_id}.pdf", headers=p.login("bdg_leader"))
    assert refused.status_code == 404
    [entry] = [e for e in p.entries("access.refused") if e.target_id == str(doc_id)]
    assert entry.target_type == "document" and entry.summary["case_id"]  # the case it belongs to, named too
    return "access.refused", str(doc_id), "bdg_leader"


def _refused_permission(p: Probe):
    refused = p.client.get("/api/v1/users", headers=p.login("bdg_officer"))
    assert refused.status_code == 403 and refused.json()["code"] == "auth.forbidden"
    [entry] = p.entries("access.refused")
    assert entry.summary == {"reason": "permission", "status": 403, "required": ["user:read"]}
    assert entry.target_label == "GET /api/v1/users"
    return "access.refused", None, "bdg_officer"


def _failed_login(p: Probe):
    refused = p.client.post("/api/v1/auth/login", json={"username": "bdg_officer", "password": "Wrong#Pass2026"})
    assert refused.status_code == 401
    [entry] = p.entries("auth.login_failed")
    assert entry.summary["reason"] == "wrong_password" and entry.target_label == "bdg_officer"
    return "auth.login_failed", entry.target_id, None


def _failed_login_unknown_user(p: Probe):
    refused = p.client.post("/api/v1/auth/login", json={"username": "no_such_user", "password": "Wrong#Pass2026"})
    assert refused.status_code == 401
    [entry] = p.entries("auth.login_failed")
    assert entry.summary == {"reason": "unknown_user"} and entry.target_label == "no_such_user"
    return "auth.login_failed", None, None


def _failed_portal_login(p: Probe):
    refused = p.client.post("/api/v1/portal/login", json={"phone": "13912345678", "code": "000000"})
    assert refused.status_code == 401 and refused.json()["code"] == "portal.code_invalid"
    [entry] = p.entries("portal.login_failed")
    assert entry.target_label == "139****5678" and entry.summary == {"reason": "no_code"}  # masked: no phone numbers
    return "portal.login_failed", None, None


CLASSES: dict[str, Callable[[Probe], tuple[str, str | None, str | None]]] = {
    "case created": _case_create,
    "case workflow transition": _case_transition,
    "case amended": _case_amend,
    "case approved": _case_approval,
    "evidence uploaded": _evidence_upload,
    "evidence downloaded": _evidence_download,
    "document downloaded (PDF)": _document_pdf,
    "document downloaded (Word)": _document_docx,
    "case file downloaded (ZIP)": _archive_download,
    "export downloaded (Excel)": _export_download,
    "export downloaded (shop signs PDF)": _export_signs,
    "configuration: org unit": _config_org_unit,
    "configuration: calendar": _config_calendar,
    "configuration: approval chain": _config_approval_chain,
    "refused: another unit's case": _refused_case,
    "refused: another unit's officer": _refused_registry,
    "refused: another unit's document": _refused_document,
    "refused: missing permission": _refused_permission,
    "failed login (staff)": _failed_login,
    "failed login (unknown user)": _failed_login_unknown_user,
    "failed login (merchant portal)": _failed_portal_login,
}


@pytest.mark.parametrize("name", list(CLASSES))
def test_each_class_of_act_leaves_an_entry_with_actor_and_address(probe: Probe, name: str):
    action, target_id, username = CLASSES[name](probe)
    found = [e for e in probe.entries(action) if target_id is None or e.target_id == target_id]
    assert len(found) == 1, f"{name}: {[(e.action, e.target_id) for e in probe.entries()]}"
    entry = found[0]
    assert entry.ip == PROBE_IP
    if username is not None:
        assert entry.actor_type == "staff"
        with probe.db.session(write=False) as session:
            assert entry.actor_id == session.scalar(select(User.id).where(User.username == username))
    with probe.db.session(write=False) as session:
        assert audit.verify(session).ok


def test_hot_reads_write_nothing_to_the_log(probe: Probe):
    officer, leader = probe.login("bdg_officer"), probe.login("bdg_leader")
    start = _head(probe.db)
    for headers in (officer, leader):
        for path in ("/api/v1/auth/me", "/api/v1/cases", "/api/v1/case-sources", "/api/v1/dispatch/tasks"):
            assert probe.client.get(path, headers=headers).status_code == 200, path
    assert _head(probe.db) == start
