"""公众随手拍: a citizen reports a problem from the H5 (category, photos, place, optional phone) and follows it.

The report becomes one intake signal on channel ``public`` (routed, deduplicated and timed like every other), and
the reporter gets a tracking code: twelve characters of an alphabet without look-alikes (31^12 ≈ 2^59), so codes
cannot be guessed and the status page needs no login. What the page shows is what the Open311 view shows of a
request — status, category, the text with phone and ID numbers masked, the responsible unit, the outcome — never
the reporter's phone, nor who handled it.

Abuse: a client address may submit ``PER_HOUR`` reports an hour; only a keyed digest of the address is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import NotFound, TooManyRequests, Unprocessable, field_error
from chengguan.core.principals import Actor
from chengguan.intake import media
from chengguan.intake.enums import STATUS_LABELS, Channel
from chengguan.intake.ingest import ingest
from chengguan.intake.models import CaseSource, Signal, SourceEvent
from chengguan.intake.schemas import Reporter, SignalIn
from chengguan.law.seed import categories
from chengguan.open311.service import iso, public_status, public_text
from chengguan.org.repository import unit_names
from chengguan.public.models import PublicReport

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out over the phone without mistakes
CODE_LENGTH = 12
PER_HOUR = 10
MEDIA_PREFIX = "/api/v1/media/"
PUBLIC_ACTOR = Actor(actor_type="public", actor_id=None, actor_name="公众随手拍")


@dataclass(frozen=True)
class Submitted:
    tracking_code: str
    case_source_code: str | None
    merged: bool


def new_tracking_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(code: str) -> str:
    """What a person typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch not in " -")


def client_hash(settings: Settings, ip: str | None) -> str:
    """A keyed digest of the client address: enough to count its submissions, useless to recover it."""
    return hmac.new(settings.secret_key.encode(), f"public-report:{ip or '-'}".encode(), hashlib.sha256).hexdigest()


def _photos(settings: Settings, urls: list[str]) -> list[str]:
    """Photos must be ones uploaded through the media endpoint (stored, type checked from their bytes)."""
    for url in urls:
        if not url.startswith(MEDIA_PREFIX):
            raise field_error("photos", "照片须先通过上传接口上传", code="public.photo_unknown")
        media.locate(settings.data_dir, url.removeprefix(MEDIA_PREFIX))
    return list(dict.fromkeys(urls))


def submit(
    session: Session,
    settings: Settings,
    *,
    category_code: str,
    description: str,
    lng: float,
    lat: float,
    address: str | None,
    photos: list[str],
    phone: str | None,
    ip: str | None,
) -> Submitted:
    """Take in one report; 429 beyond the hourly limit of the client address."""
    now = clock.now()
    digest = client_hash(settings, ip)
    recent = session.scalar(
        select(func.count()).select_from(PublicReport)
        .where(PublicReport.client_hash == digest, PublicReport.created_at > now - timedelta(hours=1))
    )  # fmt: skip
    if (recent or 0) >= PER_HOUR:
        raise TooManyRequests(f"同一网络一小时内最多提交 {PER_HOUR} 条反映，请稍后再试", code="public.too_many_reports")
    if category_code not in categories():
        raise field_error("category_code", "没有这个问题类别", code="public.category_unknown")
    code = new_tracking_code()
    signal = SignalIn(
        idempotency_key=f"public:{code}",
        channel=Channel.public,
        category_code=category_code,
        lng=lng,
        lat=lat,
        occurred_at=now,
        description=description,
        address=address,
        external_ref=code,
        media=_photos(settings, photos),
        reporter=Reporter(phone=phone) if phone else None,
    )
    result = ingest(session, [signal], PUBLIC_ACTOR)[0]
    if result.problem is not None or result.signal_id is None:
        problem = result.problem
        # what intake refuses is the report's content (a place outside China, …): 422, as a field the schema allows
        detail, code = (problem.detail, problem.code) if problem else ("提交失败", "public.refused")
        raise Unprocessable(detail, code=code)
    session.add(PublicReport(tracking_code=code, signal_id=result.signal_id, client_hash=digest, created_at=now))
    session.flush()
    return Submitted(code, result.case_source_code, result.merged)


def track(session: Session, tracking_code: str) -> dict[str, Any]:
    """The status page of one report (404 for an unknown code: nothing tells whether a code ever existed)."""
    code = normal_code(tracking_code)
    row = session.execute(
        select(
            Signal.id, Signal.category_code, Signal.description, Signal.address, Signal.lng, Signal.lat,
            Signal.media, Signal.received_at, Signal.merged, CaseSource.id.label("source_id"), CaseSource.status,
            CaseSource.outcome, CaseSource.updated_at, CaseSource.due_at, CaseSource.squad_id, CaseSource.district_id,
            CaseSource.unit_id, CaseSource.signal_count, CaseSource.address.label("source_address"),
        )
        .join(PublicReport, PublicReport.signal_id == Signal.id)
        .outerjoin(CaseSource, CaseSource.id == Signal.case_source_id)
        .where(PublicReport.tracking_code == code)
    ).first()  # fmt: skip
    if row is None:
        raise NotFound("没有这个查询码，请核对后再试", code="public.tracking_not_found")
    status, notes = public_status(row)
    names = unit_names(session, {u for u in (row.squad_id, row.district_id, row.unit_id) if u})
    unit = names.get(row.squad_id) or names.get(row.district_id) or names.get(row.unit_id)
    return {
        "tracking_code": code,
        "status": status,
        "status_notes": notes,
        "category_code": row.category_code,
        "category_name": categories().get(row.category_code, row.category_code),
        "description": public_text(row.description),
        "address": public_text(row.address or row.source_address),
        "lng": round(row.lng, 6),
        "lat": round(row.lat, 6),
        "photos": [m for m in row.media or [] if isinstance(m, str) and m.startswith(MEDIA_PREFIX)],
        "submitted_at": iso(row.received_at),
        "updated_at": iso(row.updated_at or row.received_at),
        "expected_at": iso(row.due_at) if status == "open" else None,
        "unit": unit,
        "steps": _steps(session, row.source_id, row.received_at),
    }


def _steps(session: Session, source_id: Any, received_at: datetime) -> list[dict[str, str | None]]:
    """The stages the problem went through, each once, in order (who acted is not published)."""
    steps: list[dict[str, str | None]] = [{"at": iso(received_at), "label": "已提交"}]
    if source_id is None:
        return steps
    seen: set[str] = set()
    events = session.execute(
        select(SourceEvent.at, SourceEvent.to_status)
        .where(SourceEvent.case_source_id == source_id, SourceEvent.to_status.is_not(None))
        .order_by(SourceEvent.at)
    )  # fmt: skip
    for at, to_status in events:
        label = next((v for k, v in STATUS_LABELS.items() if k.value == to_status), None)
        if label and to_status not in seen:
            seen.add(to_status)
            steps.append({"at": iso(at), "label": label})
    return steps
