"""UUIDv7 (RFC 9562) row ids: version and variant bits, time order across milliseconds, uniqueness."""

from __future__ import annotations

import time

from chengguan.core.ids import uuid7, uuid7_many


def test_version_variant_and_timestamp():
    before = time.time_ns() // 1_000_000
    ids = [uuid7(), *uuid7_many(1000)]
    after = time.time_ns() // 1_000_000
    for u in ids:
        assert u.version == 7
        assert u.variant == "specified in RFC 4122"
        assert before <= u.int >> 80 <= after
    assert len(set(ids)) == len(ids)


def test_ids_of_a_later_millisecond_sort_after():
    first = uuid7_many(100)
    time.sleep(0.002)
    later = uuid7_many(100)
    assert max(first) < min(later)


def test_empty_block():
    assert uuid7_many(0) == []
