"""Ledger records: the canonical, domain-separated encoding behind each entry hash, and what append refuses."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chengguan.evidence.digests import digest_bytes
from chengguan.evidence.ledger import (
    GENESIS_HASH,
    HASHED_FIELDS,
    Entry,
    ItemPayload,
    LedgerError,
    _entry_json,
    append,
    canonical_json,
    compute_entry_hash,
    iso_utc,
    make_payload,
    meta_digest,
    recomputed_hash,
)
from evidence.helpers import T0, build_ledger

DIGESTS = digest_bytes(b"photo")


def payload(**changes) -> ItemPayload:
    base = make_payload("EV-1", DIGESTS, kind="photo", captured_at=T0, meta={"case_no": "甲"})
    return dataclasses.replace(base, **changes)


def test_entry_hash_is_sha256_over_the_documented_encoding():
    """Locks the wire format: a tag, NUL, then JSON with sorted keys, no spaces, UTF-8 unescaped."""
    entry = append(None, payload(item_id="证据-1"), recorded_at=T0 + timedelta(seconds=1))
    expected = (
        b"chengguan/evidence/entry/v1\x00"
        + (
            '{"captured_at":"2026-03-01T08:00:00.000000+00:00","item_id":"证据-1","kind":"photo",'
            f'"meta_digest":"{entry.meta_digest}","prev_hash":"{GENESIS_HASH}",'
            '"recorded_at":"2026-03-01T08:00:01.000000+00:00","seq":1,'
            f'"sha256":"{DIGESTS.sha256}","size":5,"sm3":"{DIGESTS.sm3}"}}'
        ).encode()
    )
    assert entry.entry_hash == hashlib.sha256(expected).hexdigest()
    assert entry.meta_digest == hashlib.sha256('chengguan/evidence/meta/v1\x00{"case_no":"甲"}'.encode()).hexdigest()


def test_append_chains_entries():
    entries, _ = build_ledger(5)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.entry_hash
    assert all(recomputed_hash(e) == e.entry_hash for e in entries)
    assert len({e.entry_hash for e in entries}) == 5


def test_every_hashed_field_changes_the_hash():
    entry = build_ledger(1)[0][0]
    changes = {
        "seq": 2,
        "prev_hash": "1" * 64,
        "item_id": "EV-000002",
        "sha256": "2" * 64,
        "sm3": "3" * 64,
        "size": entry.size + 1,
        "kind": "audio",
        "captured_at": "2026-03-01T08:01:00.000001+00:00",
        "recorded_at": "2026-03-01T08:01:30.000001+00:00",
        "meta_digest": "4" * 64,
    }
    for field, value in changes.items():
        assert recomputed_hash(dataclasses.replace(entry, **{field: value})) != entry.entry_hash, field


def test_encoding_is_unambiguous_across_field_boundaries():
    # A value that looks like JSON syntax stays inside its string: no two field assignments share an encoding.
    a = {"seq": 1, "prev_hash": "a", "item_id": 'x","kind":"photo', "sha256": "", "sm3": "", "size": 0}
    b = {"seq": 1, "prev_hash": "a", "item_id": "x", "sha256": "", "sm3": "", "size": 0}
    common = {"captured_at": "", "recorded_at": "", "meta_digest": ""}
    assert compute_entry_hash({**a, "kind": "", **common}) != compute_entry_hash({**b, "kind": "photo", **common})


def test_recomputed_hash_survives_tampered_types():
    entry = build_ledger(1)[0][0]
    assert recomputed_hash(dataclasses.replace(entry, seq=True)) is None
    assert recomputed_hash(dataclasses.replace(entry, size="80")) is None
    assert recomputed_hash(dataclasses.replace(entry, item_id=object())) is None
    assert recomputed_hash(dataclasses.replace(entry, item_id="\ud800")) is None  # lone surrogate: no UTF-8


def test_times_are_normalised_to_utc_with_microseconds():
    beijing = timezone(timedelta(hours=8))
    assert iso_utc(datetime(2026, 3, 1, 16, 0, tzinfo=beijing)) == "2026-03-01T08:00:00.000000+00:00"
    assert iso_utc("2026-03-01T16:00:00.5+08:00") == "2026-03-01T08:00:00.500000+00:00"
    with pytest.raises(LedgerError, match="时区"):
        iso_utc(datetime(2026, 3, 1, 8, 0))
    with pytest.raises(LedgerError, match="格式"):
        iso_utc("昨天")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"item_id": ""}, "证据编号"),
        ({"sha256": "A" * 64}, "sha256"),
        ({"sm3": "abc"}, "sm3"),
        ({"size": -1}, "大小"),
        ({"size": True}, "大小"),
        ({"kind": "painting"}, "类型"),
        ({"captured_at": "2026-03-01T08:00:00Z"}, "规范形式"),
    ],
)
def test_bad_payloads_are_refused(changes, message):
    with pytest.raises(LedgerError, match=message):
        payload(**changes)


def test_meta_must_be_plain_json():
    with pytest.raises(LedgerError, match="规范编码"):
        meta_digest({"when": datetime.now(UTC)})
    with pytest.raises(LedgerError):
        meta_digest({"x": float("nan")})
    assert meta_digest({"b": 1, "a": [1, "二"]}) == meta_digest({"a": [1, "二"], "b": 1})


def test_append_refuses_to_follow_a_tampered_entry():
    prev = build_ledger(1)[0][0]
    with pytest.raises(LedgerError, match="序号 1"):
        append(dataclasses.replace(prev, size=1), payload(), recorded_at=T0)


def test_rows_round_trip_through_dicts():
    entry = build_ledger(2)[0][1]
    row = {**entry.to_dict(), "id": 42}  # a database id and the like are ignored
    assert Entry.from_dict(row) == entry


# Text with control characters, quotes, backslashes, non-BMP characters and now and then a lone surrogate.
special = st.sampled_from('"\\\x00\n\u2028\U0001f600')
any_text = st.one_of(
    st.text(alphabet=st.one_of(st.characters(), special)),
    st.text(alphabet=st.one_of(st.characters(), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF))),
)
TEXT_FIELDS = [name for name in HASHED_FIELDS if name not in ("seq", "size")]
plain_fields = st.fixed_dictionaries(
    {name: any_text for name in TEXT_FIELDS} | {"seq": st.integers(), "size": st.integers(-1, 2**70)}
)
odd_fields = st.fixed_dictionaries(
    {name: st.one_of(any_text, st.integers(), st.none(), st.lists(st.integers())) for name in TEXT_FIELDS}
    | {"seq": st.one_of(st.integers(), st.booleans(), any_text), "size": st.one_of(st.integers(), st.floats())}
)


@settings(max_examples=400, database=None, deadline=None)
@given(fields=st.one_of(plain_fields, odd_fields))
def test_fast_entry_encoding_is_the_canonical_json(fields):
    """The spelled-out encoder of entries and json.dumps(sort_keys=True) give the same bytes, or both refuse."""
    try:
        expected = canonical_json(fields)
    except LedgerError:
        expected = None
    try:
        got = _entry_json(fields)
    except LedgerError:
        got = None
    assert got == expected
