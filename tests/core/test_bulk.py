"""The bulk insert's own value conversion must store exactly what SQLAlchemy's bind processors store."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from chengguan.core.bulk import convert
from chengguan.intake.models import CaseSource, Signal

_SIGNALS = Signal.__table__
_SOURCES = CaseSource.__table__


def _times(n: int) -> list[datetime]:
    rng = random.Random(47678)
    zones = [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))]
    out = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.uniform(-3e9, 3e9)) for _ in range(n)]
    out = [t.astimezone(rng.choice(zones)) for t in out]
    out += [datetime(2026, 10, 1, 0, 0, 0, tzinfo=timezone(timedelta(hours=8)))]  # no microseconds
    out += [datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)]
    return out


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.psycopg.dialect()], ids=["sqlite", "postgresql"])
@pytest.mark.parametrize(
    ("table", "name", "values"),
    [
        (_SIGNALS, "occurred_at", _times(500)),
        (_SOURCES, "due_at", [*_times(50), None]),
        (_SIGNALS, "id", [uuid.uuid4() for _ in range(200)]),
        (_SIGNALS, "case_source_id", [uuid.uuid4(), None, uuid.UUID(int=0)]),
    ],
    ids=["datetime", "datetime-null", "uuid", "uuid-null"],
)
@pytest.mark.parametrize("repeated", [False, True], ids=["each", "memo"])
def test_converted_values_equal_sqlalchemy_bind(dialect, table, name, values, repeated) -> None:
    process = table.c[name].type._cached_bind_processor(dialect)
    expected = [None if v is None else (process(v) if process else v) for v in values]
    assert convert(dialect, table, name, values, repeated=repeated) == expected


_DOCUMENTS = [
    {"confidence": "0.77", "algorithm": "street-order-v3"},
    {"name": "张女士", "phone": "15022933969"},
    ["media/ab/cd.jpg", '引号"与反斜杠\\'],
    {"k": ["a", "b"], "空": ""},
    None,
]


@pytest.mark.parametrize("name", ["media", "reporter", "attributes"])
def test_json_columns_hold_the_same_documents(name) -> None:
    dialect = sqlite.dialect()
    process = _SIGNALS.c[name].type._cached_bind_processor(dialect)
    ours = convert(dialect, _SIGNALS, name, _DOCUMENTS)
    theirs = [None if v is None else process(v) for v in _DOCUMENTS]
    # Read back as the column reads (the reporter is sealed: its ciphertexts differ, its documents must not).
    read = _SIGNALS.c[name].type._cached_result_processor(dialect, None) or json.loads
    assert [None if t is None else read(t) for t in ours] == [None if t is None else read(t) for t in theirs]
    assert ours[-1] is None  # SQL NULL, not the JSON text 'null'


def test_naive_datetimes_are_refused_as_by_the_column_type() -> None:
    with pytest.raises((ValueError, TypeError)):
        convert(sqlite.dialect(), _SIGNALS, "occurred_at", [datetime(2026, 1, 1)])
