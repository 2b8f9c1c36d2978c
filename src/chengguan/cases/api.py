"""HTTP routes of the penalty case (执法办案): open, list, read, what may be done now, and do it."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from chengguan.cases import amend, chains, disclosure, export, personal, read, service
from chengguan.cases.chains import ChainIn, ChainRead
from chengguan.cases.enums import CaseAction
from chengguan.cases.facts import today
from chengguan.cases.schemas import (
    ActionOption,
    CaseActionIn,
    CaseCreate,
    CaseDetail,
    CaseExportIn,
    CaseFilter,
    CaseListItem,
    CaseParticularsIn,
    Colleague,
    DisclosureWithdrawIn,
    PartyPersonal,
    PublicDisclosures,
)
from chengguan.core.access import SessionDep, SettingsDep, require, writes_on_read
from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.core.principals import StaffPrincipal
from chengguan.kit import readcache
from chengguan.kit.schemas import PageQuery, Paginated
from chengguan.kit.xlsx import XLSX_RESPONSES

router = APIRouter(prefix="/cases", tags=["执法办案"], responses=PROBLEM_RESPONSES)
public_router = APIRouter(prefix="/public", tags=["信息公开"], responses=PROBLEM_RESPONSES)
chains_router = APIRouter(prefix="/approval-chains", tags=["执法办案"], responses=PROBLEM_RESPONSES)

Reader = Annotated[StaffPrincipal, Depends(require("case:read"))]
Writer = Annotated[StaffPrincipal, Depends(require("case:write"))]
CaseId = Annotated[uuid.UUID, Path(description="案件 id")]


@router.post("", response_model=CaseDetail, status_code=201, summary="立案登记（普通程序）或当场处罚（简易程序）")
def create_case(principal: Writer, session: SessionDep, data: CaseCreate) -> CaseDetail:
    case = service.create(session, principal, data)
    return read.detail(session, principal, case.id)


@router.patch("/{case_id}", response_model=CaseDetail, summary="补正违法事实、时间、地点、当事人（调查终结前）")
def amend_case(principal: Writer, session: SessionDep, case_id: CaseId, data: CaseParticularsIn) -> CaseDetail:
    amend.amend(session, principal, case_id, data)
    return read.detail(session, principal, case_id)


@router.get("", response_model=Paginated[CaseListItem], summary="案件列表（超期在前）")
async def list_cases(
    request: Request, principal: Reader, filters: Annotated[CaseFilter, Query()], page: PageQuery
) -> Response:
    # Deadlines are counted in days: a page stays right until the data version or the date moves (kit.readcache).
    return await readcache.respond(
        request, principal, lambda session: read.list_cases(session, principal, filters, page), grain=today
    )


@router.post(
    "/export",
    summary="导出案件台账（Excel；个人信息脱敏，完整导出须 personal_data:view 并记入审计日志）",
    response_class=Response,
    responses={200: {"content": {export.XLSX: {"schema": {"type": "string", "format": "binary"}}}}},
)
def export_cases(principal: Reader, session: SessionDep, data: CaseExportIn) -> Response:
    filters = CaseFilter.model_validate(data.model_dump(exclude={"reveal"}))
    return export.export_cases(session, principal, filters, data.reveal).response("案件台账.xlsx")


@router.get(
    "/export.xlsx",
    summary="导出案件台账（Excel，与案件列表相同的筛选条件；流式生成，记入审计日志）",
    response_class=Response,
    responses={200: {"content": {export.XLSX: {"schema": {"type": "string", "format": "binary"}}}}},
)
@writes_on_read
def export_cases_xlsx(
    principal: Reader,
    session: SessionDep,
    filters: Annotated[CaseFilter, Query()],
    reveal: Annotated[bool, Query(description="导出完整个人信息（须 personal_data:view 权限，记入审计日志）")] = False,
) -> Response:
    return export.export_cases(session, principal, filters, reveal).response("案件台账.xlsx")


@router.get("/colleagues", response_model=list[Colleague], summary="承办人候选（本单位在岗执法人员）")
def colleagues(principal: Writer, session: SessionDep) -> list[Colleague]:
    return read.colleagues(session, principal)


@router.get("/{case_id}", response_model=CaseDetail, summary="案件详情（时限、可办操作、审批、全过程记录）")
def get_case(principal: Reader, session: SessionDep, case_id: CaseId) -> CaseDetail:
    return read.detail(session, principal, case_id)


@router.post(
    "/{case_id}/party:reveal",
    response_model=PartyPersonal,
    summary="查看当事人完整个人信息（须 personal_data:view 权限，记入审计日志）",
)
def reveal_party(principal: Reader, session: SessionDep, case_id: CaseId) -> PartyPersonal:
    return personal.reveal(session, principal, case_id)


@router.get("/{case_id}/actions", response_model=list[ActionOption], summary="本人当前可办的操作")
def case_actions(principal: Reader, session: SessionDep, case_id: CaseId) -> list[ActionOption]:
    return read.case_actions(session, principal, case_id)


@router.post("/{case_id}/actions/{action}", response_model=CaseDetail, summary="办理操作（状态机校验法定条件）")
def take_action(
    principal: Reader,
    session: SessionDep,
    settings: SettingsDep,
    case_id: CaseId,
    action: CaseAction,
    data: CaseActionIn,
) -> CaseDetail:
    service.act(session, principal, case_id, action, data, settings=settings)
    return read.detail(session, principal, case_id)


@router.post(
    "/{case_id}/disclosure:withdraw", response_model=CaseDetail, summary="撤回已公开的处罚决定（第四十八条第二款）"
)
def withdraw_disclosure(
    principal: Reader, session: SessionDep, case_id: CaseId, data: DisclosureWithdrawIn
) -> CaseDetail:
    service.withdraw_disclosure(session, principal, case_id, data.reason, data.changed_on)
    return read.detail(session, principal, case_id)


@public_router.get("/disclosures", response_model=PublicDisclosures, summary="行政处罚决定公开（已脱敏，无需登录）")
def public_disclosures(session: SessionDep, page: PageQuery) -> PublicDisclosures:
    rows, total = disclosure.published(session, limit=page.page_size, offset=page.offset)
    return PublicDisclosures(
        items=[{**r.content, "published_at": r.published_at.isoformat()} for r in rows], total=total
    )


Configurer = Annotated[StaffPrincipal, Depends(require("case:configure"))]


@chains_router.get("", response_model=list[ChainRead], summary="审批链（含默认）")
def list_approval_chains(principal: Configurer, session: SessionDep) -> list[ChainRead]:
    return chains.list_chains(session, principal)


@chains_router.get("/export.xlsx", response_class=Response, responses=XLSX_RESPONSES,
                   summary="导出审批链（Excel，含默认，与列表相同的数据范围；记入审计日志）")  # fmt: skip
@writes_on_read  # audited export
def export_approval_chains(principal: Configurer, session: SessionDep) -> Response:
    return chains.export_chains(session, principal).response("审批链.xlsx")


@chains_router.put("", response_model=ChainRead, summary="设置某单位（或全平台）某程序某环节的审批链")
def put_approval_chain(principal: Configurer, session: SessionDep, data: ChainIn) -> ChainRead:
    return chains.put_chain(session, principal, data)


@chains_router.delete("/{chain_id}", status_code=204, summary="删除审批链（回到上级、全平台或默认）")
def delete_approval_chain(principal: Configurer, session: SessionDep, chain_id: uuid.UUID) -> Response:
    chains.delete_chain(session, principal, chain_id)
    return Response(status_code=204)
