"""Shared API schemas: pagination."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field


class Schema(BaseModel):
    """Base of every API schema: unknown fields are refused so typos surface as 422, not silence."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)


class Out(BaseModel):
    """Base of response schemas: built from ORM rows or dicts, extra attributes ignored."""

    model_config = ConfigDict(from_attributes=True)


class Filter(BaseModel):
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
