"""Machine-recorded evidence (电子技术监控设备记录) fixed outside the case upload route: an alarm's snapshots and clip,
the IoT readings behind an alarm, a drone's or body camera's footage. The file is fixed the same way as a case's
evidence — SHA-256 and SM3, the content-addressed store, a hash-chained ledger entry over digests, capture time and
metadata — and carries the case source (and the case when there is one), so the case opened from the source later
finds it. Its 第四十一条 review starts at once (《行政处罚法》第四十一条: data of electronic monitoring devices must
be reviewed before it may support a decision)."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.principals import Actor
from chengguan.evidence import ledger_db
from chengguan.evidence.enums import EvidenceKind, EvidenceOrigin
from chengguan.evidence.ledger import make_payload
from chengguan.evidence.models import EvidenceItem, LedgerHead
from chengguan.evidence.review import initial_status
from chengguan.evidence.store import blob_store

log = logging.getLogger(__name__)


def record_for_source(
    session: Session,
    settings: Settings,
    actor: Actor,
    source_id: uuid.UUID | None,
    data: bytes,
    *,
    filename: str,
    mime: str,
    title: str,
    device: str,
    captured_at: datetime,
    kind: EvidenceKind = EvidenceKind.file,
    case_id: uuid.UUID | None = None,
    lng: float | None = None,
    lat: float | None = None,
    address: str | None = None,
    description: str | None = None,
    now: datetime | None = None,
) -> EvidenceItem:
    """Fix ``data`` (a snapshot, a clip, a CSV of readings) as machine-recorded evidence of the case source
    ``source_id`` (and the case ``case_id``), review pending."""
    now = now or clock.now()
    found = blob_store(settings).put(data)
    item = EvidenceItem(
        id=uuid.uuid4(),
        case_id=case_id,
        source_id=source_id,
        kind=kind,
        origin=EvidenceOrigin.machine,
        title=title[:200],
        description=(description or "")[:4000] or None,
        filename=filename[:255],
        mime=mime,
        sha256=found.sha256,
        sm3=found.sm3,
        size=found.size,
        captured_at=captured_at.astimezone(UTC),
        lng=None if lng is None else round(float(lng), 7),
        lat=None if lat is None else round(float(lat), 7),
        address=(address or "")[:256] or None,
        device=device[:100],
        officer_id=None,
        uploaded_by_id=None,
        uploaded_by_name=actor.actor_name[:100],
        review_status=initial_status(EvidenceOrigin.machine),
        created_at=now,
        updated_at=now,
    )
    item.meta = ledger_db.meta_of(item)
    payload = make_payload(str(item.id), found, kind=item.kind.value, captured_at=item.captured_at, meta=item.meta)
    item.ledger_seq = ledger_db.append_entry(session, payload, recorded_at=now).seq
    session.add(item)
    session.flush()
    return item


def seal_full_batches(session: Session, settings: Settings) -> None:
    """Seal once the unsealed tail fills a batch; a ledger that no longer holds is the verifier's to report, so the
    record is not lost over it (the seal is simply not made)."""
    head = session.get(LedgerHead, ledger_db.HEAD_ID)
    if head is None or head.seq - head.sealed_seq < settings.evidence_batch_size:
        return
    try:
        with session.begin_nested():
            ledger_db.seal_pending(session, batch_size=settings.evidence_batch_size, full_only=True)
    except ledger_db.LedgerBroken as exc:
        log.error("evidence ledger not sealed: %s", exc.detail)
