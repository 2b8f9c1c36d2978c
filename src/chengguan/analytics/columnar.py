"""The analytics queries on DuckDB over the snapshot's Parquet files (``analytics.snapshot``).

The same figures as ``analytics.live``, written in DuckDB's SQL: windows in UTC instants of local days, time
buckets of the local time (UTC+8), the caller's scope as values (``analytics.scope``). One connection per snapshot
generation, a cursor per query (DuckDB cursors are safe to use from several threads).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from chengguan.analytics import rollups
from chengguan.analytics.dims import Dim, Measure, Window
from chengguan.analytics.scope import Scope
from chengguan.analytics.snapshot import Manifest, read_manifest, root_of
from chengguan.kit import window as days

THREADS = 2
_FORMATS = {Dim.hour: "%H", Dim.day: "%Y-%m-%d", Dim.month: "%Y-%m"}
_lock = threading.Lock()
_open: dict[str, duckdb.DuckDBPyConnection] = {}
OwnRows = Callable[[Dim | None], dict[str, int]]  # a scoped caller's own sources outside its units, by a dimension


def _connection(data_dir: Path, manifest: Manifest) -> duckdb.DuckDBPyConnection:
    folder = manifest.path(root_of(data_dir))
    key = str(folder)
    with _lock:
        con = _open.get(key)
        if con is None:
            for old in list(_open):
                _open.pop(old).close()
            con = duckdb.connect(config={"threads": THREADS})
            for table in ("sources", "cases"):
                con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{folder / table}/**/*.parquet')")
            rolled = folder / rollups.FOLDER
            for dim in rollups.KEYS if rolled.is_dir() else ():
                con.execute(f"CREATE VIEW roll_{dim} AS SELECT * FROM read_parquet('{rolled / dim}/*.parquet')")
            _open[key] = con
        return con.cursor()


class Columnar:
    """The queries against one snapshot generation."""

    def __init__(self, data_dir: Path, manifest: Manifest) -> None:
        self.manifest = manifest
        self.con = _connection(data_dir, manifest)
        self.rolled = (manifest.path(root_of(data_dir)) / rollups.FOLDER).is_dir()

    @classmethod
    def open(cls, data_dir: Path) -> Columnar | None:
        manifest = read_manifest(data_dir)  # one of an older layout is as good as none until the next run rebuilds
        return cls(data_dir, manifest) if manifest is not None and manifest.current else None

    def _rows(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, params).fetchall()

    def _grouped(self, sql: str, params: list[Any]) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for key, value in self._rows(sql, params):
            out[key or ""] += int(value or 0)
        return dict(out)

    # -- conditions -------------------------------------------------------------------------------------------

    @staticmethod
    def _window(column: str, w: Window) -> tuple[str, list[Any]]:
        start, end = days.bounds(w.start, w.end)
        return f"{column} >= ? AND {column} < ?", [_naive(start), _naive(end)]

    def _sources_where(self, scope: Scope, w: Window, channels: tuple[str, ...] | None = None) -> tuple[str, list]:
        allowed, params = scope.sources_sql("s")
        span, more = self._window("s.created_at", w)
        sql = f"{allowed} AND {span}"
        params += more
        if channels:
            sql += " AND list_contains(?, s.channel)"
            params.append(list(channels))
        return sql, params

    # -- figures ----------------------------------------------------------------------------------------------

    def cube(
        self, scope: Scope, measure: Measure, by: Dim, w: Window, channels: tuple[str, ...] | None = None,
        own: OwnRows | None = None,
    ) -> dict[str, int]:  # fmt: skip
        """``{key: value}`` of one measure by one dimension in the window (as ``live.cube``). ``own`` counts a scoped
        caller's own sources outside its units (``live.own_outside_units``): with it, the rollups serve it too."""
        if measure is Measure.sources and not channels and by is not Dim.industry and self._rolls(scope, own):
            return self._rolled(scope, own, "district" if by in (Dim.day, Dim.month) else by.value, w, by)
        if measure is Measure.sources:
            where, params = self._sources_where(scope, w, channels)
            inner = f"SELECT {_source_key(by)} AS k, count(*) AS v FROM sources s WHERE {where} GROUP BY k"
            return self._grouped(f"SELECT {_outer(by)}, v FROM ({inner})", params)
        allowed, params = scope.cases_sql("c")
        if measure is Measure.cases:
            span, more = self._window("c.created_at", w)
            key, value = _case_key(by, "c.created_at"), "count(*)"
        else:
            span = "c.decision_kind = 'penalty' AND c.fine_fen > 0 AND c.decided_on BETWEEN ? AND ?"
            more = [w.start, w.end]
            # the window is of decision dates; an hour is of the decision's instant (``live.decided_at``)
            key, value = _case_key(by, "c.decided_at" if by is Dim.hour else "c.decided_on"), "sum(c.fine_fen)"
        inner = f"SELECT {key} AS k, {value} AS v FROM cases c WHERE {allowed} AND {span} GROUP BY k"
        return self._grouped(f"SELECT {_outer(by)}, v FROM ({inner})", params + more)

    def _rolls(self, scope: Scope, own: OwnRows | None) -> bool:
        return self.rolled and (scope.everything or own is not None)

    def _rolled(self, scope: Scope, own: OwnRows | None, dim: str, w: Window, by: Dim | None = None) -> dict[str, int]:
        """Counts from the daily rollups (``analytics.rollups``): the window is whole local days. A scoped caller
        sums its units' rows and adds its own sources that lie outside them."""
        key = f"strftime(day, '{_FORMATS[by]}')" if by in (Dim.day, Dim.month) else "k"
        where, params = "day BETWEEN ? AND ?", [w.start, w.end]
        if not scope.everything:
            where += " AND list_contains(?, u)"
            params.append(list(scope.unit_ids))
        counts = self._grouped(f"SELECT {key} AS key, sum(n) AS v FROM roll_{dim} WHERE {where} GROUP BY key", params)
        if scope.everything or own is None:
            return counts
        return add_counts(counts, own(None if dim == "grid" else (by or Dim(dim))))

    def hotspots(self, scope: Scope, w: Window, limit: int, own: OwnRows | None = None) -> dict[str, int]:
        if self._rolls(scope, own):
            counts = self._rolled(scope, own, "grid", w)
            ranked = sorted(((k, v) for k, v in counts.items() if k), key=lambda kv: (-kv[1], kv[0]))
            return dict(ranked[: int(limit)])
        where, params = self._sources_where(scope, w)
        sql = (f"SELECT s.grid_code, count(*) AS n FROM sources s WHERE {where} AND s.grid_code IS NOT NULL "
               f"GROUP BY s.grid_code ORDER BY n DESC, s.grid_code LIMIT {int(limit)}")  # fmt: skip
        return self._grouped(sql, params)

    def repeat_offenders(self, scope: Scope, w: Window, minimum: int) -> list[dict[str, Any]]:
        allowed, params = scope.cases_sql("c")
        span, more = self._window("c.created_at", w)
        where = f"{allowed} AND {span}"
        shops = (f"SELECT 'm:' || c.merchant_id, max(c.merchant_name), count(*), coalesce(sum(c.fine_fen), 0), "
                 f"max(c.created_at) FROM cases c WHERE {where} AND c.merchant_id IS NOT NULL "
                 f"GROUP BY c.merchant_id HAVING count(*) >= {int(minimum)}")  # fmt: skip
        people = (f"SELECT 'p:' || coalesce(c.party_key, c.party_name), max(c.party_name), count(*), "
                  f"coalesce(sum(c.fine_fen), 0), max(c.created_at) FROM cases c WHERE {where} "
                  f"AND c.merchant_id IS NULL GROUP BY coalesce(c.party_key, c.party_name) "
                  f"HAVING count(*) >= {int(minimum)}")  # fmt: skip
        rows = self._rows(shops, params + more) + self._rows(people, params + more)
        return [{"key": k, "label": name, "value": int(n), "fine_fen": int(f), "last_at": _aware(at)}
                for k, name, n, f, at in rows]  # fmt: skip

    def handling_times(
        self, scope: Scope, measure: Measure, by: Dim, w: Window
    ) -> dict[str, tuple[int, float, float]]:
        if measure is Measure.sources:
            allowed, params = scope.sources_sql("s")
            alias, table = "s", "sources"
            key = _source_key(by, "s.closed_at")
        else:
            allowed, params = scope.cases_sql("c")
            alias, table = "c", "cases"
            key = _case_key(by, "c.closed_at")
        span, more = self._window(f"{alias}.closed_at", w)
        seconds = f"epoch({alias}.closed_at) - epoch({alias}.created_at)"
        sql = (f"SELECT {_outer(by)}, n, a, m FROM (SELECT {key} AS k, count(*) AS n, avg({seconds}) AS a, "
               f"median({seconds}) AS m FROM {table} {alias} WHERE {allowed} AND {span} GROUP BY k)")  # fmt: skip
        rows = self._rows(sql, params + more)
        return {k or "": (int(n), float(a) / 86400.0, float(m) / 86400.0) for k, n, a, m in rows}


def add_counts(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    """Two ``{key: count}`` summed key by key (the snapshot's part and the live part, the rollups and own rows)."""
    out = defaultdict(int, a)
    for k, v in b.items():
        out[k] += v
    return dict(out)


def _naive(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=None) if value is not None else None


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None else None


def _bucket(by: Dim, column: str, *, is_date: bool = False) -> str:
    """The local bucket as a number or date (grouped on cheaply; ``_outer`` formats the few groups as text)."""
    local = column if is_date else f"({column} + INTERVAL 8 HOUR)"
    if by is Dim.hour:
        return f"hour({local})"
    return f"CAST({local} AS DATE)" if by is Dim.day else f"CAST(date_trunc('month', {local}) AS DATE)"


def _outer(by: Dim) -> str:
    if by is Dim.hour:
        return "lpad(CAST(k AS VARCHAR), 2, '0')"
    return f"strftime(k, '{_FORMATS[by]}')" if by in _FORMATS else "k"


def _source_key(by: Dim, time_column: str = "s.created_at") -> str:
    if by in _FORMATS:
        return _bucket(by, time_column)
    if by is Dim.industry:
        return "(SELECT max(c.industry) FROM cases c WHERE c.source_id = s.id)"
    return {Dim.district: "s.district_id", Dim.street: "s.squad_id", Dim.category: "s.category_code",
            Dim.channel: "s.channel"}[by]  # fmt: skip


def _case_key(by: Dim, time_column: str) -> str:
    if by in _FORMATS:
        return _bucket(by, time_column, is_date=time_column.endswith("_on"))
    return {Dim.district: "c.district_id", Dim.street: "c.unit_id", Dim.category: "c.category_code",
            Dim.channel: "c.channel", Dim.industry: "c.industry"}[by]  # fmt: skip
