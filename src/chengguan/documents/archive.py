"""The case file (案卷) assembled on closure: catalogue, documents in legal order, evidence list and the evidence
itself, exported as one ZIP with a manifest of every file's SHA-256 and SM3.

行政处罚法 第四十七条: the whole procedure is recorded in writing and audio-visually and the records are archived.
The ZIP's digest is recorded with the case; the manifest pins the evidence ledger's head at export time, tying every
evidence file to its ledger entry, and every document to its verification token.
"""

from __future__ import annotations

import json
import mimetypes
import re
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.audit import events
from chengguan.cases import hooks
from chengguan.cases.enums import CaseStatus
from chengguan.cases.models import Case
from chengguan.cases.repository import load as load_case
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import Conflict, NotFound
from chengguan.core.principals import StaffPrincipal
from chengguan.documents import service
from chengguan.documents.enums import DocumentStatus
from chengguan.documents.kinds import CATALOGUE, DocumentKind
from chengguan.documents.models import CaseArchive, Document
from chengguan.evidence.digests import digest_bytes
from chengguan.evidence.models import EvidenceItem, LedgerHead

ARCHIVABLE = (CaseStatus.closed, CaseStatus.archived)
# Made fresh on export: the evidence list and, last, the catalogue that lists everything else.
MADE_ON_EXPORT = (DocumentKind.evidence_list, DocumentKind.file_catalogue)
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


@dataclass(frozen=True)
class Member:
    path: str
    data: bytes
    meta: dict[str, Any]


def _safe(name: str) -> str:
    return _UNSAFE.sub("_", name).strip("_")[:80] or "file"


def assemble(session: Session, principal: StaffPrincipal, settings: Settings, case_id: uuid.UUID) -> CaseArchive:
    """Export the closed case's file as a ZIP (replacing an earlier export of the same case)."""
    return assemble_for(session, settings, load_case(session, case_id, principal), principal.display_name)


def assemble_for(session: Session, settings: Settings, case: Case, by: str) -> CaseArchive:
    """``assemble`` for a case already loaded, by the person named ``by``."""
    if case.status not in ARCHIVABLE:
        raise Conflict("案件结案后方可生成案卷", code="archive.not_closed")
    for kind in MADE_ON_EXPORT:
        existing = _latest(session, case.id, kind)
        if existing is None or existing.status is not DocumentStatus.sealed:
            service.generate_for(session, settings, case, kind, None, by)
    members = [*_documents(session, settings, case), *_evidence(session, settings, case)]
    manifest = _manifest(session, case, members)
    closed = clock.as_utc(case.closed_at).astimezone(clock.SHANGHAI) if case.closed_at else clock.local_now()
    stamp = closed.timetuple()[:6]
    store = service.blob_store(settings)
    with tempfile.TemporaryFile() as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as zf:
            for m in [Member("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode(), {}),
                      *members]:  # fmt: skip
                info = zipfile.ZipInfo(m.path, date_time=stamp)
                info.external_attr = 0o444 << 16
                zf.writestr(info, m.data)
        size = tmp.tell()
        tmp.seek(0)
        sha = store.put(tmp).sha256
    row = session.scalars(select(CaseArchive).where(CaseArchive.case_id == case.id)).first()
    if row is None:
        row = CaseArchive(case_id=case.id)
        session.add(row)
    row.sha256, row.size, row.manifest = sha, size, manifest
    row.created_at, row.created_by_name = clock.now(), by
    session.flush()
    return row


@hooks.when_moved("archive")
def _on_closure(session: Session, principal: StaffPrincipal, settings: Settings, case: Case) -> None:
    """结案/归档: the 案卷 is assembled as the action closes the case (第四十七条)."""
    if case.status in ARCHIVABLE:
        assemble_for(session, settings, case, principal.display_name)


def _latest(session: Session, case_id: uuid.UUID, kind: DocumentKind) -> Document | None:
    return session.scalars(
        select(Document).where(Document.case_id == case_id, Document.kind == kind.value)
        .order_by(Document.created_at.desc())
    ).first()  # fmt: skip


def _documents(session: Session, settings: Settings, case: Case) -> list[Member]:
    docs = session.scalars(select(Document).where(Document.case_id == case.id))
    ordered = sorted(docs, key=lambda d: (CATALOGUE[DocumentKind(d.kind)].order, d.created_at))
    out = []
    for n, doc in enumerate(ordered, start=1):
        data = service.pdf_bytes(session, settings, doc)
        label = f"{doc.title}-{doc.document_no}" if doc.document_no else doc.title
        meta = {"kind": "document", "title": doc.title, "document_kind": doc.kind, "document_no": doc.document_no,
                "sealed": doc.status is DocumentStatus.sealed, "verify_token": doc.verify_token}  # fmt: skip
        out.append(Member(f"文书/{n:02d}-{_safe(label)}.pdf", data, meta))
    return out


def _evidence(session: Session, settings: Settings, case: Case) -> list[Member]:
    items = session.scalars(
        select(EvidenceItem).where(EvidenceItem.case_id == case.id)
        .order_by(EvidenceItem.captured_at, EvidenceItem.id)
    )  # fmt: skip
    store = service.blob_store(settings)
    out = []
    for n, item in enumerate(items, start=1):
        ext = (item.filename.rsplit(".", 1)[-1] if "." in item.filename else "") or (
            (mimetypes.guess_extension(item.mime) or ".bin").lstrip(".")
        )
        meta = {"kind": "evidence", "title": item.title, "evidence_id": str(item.id), "ledger_seq": item.ledger_seq,
                "captured_at": item.captured_at.isoformat(), "review_status": item.review_status.value}  # fmt: skip
        out.append(Member(f"证据/{n:03d}-{_safe(item.title)}.{ext}", store.get(item.sha256), meta))
    return out


def _manifest(session: Session, case: Case, members: list[Member]) -> dict[str, Any]:
    head = session.get(LedgerHead, 1)
    files = []
    for m in members:
        d = digest_bytes(m.data)
        files.append({"path": m.path, "sha256": d.sha256, "sm3": d.sm3, "size": d.size, **m.meta})
    closed_at = case.closed_at.isoformat() if case.closed_at else None
    about = {"id": str(case.id), "code": case.code, "party": case.party_name, "status": case.status.value}
    return {
        "case": {**about, "closed_at": closed_at},
        "generated_at": clock.now().isoformat(),
        "evidence_ledger_head": {"seq": head.seq, "hash": head.hash} if head else None,
        "files": files,
    }


def record_download(session: Session, principal: StaffPrincipal, row: CaseArchive) -> None:
    """案卷下载 in the audit log: the case and the digest of the ZIP handed out."""
    events.download(session, principal, "case_archive", row.case_id, row.manifest["case"]["code"],
                    sha256=row.sha256, size=row.size)  # fmt: skip


def of_case(session: Session, principal: StaffPrincipal, settings: Settings, case_id: uuid.UUID) -> CaseArchive:
    """The case's exported file; a closed case whose file was never exported (bulk-loaded data) gets it now."""
    case = load_case(session, case_id, principal)
    row = session.scalars(select(CaseArchive).where(CaseArchive.case_id == case.id)).first()
    if row is None and case.status in ARCHIVABLE:
        return assemble_for(session, settings, case, principal.display_name)
    if row is None:
        raise NotFound("案件结案后自动生成案卷", code="archive.none")
    return row
