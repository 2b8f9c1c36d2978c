"""The one-pass U+0000 scan that guards every API schema (PostgreSQL text cannot hold it)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from chengguan.kit.schemas import contains_nul


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"a": "x"}, False),
        ({"a": "x\x00y"}, True),
        ({"a\x00": 1}, True),  # in a key
        ([{"reporter": {"name": "张\x00三"}}], True),  # nested
        ([{"attributes": {"k": ["ok", "b\x00"]}}], True),
        ({"a": "\\u0000"}, False),  # the six characters, typed by a user: no NUL
        ({"a": "\\\\u0000"}, False),
        ({"a": "\\\x00"}, True),  # a backslash, then a real NUL
        ({"a": "中文\u3000全角空格"}, False),
        ([1, 2.5, None, True], False),
        ({"t": datetime(2026, 1, 1, tzinfo=UTC), "u": uuid.UUID(int=0)}, False),  # not JSON-shaped, still scanned
        ({"t": datetime(2026, 1, 1, tzinfo=UTC), "s": "x\x00"}, True),
        ({(1, 2): "x\x00"}, True),  # a key JSON cannot hold: the slow walk answers
        ({(1, 2): "x"}, False),
    ],
)
def test_contains_nul(value, expected) -> None:
    assert contains_nul(value) is expected
