"""HTTP routes of the audit log: list, export and chain verification — the audit administrator's (三员分立: only
``audit:read`` opens them; a refusal is itself written to the log as ``access.refused``)."""

import json
from itertools import islice
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import StreamingResponse

from chengguan.audit import events
from chengguan.audit import service as audit_service
from chengguan.audit.export import line, records
from chengguan.audit.repository import AuditRepository
from chengguan.audit.schemas import AuditFilter, AuditRead, BreakRead, VerificationRead
from chengguan.audit.workbook import workbook
from chengguan.core.access import SessionDep, require, writes_on_read
from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.schemas import PageQuery, Paginated
from chengguan.kit.xlsx import XLSX_RESPONSES

router = APIRouter(tags=["审计日志"], responses=PROBLEM_RESPONSES)

EXPORT_MAX = 100_000  # per call; larger exports page on with X-Next-Since-Seq, or use `chengguan audit-export`
AuditReader = Annotated[StaffPrincipal, Depends(require("audit:read"))]


@router.get("/audit", summary="审计日志")
def list_audit(
    session: SessionDep, principal: AuditReader, page: PageQuery, filters: Annotated[AuditFilter, Query()]
) -> Paginated[AuditRead]:
    repo = AuditRepository(session)
    statement = repo.search(principal, filters)
    rows, total = repo.page(statement, page)
    return Paginated[AuditRead](items=[AuditRead.model_validate(r) for r in rows], total=total)


@router.get("/audit/verify", summary="校验审计哈希链")
def verify_audit(session: SessionDep, principal: AuditReader) -> VerificationRead:
    result = audit_service.verify(session)
    broken = result.first_broken
    return VerificationRead(
        ok=result.ok,
        checked=result.checked,
        first_broken=BreakRead(seq=broken.seq, id=broken.id, reason=broken.reason) if broken else None,
    )


@router.get(
    "/audit/export",
    summary="导出审计日志（JSON Lines，每行一条，含全部哈希字段，可在外部系统复核哈希链）",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}},
)
@writes_on_read  # the export is itself audited
def export_audit(
    session: SessionDep,
    principal: AuditReader,
    filters: Annotated[AuditFilter, Query()],
    since_seq: Annotated[int, Query(ge=0, description="只导出序号大于此值的记录（增量导出）")] = 0,
    limit: Annotated[int, Query(ge=1, le=EXPORT_MAX, description="本次最多导出的条数")] = 10_000,
) -> StreamingResponse:
    repo = AuditRepository(session)
    found = records(session, since_seq=since_seq, statement=repo.search(principal, filters))
    # Read before the response starts: the request's unit of work ends (committing the export's own entry) first.
    rows = [line(r) + "\n" for r in islice(found, limit)]
    last = json.loads(rows[-1])["seq"] if rows else since_seq
    asked = filters.model_dump(mode="json", exclude_none=True)
    events.record(session, principal, "audit.export", "audit_log", None, "审计日志导出", since_seq=since_seq,
                  last_seq=last, entries=len(rows), filters=asked)  # fmt: skip
    headers = {"Content-Disposition": "attachment; filename=audit.jsonl", "Cache-Control": "no-store",
               "X-Next-Since-Seq": str(last)}  # fmt: skip
    return StreamingResponse(iter(rows), media_type="application/x-ndjson", headers=headers)


@router.get("/audit/export.xlsx", response_class=Response, responses=XLSX_RESPONSES,
            summary="导出审计日志（Excel，与列表相同的筛选与排序，导出本身记入审计日志）")  # fmt: skip
@writes_on_read  # the export is itself audited
def export_audit_xlsx(
    session: SessionDep, principal: AuditReader, filters: Annotated[AuditFilter, Query()]
) -> Response:
    return workbook(session, principal, filters).response("审计日志.xlsx")
