"""Shared API schemas: pagination."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, model_validator
from pydantic_core import PydanticSerializationError, to_json


def _contains_nul_walk(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul_walk(k) or _contains_nul_walk(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_contains_nul_walk(v) for v in value)
    return False


# In JSON text a NUL is the escape \u0000 whose backslash is not itself escaped (an even run of backslashes before).
_ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _contains_nul(value: Any) -> bool:
    """Whether any string (key or value) in ``value`` holds U+0000; one Rust-speed serialisation (pydantic-core) for
    JSON-shaped input (request bodies run this once: intake batches carry a thousand items)."""
    try:
        text = to_json(value)  # escapes only what JSON must: control characters, quotes, backslashes
    except (PydanticSerializationError, ValueError):
        return _contains_nul_walk(value)
    return b"\\u0000" in text and _ESCAPED_NUL.search(text) is not None


NUL_CHECKED = "nul_checked"  # validation context flag: the caller checked the whole batch at once (contains_nul)


def contains_nul(value: Any) -> bool:
    """Whether any string in ``value`` (JSON-shaped, nested) holds U+0000."""
    return _contains_nul(value)


class _RefusesNul(BaseModel):
    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data: Any, info: ValidationInfo) -> Any:
        # PostgreSQL text cannot hold U+0000 and no legitimate input carries it: refuse it at the edge (422).
        if info.context and info.context.get(NUL_CHECKED):
            return data
        if _contains_nul(data):
            raise ValueError("文本中不能包含空字符（U+0000）")
        return data


class Schema(_RefusesNul):
    """Base of every API schema: unknown fields are refused so typos surface as 422, not silence."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)


class Out(BaseModel):
    """Base of response schemas: built from ORM rows or dicts, extra attributes ignored."""

    model_config = ConfigDict(from_attributes=True)


class Filter(_RefusesNul):
    """Base of list filters (query string): shares the query with paging, so other keys are not its business."""

    model_config = ConfigDict(extra="ignore")


class PageParams(BaseModel):
    page: int = Field(1, ge=1, le=100_000, description="页码，从 1 开始")
    page_size: int = Field(20, ge=1, le=200, description="每页条数，最多 200")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


T = TypeVar("T")


class Paginated(BaseModel, Generic[T]):
    items: list[T]
    total: int


PageQuery = Annotated[PageParams, Query()]


def _iso_text_only(value: Any) -> Any:
    # Pydantic would take 1700000000 as a Unix time; the API promises ISO-8601 with an offset and nothing else.
    if type(value) is str and ":" in value:  # no number is written with a colon (the common case, no exception)
        return value
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        raise ValueError("须为带时区的 ISO-8601 时间，例如 2026-10-01T09:00:00+08:00")
    return value


IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_text_only)]
