"""Sealing a document (电子签章) and checking one (the public verification page behind every QR code).

行政处罚法 第五十九条: the decision bears the seal of the authority that made it. Sealing re-renders the draft from
the record one last time, signs it with the issuing bureau's certificate (PAdES; the seal image is the signature's
appearance), and for the 国密 option adds a detached SM2-with-SM3 signature. The sealed file is what is stored,
downloaded and delivered; any later change to it fails validation.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.audit import service as audit
from chengguan.cases.models import Case
from chengguan.cases.repository import load as load_case
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import Conflict, NotFound
from chengguan.core.principals import StaffPrincipal
from chengguan.documents import service
from chengguan.documents.credentials import bureau_seal, trust_roots
from chengguan.documents.enums import DocumentStatus, SignAlgorithm
from chengguan.documents.kinds import DocumentKind
from chengguan.documents.models import BureauCredential, Document
from chengguan.documents.sign import Sm2Detached, seal_pdf, sm2_detached, validate_pdf, verify_sm2_detached
from chengguan.org.models import OrgUnit

SEALABLE = (SignAlgorithm.rsa, SignAlgorithm.sm2)
T = TypeVar("T")


def off_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call pyHanko's synchronous API, which runs its own event loop: in a worker thread when this thread already
    runs one (an async caller, a test harness), directly otherwise."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def seal(
    session: Session, principal: StaffPrincipal, settings: Settings, document_id: uuid.UUID, algorithm: SignAlgorithm
) -> Document:
    """Seal the draft with the issuing bureau's seal (第五十九条); refused once sealed or when no longer applicable."""
    doc = service.load(session, principal, document_id)
    case = load_case(session, doc.case_id, principal)
    seal_for(session, settings, case, doc, algorithm, principal.user_id, principal.display_name)
    audit.record(
        session,
        principal.actor,
        "document.seal",
        target_type="document",
        target_id=doc.id,
        target_label=f"{doc.title} {doc.document_no or ''}".strip(),
        summary={"sha256": doc.pdf_sha256, "algorithm": algorithm.value, "case_id": str(doc.case_id)},
    )
    return doc


def seal_for(
    session: Session,
    settings: Settings,
    case: Case,
    doc: Document,
    algorithm: SignAlgorithm,
    by_id: uuid.UUID | None,
    by_name: str,
    *,
    history: bool = False,
) -> Document:
    """``seal`` for a document and case already loaded: re-render, sign, store; the caller audits."""
    if doc.status is DocumentStatus.sealed:
        raise Conflict("该文书已签章，不能重复签章", code="document.sealed")
    if doc.status is DocumentStatus.voided:
        raise Conflict("文书已作废，不能签章", code="document.voided")
    if algorithm not in SEALABLE:
        raise Conflict("签章算法仅支持 RSA（通用）或 SM2（国密）", code="document.algorithm")
    reason = service.refusal(DocumentKind(doc.kind), case, history=history)
    if reason:
        raise Conflict(reason, code="document.not_applicable")
    store = service.blob_store(settings)
    service.render(session, settings, case, doc)  # the record as it is now, not as it was at the last edit
    bureau = session.get(OrgUnit, doc.unit_id)
    assert bureau is not None
    bureau_key = bureau_seal(session, settings, store, bureau)
    sealed = off_loop(seal_pdf, store.get(doc.pdf_sha256), bureau_key.credentials, bureau_key.seal_png,
                      location=bureau.name, key=bureau_key.key)  # fmt: skip
    if algorithm is SignAlgorithm.sm2:
        doc.sm2_signature = sm2_detached(sealed, bureau_key.credentials, bureau_key.key).to_json()
    doc.pdf_sha256 = store.put(sealed).sha256
    doc.status, doc.algorithm = DocumentStatus.sealed, algorithm
    doc.sealed_at, doc.sealed_by_id, doc.sealed_by_name = clock.now(), by_id, by_name
    session.flush()
    return doc


@dataclass(frozen=True)
class Check:
    """Whether a file is the sealed document on record: same bytes, signature intact, valid and trusted."""

    sha256: str
    matches: bool  # byte-identical to the file on record
    intact: bool
    valid: bool
    trusted: bool
    sm2_ok: bool | None  # None: no 国密 signature on record
    signer: str
    signed_at: datetime | None
    message: str

    @property
    def ok(self) -> bool:
        return self.matches and self.intact and self.valid and self.trusted and self.sm2_ok is not False


def by_token(session: Session, token: str) -> Document:
    doc = session.scalars(select(Document).where(Document.verify_token == token)).first()
    if doc is None:
        raise NotFound("未找到该文书，请核对二维码或核验码", code="verify.unknown")
    return doc


def check(session: Session, doc: Document, data: bytes) -> Check:
    """Validate ``data`` as the sealed document ``doc``: PAdES against the seal CAs on record, SM2 when used."""
    sha = hashlib.sha256(data).hexdigest()
    matches = doc.status is DocumentStatus.sealed and sha == doc.pdf_sha256
    result = off_loop(validate_pdf, data, trust_roots(session))
    sm2_ok = None
    if doc.sm2_signature:
        credential = session.scalars(select(BureauCredential).where(BureauCredential.unit_id == doc.unit_id)).first()
        public = credential.sm2_public_key if credential else None
        sm2_ok = bool(public) and verify_sm2_detached(data, Sm2Detached.from_json(doc.sm2_signature), public or "")
    probe = Check(sha, matches, result.intact, result.valid, result.trusted and result.covers_whole_document,
                  sm2_ok, result.signer, result.signed_at, "")  # fmt: skip
    return Check(**{**probe.__dict__, "message": _message(doc, probe, result.error)})


def _message(doc: Document, c: Check, error: str | None) -> str:
    if doc.status is not DocumentStatus.sealed:
        return "该文书尚未签章，不具有法律效力"
    if c.ok:
        return "文书真实有效：与执法机关签发的原件一致，电子签章完好"
    if not c.intact or not c.matches:
        return "文件与签发的原件不一致，可能已被篡改"
    if error:
        return error
    if c.sm2_ok is False:
        return "国密签名校验未通过"
    return "电子签章不受信任或已失效"


def check_on_record(session: Session, settings: Settings, doc: Document) -> Check | None:
    """The stored sealed file checked as it is now (a changed blob shows here too); None for a draft."""
    if doc.status is not DocumentStatus.sealed or doc.pdf_sha256 is None:
        return None
    return check(session, doc, service.blob_store(settings).get(doc.pdf_sha256))
