"""Column types of personal data: ``Encrypted`` (and ``EncryptedJSON``) store ciphertext and give Python the plain
value; ``search_hash`` columns hold the keyed hash of another column, so that lookups and uniqueness never need the
plain value in the database.

Which keyring a value is sealed with depends on the database it goes to: ``bind_keyring(engine, ring)`` ties a
keyring to an engine's dialect (the app, the CLI and the demo loader do it from their settings); an engine without
one uses the keyring of the process settings (``CHENGGUAN_*``), never a made-up key.

An encrypted column cannot be compared (its ciphertexts differ for equal values): ``Case.party_id_no == x`` raises
at query-building time, pointing at the hash column to compare instead (``Case.party_id_no_hash == x``: the hash
column's type hashes the plain value it is compared with).
"""

from __future__ import annotations

import json
import time
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import String, Text, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import Mapper, mapped_column
from sqlalchemy.orm.properties import MappedColumn
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

from chengguan.core.fieldcrypt import (
    HASH_WIDTH,
    FieldCryptError,
    Keyring,
    UnknownKey,
    ciphertext_width,
    is_ciphertext,
)

_BOUND: weakref.WeakKeyDictionary[Dialect, Keyring] = weakref.WeakKeyDictionary()
_RELOAD: weakref.WeakKeyDictionary[Dialect, tuple[Callable[[], Keyring], list[float]]] = weakref.WeakKeyDictionary()
_DEFAULT: list[Keyring] = []
_NULL_CHECKS = frozenset({operators.is_, operators.is_not})
RELOAD_EVERY_S = 5.0


def bind_keyring(engine: Engine, ring: Keyring, *, reload: Callable[[], Keyring] | None = None) -> None:
    """Seal and open this engine's personal data with ``ring``; ``reload`` reads the keyring again when a value
    names a key it lacks (another process rotated the keys since), at most every few seconds."""
    _BOUND[engine.dialect] = ring
    if reload is not None:
        _RELOAD[engine.dialect] = (reload, [0.0])


def bound_keyring(engine: Engine) -> Keyring | None:
    return _BOUND.get(engine.dialect)


def keyring_for(dialect: Dialect) -> Keyring:
    ring = _BOUND.get(dialect)
    if ring is not None:
        return ring
    if not _DEFAULT:
        from chengguan.core.config import get_settings
        from chengguan.core.fieldkeys import load_keyring

        _DEFAULT.append(load_keyring(get_settings()))
    return _DEFAULT[0]


def _decrypt(dialect: Dialect, kind: str, value: str) -> str:
    try:
        return keyring_for(dialect).decrypt(kind, value)
    except UnknownKey:
        reload, last = _RELOAD.get(dialect, (None, [0.0]))
        if reload is None or time.monotonic() - last[0] < RELOAD_EVERY_S:
            raise
        last[0] = time.monotonic()
        ring = _BOUND[dialect] = reload()
        return ring.decrypt(kind, value)


def forget_default_keyring() -> None:
    """Tests and the CLI after changing the environment: read the process keyring again on next use."""
    _DEFAULT.clear()


class _NoCompare(TypeDecorator.Comparator):  # type: ignore[type-arg]
    """Only NULL checks: equal plain values have different ciphertexts, so any other comparison is a bug."""

    def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
        if op in _NULL_CHECKS or (op in (operators.eq, operators.ne) and other and other[0] is None):
            return super().operate(op, *other, **kwargs)
        raise TypeError(
            f"{self.expr} 是加密字段，不能直接比较、排序或模糊查询：请比较它的检索哈希列（*_hash），或在解密后处理"
        )

    def reverse_operate(self, op: Any, other: Any, **kwargs: Any) -> Any:
        return self.operate(op, other, **kwargs)


class Encrypted(TypeDecorator[str]):
    """A personal-data string sealed with the engine's keyring; ``max_bytes`` of UTF-8 at most (the width follows)."""

    impl = String
    cache_ok = True
    comparator_factory = _NoCompare

    def __init__(self, kind: str, max_bytes: int) -> None:
        super().__init__(ciphertext_width(max_bytes))
        self.kind = kind
        self.max_bytes = max_bytes

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if len(value.encode()) > self.max_bytes:
            raise ValueError(f"{self.kind}: longer than {self.max_bytes} bytes")
        return keyring_for(dialect).encrypt(self.kind, value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or not is_ciphertext(value):
            return value  # a row written before encryption (the migration seals it), read as it is
        return _decrypt(dialect, self.kind, value)


class EncryptedJSON(TypeDecorator[Any]):
    """A small JSON document of personal data (a reporter's name and phone) sealed as one value."""

    impl = Text
    cache_ok = True
    comparator_factory = _NoCompare

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        return keyring_for(dialect).encrypt(self.kind, text)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            return value  # a JSON column not yet converted (PostgreSQL json before the migration)
        return json.loads(_decrypt(dialect, self.kind, value) if is_ciphertext(value) else value)


class SearchHash(TypeDecorator[str]):
    """The keyed hash of a plain value (written and compared as the plain value; the database sees the hash)."""

    impl = String(HASH_WIDTH)
    cache_ok = True

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or not value.strip():
            return None
        return keyring_for(dialect).search_hash(self.kind, value)


def search_hash(source: str, kind: str, **options: Any) -> MappedColumn[Any]:
    """A column holding the keyed hash of column ``source``, kept in step with it: an ORM write of ``source`` sets
    it (attribute event, below), a Core insert without it computes it from the row (column default)."""

    def from_source(context: Any) -> Any:
        return context.get_current_parameters().get(source)

    return mapped_column(SearchHash(kind), default=from_source, info={"hash_of": source}, **options)


@event.listens_for(Mapper, "mapper_configured")
def _keep_hashes_in_step(mapper: Mapper[Any], cls: type) -> None:
    for column in mapper.columns:
        source = column.info.get("hash_of")
        if source is None or column.table is not mapper.local_table:
            continue
        target = mapper.get_property_by_column(column).key
        event.listen(getattr(cls, source), "set", _copier(target), propagate=True)


def _copier(target: str) -> Any:
    def copy(obj: Any, value: Any, _old: Any, _initiator: Any) -> None:
        setattr(obj, target, value)

    return copy


__all__ = [
    "Encrypted",
    "EncryptedJSON",
    "FieldCryptError",
    "SearchHash",
    "bind_keyring",
    "bound_keyring",
    "forget_default_keyring",
    "keyring_for",
    "search_hash",
]
