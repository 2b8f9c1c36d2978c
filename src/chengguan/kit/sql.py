"""Small SQL constructs both databases run well."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement


class InSelect(ColumnElement[bool]):
    """``column IN (SELECT …)`` — on PostgreSQL written ``column = ANY(ARRAY(SELECT …))``.

    PostgreSQL cannot combine a hashed ``IN (subquery)`` with an index condition under ``OR`` (it falls back to a
    sequential scan of the whole table), while ``= ANY(ARRAY(…))`` is an index condition (a bitmap OR with the
    other branch). SQLite plans the plain form well (a multi-index OR) — use ``column.in_(select)`` there: this
    construct, typed boolean, would be rendered ``(… IN …) = 1`` in a SQLite WHERE and lose its index."""

    inherit_cache = True
    type = Boolean()

    def __init__(self, column: ColumnElement[Any], select: Select[Any]) -> None:
        self.column = column
        self.select = select


@compiles(InSelect)
def _in_select(element: InSelect, compiler: Any, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} IN ({compiler.process(element.select, **kw)})"


@compiles(InSelect, "postgresql")
def _any_array(element: InSelect, compiler: Any, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} = ANY(ARRAY({compiler.process(element.select, **kw)}))"


def in_select(column: ColumnElement[Any], select: Select[Any]) -> InSelect:
    return InSelect(column, select)
