"""API shapes of documents."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from chengguan.documents.enums import DocumentStatus
from chengguan.documents.kinds import DocumentKind
from chengguan.kit.schemas import Out, Schema


class DocumentItem(Out):
    id: uuid.UUID
    kind: str
    title: str
    document_no: str | None
    status: DocumentStatus
    sealed: bool
    download_url: str
    fields: dict[str, str]
    editable: list[str]
    sealed_at: datetime | None
    sealed_by_name: str | None
    created_by_name: str
    created_at: datetime
    updated_at: datetime
    version: int


class DocumentList(Out):
    items: list[DocumentItem]


class KindOption(Out):
    kind: str
    title: str
    numbered: bool
    basis: str
    editable: list[str]
    available: bool
    reason: str | None = None


class GenerateIn(Schema):
    kind: DocumentKind
    fields: dict[str, str] | None = Field(None, description="可由承办人填写的内容（事实、意见、笔录等）")


class FieldsIn(Schema):
    fields: dict[str, str] = Field(description="可由承办人填写的内容")
