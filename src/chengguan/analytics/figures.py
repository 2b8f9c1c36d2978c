"""Today's key figures and the latest alarms (工作台、大屏): counted live with the lists' own filters, so each number
equals the total of the list it links to (``filters`` are that list's query parameters)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chengguan.analytics import onduty
from chengguan.cases.enums import FILED_UNDECIDED, CaseStatus, DecisionKind
from chengguan.cases.facts import today
from chengguan.cases.models import Case
from chengguan.cases.read import list_cases
from chengguan.cases.repository import CaseRepository
from chengguan.cases.schemas import CaseFilter
from chengguan.core import clock
from chengguan.core.principals import StaffPrincipal
from chengguan.dispatching import repository as dispatch_tasks
from chengguan.intake import read as sources_read
from chengguan.intake.enums import CHANNEL_LABELS, STATUS_LABELS, Channel
from chengguan.intake.models import CaseSource
from chengguan.intake.schemas import CaseSourceFilter
from chengguan.kit.schemas import PageParams
from chengguan.law.seed import categories
from chengguan.org.repository import unit_names

ALARM_CHANNELS = (Channel.ai_video, Channel.iot)


def _count(session: Session, statement: Any) -> int:
    return session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0


def _item(key: str, label: str, value: int, unit: str, list_: str | None, filters: dict[str, Any],
          group: str = "today", **extra: Any) -> dict[str, Any]:  # fmt: skip
    # ``group``: "today" (today's figures) or "action" (what needs action now: overdue, due, approvals, tasks).
    return {"key": key, "label": label, "value": value, "unit": unit, "list": list_, "filters": filters,
            "group": group, **extra}  # fmt: skip


def week_end(on: date) -> date:
    """The Sunday of ``on``'s week (本周: Monday to Sunday, Beijing dates)."""
    return on + timedelta(days=6 - on.weekday())


def today_figures(session: Session, principal: StaffPrincipal,
                  only: frozenset[str] | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """``[{key, label, value, unit, list, filters, group}]`` for today (local date), by what the caller may do:
    sources registered today, open, overdue (source:read); cases registered today, running, overdue, due this week,
    the officer's own running cases (case:read); fines decided and paid today in fen, each with the count of its
    cases; the approval inbox (case:approve / legal:review); officers on duty (dispatch:read); the officer's open
    dispatch tasks. ``filters`` are the query of the list the figure equals (``list``). ``only``: just these keys
    (the big screen shows no one's own inbox, whose count costs a check of every case in an approval stage)."""

    def want(key: str) -> bool:
        return only is None or key in only

    on, now = today(), clock.now()
    day = on.isoformat()
    out: list[dict[str, Any]] = []
    if principal.has("source:read"):
        for key, label, filters, group in (
            ("sources_today", "今日新增案源", {"created_from": day, "created_to": day}, "today"),
            ("sources_open", "未办结案源", {"open": True}, "today"),
            ("sources_overdue", "超期案源", {"open": True, "overdue": True}, "action"),
        ):
            if not want(key):
                continue
            statement = sources_read.filtered(session, principal, CaseSourceFilter.model_validate(filters), now)
            out.append(_item(key, label, _count(session, statement), "件", "case-sources", filters, group))
    if principal.has("case:read"):
        out.extend(_case_figures(session, principal, on, want))
    if (principal.has("case:approve") or principal.has("legal:review")) and want("approvals_mine"):
        inbox = list_cases(session, principal, CaseFilter(awaiting_me=True), PageParams(page=1, page_size=1))
        out.append(_item("approvals_mine", "待我审批", inbox.total, "件", "case-inbox", {"awaiting_me": True},
                         "action", tab="approve"))  # fmt: skip
    if principal.has("legal:review") and want("legal_review_pending"):
        filters = {"status": [CaseStatus.legal_review.value]}
        statement = CaseRepository(session).filtered(principal, CaseFilter.model_validate(filters), on)
        out.append(_item("legal_review_pending", "待法制审核", CaseRepository(session).count(statement), "件",
                         "case-inbox", filters, "action", tab="legal"))  # fmt: skip
    if principal.has("dispatch:read") and want("officers_on_duty"):
        present = onduty.on_duty(onduty.positions(session, principal))
        out.append(_item("officers_on_duty", "在岗执法人员", len(present), "人", "on-duty", {}))
    mobile = principal.has("source:write") or principal.has("dispatch:write")
    if principal.officer_id is not None and mobile and want("tasks_mine"):
        tasks = dispatch_tasks.listed(session, principal, own=True, active_only=True)
        out.append(_item("tasks_mine", "我的待办任务", len(tasks), "件", "tasks", {"mine": True, "active": True},
                         "action"))  # fmt: skip
    return out


def _case_figures(session: Session, principal: StaffPrincipal, on: date,
                  want: Callable[[str], bool]) -> list[dict[str, Any]]:  # fmt: skip
    cases = CaseRepository(session)
    day = on.isoformat()
    running = sorted(s.value for s in FILED_UNDECIDED)
    rows: list[tuple[str, str, dict[str, Any], str]] = [
        ("cases_today", "今日新立案件", {"created_from": day, "created_to": day}, "today"),
        ("cases_running", "在办案件", {"status": running}, "today"),
        ("cases_overdue", "超期案件", {"overdue": True}, "action"),
        ("cases_due_week", "本周到期案件", {"due_from": day, "due_to": week_end(on).isoformat()}, "action"),
    ]
    if principal.officer_id is not None and principal.has("case:write"):
        rows.append(("cases_mine", "我承办的在办案件", {"status": running, "mine": True}, "action"))
    out = []
    for key, label, filters, group in rows:
        if not want(key):
            continue
        statement = cases.filtered(principal, CaseFilter.model_validate(filters), on)
        out.append(_item(key, label, cases.count(statement), "件", "cases", filters, group))
    # Money figures link to the cases they add up (decided / paid in full today); ``count`` is that list's total.
    for key, label, filters, column in (
        ("fines_decided_today", "今日处罚决定罚款", {"decided_from": day, "decided_to": day}, Case.fine_fen),
        ("fines_paid_today", "今日缴清罚款", {"paid_from": day, "paid_to": day}, Case.paid_fen),
    ):
        if not want(key):
            continue
        statement = cases.filtered(principal, CaseFilter.model_validate(filters), on)
        fined = statement.where(Case.decision_kind == DecisionKind.penalty) if column is Case.fine_fen else statement
        ids = fined.with_only_columns(Case.id).order_by(None).subquery()
        total = session.scalar(select(func.coalesce(func.sum(column), 0)).where(Case.id.in_(select(ids.c.id))))
        out.append(_item(key, label, int(total or 0), "分", "cases", filters, count=cases.count(statement)))
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
