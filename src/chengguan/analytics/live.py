"""The analytics queries on the live database (SQLAlchemy, SQLite or PostgreSQL).

Each starts from the list's own statement — ``intake.read.filtered`` for sources, ``CaseRepository.filtered`` /
``readable`` for cases — so a figure counts exactly the rows the list would show for the same window and scope, and
groups them in the database. Keys come back as text: a unit's UUID, a code, a local hour/day/month.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, not_, or_, select
from sqlalchemy.orm import Session, aliased, outerjoin

from chengguan.analytics.dims import Dim, Measure, Window
from chengguan.cases.enums import DecisionKind
from chengguan.cases.facts import today
from chengguan.cases.models import Case, CaseEvent
from chengguan.cases.repository import CaseRepository
from chengguan.cases.schemas import CaseFilter
from chengguan.core import clock
from chengguan.core.principals import StaffPrincipal
from chengguan.intake import read as sources_read
from chengguan.intake.models import CaseSource
from chengguan.intake.schemas import CaseSourceFilter
from chengguan.kit import window as days
from chengguan.law.models import EnforcementMatter
from chengguan.merchants.models import Merchant
from chengguan.org.scope import scope_clause

_FORMATS = {Dim.hour: ("%H", "HH24"), Dim.day: ("%Y-%m-%d", "YYYY-MM-DD"), Dim.month: ("%Y-%m", "YYYY-MM")}
SourceView = aliased(CaseSource)  # a case's source, joined for its channel


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def local_bucket(session: Session, column: Any, by: Dim, *, is_date: bool = False) -> ColumnElement[str]:
    """The local (Asia/Shanghai, UTC+8 all year) hour/day/month of a UTC instant, or of a date, as text."""
    sqlite_format, pg_format = _FORMATS[by]
    if _sqlite(session):
        return func.strftime(sqlite_format, column) if is_date else func.strftime(sqlite_format, column, "+8 hours")
    return func.to_char(column if is_date else func.timezone("Asia/Shanghai", column), pg_format)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def _grouped(session: Session, statement: Select[Any]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for key, value in session.execute(statement):
        out[_text(key)] += int(value or 0)
    return dict(out)


def source_where(
    session: Session, principal: StaffPrincipal, w: Window, channels: tuple[str, ...] | None = None
) -> ColumnElement[bool]:
    """The case-source list's condition for the window (登记日期), optionally only some channels."""
    statement = sources_read.filtered(
        session, principal, CaseSourceFilter(created_from=w.start, created_to=w.end), clock.now()
    )
    if channels:
        statement = statement.where(CaseSource.channel.in_(channels))
    return statement.whereclause  # type: ignore[return-value]


def case_where(session: Session, principal: StaffPrincipal, w: Window) -> ColumnElement[bool]:
    """The case list's condition for the window (登记日期)."""
    statement = CaseRepository(session).filtered(principal, CaseFilter(created_from=w.start, created_to=w.end), today())
    return statement.whereclause  # type: ignore[return-value]


def fine_where(session: Session, principal: StaffPrincipal, w: Window) -> ColumnElement[bool]:
    """Penalty decisions with a fine, decided in the window, of the readable cases."""
    readable = CaseRepository(session).readable(principal).whereclause
    return and_(readable, Case.decision_kind == DecisionKind.penalty, Case.fine_fen > 0,  # type: ignore[arg-type]
                Case.decided_on >= w.start, Case.decided_on <= w.end)  # fmt: skip


def decided_at() -> Any:
    """The instant of a case's decision (``decided_on`` is its date): the latest timeline entry that decided it — the
    last approval of the decision stage (→ 送达) or the on-the-spot delivery of 当场处罚 — as a correlated scalar."""
    deciding = or_(and_(CaseEvent.action == "approve", CaseEvent.from_status == "decision_approval",
                        CaseEvent.to_status == "service"), CaseEvent.action == "deliver_on_site")  # fmt: skip
    return (select(func.max(CaseEvent.at)).where(CaseEvent.case_id == Case.id, deciding)
            .correlate(Case).scalar_subquery())  # fmt: skip


def _fines_by_hour(session: Session, where: ColumnElement[bool]) -> dict[str, int]:
    """Fines by the local hour of their decision: the instant is looked up per fine in an inner query (the case
    event index), then grouped outside it — PostgreSQL groups on no correlated subquery."""
    inner = select(Case.fine_fen.label("fen"), decided_at().label("at")).where(where).subquery()
    key = local_bucket(session, inner.c.at, Dim.hour)
    return _grouped(session, select(key, func.sum(inner.c.fen)).group_by(key))


def _source_key(session: Session, by: Dim) -> Any:
    if by in _FORMATS:
        return local_bucket(session, CaseSource.created_at, by)
    if by is Dim.industry:
        trade = (select(func.max(Merchant.business_type)).join(Case, Case.merchant_id == Merchant.id)
                 .where(Case.source_id == CaseSource.id).correlate(CaseSource).scalar_subquery())  # fmt: skip
        return trade
    return {Dim.district: CaseSource.district_id, Dim.street: CaseSource.squad_id,
            Dim.category: CaseSource.category_code, Dim.channel: CaseSource.channel}[by]  # fmt: skip


def _case_key(session: Session, by: Dim, *, on: Any = None) -> tuple[Any, Any]:
    """(key expression, FROM clause) of cases by ``by``; time buckets of ``on`` (default: registration time)."""
    if by in _FORMATS:
        column = Case.created_at if on is None else on
        return local_bucket(session, column, by, is_date=column is Case.decided_on), Case
    if by is Dim.category:
        return EnforcementMatter.category_code, outerjoin(Case, EnforcementMatter,
                                                          EnforcementMatter.code == Case.matter_code)  # fmt: skip
    if by is Dim.channel:
        return SourceView.channel, outerjoin(Case, SourceView, SourceView.id == Case.source_id)
    if by is Dim.industry:
        return Merchant.business_type, outerjoin(Case, Merchant, Merchant.id == Case.merchant_id)
    return (Case.district_id if by is Dim.district else Case.unit_id), Case


def cube(
    session: Session, principal: StaffPrincipal, measure: Measure, by: Dim, w: Window,
    channels: tuple[str, ...] | None = None,
) -> dict[str, int]:  # fmt: skip
    """``{key: value}`` of one measure by one dimension in the window."""
    if measure is Measure.sources:
        key = _source_key(session, by)
        where = source_where(session, principal, w, channels)
        return _grouped(session, select(key, func.count()).select_from(CaseSource).where(where).group_by(key))
    if measure is Measure.cases:
        key, source = _case_key(session, by)
        where, value = case_where(session, principal, w), func.count()
    elif by is Dim.hour:  # the window stays on the decision date; the hour is of the decision's instant
        return _fines_by_hour(session, fine_where(session, principal, w))
    else:
        key, source = _case_key(session, by, on=Case.decided_on)
        where, value = fine_where(session, principal, w), func.sum(Case.fine_fen)
    return _grouped(session, select(key, value).select_from(source).where(where).group_by(key))


def own_outside_units(session: Session, principal: StaffPrincipal, by: Dim | None, w: Window) -> dict[str, int]:
    """The caller's own sources in the window (reported by the user, dispatched to its officer card — the list shows
    them wherever they lie) outside the units of its scope: what the snapshot's unit-keyed rollups miss of its list.
    A few rows, found by index; ``by`` None groups by grid."""
    own = [CaseSource.reported_by_id == principal.user_id]
    if principal.officer_id is not None:
        own.append(CaseSource.officer_id == principal.officer_id)
    outside = or_(CaseSource.unit_id.is_(None), not_(scope_clause(principal, CaseSource.unit_id)))
    key = CaseSource.grid_code if by is None else _source_key(session, by)
    where = and_(source_where(session, principal, w), or_(*own), outside)
    return _grouped(session, select(key, func.count()).select_from(CaseSource).where(where).group_by(key))


def hotspots(session: Session, principal: StaffPrincipal, w: Window, limit: int) -> dict[str, int]:
    """Sources per grid (the grids with most sources first; sources outside every grid are left out)."""
    where = source_where(session, principal, w)
    n = func.count()
    statement = (select(CaseSource.grid_code, n).where(where, CaseSource.grid_code.is_not(None))
                 .group_by(CaseSource.grid_code).order_by(n.desc(), CaseSource.grid_code).limit(limit))  # fmt: skip
    return _grouped(session, statement)


def repeat_offenders(session: Session, principal: StaffPrincipal, w: Window, minimum: int) -> list[dict[str, Any]]:
    """Parties with at least ``minimum`` cases in the window: a shop by its register entry, a person or organisation
    by the keyed hash of its identity number, else by its name."""
    where = case_where(session, principal, w)
    n, fines, last = func.count(), func.coalesce(func.sum(Case.fine_fen), 0), func.max(Case.created_at)
    shops = (select(Case.merchant_id, func.max(Merchant.name), n, fines, last).select_from(Case)
             .join(Merchant, Merchant.id == Case.merchant_id).where(where)
             .group_by(Case.merchant_id).having(n >= minimum))  # fmt: skip
    party = func.coalesce(Case.party_id_no_hash, Case.party_name)
    people = (select(party, func.max(Case.party_name), n, fines, last).where(where, Case.merchant_id.is_(None))
              .group_by(party).having(n >= minimum))  # fmt: skip
    out = [{"key": f"m:{k}", "label": name, "value": c, "fine_fen": int(f), "last_at": at}
           for k, name, c, f, at in session.execute(shops)]  # fmt: skip
    out += [{"key": f"p:{k}", "label": name, "value": c, "fine_fen": int(f), "last_at": at}
            for k, name, c, f, at in session.execute(people)]  # fmt: skip
    return out


def handling_times(
    session: Session, principal: StaffPrincipal, measure: Measure, by: Dim, w: Window
) -> dict[str, tuple[int, float, float]]:
    """``{key: (closed count, average days, median days)}`` from registration to closing, of what closed in the
    window (closing time in the window, local dates; time buckets are of the closing time)."""
    start, end = days.bounds(w.start, w.end)
    table: Any
    if measure is Measure.sources:
        table = CaseSource
        readable = sources_read.filtered(session, principal, CaseSourceFilter(), clock.now()).whereclause
        key = local_bucket(session, CaseSource.closed_at, by) if by in _FORMATS else _source_key(session, by)
        source: Any = CaseSource
    else:
        table = Case
        readable = CaseRepository(session).readable(principal).whereclause
        key, source = _case_key(session, by, on=Case.closed_at)
    closed = and_(readable, table.closed_at.is_not(None), table.closed_at >= start, table.closed_at < end)
    if _sqlite(session):  # no percentile function: the spans of a small deployment, summed up here
        seconds = (func.julianday(table.closed_at) - func.julianday(table.created_at)) * 86400.0
        spans: dict[str, list[float]] = defaultdict(list)
        for k, s in session.execute(select(key, seconds).select_from(source).where(closed)):
            spans[_text(k)].append(float(s) / 86400.0)
        return {k: (len(v), sum(v) / len(v), statistics.median(v)) for k, v in spans.items()}
    seconds = func.extract("epoch", table.closed_at - table.created_at)
    statement = (select(key, func.count(), func.avg(seconds), func.percentile_cont(0.5).within_group(seconds))
                 .select_from(source).where(closed).group_by(key))  # fmt: skip
    return {_text(k): (int(c), float(a) / 86400.0, float(m) / 86400.0) for k, c, a, m in session.execute(statement)}
