"""``chengguan verify-evidence`` / ``seal-evidence`` / ``export-anchors`` on a demo database (SQLite file) and its
data directory: exit 0 and a summary when intact; exit 1 naming the first broken place (seq, item id, reason) when a
file byte, a ledger row, the rows' order, an evidence record, the tail or an anchored batch was tampered with."""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from chengguan.cli import app
from chengguan.core.config import get_settings
from chengguan.core.db import Database
from chengguan.evidence.store import LocalBlobStore
from databases import copy_database, copy_files

pytestmark = pytest.mark.commits  # the CLI works on copies of the demo database, committing

runner = CliRunner()
OTHER_CASE = "SELECT id FROM penalty_case LIMIT 1 OFFSET 3"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A migrated demo database (with the demo's evidence, sealed) and its data directory, never modified."""
    root = tmp_path_factory.mktemp("cli-evidence")
    url = copy_database("demo", root, sqlite=True)  # the checks read the file with sqlite3, whatever the backend
    return Path(make_url(url).database or ""), copy_files("demo", root / "data", sqlite=True, linked=False)


@pytest.fixture
def env(pristine: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the demo database for one test (its path), the shared data directory, the CLI pointed at both."""
    source, data = pristine
    copy = tmp_path / "case.db"
    shutil.copy(source, copy)
    monkeypatch.setenv("CHENGGUAN_DATABASE_URL", f"sqlite:///{copy}")
    monkeypatch.setenv("CHENGGUAN_DATA_DIR", str(data))
    monkeypatch.delenv("CHENGGUAN_NOW", raising=False)
    get_settings.cache_clear()
    yield copy
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


def sql(path: Path, statement: str, *params: object) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute(statement, params).fetchall()
    connection.close()
    return rows


def ledger_row(path: Path, seq: int) -> tuple:
    return sql(path, "SELECT seq, item_id, sha256 FROM evidence_ledger WHERE seq = ?", seq)[0]


def test_intact_store_and_ledger_pass(env: Path):
    code, out = run("verify-evidence")
    head = sql(env, "SELECT seq FROM evidence_ledger_head")[0][0]
    assert code == 0, out
    assert f"证据存证完整：已校验 {head} 条账本记录、{head} 个文件" in out
    item = sql(env, "SELECT id FROM evidence_item LIMIT 1")[0][0]
    code, out = run("verify-evidence", "--item", str(uuid.UUID(item)))
    assert code == 0 and "证据存证完整" in out, out


def test_a_changed_byte_in_a_file_names_the_item(env: Path, pristine: tuple[Path, Path]):
    seq, item_id, sha = ledger_row(env, 200)
    store = LocalBlobStore(pristine[1] / "blobs", durable=False)
    path = store.path_of(sha)
    original = path.read_bytes()
    os.chmod(path, 0o644)
    try:
        path.write_bytes(original[:100] + bytes([original[100] ^ 1]) + original[101:])
        code, out = run("verify-evidence")
        assert code == 1
        assert f"序号 {seq}，证据 {item_id}，原因 blob_altered" in out, out
        code, out = run("verify-evidence", "--item", item_id)
        assert code == 1 and "blob_altered" in out
    finally:
        path.write_bytes(original)
        os.chmod(path, 0o444)


def test_a_deleted_ledger_row_is_located(env: Path):
    sql(env, "DELETE FROM evidence_ledger WHERE seq = 300")
    code, out = run("verify-evidence")
    assert code == 1 and "序号 300，" in out and "sequence_gap" in out, out


def test_reordered_rows_are_located(env: Path):
    """Rows 400 and 401 exchange their contents, each keeping its seq."""
    cols = "item_id, sha256, sm3, size, kind, captured_at, recorded_at, meta_digest, prev_hash, entry_hash"
    a = sql(env, f"SELECT {cols} FROM evidence_ledger WHERE seq = 400")[0]
    b = sql(env, f"SELECT {cols} FROM evidence_ledger WHERE seq = 401")[0]
    sets = ", ".join(f"{c.strip()} = ?" for c in cols.split(","))
    sql(env, f"UPDATE evidence_ledger SET {sets} WHERE seq = 400", *b)
    sql(env, f"UPDATE evidence_ledger SET {sets} WHERE seq = 401", *a)
    code, out = run("verify-evidence", "--no-files")
    assert code == 1 and "序号 400，" in out and "out_of_order" in out, out


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("UPDATE evidence_ledger SET size = size + 1 WHERE seq = 500", "entry_altered"),
        ("UPDATE evidence_ledger SET captured_at = '2020-01-01T00:00:00.000000+00:00' WHERE seq=500", "entry_altered"),
        ("UPDATE evidence_item SET address = '别处' WHERE ledger_seq = 500", "item_altered"),
        ("UPDATE evidence_item SET captured_at = '2020-01-01 00:00:00.000000' WHERE ledger_seq = 500", "item_altered"),
        ("UPDATE evidence_item SET sm3 = sha256 WHERE ledger_seq = 500", "item_altered"),
        (f"UPDATE evidence_item SET case_id = ({OTHER_CASE}) WHERE ledger_seq = 500", "item_altered"),
        ("DELETE FROM evidence_item WHERE ledger_seq = 500", "item_missing"),
    ],
)
def test_an_edited_row_is_located(env: Path, statement: str, reason: str):
    item_id = ledger_row(env, 500)[1]
    sql(env, statement)
    code, out = run("verify-evidence", "--no-files")
    assert code == 1 and f"序号 500，证据 {item_id}，原因 {reason}" in out, out


def test_a_cut_tail_is_noticed(env: Path):
    head = sql(env, "SELECT seq FROM evidence_ledger_head")[0][0]
    sql(env, "DELETE FROM evidence_ledger WHERE seq > ?", head - 3)
    code, out = run("verify-evidence", "--no-files")
    assert code == 1 and "ledger_truncated" in out, out


def test_seal_and_anchor_export(env: Path, tmp_path: Path):
    code, out = run("seal-evidence")
    assert code == 0 and "已封存 0 个批次" in out, out  # the demo load sealed everything
    anchors = tmp_path / "anchors.jsonl"
    batches = sql(env, "SELECT count(*) FROM evidence_batch")[0][0]
    code, out = run("export-anchors", str(anchors))
    assert code == 0 and f"已写出 {batches} 个批次根" in out, out
    assert len(anchors.read_text().splitlines()) == batches
    code, out = run("export-anchors", str(anchors))
    assert code == 0 and "已写出 0 个批次根" in out  # idempotent
    assert sql(env, "SELECT count(*) FROM evidence_batch WHERE anchor_receipt IS NULL")[0][0] == 0
    assert run("verify-evidence", "--no-files", "--anchors", str(anchors))[0] == 0
    # Someone able to rewrite the database drops the last batch (and the head's seal mark) to hide it: the chain
    # and the remaining batches still agree, the published anchors do not.
    first = sql(env, "SELECT max(first_seq) FROM evidence_batch")[0][0]
    sql(env, "DELETE FROM evidence_batch WHERE first_seq = ?", first)
    sql(env, "UPDATE evidence_ledger_head SET sealed_seq = ?", first - 1)
    assert run("verify-evidence", "--no-files")[0] == 0
    code, out = run("verify-evidence", "--no-files", "--anchors", str(anchors))
    assert code == 1 and f"序号 {first}，" in out and "anchor_mismatch" in out, out
    code, out = run("export-anchors", str(anchors))
    assert code == 1 and "与已公证记录不符" in out


def test_unknown_item_is_a_usage_error(env: Path):
    assert run("verify-evidence", "--item", "not-a-uuid")[0] == 2
    assert run("verify-evidence", "--item", str(uuid.uuid4()))[0] == 2


@pytest.fixture
def in_parts(env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list]:
    """The full verification split over three processes whatever the ledger's length; records what the parts said
    (a report when all were intact, None when one was not and the sequential walk took over)."""
    from chengguan.evidence import ledger_parts

    said: list = []
    real = ledger_parts.verify_in_parts

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        said.append(real(*args, **kwargs))
        return said[-1]

    monkeypatch.setattr(ledger_parts, "processes_for", lambda *_: 3)
    monkeypatch.setattr(ledger_parts, "verify_in_parts", spy)
    return said


def _boundaries(path: Path) -> list[int]:
    from chengguan.evidence import ledger_db, ledger_parts

    db = Database(f"sqlite:///{path}")
    try:
        with db.session(write=False) as s:
            head = ledger_db.lock_head(s)
            parts = ledger_parts.plan(s, (head.seq, head.hash), ledger_db.batches(s), 3)
    finally:
        db.dispose()
    assert parts is not None and len(parts) == 3
    return [p.last for p in parts[:-1]]


def test_the_ledger_walked_in_parts_is_intact_with_the_same_counts(env: Path, in_parts: list):
    code, out = run("verify-evidence")
    head = sql(env, "SELECT seq FROM evidence_ledger_head")[0][0]
    assert code == 0 and f"证据存证完整：已校验 {head} 条账本记录、{head} 个文件" in out, out
    [report] = in_parts
    assert report is not None and report.checked == report.blobs_checked == head


@pytest.mark.parametrize(
    "tamper",
    [
        "DELETE FROM evidence_ledger WHERE seq = {b}",  # the row a part ends on
        "DELETE FROM evidence_ledger WHERE seq = {b1}",  # the row the next part starts with
        "UPDATE evidence_ledger SET prev_hash = entry_hash WHERE seq = {b1}",  # the link across the cut
        "UPDATE evidence_ledger SET size = size + 1 WHERE seq = {mid}",
        "UPDATE evidence_item SET address = '别处' WHERE ledger_seq = {mid}",
        "DELETE FROM evidence_item WHERE ledger_seq = {b1}",
        "UPDATE evidence_batch SET root = prev_batch_root WHERE last_seq = {b}",
        "DELETE FROM evidence_ledger WHERE seq > {head} - 3",
    ],
)
def test_every_kind_of_tampering_fails_a_part_and_the_sequential_walk_locates_it(
    env: Path, in_parts: list, monkeypatch: pytest.MonkeyPatch, tamper: str
):
    b = _boundaries(env)[1]
    head = sql(env, "SELECT seq FROM evidence_ledger_head")[0][0]
    sql(env, tamper.format(b=b, b1=b + 1, mid=(b + head) // 2, head=head))
    code, out = run("verify-evidence", "--no-files")
    assert code == 1 and in_parts in ([], [None]), out  # the parts said "not intact" (or could not even be cut)
    from chengguan.evidence import ledger_parts

    monkeypatch.setattr(ledger_parts, "processes_for", lambda *_: 1)
    assert run("verify-evidence", "--no-files") == (code, out)  # the same answer as walking it in one piece
