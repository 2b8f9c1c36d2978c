"""HTTP routes of notices and rectification (officers) and of warning first (首违不罚)."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import StreamingResponse

from chengguan.audit import events
from chengguan.core.access import SessionDep, SettingsDep, require, writes_on_read
from chengguan.core.errors import PROBLEM_RESPONSES, NotFound
from chengguan.core.principals import StaffPrincipal
from chengguan.evidence.store import blob_store
from chengguan.kit.media import NOSNIFF, file_headers
from chengguan.kit.schemas import PageQuery, Paginated
from chengguan.kit.xlsx import XLSX_RESPONSES
from chengguan.rectification import actions, export, notices, read, warning
from chengguan.rectification.enums import Actor, RectAction
from chengguan.rectification.schemas import (
    DecideIn,
    DecisionRead,
    NoticeActionIn,
    NoticeCreate,
    NoticeDetail,
    NoticeFilter,
    NoticeRead,
    RuleIn,
    RuleRead,
)

router = APIRouter(responses=PROBLEM_RESPONSES)
NOTICES = "整改通知"
WARNING = "首违不罚"
Reader = Annotated[StaffPrincipal, Depends(require("source:read", "merchant:read"))]
Writer = Annotated[StaffPrincipal, Depends(require("source:write"))]
Manager = Annotated[StaffPrincipal, Depends(require("source:manage"))]
NoticeId = Annotated[uuid.UUID, Path(description="通知 id")]
PDF = {200: {"content": {"application/pdf": {}}, "description": "已签章的责令（限期）整改通知书"}}


@router.post("/notices", status_code=201, tags=[NOTICES],
             summary="发送温馨提醒或责令（限期）整改通知（短信告知商户，商户端可见）")  # fmt: skip
def send_notice(body: NoticeCreate, session: SessionDep, settings: SettingsDep, principal: Writer) -> NoticeDetail:
    notice = notices.issue(session, settings, principal, body)
    return read.detail(session, notice, who=Actor.officer)


@router.get("/notices", tags=[NOTICES], summary="整改通知列表（待确认、逾期等筛选）")
def list_notices(
    session: SessionDep, principal: Reader, page: PageQuery, filters: Annotated[NoticeFilter, Query()]
) -> Paginated[NoticeRead]:
    return read.listing(session, principal, filters, page)


# Before /notices/{notice_id}, which would otherwise take "export.xlsx" for an id.
@router.get("/notices/export.xlsx", tags=[NOTICES], response_class=Response, responses=XLSX_RESPONSES,
            summary="导出整改通知（Excel，与列表相同的筛选与排序，记入审计日志）")  # fmt: skip
@writes_on_read  # audited export
def export_notices(session: SessionDep, principal: Reader, filters: Annotated[NoticeFilter, Query()]) -> Response:
    return export.export_notices(session, principal, filters).response("整改通知.xlsx")


@router.get("/notices/{notice_id}", tags=[NOTICES], summary="整改通知详情（整改照片、全过程记录）")
def get_notice(notice_id: NoticeId, session: SessionDep, principal: Reader) -> NoticeDetail:
    return read.detail(session, actions.load(session, principal, notice_id), who=Actor.officer)


@router.post("/notices/{notice_id}/actions/{action}", tags=[NOTICES],
             summary="确认整改、退回重新整改、安排复查或撤回通知")  # fmt: skip
def act_on_notice(
    notice_id: NoticeId, action: RectAction, body: NoticeActionIn, session: SessionDep, principal: Writer
) -> NoticeDetail:
    notice = actions.act(session, principal, notice_id, action, body)
    return read.detail(session, notice, who=Actor.officer)


@router.get("/notices/{notice_id}/pdf", tags=[NOTICES], summary="责令（限期）整改通知书（PDF，已签章）",
            response_class=Response, responses=PDF)  # fmt: skip
@writes_on_read  # an order a bulk load left unsealed is sealed here; audited download
def notice_pdf(notice_id: NoticeId, session: SessionDep, settings: SettingsDep, principal: Reader) -> Response:
    notice = actions.load(session, principal, notice_id)
    data = notices.pdf_bytes(session, settings, notice)
    events.download(session, principal, "shop_notice", notice.id, notice.document_no or notice.code)
    return pdf_response(data, notice.document_no or notice.code)


def pdf_response(data: bytes, number: str) -> Response:
    name = quote(f"责令（限期）整改通知书-{number}.pdf")
    headers = {"Content-Disposition": f"inline; filename*=UTF-8''{name}", "Cache-Control": "no-store", **NOSNIFF}
    return Response(data, media_type="application/pdf", headers=headers)


@router.get("/notices/{notice_id}/photos/{evidence_id}", tags=[NOTICES], summary="商户提交的整改照片",
            response_class=Response)  # fmt: skip
def notice_photo(
    notice_id: NoticeId, evidence_id: uuid.UUID, session: SessionDep, settings: SettingsDep, principal: Reader
) -> Response:
    notice = actions.load(session, principal, notice_id)
    response = photo_response(session, settings, notice, evidence_id)
    events.download(session, principal, "evidence", evidence_id, f"整改照片 {notice.document_no or notice.code}")
    return response


def photo_response(session, settings, notice, evidence_id: uuid.UUID) -> Response:
    item = read.photo_of(session, notice, evidence_id)
    if item is None:
        raise NotFound("照片不存在", code="notice.photo_not_found")
    headers = file_headers(item.mime, item.filename) | {"Cache-Control": "private, max-age=86400, immutable"}
    return StreamingResponse(iter([blob_store(settings).get(item.sha256)]), media_type=item.mime, headers=headers)


@router.post("/warning-first/decisions", status_code=201, tags=[WARNING],
             summary="首违不罚研判：根据商户与当事人的违法记录建议温馨提醒或立案（记录所依据的规则）")  # fmt: skip
def decide(body: DecideIn, session: SessionDep, principal: Writer) -> DecisionRead:
    return warning.decision_read(warning.record(session, principal, body))


@router.get("/warning-first/rules/export.xlsx", tags=[WARNING], response_class=Response, responses=XLSX_RESPONSES,
            summary="导出首违不罚规则（Excel，记入审计日志）")  # fmt: skip
@writes_on_read  # audited export
def export_rules(session: SessionDep, principal: Reader) -> Response:
    return export.export_warning_rules(session, principal).response("首违不罚规则.xlsx")


@router.get("/warning-first/rules", tags=[WARNING], summary="首违不罚规则（按执法事项）")
def list_rules(session: SessionDep, principal: Reader) -> list[RuleRead]:
    return warning.rules(session)


@router.put("/warning-first/rules/{matter_code}", tags=[WARNING], summary="设置某执法事项的首违不罚规则")
def put_rule(
    matter_code: Annotated[str, Path(max_length=20)], body: RuleIn, session: SessionDep, principal: Manager
) -> RuleRead:
    return warning.put_rule(session, principal, matter_code, body)
