"""HTTP routes of the audit log: list and chain verification."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from chengguan.audit import service as audit_service
from chengguan.audit.repository import AuditRepository
from chengguan.audit.schemas import AuditFilter, AuditRead, BreakRead, VerificationRead
from chengguan.core.access import SessionDep, require
from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.schemas import PageQuery, Paginated

router = APIRouter(tags=["审计日志"], responses=PROBLEM_RESPONSES)

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
