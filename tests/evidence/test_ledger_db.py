"""The full verification's spelled-out metadata digest gives the canonical digest for every value the columns hold."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from chengguan.evidence.enums import EvidenceOrigin
from chengguan.evidence.ledger import meta_digest
from chengguan.evidence.ledger_db import ITEM_COLUMNS, META_FIELDS, _meta_digest_of, item_meta

TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=30)
UUIDS = st.none() | st.uuids()
COORD = st.none() | st.floats(-180, 180, allow_nan=False)
FIELDS = {
    "case_id": UUIDS,
    "source_id": UUIDS,
    "origin": st.sampled_from(EvidenceOrigin),
    "title": TEXT,
    "description": st.none() | TEXT,
    "filename": TEXT,
    "mime": TEXT,
    "lng": COORD,
    "lat": COORD,
    "address": st.none() | TEXT,
    "device": st.none() | TEXT,
    "officer_id": UUIDS,
    "uploaded_by_id": UUIDS,
    "uploaded_by_name": TEXT,
}


def row_of(meta: dict) -> tuple:
    head = (uuid.uuid4(), "0" * 64, "0" * 64, 1, "photo", None)
    assert len(head) + len(META_FIELDS) == len(ITEM_COLUMNS)
    return head + tuple(meta[name] for name in META_FIELDS)


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries(FIELDS))
def test_fast_digest_equals_canonical(meta):
    assert _meta_digest_of(row_of(meta)) == meta_digest(item_meta(meta))


def test_unusual_types_take_the_general_path():
    meta = {name: None for name in META_FIELDS} | {"origin": "officer", "title": "t", "filename": "f", "mime": "m",
                                                   "uploaded_by_name": "u", "lng": 120, "lat": True}  # fmt: skip
    assert _meta_digest_of(row_of(meta)) == meta_digest(item_meta(meta))
    assert _meta_digest_of(row_of(meta | {"lng": float("nan")})) is None  # does not even encode: reported altered
