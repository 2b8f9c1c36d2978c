"""Acting on a rectification: the officer confirms, rejects or schedules a re-inspection (or withdraws the notice),
the shop submits its photos, the platform escalates what is overdue — each decided by ``rules`` and recorded on the
notice's timeline (and the linked case source's)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import Conflict, NotFound, field_error
from chengguan.core.principals import Actor, StaffPrincipal
from chengguan.evidence import service as evidence
from chengguan.intake.models import CaseSource
from chengguan.intake.service import append_event as append_source_event
from chengguan.kit.media import PHOTOS
from chengguan.rectification import rules
from chengguan.rectification.enums import Actor as Who
from chengguan.rectification.enums import RectAction, RectStatus
from chengguan.rectification.models import Notice, RectificationSubmission
from chengguan.rectification.repository import NoticeRepository
from chengguan.rectification.schemas import NoticeActionIn
from chengguan.rectification.timeline import add_event

MAX_PHOTOS = 9
A = RectAction
CLOSING = frozenset({RectStatus.confirmed, RectStatus.withdrawn, RectStatus.escalated})


def load(session: Session, principal: StaffPrincipal, notice_id: uuid.UUID) -> Notice:
    """A notice in the reader's scope; 404 otherwise."""
    notice = NoticeRepository(session).get_readable(principal, notice_id)
    if notice is None:
        raise NotFound("通知不存在或不在您的数据权限范围内", code="notice.not_found")
    return notice


def _facts(notice: Notice, reason: str | None = None, reinspection_on: date | None = None) -> rules.Facts:
    return rules.Facts(today=clock.local_now().date(), due_date=notice.due_date, rejections=notice.rejections,
                       reason=reason, reinspection_on=reinspection_on)  # fmt: skip


def _apply(
    session: Session,
    notice: Notice,
    action: RectAction,
    who: Who,
    actor: Actor,
    facts: rules.Facts,
    *,
    data: dict | None = None,
    now: datetime | None = None,
) -> Notice:
    """Decide, change the row, append the timeline entry; a concurrent change is 409 (the version moved)."""
    now = now or clock.now()
    before = notice.status
    after = rules.decide(before, action, who, facts)
    if action is A.reject:
        notice.rejections += 1
    if action is A.schedule_reinspection:
        notice.reinspection_on = facts.reinspection_on
    notice.status = after
    if after in CLOSING:
        notice.closed_at = now
    notice.updated_at = now
    add_event(session, notice, action.value, actor, now, from_status=before, to_status=after, reason=facts.reason,
              data=data)  # fmt: skip
    if notice.source_id is not None and after in CLOSING:
        source = session.get(CaseSource, notice.source_id)
        if source is not None:
            append_source_event(session, source, f"notice_{after.value}", actor, now, reason=facts.reason,
                                data={"notice_id": str(notice.id), "code": notice.code})  # fmt: skip
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict("通知已被他人更新，请刷新后重试", code="notice.version_conflict") from exc
    return notice


def act(session: Session, principal: StaffPrincipal, notice_id: uuid.UUID, action: RectAction,
        data: NoticeActionIn) -> Notice:  # fmt: skip
    """An officer's action on a notice of their scope, at the version they saw."""
    notice = load(session, principal, notice_id)
    if data.version != notice.version:
        raise Conflict("通知已被他人更新，请刷新后重试", code="notice.version_conflict", current_version=notice.version)
    return officer_act(session, notice, action, principal.actor, reason=data.reason,
                       reinspection_on=data.reinspection_on)  # fmt: skip


def officer_act(session: Session, notice: Notice, action: RectAction, actor: Actor, *, reason: str | None = None,
                reinspection_on: date | None = None) -> Notice:  # fmt: skip
    """An officer's action on a notice already loaded (the caller checked scope and version)."""
    facts = _facts(notice, reason, reinspection_on)
    extra = {"reinspection_on": reinspection_on.isoformat()} if reinspection_on else None
    return _apply(session, notice, action, Who.officer, actor, facts, data=extra)


@dataclass(frozen=True)
class Photo:
    """One photo as the H5 sent it: the bytes, their declared type, and when and where it was taken."""

    data: bytes | BinaryIO
    filename: str
    mime: str | None
    captured_at: datetime | None
    lng: float | None
    lat: float | None
    device: str | None = None


def submit(
    session: Session, settings: Settings, actor: Actor, account_id: uuid.UUID, notice: Notice,
    photos: list[Photo], note: str | None,
) -> RectificationSubmission:  # fmt: skip
    """The shop's rectification: photos only (type from the bytes), each fixed in the evidence ledger with origin
    ``party`` and its capture time and place, then the notice waits on the officer."""
    if not photos:
        raise field_error("files", "请至少上传一张整改后的现场照片", code="rectification.photo_required")
    if len(photos) > MAX_PHOTOS:
        raise field_error("files", f"一次最多上传 {MAX_PHOTOS} 张照片", code="rectification.too_many_photos")
    facts = _facts(notice)
    rules.decide(notice.status, A.submit, Who.party, facts)  # refuse before storing anything
    mark_read(session, notice, actor)  # a shop that answers has read it (the H5 opened it first anyway)
    items = [
        evidence.record_party(
            session, settings, actor, p.data, filename=p.filename, mime=p.mime, accepted=PHOTOS,
            captured_at=p.captured_at, lng=p.lng, lat=p.lat, device=p.device, source_id=notice.source_id,
            title=f"整改照片：{notice.document_no or notice.code}", description=note,
        )
        for p in photos
    ]  # fmt: skip
    now = clock.now()
    row = RectificationSubmission(notice_id=notice.id, account_id=account_id, note=(note or "").strip()[:1000] or None,
                                  evidence_ids=[str(i.id) for i in items], submitted_at=now)  # fmt: skip
    session.add(row)
    seqs = [i.ledger_seq for i in items]
    _apply(session, notice, A.submit, Who.party, actor, facts, now=now,
           data={"photos": len(items), "ledger_seq": seqs, "note": row.note})  # fmt: skip
    return row


def mark_read(session: Session, notice: Notice, actor: Actor) -> None:
    """The shop opened the notice in the portal for the first time (recorded once)."""
    if notice.read_at is None:
        now = clock.now()
        notice.read_at = now
        add_event(session, notice, "read", actor, now)
        session.flush()


def escalate(session: Session, notice: Notice, reason: str, source: CaseSource, now: datetime) -> Notice:
    """The platform's escalation, once the case source exists (``tasks`` makes it)."""
    actor = Actor(actor_type="system", actor_id=None, actor_name="系统（整改逾期转案源）")
    facts = _facts(notice, rules.ESCALATION_LABELS[reason])
    notice.escalated_source_id = source.id
    return _apply(session, notice, A.escalate, Who.system, actor, facts, now=now,
                  data={"case_source_id": str(source.id), "case_source_code": source.code, "why": reason})  # fmt: skip
