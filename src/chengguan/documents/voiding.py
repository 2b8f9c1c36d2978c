"""Voiding a draft (作废): a document made in error or overtaken is withdrawn with a reason. It keeps its number (the
numbering has no gaps) and stays in the file as voided, so the record shows it was made and why it was dropped
(行政处罚法 第四十七条: 全过程记录). A sealed document is never voided: it was issued, and only a new decision or a
withdrawal changes what it decided."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from chengguan.audit import service as audit
from chengguan.cases.enums import CaseStatus
from chengguan.cases.repository import load as load_case
from chengguan.cases.timeline import add_event
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import Conflict, field_error
from chengguan.core.principals import StaffPrincipal
from chengguan.documents import service
from chengguan.documents.enums import DocumentStatus
from chengguan.documents.models import Document


def void(
    session: Session, principal: StaffPrincipal, settings: Settings, document_id: uuid.UUID, reason: str
) -> Document:
    """Mark a draft voided with the reason; recorded on the case's timeline and in the audit log."""
    doc = service.load(session, principal, document_id)
    case = load_case(session, doc.case_id, principal)
    if doc.status is DocumentStatus.sealed:
        raise Conflict("文书已签章送出，不能作废（变更须重新作出决定，《行政处罚法》第四十八条、第六十五条）",
                       code="document.sealed")  # fmt: skip
    if doc.status is DocumentStatus.voided:
        raise Conflict("文书已作废", code="document.voided")
    if case.status is CaseStatus.archived:
        raise Conflict("案件已归档，案卷不能再修改", code="document.archived")
    reason = reason.strip()
    if len(reason) < 4:
        raise field_error("reason", "请写明作废理由（不少于 4 个字）", code="document.void_reason")
    now = clock.now()
    doc.status, doc.voided_at, doc.voided_by_name, doc.void_reason = (
        DocumentStatus.voided, now, principal.display_name, reason[:500]
    )  # fmt: skip
    doc.updated_at = now
    service.render(session, settings, case, doc)  # the file says it was voided
    label = f"{doc.title} {doc.document_no or ''}".strip()
    add_event(session, case, "void_document", principal.actor, now, from_status=case.status, to_status=case.status,
              reason=reason, data={"document_id": str(doc.id), "document": label})  # fmt: skip
    audit.record(session, principal.actor, "document.void", target_type="document", target_id=doc.id,
                 target_label=label, summary={"reason": reason, "case_id": str(case.id)})  # fmt: skip
    session.flush()
    return doc
