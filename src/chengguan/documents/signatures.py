"""Handwritten signatures on documents: an officer named on the case signs for themselves; the party signs on the
officer's phone or tablet. Each signature is a PNG drawn on a signature pad, kept in the blob store, printed in its
slot; the draft is re-rendered at once so the preview shows it.

行政处罚法 第五十二条: the on-the-spot decision is signed by the officers (第二款) and the party signs for it (第一款).
A signature confirms what the document said when it was drawn: a signed draft's texts can no longer be edited, and a
sealed document takes no more signatures (sign first, then seal).
"""

from __future__ import annotations

import uuid
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from chengguan.audit import service as audit
from chengguan.cases.models import Case
from chengguan.cases.repository import load as load_case
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import Conflict, Forbidden
from chengguan.core.principals import StaffPrincipal
from chengguan.documents import service
from chengguan.documents.builders.common import PRINTED_OFFICERS
from chengguan.documents.delivery import signature_png
from chengguan.documents.enums import DocumentStatus
from chengguan.documents.gather import case_officers
from chengguan.documents.kinds import DocumentKind, signers
from chengguan.documents.models import Document, DocumentSignature
from chengguan.org.models import Officer

Role = Literal["officer", "party"]
ROLE_LABELS: dict[Role, str] = {"officer": "执法人员", "party": "当事人"}


def role_of(slot: str) -> Role:
    return "party" if slot == "party" else "officer"


def of_documents(session: Session, document_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[DocumentSignature]]:
    """The handwritten signatures of each document, in the order they were drawn (one query)."""
    out: dict[uuid.UUID, list[DocumentSignature]] = {}
    if not document_ids:
        return out
    rows = session.scalars(
        select(DocumentSignature).where(DocumentSignature.document_id.in_(document_ids))
        .order_by(DocumentSignature.signed_at, DocumentSignature.id)
    )  # fmt: skip
    for row in rows:
        out.setdefault(row.document_id, []).append(row)
    return out


def _slot(
    session: Session, principal: StaffPrincipal, case: Case, role: Role, signer_name: str | None
) -> tuple[str, str]:
    """The slot and the printed name of who signs; refused when the signer has no slot on the document."""
    if role == "party":
        return "party", (signer_name or "").strip() or case.party_name
    printed = {o.id for o in case_officers(session, case.id)[:PRINTED_OFFICERS]}
    if principal.officer_id is None or str(principal.officer_id) not in printed:
        raise Forbidden("只有文书上列明的本案执法人员可以本人签名", code="signature.not_officer")
    officer = session.get(Officer, principal.officer_id)
    assert officer is not None
    return f"officer:{officer.id}", officer.name


def sign(
    session: Session,
    principal: StaffPrincipal,
    settings: Settings,
    document_id: uuid.UUID,
    role: Role,
    signature: str,
    signer_name: str | None = None,
) -> Document:
    """Put a handwritten signature in the document's ``role`` slot (signing again replaces it) and re-render."""
    doc = service.load(session, principal, document_id)
    case = load_case(session, doc.case_id, principal)
    kind = DocumentKind(doc.kind)
    if doc.status is DocumentStatus.sealed:
        raise Conflict("文书已签章，不能再签名（请先签名后签章）", code="document.sealed")
    if doc.status is DocumentStatus.voided:
        raise Conflict("文书已作废，不能签名", code="document.voided")
    reason = service.refusal(kind, case)
    if reason:
        raise Conflict(reason, code="document.not_applicable")
    if role not in signers(kind):
        raise Conflict(f"{doc.title}没有{ROLE_LABELS[role]}签名栏", code="signature.no_slot")
    slot, name = _slot(session, principal, case, role, signer_name)
    png = signature_png(signature)
    session.execute(
        delete(DocumentSignature).where(DocumentSignature.document_id == doc.id, DocumentSignature.slot == slot)
    )
    row = DocumentSignature(
        document_id=doc.id,
        slot=slot,
        signer_name=name[:200],
        image_sha256=service.blob_store(settings).put(png).sha256,
        signed_at=clock.now(),
        recorded_by_id=principal.user_id,
        recorded_by_name=principal.display_name,
    )
    session.add(row)
    session.flush()
    service.render(session, settings, case, doc)
    doc.updated_at = clock.now()
    session.flush()
    audit.record(
        session,
        principal.actor,
        "document.sign",
        target_type="document",
        target_id=doc.id,
        target_label=f"{doc.title} {doc.document_no or case.code}".strip(),
        summary={"role": role, "signer": row.signer_name, "image_sha256": row.image_sha256, "case_id": str(case.id)},
    )
    return doc
