"""GET /meta/labels: the zh-CN labels of every enum, fetched once per session and revalidated by ETag."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response
from pydantic import BaseModel, ConfigDict

from chengguan.core.access import CurrentStaff
from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.meta.labels import payload

router = APIRouter(tags=["系统"], responses=PROBLEM_RESPONSES)

# No personal data: a browser may keep the labels, but asks (If-None-Match) before using them again, so a release
# that adds a value is seen at once.
CACHE_CONTROL = "private, no-cache"


class LabelEntry(BaseModel):
    """One value and its zh-CN label; some dictionaries add fields (case_status: group, party_type: short)."""

    model_config = ConfigDict(extra="allow")

    value: str | int
    label: str


@router.get(
    "/meta/labels",
    summary="字典：各枚举值的中文名称",
    response_model=dict[str, list[LabelEntry]],
    responses={304: {"description": "未变化（If-None-Match 与 ETag 相同）"}},
)
def labels(_: CurrentStaff, if_none_match: Annotated[str | None, Header()] = None) -> Response:
    body, etag = payload()
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if if_none_match and (if_none_match.strip() == "*" or etag in _tags(if_none_match)):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _tags(header: str) -> set[str]:
    """The entity tags of an If-None-Match header; a weak tag (W/"…") matches as well (RFC 9110 weak comparison)."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}
