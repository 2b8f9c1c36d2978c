"""Export to a central system: JSON lines a receiver can re-verify (CLI and API), and RFC 5424 syslog messages —
each committed entry sent once, none of a rolled-back request — received here on a local UDP socket."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from chengguan.audit import forward
from chengguan.audit import service as audit
from chengguan.audit.chain import GENESIS_HASH, canonical, entry_hash
from chengguan.core.config import SyslogTarget, syslog_target
from chengguan.core.db import Database
from chengguan.core.principals import Actor
from support import drop_database, migrated_database

ACTOR = Actor("staff", None, "导出测试", None, "192.0.2.20")
RFC5424 = re.compile(r"^<(\d+)>1 (\S+) (\S+) chengguan (\d+) (\S+) - \ufeff(.*)$", re.S)


@pytest.fixture
def udp() -> Iterator[socket.socket]:
    """A local syslog collector."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(5)
        yield sock


def _receive(sock: socket.socket) -> tuple[int, str, dict]:
    data, _ = sock.recvfrom(65535)
    found = RFC5424.match(data.decode())
    assert found, data
    return int(found.group(1)), found.group(5), json.loads(found.group(6))


def _rechain(records: list[dict], prev: str = GENESIS_HASH) -> None:
    """What a receiver does: recompute every hash and follow every link."""
    for record in records:
        fields = {k: v for k, v in record.items() if k != "hash"}
        assert record["prev_hash"] == prev and entry_hash(canonical(fields)) == record["hash"], record["seq"]
        prev = record["hash"]


@pytest.fixture
def chain(tmp_path) -> Iterator[Database]:
    url = migrated_database(tmp_path)
    db = Database(url)
    with db.session() as session, session.begin():
        for n in range(6):
            audit.record(session, ACTOR, "test.write", target_type="thing", target_id=n, summary={"n": n, "名": "测试"})
    yield db
    db.dispose()
    drop_database(url)


def test_syslog_targets_parse_and_typos_are_refused():
    assert syslog_target("10.0.0.5:514") == SyslogTarget("10.0.0.5", 514, False)
    assert syslog_target("tcp://log.example:6514") == SyslogTarget("log.example", 6514, True)
    assert syslog_target("") is None
    for bad in ("10.0.0.5", "http://x:1", "x:99999"):
        with pytest.raises(ValueError, match="CHENGGUAN_AUDIT_SYSLOG"):
            syslog_target(bad)


def test_committed_entries_go_to_syslog_and_rolled_back_ones_do_not(db, udp):
    forward.configure(SyslogTarget("127.0.0.1", udp.getsockname()[1], False))
    try:
        with db.session() as session, session.begin():
            kept = audit.record(session, ACTOR, "access.refused", target_type="case", target_id="c1",
                                summary={"reason": "out_of_scope", "status": 404})  # fmt: skip
        with db.session() as session:
            audit.record(session, ACTOR, "test.rolled_back", target_type="thing")
            session.rollback()
        with db.session() as session, session.begin():
            audit.record(session, ACTOR, "case.approve", target_type="case", target_id="c2")
    finally:
        forward.configure(None)
    pri, msgid, body = _receive(udp)
    assert (msgid, body["seq"], body["hash"], body["ip"]) == ("access.refused", kept.seq, kept.hash, "192.0.2.20")
    assert pri == 10 * 8 + 4  # authpriv.warning: a refusal
    pri, msgid, body = _receive(udp)
    assert msgid == "case.approve" and pri == 10 * 8 + 5  # authpriv.notice; the rolled-back entry never came
    assert body["prev_hash"] == kept.hash and body["seq"] == kept.seq + 1


def test_cli_export_writes_json_lines_a_receiver_can_verify_and_forwards_them(chain, tmp_path, udp):
    env = {**os.environ, "CHENGGUAN_DATABASE_URL": chain.url,
           "CHENGGUAN_AUDIT_SYSLOG": f"127.0.0.1:{udp.getsockname()[1]}"}  # fmt: skip
    out = tmp_path / "audit.jsonl"
    command = [sys.executable, "-m", "chengguan", "audit-export", "--output", str(out), "--syslog"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["seq"] for r in records] == [1, 2, 3, 4, 5, 6] and records[0]["summary"]["名"] == "测试"
    _rechain(records)
    assert "--since-seq 6" in done.stderr
    assert [_receive(udp)[2]["seq"] for _ in range(6)] == [1, 2, 3, 4, 5, 6]
    later = subprocess.run([sys.executable, "-m", "chengguan", "audit-export", "--since-seq", "4"], env=env,
                           capture_output=True, text=True, timeout=120)  # fmt: skip
    tail = [json.loads(line) for line in later.stdout.splitlines()]
    assert [r["seq"] for r in tail] == [5, 6]
    _rechain(tail, records[3]["hash"])


def test_the_auditor_exports_over_the_api_and_the_export_is_audited(client, login):
    auditor = login("auditor")
    first = client.get("/api/v1/audit/export", headers=auditor, params={"limit": 5})
    assert first.status_code == 200 and first.headers["content-type"].startswith("application/x-ndjson")
    records = [json.loads(line) for line in first.text.splitlines()]
    assert len(records) == 5 and int(first.headers["x-next-since-seq"]) == records[-1]["seq"]
    _rechain(records[1:], records[0]["hash"])
    more = client.get("/api/v1/audit/export", headers=auditor, params={"since_seq": records[-1]["seq"], "limit": 3})
    assert next(json.loads(line)["prev_hash"] for line in more.text.splitlines()) == records[-1]["hash"]
    exports = client.get("/api/v1/audit", headers=auditor, params={"action": "audit.export"}).json()["items"]
    assert exports and exports[0]["actor_name"] == "安全审计员" and exports[0]["summary"]["entries"] in (3, 5)
