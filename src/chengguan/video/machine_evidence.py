"""Alarm snapshots fixed as machine evidence (电子技术监控设备记录) on the alarm's case source, before any case exists.

The same ledger path as ``evidence.service.record`` — digests, content-addressed bytes, a hash-chained entry over
digests, capture time and metadata — but keyed by the case source: the case opened from the source later reads them
there. They start their 第四十一条第二款 review (pending) like every machine-recorded item.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from chengguan.core.config import Settings
from chengguan.core.principals import Actor
from chengguan.evidence import ledger_db
from chengguan.evidence.enums import EvidenceKind, EvidenceOrigin
from chengguan.evidence.ledger import make_payload
from chengguan.evidence.models import EvidenceItem, LedgerHead
from chengguan.evidence.review import initial_status
from chengguan.evidence.store import blob_store

log = logging.getLogger(__name__)


def record_snapshot(
    session: Session,
    settings: Settings,
    actor: Actor,
    data: bytes,
    *,
    mime: str,
    source_id: uuid.UUID | None,
    title: str,
    description: str,
    captured_at: datetime,
    device_code: str,
    lng: float | None,
    lat: float | None,
    address: str | None,
    now: datetime,
) -> EvidenceItem:
    """One snapshot as a machine-recorded evidence item with its ledger entry (review pending)."""
    found = blob_store(settings).put(data)
    captured_at = captured_at.astimezone(UTC)
    ext = "png" if mime == "image/png" else "jpg"
    item = EvidenceItem(
        id=uuid.uuid4(),
        case_id=None,
        source_id=source_id,
        kind=EvidenceKind.photo,
        origin=EvidenceOrigin.machine,
        title=title[:200],
        description=description[:4000],
        filename=f"{device_code}-{captured_at:%Y%m%dT%H%M%S}.{ext}",
        mime=mime,
        sha256=found.sha256,
        sm3=found.sm3,
        size=found.size,
        captured_at=captured_at,
        lng=None if lng is None else round(float(lng), 7),
        lat=None if lat is None else round(float(lat), 7),
        address=(address or "")[:256] or None,
        device=device_code[:100],
        officer_id=None,
        uploaded_by_id=None,
        uploaded_by_name=actor.actor_name[:100],
        review_status=initial_status(EvidenceOrigin.machine),
        created_at=now,
        updated_at=now,
    )
    item.meta = ledger_db.meta_of(item)
    payload = make_payload(str(item.id), found, kind=item.kind.value, captured_at=captured_at, meta=item.meta)
    entry = ledger_db.append_entry(session, payload, recorded_at=now)
    item.ledger_seq = entry.seq
    session.add(item)
    session.flush()
    return item


def seal_full_batches(session: Session, settings: Settings) -> None:
    """Seal once the unsealed tail fills a batch (as an upload does); a broken ledger is the verifier's to report."""
    head = session.get(LedgerHead, ledger_db.HEAD_ID)
    if head is None or head.seq - head.sealed_seq < settings.evidence_batch_size:
        return
    try:
        with session.begin_nested():
            ledger_db.seal_pending(session, batch_size=settings.evidence_batch_size, full_only=True)
    except ledger_db.LedgerBroken as exc:
        log.error("evidence ledger not sealed: %s", exc.detail)
