"""Anchors: the exported list, the file sink (append-only, idempotent, conflict-refusing), the comparison."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest

from chengguan.evidence.anchors import (
    ANCHOR_FORMAT,
    AnchorConflictError,
    AnchorSink,
    FileAnchorSink,
    check_anchors,
    export_anchors,
)
from chengguan.evidence.verify import Reason
from evidence.helpers import build_ledger

NOW = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def batches():
    return build_ledger(50, batch_size=10)[1]


def test_export_lists_every_batch_for_a_notary(batches):
    exported = export_anchors(batches)
    assert [(a["first_seq"], a["last_seq"], a["size"]) for a in exported] == [(1, 10, 10), (11, 20, 10),
        (21, 30, 10), (31, 40, 10), (41, 50, 10)]  # fmt: skip
    first = exported[0]
    assert first["format"] == ANCHOR_FORMAT and first["tree"] == "rfc6962" and first["hash"] == "sha256"
    assert first["root"] == batches[0].root and first["sealed_at"] == batches[0].sealed_at
    assert exported[1]["prev_batch_root"] == batches[0].root
    json.dumps(exported)  # plain JSON all the way


def test_file_sink_appends_one_line_per_batch_and_is_idempotent(tmp_path, batches):
    sink = FileAnchorSink(tmp_path / "anchors" / "evidence.jsonl", now=lambda: NOW)
    assert isinstance(sink, AnchorSink)
    receipts = [sink.publish(b) for b in batches]
    assert [r.root for r in receipts] == [b.root for b in batches]
    assert receipts[0].published_at == "2026-03-02T00:00:00.000000+00:00"
    assert receipts[0].to_dict()["reference"].endswith("@0")
    again = sink.publish(batches[2])
    assert again == receipts[2]
    lines = sink.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(batches)
    offset = int(receipts[3].reference.rsplit("@", 1)[1])
    assert json.loads(sink.path.read_bytes()[offset:].split(b"\n", 1)[0])["first_seq"] == 31
    assert check_anchors(batches, sink.records()) is None


def test_file_sink_refuses_a_second_history(tmp_path, batches):
    sink = FileAnchorSink(tmp_path / "a.jsonl", now=lambda: NOW)
    sink.publish(batches[0])
    with pytest.raises(AnchorConflictError, match="序号 1"):
        sink.publish(dataclasses.replace(batches[0], root="9" * 64))
    assert len(sink.records()) == 1


def test_rewritten_batches_are_caught_by_the_anchors(batches):
    anchors = export_anchors(batches)
    rewritten = [*batches[:3], dataclasses.replace(batches[3], root="1" * 64), batches[4]]
    brk = check_anchors(rewritten, anchors)
    assert brk is not None and (brk.seq, brk.reason) == (31, Reason.ANCHOR_MISMATCH)
    brk = check_anchors(batches[:2], list(reversed(anchors)))
    assert brk is not None and brk.seq == 21 and "缺失" in brk.message
    assert check_anchors(batches, [*anchors, {"note": "unrelated"}]) is None
