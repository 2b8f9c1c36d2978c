"""Case-source lists: the read models with names and countdowns, filtered by the reader's scope and the filters."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.principals import StaffPrincipal
from chengguan.intake.enums import CHANNEL_LABELS, OPEN_STATUSES, STATUS_LABELS
from chengguan.intake.models import CaseSource
from chengguan.intake.repository import CaseSourceRepository, officer_names
from chengguan.intake.schemas import CaseSourceFilter, CaseSourceRead, NamedRef
from chengguan.kit import window
from chengguan.kit.schemas import PageParams, Paginated
from chengguan.law.seed import categories
from chengguan.org.repository import unit_names


def to_reads(session: Session, rows: list[CaseSource], now: datetime | None = None) -> list[CaseSourceRead]:
    """List read models with names and countdowns (one query per kind of name for the whole page)."""
    now = now or clock.now()
    units = unit_names(session, {u for r in rows for u in (r.squad_id, r.district_id)})
    officers = officer_names(session, {r.officer_id for r in rows if r.officer_id})
    cats = categories()
    return [CaseSourceRead.model_validate(fields(r, units, officers, cats, now)) for r in rows]


def fields(
    r: CaseSource, units: dict[uuid.UUID, str], officers: dict[uuid.UUID, str], cats: dict[str, str], now: datetime
) -> dict[str, Any]:
    remaining = int((r.due_at - now).total_seconds()) if r.due_at else None
    return {
        "id": r.id,
        "code": r.code,
        "status": r.status,
        "status_label": STATUS_LABELS[r.status],
        "category_code": r.category_code,
        "category_name": cats.get(r.category_code, r.category_code),
        "channel": r.channel,
        "channel_label": CHANNEL_LABELS[r.channel],
        "lng": r.lng,
        "lat": r.lat,
        "address": r.address,
        "description": r.description,
        "grid_code": r.grid_code,
        "squad": _ref(r.squad_id, units),
        "district": _ref(r.district_id, units),
        "needs_routing": r.needs_routing,
        "signal_count": r.signal_count,
        "first_signal_at": r.first_signal_at,
        "last_signal_at": r.last_signal_at,
        "created_at": r.created_at,
        "due_at": r.due_at,
        "warn_at": r.warn_at,
        "remaining_s": remaining,
        "overdue": remaining is not None and remaining < 0,
        "warning": r.warn_at is not None and r.warn_at <= now and (remaining or 0) >= 0,
        "supervision_count": r.supervision_count,
        "officer": _ref(r.officer_id, officers),
        "outcome": r.outcome,
        "outcome_note": r.outcome_note,
        "rectification_due": r.rectification_due,
        "closed_at": r.closed_at,
        "version": r.version,
    }


def _ref(id: uuid.UUID | None, names: dict[uuid.UUID, str]) -> NamedRef | None:
    return NamedRef(id=id, name=names.get(id, "")) if id else None


def filtered(session: Session, principal: StaffPrincipal, filters: CaseSourceFilter, now: datetime) -> Select[Any]:
    """The readable sources matching the list's filters (the list, its export and the analytics share this)."""
    statement = CaseSourceRepository(session).readable(principal)
    if filters.status:
        statement = statement.where(CaseSource.status.in_(filters.status))
    if filters.open is not None:
        column = CaseSource.status.in_(sorted(OPEN_STATUSES))
        statement = statement.where(column if filters.open else ~column)
    if filters.category_code:
        statement = statement.where(CaseSource.category_code.startswith(filters.category_code))
    if filters.channel:
        statement = statement.where(CaseSource.channel == filters.channel)
    if filters.squad_id:
        statement = statement.where(CaseSource.squad_id == filters.squad_id)
    if filters.district_id:
        statement = statement.where(CaseSource.district_id == filters.district_id)
    if filters.grid_code:
        statement = statement.where(CaseSource.grid_code == filters.grid_code)
    if filters.created_from or filters.created_to:
        statement = statement.where(window.within(CaseSource.created_at, filters.created_from, filters.created_to))
    if filters.needs_routing is not None:
        statement = statement.where(CaseSource.needs_routing.is_(filters.needs_routing))
    if filters.overdue is not None:
        late = CaseSource.due_at < now
        statement = statement.where(late if filters.overdue else or_(CaseSource.due_at.is_(None), ~late))
    if filters.mine:
        statement = statement.where(CaseSource.officer_id == principal.officer_id)
    if filters.q:
        like = f"%{filters.q.strip()}%"
        statement = statement.where(
            or_(CaseSource.code.ilike(like), CaseSource.description.ilike(like), CaseSource.address.ilike(like))
        )
    if filters.bbox:
        x1, y1, x2, y2 = (float(v) for v in filters.bbox.split(","))
        statement = statement.where(CaseSource.lng.between(x1, x2), CaseSource.lat.between(y1, y2))
    return statement


ORDERS = {
    "due": (CaseSource.due_at.is_(None), CaseSource.due_at, CaseSource.code),
    "-created": (CaseSource.created_at.desc(), CaseSource.code.desc()),
    "created": (CaseSource.created_at, CaseSource.code),
}


def list_sources(
    session: Session, principal: StaffPrincipal, filters: CaseSourceFilter, page: PageParams
) -> Paginated[CaseSourceRead]:
    """Readable sources with filters; default order puts overdue and soonest-due first."""
    now = clock.now()
    statement = filtered(session, principal, filters, now)
    repo = CaseSourceRepository(session)
    repo.order_by = ORDERS[filters.sort]
    rows, total = repo.page(statement, page)
    return Paginated(items=to_reads(session, rows, now), total=total)
