"""The escalation job (jobs scheduler, every minute): a rectification overdue, or rejected twice, becomes a case
source on channel ``rectification_overdue`` — at the shop, of the matter's category — and the shop is told.

Safe when several processes run it: the signal's idempotency key is the notice's id (a second process's intake
returns the first source), and the notice's version makes the second status change a no-op (its flush fails, its
savepoint rolls back, the next pass sees the notice escalated)."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.config import Settings, get_settings
from chengguan.core.errors import DomainError
from chengguan.core.principals import SYSTEM
from chengguan.intake.enums import Channel
from chengguan.intake.ingest import ingest
from chengguan.intake.models import CaseSource
from chengguan.intake.schemas import SignalIn
from chengguan.law.models import EnforcementMatter
from chengguan.merchants.models import Merchant
from chengguan.notify import sms
from chengguan.org.models import Grid
from chengguan.rectification import actions, repository, rules
from chengguan.rectification.enums import KIND_LABELS
from chengguan.rectification.models import Notice

log = logging.getLogger(__name__)
FALLBACK_CATEGORY = "06000"  # 市容环境（其他）: a matter no longer in the knowledge base


def _place(session: Session, notice: Notice, merchant: Merchant) -> tuple[float, float] | None:
    """Where the source is: the shop, else the source the notice came from, else the squad's first grid."""
    if merchant.lng is not None and merchant.lat is not None:
        return merchant.lng, merchant.lat
    if notice.source_id is not None:
        source = session.get(CaseSource, notice.source_id)
        if source is not None:
            return source.lng, source.lat
    grid = session.scalars(select(Grid).where(Grid.squad_id == notice.unit_id).order_by(Grid.grid_code)).first()
    return (grid.centroid_lng, grid.centroid_lat) if grid else None


def escalate_one(session: Session, settings: Settings, notice: Notice, reason: str) -> CaseSource | None:
    """Make the case source of one notice and mark the notice escalated; None when it has no place at all."""
    merchant = session.get(Merchant, notice.merchant_id)
    assert merchant is not None
    place = _place(session, notice, merchant)
    if place is None:
        log.warning("notice %s not escalated: no place for its case source", notice.code)
        return None
    category = session.scalar(select(EnforcementMatter.category_code).where(EnforcementMatter.code ==
                                                                             notice.matter_code))  # fmt: skip
    now = clock.now()
    why = rules.ESCALATION_LABELS[reason]
    ref = notice.document_no or notice.code
    signal = SignalIn(
        idempotency_key=f"rectification:{notice.id}",
        channel=Channel.rectification_overdue,
        category_code=category or FALLBACK_CATEGORY,
        lng=place[0],
        lat=place[1],
        occurred_at=now,
        description=(
            f"{merchant.name}（{merchant.code}）{why}：{KIND_LABELS[notice.kind]} {ref}，事项“{notice.matter_name}”，"
            f"整改期限 {notice.due_date.isoformat()}。原整改要求：{notice.requirement}"
        )[:2000],
        address=merchant.address,
        external_ref=ref[:64],
        attributes={"notice_id": str(notice.id), "merchant_code": merchant.code, "why": reason},
    )
    [result] = ingest(session, [signal], SYSTEM)
    if result.problem is not None or result.case_source_id is None:
        log.warning("notice %s not escalated: %s", notice.code, result.problem.detail if result.problem else "-")
        return None
    source = session.get(CaseSource, result.case_source_id)
    assert source is not None
    actions.escalate(session, notice, reason, source, now)
    if merchant.phone:
        body = (f"【城市管理综合执法】{merchant.name}：您的{KIND_LABELS[notice.kind]}（{ref}）{why}，"
                "已转交执法人员依法处理。")  # fmt: skip
        sms.send(session, settings, merchant.phone, body, purpose="shop_notice_escalated", ref_id=notice.id)
    return source


def escalate_due(session: Session, settings: Settings | None = None) -> int:
    """One pass: every notice that must escalate now does (each in a savepoint: one failure does not stop the
    others); the number escalated."""
    settings = settings or get_settings()
    today = clock.local_now().date()
    done = 0
    for notice in repository.escalation_candidates(session, today, rules.MAX_REJECTIONS):
        reason = rules.escalation(notice.status, notice.due_date, notice.rejections, today)
        if reason is None:
            continue
        try:
            with session.begin_nested():
                if escalate_one(session, settings, notice, reason) is not None:
                    done += 1
        except DomainError as exc:  # another process escalated it meanwhile (version), or intake refused
            log.info("notice %s not escalated now: %s", notice.code, exc.detail)
            session.expire(notice)
    return done
