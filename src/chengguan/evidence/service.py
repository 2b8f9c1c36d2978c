"""Evidence use cases: record a file on a case (digests, content-addressed bytes, a ledger entry under the head
lock, the case's timeline), the two-level review of machine-recorded evidence (《行政处罚法》第四十一条), sealing,
and verification against the database and the blob store."""

from __future__ import annotations

import logging
import os
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from chengguan.audit import events
from chengguan.cases import hooks
from chengguan.cases.enums import STATUS_LABELS, TERMINAL
from chengguan.cases.models import Case
from chengguan.cases.repository import load as load_case
from chengguan.cases.timeline import add_event
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import Conflict, DomainError, NotFound, field_error
from chengguan.core.principals import Actor, StaffPrincipal
from chengguan.evidence import ledger_check, ledger_db, repository
from chengguan.evidence.digests import CHUNK
from chengguan.evidence.enums import KIND_LABELS, EvidenceKind, EvidenceOrigin, ReviewStatus
from chengguan.evidence.ledger import make_payload
from chengguan.evidence.machine import seal_full_batches
from chengguan.evidence.models import EvidenceItem, EvidenceReview
from chengguan.evidence.review import LEVEL_LABELS, initial_status, review_step
from chengguan.evidence.store import BlobNotFoundError, BlobStore, blob_store
from chengguan.intake.service import load as load_source
from chengguan.kit import media
from chengguan.org.models import Officer

log = logging.getLogger(__name__)
CLOCK_SKEW = timedelta(minutes=5)  # a device clock a little ahead of the server's is not a capture "in the future"
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]+")
_OOXML = ("wordprocessingml.document", "spreadsheetml.sheet")
# What may be kept as evidence (《行政处罚法》第四十六条: 书证、视听资料、电子数据…), by the type of its content.
EVIDENCE_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/bmp", "image/tiff"}
    | {"video/mp4", "video/quicktime", "video/webm", "video/3gpp", "video/x-msvideo", "video/x-matroska", "video/mpeg"}
    | {"audio/mpeg", "audio/mp4", "audio/wav", "audio/ogg", "audio/webm", "audio/amr", "audio/aac", "audio/flac"}
    | {"application/pdf", "text/plain", "text/csv", "application/msword", "application/vnd.ms-excel"}
    | {f"application/vnd.openxmlformats-officedocument.{k}" for k in _OOXML}
    | {"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet"}
)


class TooLarge(DomainError):
    """The file is larger than ``CHENGGUAN_EVIDENCE_MAX_UPLOAD_MB`` (413)."""

    status_code = 413
    code = "evidence.too_large"
    title = "Content Too Large"


class _Capped:
    """A binary stream that refuses to yield more than ``limit`` bytes (the store then drops its temporary file)."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self._stream, self._limit, self.size = stream, limit, 0

    def read(self, n: int = CHUNK) -> bytes:
        chunk = self._stream.read(n)
        self.size += len(chunk)
        if self.size > self._limit:
            raise TooLarge(f"文件超过 {self._limit // 2**20} MB 的上限")
        return chunk


def kind_for(mime: str) -> EvidenceKind:
    """The evidence kind a MIME type implies: image → 照片, video → 视频, audio → 录音, anything else → 文件."""
    major = mime.split("/", 1)[0].lower()
    return {"image": EvidenceKind.photo, "video": EvidenceKind.video, "audio": EvidenceKind.audio}.get(
        major, EvidenceKind.file
    )


def clean_filename(name: str | None) -> str:
    """The file's base name without path parts or control characters (at most 255 characters)."""
    base = os.path.basename((name or "").replace("\\", "/"))
    return _UNSAFE_NAME.sub("_", base).strip()[:255] or "evidence"


class _Prefixed:
    """The bytes already read to detect the type, then the rest of the stream (uploads are not read twice)."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head, self._rest = head, rest

    def read(self, n: int = CHUNK) -> bytes:
        if self._head:
            chunk, self._head = self._head[:n], self._head[n:]
            return chunk
        return self._rest.read(n)


def _typed(
    data: bytes | BinaryIO, declared: str | None, filename: str, accepted: frozenset[str] | None = None
) -> tuple[str, bytes | BinaryIO]:
    """The type detected from the content (415 when it is not what the client declared, or not evidence we keep,
    or not one of ``accepted``), and the data to store."""
    head = bytes(data[: media.HEAD_BYTES]) if isinstance(data, bytes | bytearray) else data.read(media.HEAD_BYTES)
    if not head:
        raise field_error("file", "文件为空", code="evidence.empty")
    mime = media.check(head, declared=declared, filename=filename, accepted=accepted or EVIDENCE_TYPES)
    return mime, data if isinstance(data, bytes | bytearray) else _Prefixed(head, data)  # type: ignore[return-value]


def _who(who: StaffPrincipal | Actor) -> tuple[uuid.UUID | None, str, uuid.UUID | None, Actor]:
    if isinstance(who, StaffPrincipal):
        return who.user_id, who.display_name, who.officer_id, who.actor
    return who.actor_id, who.actor_name, None, who


def record(
    session: Session,
    settings: Settings,
    who: StaffPrincipal | Actor,
    case_id: uuid.UUID,
    data: bytes | BinaryIO,
    *,
    filename: str,
    mime: str | None = None,
    kind: EvidenceKind | None = None,
    origin: EvidenceOrigin = EvidenceOrigin.officer,
    captured_at: datetime | None = None,
    lng: float | None = None,
    lat: float | None = None,
    address: str | None = None,
    device: str | None = None,
    officer_id: uuid.UUID | None = None,
    title: str | None = None,
    description: str | None = None,
    source_id: uuid.UUID | None = None,
    store: BlobStore | None = None,
    at: datetime | None = None,
) -> EvidenceItem:
    """Fix one file as evidence of the case (第四十七条：全过程记录): its SHA-256 and SM3, the bytes in the
    content-addressed store, a hash-chained ledger entry over digests, capture time and metadata; machine-recorded
    evidence starts its 第四十一条 review. A staff ``who`` must be able to read the case, which must not be closed;
    an ``Actor`` (demo, imports of past records) is trusted. ``at`` is when it is recorded (default: the clock)."""
    now = at or clock.now()
    staff = isinstance(who, StaffPrincipal)
    case = load_case(session, case_id, who) if staff else session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在", code="case.not_found")
    if staff and case.status in TERMINAL:  # an import of past records (Actor) may reach a case closed since
        label = STATUS_LABELS[case.status]
        raise Conflict(f"案件{label}，不能再登记证据", code="evidence.case_closed")
    user_id, user_name, own_officer, actor = _who(who)
    item, entry, found = _fix(
        session, settings, data, filename=filename, mime=mime, kind=kind, origin=origin, captured_at=captured_at,
        lng=lng, lat=lat, address=address, device=device, officer_id=officer_id or own_officer, title=title,
        description=description, store=store, now=now, uploaded_by_id=user_id, uploaded_by_name=user_name,
        case_id=case.id, source_id=source_id or case.source_id,
    )  # fmt: skip
    session.add(item)
    note = f"{KIND_LABELS[item.kind]}《{item.title}》SHA-256 {found.sha256[:16]}…，存证序号 {entry.seq}"
    add_event(session, case, "add_evidence", actor, now, data={"note": note, "evidence_id": str(item.id)})
    session.flush()
    if staff:  # uploaded through the platform (the demo's and imports' past records are not acts of today)
        events.record(session, who, "evidence.upload", "evidence", item.id, _label(item), case_id=str(case.id),
                      case_code=case.code, sha256=item.sha256, size=item.size, origin=item.origin)  # fmt: skip
    seal_full_batches(session, settings)
    return item


def record_on_source(
    session: Session,
    settings: Settings,
    who: StaffPrincipal,
    source_id: uuid.UUID,
    data: bytes | BinaryIO,
    *,
    filename: str,
    device: str,
    mime: str | None = None,
    captured_at: datetime | None = None,
    lng: float | None = None,
    lat: float | None = None,
    address: str | None = None,
    title: str | None = None,
    description: str | None = None,
) -> EvidenceItem:
    """Fix a device's recording (a drone's, a relay vehicle's or a body camera's footage or snapshot) as
    machine-recorded evidence of a case source the caller may read, before any case exists: the same digests,
    store and ledger entry as ``record``, review pending; the case opened from the source takes it."""
    source = load_source(session, who, source_id)
    now = clock.now()
    item, _, _ = _fix(
        session, settings, data, filename=filename, mime=mime, kind=None, origin=EvidenceOrigin.machine,
        captured_at=captured_at, lng=lng, lat=lat, address=address, device=device, officer_id=None, title=title,
        description=description, store=None, now=now, uploaded_by_id=who.user_id, uploaded_by_name=who.display_name,
        case_id=None, source_id=source.id,
    )  # fmt: skip
    session.add(item)
    session.flush()
    events.record(session, who, "evidence.upload", "evidence", item.id, _label(item), source_id=str(source.id),
                  source_code=source.code, sha256=item.sha256, size=item.size, origin=item.origin)  # fmt: skip
    seal_full_batches(session, settings)
    return item


def record_party(
    session: Session,
    settings: Settings,
    who: Actor,
    data: bytes | BinaryIO,
    *,
    filename: str,
    mime: str | None = None,
    accepted: frozenset[str] | None = None,
    captured_at: datetime | None = None,
    lng: float | None = None,
    lat: float | None = None,
    device: str | None = None,
    title: str | None = None,
    description: str | None = None,
    source_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
) -> EvidenceItem:
    """Fix a file a party submitted outside a case's own evidence route (a shop's rectification photos, the
    materials of an online statement): origin ``party``, digests, bytes and a ledger entry as for any evidence.
    ``accepted`` narrows the content types (photos only); the uploader is the party, not a staff account."""
    now = clock.now()
    item, _, _ = _fix(
        session, settings, data, filename=filename, mime=mime, kind=None, origin=EvidenceOrigin.party,
        captured_at=captured_at, lng=lng, lat=lat, address=None, device=device, officer_id=None, title=title,
        description=description, store=None, now=now, uploaded_by_id=None, uploaded_by_name=who.actor_name,
        accepted=accepted, case_id=case_id, source_id=source_id,
    )  # fmt: skip
    session.add(item)
    session.flush()
    seal_full_batches(session, settings)
    return item


def _fix(
    session: Session,
    settings: Settings,
    data: bytes | BinaryIO,
    *,
    filename: str,
    mime: str | None,
    kind: EvidenceKind | None,
    origin: EvidenceOrigin,
    captured_at: datetime | None,
    lng: float | None,
    lat: float | None,
    address: str | None,
    device: str | None,
    officer_id: uuid.UUID | None,
    title: str | None,
    description: str | None,
    store: BlobStore | None,
    now: datetime,
    uploaded_by_id: uuid.UUID | None,
    uploaded_by_name: str,
    case_id: uuid.UUID | None,
    source_id: uuid.UUID | None,
    accepted: frozenset[str] | None = None,
) -> tuple[EvidenceItem, Any, Any]:
    """The item (not yet added), its ledger entry and the stored blob: type from the content, capture facts
    checked, bytes stored, the hash-chained entry appended under the head lock."""
    name = clean_filename(filename)
    mime, data = _typed(data, mime, name, accepted)
    kind = kind or kind_for(mime)
    captured_at = captured_at or now
    _check_capture(captured_at, now, lng, lat, origin, device)
    captured_at = captured_at.astimezone(UTC)  # stored UTC (house rule); the ledger's text is UTC as well
    if officer_id is not None and session.get(Officer, officer_id) is None:
        raise field_error("officer_id", "执法人员不存在")
    store = store or blob_store(settings)
    limit = settings.evidence_max_upload_mb * 2**20
    if isinstance(data, bytes | bytearray):
        if len(data) > limit:
            raise TooLarge(f"文件超过 {settings.evidence_max_upload_mb} MB 的上限")
        found = store.put(bytes(data))
    else:
        found = store.put(_Capped(data, limit))  # type: ignore[arg-type]
    if found.size == 0:
        raise field_error("file", "文件为空", code="evidence.empty")
    item = EvidenceItem(
        id=uuid.uuid4(),
        case_id=case_id,
        source_id=source_id,
        kind=kind,
        origin=origin,
        title=(title or "").strip()[:200] or f"{KIND_LABELS[kind]}：{name}"[:200],
        description=(description or "").strip()[:4000] or None,
        filename=name,
        mime=mime,
        sha256=found.sha256,
        sm3=found.sm3,
        size=found.size,
        captured_at=captured_at,
        lng=None if lng is None else round(float(lng), 7),  # a float, as the database hands it back (digest)
        lat=None if lat is None else round(float(lat), 7),
        address=(address or "").strip()[:256] or None,
        device=(device or "").strip()[:100] or None,
        officer_id=officer_id,
        uploaded_by_id=uploaded_by_id,
        uploaded_by_name=uploaded_by_name[:100],
        review_status=initial_status(origin),
        created_at=now,
        updated_at=now,
    )
    item.meta = ledger_db.meta_of(item)
    payload = make_payload(str(item.id), found, kind=kind.value, captured_at=captured_at, meta=item.meta)
    entry = ledger_db.append_entry(session, payload, recorded_at=now)
    item.ledger_seq = entry.seq
    return item, entry, found


def _label(item: EvidenceItem) -> str:
    # Kind and ledger number, not the title: a title may name the party, and the audit log keeps no personal data.
    return f"{KIND_LABELS[item.kind]} 存证序号 {item.ledger_seq}"


_FIRST_BYTES = re.compile(r"\s*bytes\s*=\s*0-")


def record_download(session: Session, principal: StaffPrincipal, item: EvidenceItem, byte_range: str | None) -> None:
    """证据下载 is audited once per taking of the file: a player's later range requests (seeking in a video) are parts
    of the same taking and are not written again."""
    if byte_range and not _FIRST_BYTES.match(byte_range):
        return
    where = {"case_id": str(item.case_id)} if item.case_id else {"source_id": str(item.source_id)}
    events.download(session, principal, "evidence", item.id, _label(item), sha256=item.sha256, **where)


def _check_capture(
    captured_at: datetime,
    now: datetime,
    lng: float | None,
    lat: float | None,
    origin: EvidenceOrigin,
    device: str | None,
) -> None:
    if captured_at.tzinfo is None:
        raise field_error("captured_at", "采集时间须带时区")
    if captured_at > now + CLOCK_SKEW:
        raise field_error("captured_at", "采集时间不能晚于当前时间", code="evidence.captured_in_future")
    if (lng is None) != (lat is None):
        raise field_error("lng" if lng is None else "lat", "经度与纬度须同时填写")
    if lng is not None and lat is not None and not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise field_error("lng", "经纬度超出范围（WGS-84）")
    if origin is EvidenceOrigin.machine and not (device or "").strip():
        raise field_error("device", "电子技术监控设备记录须填写设备编号（《行政处罚法》第四十一条）")


def seal_pending(session: Session, settings: Settings) -> int:
    """Seal everything not sealed yet (the periodic job and ``chengguan seal-evidence``); the number of batches."""
    return len(ledger_db.seal_pending(session, batch_size=settings.evidence_batch_size))


# -- reads ---------------------------------------------------------------------------------------------------------


def load(session: Session, principal: StaffPrincipal, evidence_id: uuid.UUID) -> EvidenceItem:
    """An item whose case (before any case: whose case source) the principal may read; 404 otherwise."""
    item = session.get(EvidenceItem, evidence_id)
    if item is None or (item.case_id is None and item.source_id is None):
        raise NotFound("证据不存在或不在您的数据权限范围内", code="evidence.not_found")
    try:
        if item.case_id is None:
            assert item.source_id is not None
            load_source(session, principal, item.source_id)
        elif principal.has("case:read"):
            load_case(session, item.case_id, principal)
        else:  # a case source's reader meets its evidence only until a case holds it
            raise NotFound("证据不存在或不在您的数据权限范围内", code="evidence.not_found")
    except DomainError as exc:
        if exc.audit_note is not None:  # the log names the evidence asked for, not only its case
            exc.noting(exc.audit_note.about("evidence", item.id, item.kind.value))
        raise
    return item


def of_source(session: Session, principal: StaffPrincipal, source_id: uuid.UUID) -> list[EvidenceItem]:
    """The evidence fixed on a case source (alarm snapshots and clips, readings, footage), in capture order."""
    return repository.of_source(session, load_source(session, principal, source_id).id)


@hooks.when_opened("evidence")
def _adopt(session: Session, case: Case) -> None:
    """A case opened from a case source takes the evidence fixed on the source before it existed."""
    if case.source_id is not None:
        repository.adopt(session, case.source_id, case.id)


def of_case(session: Session, principal: StaffPrincipal, case_id: uuid.UUID) -> list[EvidenceItem]:
    """The case's evidence in capture order."""
    return repository.of_case(session, load_case(session, case_id, principal).id)


@hooks.contributes("evidence")
def _case_facts(session: Session, case: Case) -> dict[str, object]:
    """The case's machine-recorded evidence still under review (第四十一条: no penalty decision rests on it)."""
    return {"unreviewed_machine_evidence": repository.unreviewed_machine_evidence(session, case.id)}


def open_file(settings: Settings, item: EvidenceItem) -> BinaryIO:
    """The stored bytes of the item (404 when the file is gone: the verifier names it)."""
    try:
        return blob_store(settings).open(item.sha256)
    except BlobNotFoundError:
        raise NotFound("证据文件已不在存储中（请运行证据校验）", code="evidence.file_missing") from None


# -- review (第四十一条) -------------------------------------------------------------------------------------------


def review(
    session: Session, principal: StaffPrincipal, evidence_id: uuid.UUID, passed: bool, opinion: str | None
) -> EvidenceItem:
    """Record the next level of the 第四十一条 review (技术审核, then 法制审核) of a machine-recorded item."""
    item = load(session, principal, evidence_id)
    session.refresh(item, with_for_update=True)  # two reviewers at once: one wins, the other meets the new status
    opinion = (opinion or "").strip() or None
    done = repository.reviews_of(session, [item.id])[item.id]
    first = next((r for r in done if r.level == 1 and r.passed), None)
    step = review_step(
        item.review_status,
        passed,
        reviewer_id=principal.user_id,
        uploader_id=item.uploaded_by_id,
        first_reviewer_id=first.user_id if first else None,
        may_check=principal.has("case:write"),
        may_legal_review=principal.has("legal:review"),
    )
    if not passed and not opinion:
        raise field_error("opinion", "审核不通过须写明理由（记录内容不符合真实、清晰、完整、准确的要求之处）")
    now = clock.now()
    session.add(
        EvidenceReview(
            evidence_id=item.id,
            level=step.level,
            passed=passed,
            opinion=opinion,
            user_id=principal.user_id,
            user_name=principal.display_name,
            at=now,
        )
    )
    item.review_status = step.status
    item.updated_at = now
    case = session.get(Case, item.case_id) if item.case_id else None
    if case is None:
        raise Conflict("该证据尚未归入案件：由案源立案后再审核", code="evidence.no_case")
    verdict = "通过" if passed else "不通过"
    note = f"《{item.title}》{LEVEL_LABELS[step.level]}{verdict}" + (f"：{opinion}" if opinion else "")
    add_event(session, case, "review_evidence", principal.actor, now,
              data={"note": note, "evidence_id": str(item.id), "level": step.level, "passed": passed})  # fmt: skip
    events.record(session, principal, "evidence.review", "evidence", item.id, _label(item), case_id=str(case.id),
                  case_code=case.code, level=step.level, passed=passed)  # fmt: skip
    session.flush()
    return item


def is_usable(item: EvidenceItem) -> bool:
    """第四十一条第二款: whether the item may support a penalty decision."""
    return item.review_status in (ReviewStatus.not_required, ReviewStatus.passed)


# -- verification --------------------------------------------------------------------------------------------------


def verify_all(session: Session, settings: Settings, *, files: bool = True) -> ledger_check.LedgerCheck:
    """The whole ledger against the database and (``files``) every stored file."""
    workers = min(4, os.cpu_count() or 1)
    return ledger_check.verify_ledger(session, blob_store(settings) if files else None, workers=workers)


def verify_one(session: Session, settings: Settings, item: EvidenceItem) -> ledger_db.VerifyReport:
    """One item: entry, link, file, Merkle proof, record."""
    return ledger_db.verify_one(session, blob_store(settings), item)
