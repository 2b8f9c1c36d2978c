"""HTTP routes of evidence (证据存证): upload to a case, list, read, the file itself, the 第四十一条 review, the
item's ledger proof, and the verification of the whole ledger."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import FileResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from chengguan.core.access import SessionDep, SettingsDep, require, writes_on_read
from chengguan.core.errors import PROBLEM_RESPONSES, DomainError, Problem, field_error
from chengguan.core.principals import StaffPrincipal
from chengguan.evidence import ledger_db, repository, service
from chengguan.evidence.enums import KIND_LABELS, ORIGIN_LABELS, REVIEW_LABELS, EvidenceKind, EvidenceOrigin
from chengguan.evidence.models import EvidenceItem, EvidenceReview
from chengguan.evidence.review import LEVEL_LABELS, REVIEWABLE, review_step
from chengguan.evidence.schemas import (
    BatchRead,
    BreakRead,
    EntryRead,
    EvidenceList,
    EvidenceRead,
    MerkleProofRead,
    ProofRead,
    ReviewIn,
    ReviewRead,
    VerifyRead,
)
from chengguan.evidence.store import LocalBlobStore, blob_store
from chengguan.evidence.verify import Break
from chengguan.kit.media import MEDIA_RESPONSES, file_headers
from chengguan.kit.schemas import IsoDateTime

router = APIRouter(tags=["证据存证"], responses=PROBLEM_RESPONSES)
Reader = Annotated[StaffPrincipal, Depends(require("case:read"))]
SourceReader = Annotated[StaffPrincipal, Depends(require("source:read", "case:read"))]
Writer = Annotated[StaffPrincipal, Depends(require("case:write"))]
Reviewer = Annotated[StaffPrincipal, Depends(require("case:write", "legal:review"))]
Auditor = Annotated[StaffPrincipal, Depends(require("audit:read"))]
CaseId = Annotated[uuid.UUID, Path(description="案件 id")]
SourceId = Annotated[uuid.UUID, Path(description="案源 id")]
EvidenceId = Annotated[uuid.UUID, Path(description="证据 id")]
TOO_LARGE = {413: {"model": Problem, "content": {"application/problem+json": {}}, "description": "文件超过大小上限"}}
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {t: {} for t in (*sorted(service.EVIDENCE_TYPES), "application/octet-stream")},
        "description": "证据文件原件（内容与登记的 SHA-256 一致；类型按内容识别，仅图片在浏览器内显示，其余为下载）",
    }
}


def _reviews(r: EvidenceReview) -> ReviewRead:
    return ReviewRead(level=r.level, level_label=LEVEL_LABELS.get(r.level, str(r.level)), passed=r.passed,
                      opinion=r.opinion, user_name=r.user_name, at=r.at)  # fmt: skip


def _may_review(principal: StaffPrincipal, item: EvidenceItem, reviews: list[EvidenceReview]) -> bool:
    if item.case_id is None:  # reviewed once a case opened from its source holds it
        return False
    first = next((r for r in reviews if r.level == 1 and r.passed), None)
    try:
        review_step(item.review_status, True, reviewer_id=principal.user_id, uploader_id=item.uploaded_by_id,
                    first_reviewer_id=first.user_id if first else None, may_check=principal.has("case:write"),
                    may_legal_review=principal.has("legal:review"))  # fmt: skip
    except DomainError:
        return False
    return True


def items(session: Session, principal: StaffPrincipal, rows: list[EvidenceItem]) -> list[EvidenceRead]:
    """The API view of items (reviews and officer names in two queries)."""
    reviews = repository.reviews_of(session, [i.id for i in rows])
    names = repository.officer_names(session, rows)
    return [
        EvidenceRead(
            id=i.id,
            case_id=i.case_id,
            kind=i.kind,
            kind_label=KIND_LABELS[i.kind],
            origin=i.origin,
            origin_label=ORIGIN_LABELS[i.origin],
            title=i.title,
            description=i.description,
            filename=i.filename,
            mime=i.mime,
            size=i.size,
            sha256=i.sha256,
            sm3=i.sm3,
            captured_at=i.captured_at,
            lng=i.lng,
            lat=i.lat,
            address=i.address,
            device=i.device,
            officer_id=i.officer_id,
            officer_name=names.get(i.officer_id) if i.officer_id else None,
            uploaded_by_id=i.uploaded_by_id,
            uploaded_by_name=i.uploaded_by_name,
            review_status=i.review_status,
            review_label=REVIEW_LABELS[i.review_status],
            usable=service.is_usable(i),
            review_level=REVIEWABLE.get(i.review_status),
            may_review=_may_review(principal, i, reviews[i.id]),
            reviews=[_reviews(r) for r in reviews[i.id]],
            ledger_seq=i.ledger_seq,
            file_url=f"/api/v1/evidence/{i.id}/file",
            created_at=i.created_at,
        )
        for i in rows
    ]


def _text(name: str, value: str | None) -> str | None:
    # PostgreSQL text cannot hold U+0000 and no real form field carries it: refuse at the edge (422, not 500).
    if value is not None and "\x00" in value:
        raise field_error(name, "文本中不能包含空字符（U+0000）")
    return value


@router.post(
    "/cases/{case_id}/evidence",
    status_code=201,
    summary="上传证据（照片、视频、录音、文件；类型按内容识别）",
    responses=TOO_LARGE | MEDIA_RESPONSES,
)
def upload_evidence(
    case_id: CaseId,
    session: SessionDep,
    settings: SettingsDep,
    principal: Writer,
    file: Annotated[UploadFile, File(description="证据文件")],
    title: Annotated[str | None, Form(max_length=200, description="标题；默认取文件名")] = None,
    kind: Annotated[EvidenceKind | None, Form(description="类型；默认按文件类型判断")] = None,
    origin: Annotated[EvidenceOrigin, Form(description="来源：执法人员采集、电子技术监控设备、当事人提交")] = (
        EvidenceOrigin.officer
    ),
    captured_at: Annotated[IsoDateTime | None, Form(description="采集时间（带时区）；默认为上传时间")] = None,
    lng: Annotated[float | None, Form(ge=-180, le=180, description="经度（WGS-84）")] = None,
    lat: Annotated[float | None, Form(ge=-90, le=90, description="纬度（WGS-84）")] = None,
    address: Annotated[str | None, Form(max_length=256)] = None,
    device: Annotated[str | None, Form(max_length=100, description="设备编号或手机型号")] = None,
    description: Annotated[str | None, Form(max_length=4000)] = None,
) -> EvidenceRead:
    limit = settings.evidence_max_upload_mb * 2**20
    if file.size is not None and file.size > limit:
        raise service.TooLarge(f"文件超过 {settings.evidence_max_upload_mb} MB 的上限")
    item = service.record(
        session,
        settings,
        principal,
        case_id,
        file.file,
        filename=file.filename or "evidence",
        mime=file.content_type,
        kind=kind,
        origin=origin,
        captured_at=captured_at,
        lng=lng,
        lat=lat,
        address=_text("address", address),
        device=_text("device", device),
        title=_text("title", title),
        description=_text("description", description),
    )
    return items(session, principal, [item])[0]


@router.get("/cases/{case_id}/evidence", summary="案件的证据材料")
def case_evidence(case_id: CaseId, session: SessionDep, principal: Reader) -> EvidenceList:
    return EvidenceList(items=items(session, principal, service.of_case(session, principal, case_id)))


@router.get("/sources/{source_id}/evidence", summary="案源的证据（视频告警抓拍与片段、监测数据、无人机等设备记录）")
def source_evidence(source_id: SourceId, session: SessionDep, principal: SourceReader) -> EvidenceList:
    return EvidenceList(items=items(session, principal, service.of_source(session, principal, source_id)))


@router.get("/evidence/verify", summary="校验证据账本（哈希链、批次 Merkle 根、链头、证据登记与全部文件）")
def verify_ledger(session: SessionDep, settings: SettingsDep, principal: Auditor) -> VerifyRead:
    check = service.verify_all(session, settings)
    report = check.report
    return VerifyRead(ok=report.ok, checked=report.checked, files_checked=report.blobs_checked,
                      batches_checked=report.batches_checked, head_seq=check.head_seq,
                      first_break=_break(report.first_break), seconds=round(check.seconds, 3))  # fmt: skip


@router.get("/evidence/{evidence_id}", summary="证据详情")
def get_evidence(evidence_id: EvidenceId, session: SessionDep, principal: SourceReader) -> EvidenceRead:
    return items(session, principal, [service.load(session, principal, evidence_id)])[0]


@router.get("/evidence/{evidence_id}/file", summary="证据文件原件", response_class=Response, responses=FILE_RESPONSES)
@writes_on_read  # audited download
def evidence_file(
    evidence_id: EvidenceId, request: Request, session: SessionDep, settings: SettingsDep, principal: SourceReader
) -> Response:
    item = service.load(session, principal, evidence_id)
    # The type detected at upload; a row from before detection with any other type is served as bare bytes.
    media_type = item.mime if item.mime in service.EVIDENCE_TYPES else "application/octet-stream"
    headers = file_headers(media_type, item.filename) | {
        "Cache-Control": "private, max-age=86400, immutable",  # content-addressed: the bytes never change
        "ETag": f'"{item.sha256}"',
    }
    store = blob_store(settings)
    if isinstance(store, LocalBlobStore):
        path = store.path_of(item.sha256)
        if path.is_file():  # FileResponse answers Range requests: a video can be sought without loading it all
            service.record_download(session, principal, item, request.headers.get("range"))
            return FileResponse(path, media_type=media_type, headers=headers)
    stream = service.open_file(settings, item)
    service.record_download(session, principal, item, request.headers.get("range"))
    return StreamingResponse(stream, media_type=media_type, headers=headers)


@router.post("/evidence/{evidence_id}/reviews", summary="审核电子技术监控设备记录的证据（第四十一条）")
def review_evidence(evidence_id: EvidenceId, body: ReviewIn, session: SessionDep, principal: Reviewer) -> EvidenceRead:
    item = service.review(session, principal, evidence_id, body.passed, _text("opinion", body.opinion))
    return items(session, principal, [item])[0]


@router.get("/evidence/{evidence_id}/proof", summary="证据的存证证明（账本记录、批次、Merkle 审计路径）与校验结果")
def evidence_proof(evidence_id: EvidenceId, session: SessionDep, settings: SettingsDep, principal: Reader) -> ProofRead:
    item = service.load(session, principal, evidence_id)
    entry = ledger_db.entry_at(session, item.ledger_seq)
    batch, proof = ledger_db.proof_of(session, item.ledger_seq)
    report = service.verify_one(session, settings, item)
    return ProofRead(
        entry=EntryRead(**entry.to_dict()) if entry else None,
        batch=BatchRead(**batch.to_dict()) if batch else None,
        proof=MerkleProofRead(**proof.to_dict()) if proof else None,
        verified=report.ok,
        reasons=[b for b in [_break(report.first_break)] if b],
    )


def _break(brk: Break | None) -> BreakRead | None:
    if brk is None:
        return None
    return BreakRead(seq=brk.seq, item_id=brk.item_id, reason=brk.reason.value, message_zh=brk.message)
