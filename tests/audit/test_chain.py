"""The audit chain: any edited, deleted or reordered row is detected and the first broken entry is named."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, select, update

from chengguan.audit import service as audit
from chengguan.audit.models import AuditEntry
from chengguan.core.db import Database
from chengguan.core.principals import Actor
from support import drop_database, migrated_database

N = 8
ACTOR = Actor("staff", None, "审计测试", None, "127.0.0.1")


@pytest.fixture
def chain(tmp_path) -> Iterator[Database]:
    """A private database holding a chain of N entries (tampering must not touch the shared one)."""
    url = migrated_database(tmp_path)
    db = Database(url)
    with db.session() as session, session.begin():
        for i in range(N):
            audit.record(
                session,
                ACTOR,
                "test.write",
                target_type="thing",
                target_id=i,
                target_label=f"第{i}号",
                summary={"before": {"n": i}, "after": {"n": i + 1, "名称": "测试"}},
            )
    yield db
    db.dispose()
    drop_database(url)


def _verify(db: Database) -> audit.Verification:
    with db.session(write=False) as session:
        return audit.verify(session)


def _tamper(db: Database, statement) -> None:
    with db.session() as session, session.begin():
        session.execute(statement)


def test_intact_chain_verifies(chain):
    result = _verify(chain)
    assert result.ok and result.checked == N and result.first_broken is None


EDITS = {
    "action": "test.other",
    "actor_name": "冒名者",
    "target_id": "999",
    "ip": "10.0.0.1",
    "summary": {"before": {"n": 0}, "after": {"n": 100}},
    "hash": "f" * 64,
    "prev_hash": "e" * 64,
}


@pytest.mark.parametrize("seq", range(1, N + 1))
@pytest.mark.parametrize("field", sorted(EDITS))
def test_edited_row_is_located(chain, seq, field):
    _tamper(chain, update(AuditEntry).where(AuditEntry.seq == seq).values({field: EDITS[field]}))
    result = _verify(chain)
    assert not result.ok
    assert result.first_broken is not None and result.first_broken.seq == seq


def test_edited_time_is_located(chain):
    with chain.session() as session, session.begin():
        entry = session.scalars(select(AuditEntry).where(AuditEntry.seq == 3)).one()
        entry.occurred_at = entry.occurred_at.replace(year=2020)
    assert _verify(chain).first_broken.seq == 3


@pytest.mark.parametrize("seq", range(1, N))
def test_deleted_row_is_located(chain, seq):
    _tamper(chain, delete(AuditEntry).where(AuditEntry.seq == seq))
    broken = _verify(chain).first_broken
    assert broken is not None and broken.seq == seq + 1 and f"序号 {seq}" in broken.reason


def test_deleted_tail_is_detected(chain):
    _tamper(chain, delete(AuditEntry).where(AuditEntry.seq >= N - 1))
    broken = _verify(chain).first_broken
    assert broken is not None and broken.seq == N - 1 and "尾部" in broken.reason


def test_swapped_rows_are_detected(chain):
    """Reordering: swap the contents of rows 4 and 5 (keeping seq) — the chain breaks at 4."""
    with chain.session() as session, session.begin():
        a, b = (session.scalars(select(AuditEntry).where(AuditEntry.seq == s)).one() for s in (4, 5))
        fields = ["action", "target_id", "target_label", "summary", "prev_hash", "hash"]
        values_a, values_b = ({f: getattr(e, f) for f in fields} for e in (a, b))
        for field in fields:
            setattr(a, field, values_b[field])
            setattr(b, field, values_a[field])
    assert _verify(chain).first_broken.seq == 4


def test_cli_verify_audit_exit_codes(chain):
    env = {**os.environ, "CHENGGUAN_DATABASE_URL": chain.url}
    command = [sys.executable, "-m", "chengguan", "verify-audit"]
    intact = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert intact.returncode == 0, intact.stderr
    with chain.session(write=False) as session:
        target = session.scalars(select(AuditEntry).where(AuditEntry.seq == 5)).one()
    _tamper(chain, update(AuditEntry).where(AuditEntry.seq == 5).values(actor_name="冒名者"))
    broken = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert broken.returncode == 1
    assert "seq=5" in broken.stderr and str(target.id) in broken.stderr


def test_every_api_write_is_audited_and_verify_endpoint(client, admin, login):
    auditor = login("auditor")  # 三员分立: the audit administrator reads the log, the system administrator writes
    before = client.get("/api/v1/audit?page_size=1", headers=auditor).json()["total"]
    units = client.get("/api/v1/org-units?level=district", headers=admin).json()["items"]
    created = client.post(
        "/api/v1/vehicles",
        headers=admin,
        json={"plate_no": "鲁B·T0001", "model": "比亚迪 宋", "kind": "patrol_car", "unit_id": units[0]["id"]},
    ).json()
    client.patch(f"/api/v1/vehicles/{created['id']}", headers=admin, json={"status": "maintenance"})
    client.delete(f"/api/v1/vehicles/{created['id']}", headers=admin)
    entries = client.get(f"/api/v1/audit?target_id={created['id']}", headers=auditor).json()["items"]
    assert [e["action"] for e in entries] == ["vehicle.delete", "vehicle.update", "vehicle.create"]
    update_entry = entries[1]
    assert update_entry["summary"] == {"before": {"status": "in_service"}, "after": {"status": "maintenance"}}
    assert update_entry["actor_name"] == "系统管理员" and update_entry["ip"]
    assert client.get("/api/v1/audit?page_size=1", headers=auditor).json()["total"] >= before + 3
    verification = client.get("/api/v1/audit/verify", headers=auditor).json()
    assert verification["ok"] is True and verification["first_broken"] is None
