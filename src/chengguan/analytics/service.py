"""Analytics use cases (数据分析研判) — what the analytics page, the big screen and the home page call.

Functions for other screens (all take the request's session and the caller's principal; scope and permission apply):

- ``cube`` — one measure by one dimension in a window (``{"rows": [{key, label, value}], "total", …}``);
- ``ranking`` — the same, largest first, the top ``limit`` (排名: districts, streets, categories …);
- ``trend`` — a daily/monthly series with the previous period (环比) and the same period last year (同比);
- ``today_figures`` — today's key figures (新增案源、未办结、超期、新立案件、罚款 …), each with its list's filters;
- ``latest_alarms`` — the newest sources from video/IoT/all channels (最新告警);
- ``hotspots``, ``repeat_offenders``, ``match_rate`` (吻合度), ``handling_times`` — the analyses of the page.

Engines: ``live`` queries the working database; ``snapshot`` DuckDB over the Parquet snapshot; ``auto`` (default)
counts the days before the snapshot's day from the snapshot and the rest live, added up — additive figures only;
figures that do not add up (medians, "at least two cases", shares) use the snapshot only when the whole window
lies before its day.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from chengguan.analytics import live, scope
from chengguan.analytics.columnar import Columnar, OwnRows, add_counts
from chengguan.analytics.dims import (
    COMPLAINT_CHANNELS,
    MEASURE_LABELS,
    MEASURE_PERMISSION,
    MEASURE_UNITS,
    Dim,
    Measure,
    Window,
)  # fmt: skip
from chengguan.analytics.figures import latest_alarms, today_figures
from chengguan.analytics.labels import grid_labels, rows
from chengguan.cases.facts import today
from chengguan.core import clock
from chengguan.core.errors import Conflict, Forbidden
from chengguan.core.principals import StaffPrincipal

ENGINES = ("auto", "live", "snapshot")
__all__ = ["cube", "handling_times", "hotspots", "latest_alarms", "match_rate", "ranking", "repeat_offenders",
           "today_figures", "trend", "window_of"]  # fmt: skip


def permit(principal: StaffPrincipal, measure: Measure) -> None:
    """Sources need 查看案源, cases and fines 查看案件 (403 otherwise)."""
    if not principal.has(MEASURE_PERMISSION[measure]):
        raise Forbidden(f"没有查看{MEASURE_LABELS[measure]}的权限", code="analytics.forbidden")


class Plan:
    """Which days each engine counts: ``snap`` over the snapshot, ``live`` on the database (either may be None)."""

    def __init__(self, data_dir: Path, w: Window, engine: str, *, additive: bool = True) -> None:
        self.columnar = Columnar.open(data_dir) if engine != "live" else None
        if engine == "snapshot" and self.columnar is None:
            raise Conflict("尚未生成统计快照，请先执行 chengguan analytics-snapshot", code="analytics.no_snapshot")
        self.snap: Window | None = None
        self.live: Window | None = w
        if self.columnar is None:
            return
        cut = clock.local_date(self.columnar.manifest.as_of)  # the snapshot's last complete day is the one before
        if engine == "snapshot" or w.end < cut:
            self.snap, self.live = w, None
        elif additive and w.start < cut:
            self.snap, self.live = Window(w.start, cut - timedelta(days=1)), Window(cut, w.end)
        else:
            self.columnar = None

    @property
    def engine(self) -> str:
        if self.snap and self.live:
            return "snapshot+live"
        return "snapshot" if self.snap else "live"

    @property
    def as_of(self) -> str | None:
        return self.columnar.manifest.as_of.isoformat() if self.columnar and self.snap else None


def _own(session: Session, principal: StaffPrincipal, w: Window) -> OwnRows:
    """The caller's own sources outside its units, from the working database (by index), for the rollups."""
    return lambda by: live.own_outside_units(session, principal, by, w)


def _values(session: Session, principal: StaffPrincipal, plan: Plan, measure: Measure, by: Dim,
            channels: tuple[str, ...] | None = None) -> dict[str, int]:  # fmt: skip
    values: dict[str, int] = {}
    if plan.snap and plan.columnar:
        allowed = scope.resolve(session, principal, cases=measure is not Measure.sources)
        values = plan.columnar.cube(allowed, measure, by, plan.snap, channels, own=_own(session, principal, plan.snap))
    if plan.live:
        values = add_counts(values, live.cube(session, principal, measure, by, plan.live, channels))
    return values


def cube(session: Session, principal: StaffPrincipal, data_dir: Path, measure: Measure, by: Dim, w: Window,
         engine: str = "auto") -> dict[str, Any]:  # fmt: skip
    """One measure by one dimension in the window: ``{"rows": [{key, label, value}], "total", …}``."""
    permit(principal, measure)
    plan = Plan(data_dir, w, engine)
    values = _values(session, principal, plan, measure, by)
    out = rows(session, by, values, w)
    return {"measure": measure.value, "measure_label": MEASURE_LABELS[measure], "unit": MEASURE_UNITS[measure],
            "by": by.value, "from": w.start.isoformat(), "to": w.end.isoformat(), "rows": out,
            "total": sum(values.values()), "engine": plan.engine, "as_of": plan.as_of}  # fmt: skip


def ranking(session: Session, principal: StaffPrincipal, data_dir: Path, measure: Measure, by: Dim, w: Window,
            limit: int = 10, engine: str = "auto") -> dict[str, Any]:  # fmt: skip
    """The cube's rows largest first, the first ``limit`` (the total stays the whole window's)."""
    out = cube(session, principal, data_dir, measure, by, w, engine)
    out["rows"] = sorted(out["rows"], key=lambda r: (-r["value"], r["key"]))[:limit]
    return out


def _change(now: int, before: int) -> float | None:
    return round((now - before) * 100.0 / before, 1) if before else None


def trend(session: Session, principal: StaffPrincipal, data_dir: Path, measure: Measure, w: Window,
          by: Dim | None = None, engine: str = "auto") -> dict[str, Any]:  # fmt: skip
    """The window's series (by day up to 92 days, else by month) beside the previous period's and last year's, in
    the same positions; totals and their changes in per cent (None when the earlier total is 0)."""
    by = by or (Dim.day if w.days <= 92 else Dim.month)
    if by not in (Dim.day, Dim.month):
        by = Dim.day
    current = cube(session, principal, data_dir, measure, by, w, engine)
    previous = cube(session, principal, data_dir, measure, by, w.previous(), engine)
    last_year = cube(session, principal, data_dir, measure, by, w.last_year(), engine)
    n = len(current["rows"])

    def aligned(series: dict[str, Any]) -> list[int]:
        values = [r["value"] for r in series["rows"]][:n]
        return values + [0] * (n - len(values))

    return {
        "measure": measure.value, "measure_label": MEASURE_LABELS[measure], "unit": MEASURE_UNITS[measure],
        "by": by.value, "from": w.start.isoformat(), "to": w.end.isoformat(),
        "labels": [r["label"] for r in current["rows"]], "keys": [r["key"] for r in current["rows"]],
        "current": [r["value"] for r in current["rows"]], "previous": aligned(previous),
        "last_year": aligned(last_year),
        "totals": {"current": current["total"], "previous": previous["total"], "last_year": last_year["total"]},
        "change_pct": {"previous": _change(current["total"], previous["total"]),
                       "last_year": _change(current["total"], last_year["total"])},
        "windows": {"previous": [previous["from"], previous["to"]], "last_year": [last_year["from"], last_year["to"]]},
        "engine": current["engine"], "as_of": current["as_of"],
    }  # fmt: skip


def hotspots(session: Session, principal: StaffPrincipal, data_dir: Path, w: Window, limit: int = 20,
             engine: str = "auto") -> dict[str, Any]:  # fmt: skip
    """The grids with most sources in the window (热点网格), with their names and centres."""
    permit(principal, Measure.sources)
    plan = Plan(data_dir, w, engine)
    counts: dict[str, int] = {}
    if plan.snap and plan.columnar:
        counts = plan.columnar.hotspots(scope.resolve(session, principal, cases=False), plan.snap, 100_000,
                                        own=_own(session, principal, plan.snap))
    if plan.live:
        counts = add_counts(counts, live.hotspots(session, principal, plan.live, 100_000))
    top = sorted(counts, key=lambda k: (-counts[k], k))[:limit]
    grids = grid_labels(session, top)
    out = [{"key": k, "label": grids.get(k, {}).get("name", k), "value": counts[k],
            "lng": grids.get(k, {}).get("lng"), "lat": grids.get(k, {}).get("lat")} for k in top]  # fmt: skip
    return {"from": w.start.isoformat(), "to": w.end.isoformat(), "rows": out, "total": sum(counts.values()),
            "engine": plan.engine, "as_of": plan.as_of}  # fmt: skip


def repeat_offenders(session: Session, principal: StaffPrincipal, data_dir: Path, w: Window, minimum: int = 2,
                     limit: int = 100, engine: str = "auto") -> dict[str, Any]:  # fmt: skip
    """Parties (shops, persons, organisations) with at least ``minimum`` cases registered in the window (屡查屡犯)."""
    permit(principal, Measure.cases)
    plan = Plan(data_dir, w, engine, additive=False)
    if plan.snap and plan.columnar:
        found = plan.columnar.repeat_offenders(scope.resolve(session, principal, cases=True), w, minimum)
    else:
        found = live.repeat_offenders(session, principal, w, minimum)
    found.sort(key=lambda r: (-r["value"], -r["fine_fen"], r["key"]))
    for r in found:
        r["last_at"] = r["last_at"].isoformat() if r["last_at"] else None
    return {"from": w.start.isoformat(), "to": w.end.isoformat(), "minimum": minimum, "rows": found[:limit],
            "total": len(found), "engine": plan.engine, "as_of": plan.as_of}  # fmt: skip


def match_rate(session: Session, principal: StaffPrincipal, data_dir: Path, w: Window, by: Dim = Dim.district,
               engine: str = "auto") -> dict[str, Any]:  # fmt: skip
    """诉求与处罚吻合度 per area: each area's share of the public's complaints beside its share of the cases opened;
    the overall 吻合度 is Σ min(complaint share, case share) over the areas (100 % when cases follow complaints)."""
    permit(principal, Measure.sources)
    permit(principal, Measure.cases)
    if by not in (Dim.district, Dim.street, Dim.category):
        by = Dim.district
    plan = Plan(data_dir, w, engine)
    complaints = _values(session, principal, plan, Measure.sources, by, COMPLAINT_CHANNELS)
    cases = _values(session, principal, plan, Measure.cases, by)
    total_c, total_p = sum(complaints.values()), sum(cases.values())
    keys = {k: complaints.get(k, 0) + cases.get(k, 0) for k in set(complaints) | set(cases)}
    named = {r["key"]: r["label"] for r in rows(session, by, keys, w, fill=False)}
    out, score = [], 0.0
    for k in sorted(keys, key=lambda k: (-complaints.get(k, 0), -cases.get(k, 0), k)):
        c_share = complaints.get(k, 0) / total_c if total_c else 0.0
        p_share = cases.get(k, 0) / total_p if total_p else 0.0
        score += min(c_share, p_share)
        out.append({"key": k, "label": named.get(k, k), "complaints": complaints.get(k, 0), "cases": cases.get(k, 0),
                    "complaint_share": round(c_share * 100, 1), "case_share": round(p_share * 100, 1),
                    "gap": round((p_share - c_share) * 100, 1)})  # fmt: skip
    return {"by": by.value, "from": w.start.isoformat(), "to": w.end.isoformat(), "rows": out,
            "complaints": total_c, "cases": total_p,
            "match_pct": round(score * 100, 1) if total_c and total_p else None,
            "engine": plan.engine, "as_of": plan.as_of}  # fmt: skip


def handling_times(session: Session, principal: StaffPrincipal, data_dir: Path, measure: Measure, by: Dim,
                   w: Window, engine: str = "auto") -> dict[str, Any]:  # fmt: skip
    """Days from registration to closing of what closed in the window: count, average, median per group."""
    if measure is Measure.fines:
        measure = Measure.cases
    permit(principal, measure)
    plan = Plan(data_dir, w, engine, additive=False)
    if plan.snap and plan.columnar:
        allowed = scope.resolve(session, principal, cases=measure is Measure.cases)
        found = plan.columnar.handling_times(allowed, measure, by, w)
    else:
        found = live.handling_times(session, principal, measure, by, w)
    named = {r["key"]: r["label"] for r in rows(session, by, {k: v[0] for k, v in found.items()}, w, fill=False)}
    ordered = sorted(found.items(), key=lambda i: (-i[1][0], i[0]))
    out = [{"key": k, "label": named.get(k, k), "value": round(m, 2), "closed": n, "average_days": round(a, 2),
            "median_days": round(m, 2)} for k, (n, a, m) in ordered]  # fmt: skip
    closed = sum(n for n, _, _ in found.values())
    average = sum(n * a for n, a, _ in found.values()) / closed if closed else None
    return {"measure": measure.value, "by": by.value, "from": w.start.isoformat(), "to": w.end.isoformat(),
            "rows": out, "closed": closed, "average_days": round(average, 2) if average is not None else None,
            "engine": plan.engine, "as_of": plan.as_of}  # fmt: skip


def window_of(start: date | None, end: date | None) -> Window:
    from chengguan.analytics.dims import window

    return window(start, end, today())
