"""Today's key figures and the latest alarms (工作台、大屏): counted live with the lists' own filters, so each number
equals the total of the list it links to (``filters`` are that list's query parameters)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chengguan.cases.enums import FILED_UNDECIDED, DecisionKind
from chengguan.cases.facts import today
from chengguan.cases.models import Case
from chengguan.cases.repository import CaseRepository
from chengguan.cases.schemas import CaseFilter
from chengguan.core import clock
from chengguan.core.principals import StaffPrincipal
from chengguan.intake import read as sources_read
from chengguan.intake.enums import CHANNEL_LABELS, STATUS_LABELS, Channel
from chengguan.intake.models import CaseSource
from chengguan.intake.schemas import CaseSourceFilter
from chengguan.law.seed import categories
from chengguan.org.repository import unit_names

ALARM_CHANNELS = (Channel.ai_video, Channel.iot)


def _count(session: Session, statement: Any) -> int:
    return session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0


def today_figures(session: Session, principal: StaffPrincipal) -> list[dict[str, Any]]:
    """``[{key, label, value, unit, list, filters}]`` for today (local date): sources registered today, open,
    overdue; cases registered today, running, overdue; fines decided and fines paid today (fen)."""
    on, now = today(), clock.now()
    day = on.isoformat()
    out: list[dict[str, Any]] = []
    if principal.has("source:read"):
        for key, label, filters in (
            ("sources_today", "今日新增案源", {"created_from": day, "created_to": day}),
            ("sources_open", "未办结案源", {"open": True}),
            ("sources_overdue", "超期案源", {"open": True, "overdue": True}),
        ):
            statement = sources_read.filtered(session, principal, CaseSourceFilter.model_validate(filters), now)
            out.append({"key": key, "label": label, "value": _count(session, statement), "unit": "件",
                        "list": "case-sources", "filters": filters})  # fmt: skip
    if principal.has("case:read"):
        cases = CaseRepository(session)
        running = sorted(s.value for s in FILED_UNDECIDED)
        for key, label, filters in (
            ("cases_today", "今日新立案件", {"created_from": day, "created_to": day}),
            ("cases_running", "在办案件", {"status": running}),
            ("cases_overdue", "超期案件", {"overdue": True}),
        ):
            statement = cases.filtered(principal, CaseFilter.model_validate(filters), on)
            out.append({"key": key, "label": label, "value": cases.count(statement), "unit": "件",
                        "list": "cases", "filters": filters})  # fmt: skip
        readable = cases.readable(principal).whereclause
        decided = session.scalar(select(func.coalesce(func.sum(Case.fine_fen), 0)).where(
            readable, Case.decision_kind == DecisionKind.penalty, Case.decided_on == on))  # fmt: skip
        paid_fen = select(func.coalesce(func.sum(Case.paid_fen), 0))
        paid = session.scalar(paid_fen.where(readable, Case.fine_paid_on == on))
        out.append({"key": "fines_decided_today", "label": "今日处罚决定罚款", "value": int(decided or 0),
                    "unit": "分", "list": None, "filters": {}})  # fmt: skip
        out.append({"key": "fines_paid_today", "label": "今日缴清罚款", "value": int(paid or 0), "unit": "分",
                    "list": None, "filters": {}})  # fmt: skip
    return out


def latest_alarms(
    session: Session, principal: StaffPrincipal, limit: int = 20, channels: tuple[Channel, ...] | None = ALARM_CHANNELS
) -> list[dict[str, Any]]:
    """The newest readable case sources (of ``channels``; None: every channel), newest first."""
    statement = sources_read.filtered(session, principal, CaseSourceFilter(), clock.now())
    if channels:
        statement = statement.where(CaseSource.channel.in_(channels))
    found = list(session.scalars(statement.order_by(CaseSource.created_at.desc(), CaseSource.code.desc()).limit(limit)))
    units = unit_names(session, {u for s in found for u in (s.district_id, s.squad_id) if u})
    cats = categories()
    return [{"id": str(s.id), "code": s.code, "channel": s.channel.value, "channel_label": CHANNEL_LABELS[s.channel],
             "category_code": s.category_code, "category_name": cats.get(s.category_code, s.category_code),
             "status": s.status.value, "status_label": STATUS_LABELS[s.status], "address": s.address,
             "lng": s.lng, "lat": s.lat, "grid_code": s.grid_code,
             "district": units.get(s.district_id, "") if s.district_id else "",
             "squad": units.get(s.squad_id, "") if s.squad_id else "",
             "created_at": s.created_at.isoformat()} for s in found]  # fmt: skip
