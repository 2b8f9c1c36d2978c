"""Analytics at city scale: the ten queries the big screen and the home page use, on DuckDB over Parquet and on
PostgreSQL through the live path, in the same run; and the streamed export of 100,000 case rows.

Data, synthetic and generated in bulk:
  - DuckDB: ``--sources`` case-source rows (default 100,000,000: each stands for a signal-derived case source, the
    fact behind every "sources" figure) and ``--cases`` cases (default 5,000,000) written straight into Parquet in
    the snapshot's layout and read through ``analytics.columnar`` — the code the API runs. Rows are in registration
    order, as the snapshot writes them (``analytics.snapshot`` orders by ``created_at``), so a window's row groups
    are found from the Parquet statistics. The same queries also run on a DuckDB set as small as the PostgreSQL one.
  - PostgreSQL: a migrated throwaway schema of ``--database-url`` with ``--pg-sources`` (default 5,000,000) and
    ``--pg-cases`` (default 500,000) rows inserted by ``generate_series``, read through ``analytics.live`` (the same
    list conditions as the API, data scope "all"), with the project's indexes.
Spread: 10 districts, 100 street squads, 5,000 grids, 40 categories, 11 channels, two years up to now.

The queries (the screen's and the home page's): today by district; last 30 days by district, by street, by
category, by day; the last 7 days by hour; the last year by month (sources, cases), fines by district over the
year; the 20 hottest grids over 30 days. Each runs ``--runs`` times (warm); p50/p95/max are printed.

Export: 100,000 case rows through ``cases.export.export_cases`` (the GET /cases/export.xlsx code) on PostgreSQL:
wall time, Python peak (tracemalloc) and the process's peak RSS growth.

    .venv/bin/python bench/analytics.py [--sources 100000000] [--cases 5000000] [--runs 10]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--pg-sources 5000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import duckdb
import sqlalchemy as sa
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from chengguan import app  # noqa: F401  every module's hooks, as in the API
from chengguan.analytics import columnar, live, rollups
from chengguan.analytics.columnar import Columnar
from chengguan.analytics.dims import Dim, Measure, Window
from chengguan.analytics.scope import Scope
from chengguan.analytics.snapshot import CASE_COLUMNS, SOURCE_COLUMNS, Manifest, _publish
from chengguan.cases import export
from chengguan.cases.models import Case
from chengguan.cases.schemas import CaseFilter
from chengguan.core import clock
from chengguan.core.db import Database
from chengguan.core.migrate import upgrade
from chengguan.core.principals import DataScope, StaffPrincipal
from chengguan.identity.models import User
from chengguan.intake.models import CaseSource
from chengguan.kit import window as days

DAYS = 730
DISTRICTS, SQUADS, GRIDS, CATEGORIES = 10, 100, 5000, 40
CHANNELS = ["ai_video", "iot", "patrol", "complaint", "open311", "hotline", "assignment", "transfer", "merchant",
            "public", "rectification_overdue"]  # fmt: skip
INDUSTRIES = ["餐饮", "零售", "汽车服务", "广告", "建材装饰", "物流"]
REPORTERS, OFFICERS = 5000, 3000  # staff who report sources, officers sources are dispatched to
BENCH_USER = str(uuid.uuid5(uuid.NAMESPACE_DNS, "bench-user"))
PART_ROWS = 10_000_000
EXPORT_ROWS = 100_000


def units() -> tuple[list[str], list[str]]:
    districts = [str(uuid.uuid5(uuid.NAMESPACE_DNS, f"bench-district-{i}")) for i in range(DISTRICTS)]
    squads = [str(uuid.uuid5(uuid.NAMESPACE_DNS, f"bench-squad-{i}")) for i in range(SQUADS)]
    return districts, squads


def categories() -> list[str]:
    return [f"{6 + i // 20:02d}{i % 20:03d}" for i in range(CATEGORIES)]


# -- DuckDB: Parquet in the snapshot's layout ------------------------------------------------------------------


def _pick(values: list[str], salt: int, modulus: str = "") -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"[{quoted}][1 + (hash(i * {salt}){modulus} % {len(values)})::INT]"


def generate_parquet(data_dir: Path, n_sources: int, n_cases: int, now: datetime) -> float:
    """Write the snapshot's two tables as Parquet (rows in registration order) and its manifest; returns seconds."""
    started = time.monotonic()
    districts, squads = units()
    start = (now - timedelta(days=DAYS)).replace(tzinfo=None)
    generation = root = data_dir / "analytics" / "g-bench"
    con = duckdb.connect(config={"threads": 2, "preserve_insertion_order": True})
    span_s = DAYS * 86400
    squad = f"(hash(i * 3) % {SQUADS})::INT"
    for name, n, columns, body in (
        ("sources", n_sources, SOURCE_COLUMNS, (
            "'s' || i AS id, list_element(?, 1 + {squad}) AS unit_id, "
            "list_element(?, 1 + {squad} // 10) AS district_id, "
            "list_element(?, 1 + {squad}) AS squad_id, "
            "CASE WHEN hash(i * 67) % 10 < 3 THEN 'u' || (hash(i * 71) % {reporters}) END AS reported_by_id, "
            "CASE WHEN hash(i * 11) % 10 < 8 THEN 'o' || (hash(i * 73) % {officers}) END AS officer_id, "
            "'370200' || lpad((hash(i * 5) % {grids})::VARCHAR, 9, '0') AS grid_code, "
            "{category} AS category_code, {channel} AS channel, "
            "CASE WHEN hash(i * 11) % 10 < 8 THEN 'closed' ELSE 'handling' END AS status, "
            "TIMESTAMP '{start}' + to_microseconds((i * {step})::BIGINT) AS created_at, "
            "CASE WHEN hash(i * 11) % 10 < 8 THEN TIMESTAMP '{start}' + to_microseconds((i * {step})::BIGINT) "
            "+ to_seconds((hash(i * 13) % 2592000)::BIGINT) END AS closed_at, "
            "120.3 + (hash(i * 17) % 1000) / 5000.0 AS lng, 36.05 + (hash(i * 19) % 1000) / 5000.0 AS lat")),
        ("cases", n_cases, CASE_COLUMNS, (
            "'c' || i AS id, list_element(?, 1 + {squad}) AS unit_id, "
            "list_element(?, 1 + {squad} // 10) AS district_id, "
            "CASE WHEN hash(i * 23) % 10 < 6 THEN 's' || (hash(i * 29) % {n_sources}) END AS source_id, "
            "CASE WHEN hash(i * 31) % 10 < 4 THEN 'm' || (hash(i * 37) % 200000) END AS merchant_id, "
            "CASE WHEN hash(i * 31) % 10 < 4 THEN '商户' || (hash(i * 37) % 200000) END AS merchant_name, "
            "CASE WHEN hash(i * 31) % 10 < 4 THEN {industry} END AS industry, {category} AS category_code, "
            "CASE WHEN hash(i * 23) % 10 < 6 THEN {channel} END AS channel, "
            "'M' || (hash(i * 41) % 300) AS matter_code, "
            "CASE WHEN hash(i * 43) % 10 < 8 THEN 'archived' ELSE 'investigation' END AS status, "
            "CASE WHEN hash(i * 47) % 2 = 0 THEN 'simple' ELSE 'ordinary' END AS procedure, "
            "'h' || (hash(i * 53) % 3000000) AS party_key, '当事人' || (hash(i * 53) % 3000000) AS party_name, "
            "TIMESTAMP '{start}' + to_microseconds((i * {step})::BIGINT) AS created_at, "
            "CASE WHEN hash(i * 43) % 10 < 8 THEN CAST(TIMESTAMP '{start}' + to_microseconds((i * {step})::BIGINT) "
            "+ INTERVAL 20 DAY AS DATE) END AS decided_on, "
            "CASE WHEN hash(i * 43) % 10 < 8 THEN 'penalty' END AS decision_kind, "
            "CASE WHEN hash(i * 43) % 10 < 8 THEN (1 + hash(i * 59) % 100) * 10000 END AS fine_fen, 0 AS paid_fen, "
            "NULL AS fine_paid_on, CASE WHEN hash(i * 43) % 10 < 8 THEN TIMESTAMP '{start}' "
            "+ to_microseconds((i * {step})::BIGINT) + INTERVAL 25 DAY END AS closed_at, "
            "CASE WHEN hash(i * 43) % 10 < 8 THEN TIMESTAMP '{start}' + to_microseconds((i * {step})::BIGINT) "
            "+ INTERVAL 20 DAY END AS decided_at")),
    ):  # fmt: skip
        folder = generation / name / "all"
        folder.mkdir(parents=True, exist_ok=True)
        select_list = body.format(
            squad=squad, grids=GRIDS, category=_pick(categories(), 7), channel=_pick(CHANNELS, 9),
            industry=_pick(INDUSTRIES, 61), start=start.isoformat(sep=" "), step=span_s * 1_000_000 / max(n, 1),
            n_sources=max(n_sources, 1), reporters=REPORTERS, officers=OFFICERS,
        )
        casts = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in columns)
        for part, first in enumerate(range(0, n, PART_ROWS)):
            last = min(n, first + PART_ROWS)
            sql = (f"COPY (SELECT {casts} FROM (SELECT {select_list} FROM range({first}, {last}) t(i))) "
                   f"TO '{folder}/part-{part:04d}.parquet' (FORMAT parquet, COMPRESSION zstd)")  # fmt: skip
            con.execute(sql, [squads, districts, squads] if name == "sources" else [squads, districts])
        empty = ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in columns)
        con.execute(f"COPY (SELECT {empty} LIMIT 0) TO '{generation / name / 'schema.parquet'}' (FORMAT parquet)")
    rollups.build(con, generation / "sources", generation / rollups.FOLDER)  # as the snapshot job does
    con.close()
    _publish(root.parent, Manifest("g-bench", now, now, {"sources": n_sources, "cases": n_cases}, 0.0))
    return time.monotonic() - started


# -- PostgreSQL: the real schema, bulk-filled ------------------------------------------------------------------


def _default(column: sa.Column) -> str:
    kind = column.type
    if isinstance(kind, sa.Enum):
        return f"'{kind.enums[0]}'"
    python = getattr(kind, "python_type", None) if not isinstance(kind, sa.types.TypeDecorator) else None
    name = type(kind).__name__.lower()
    if "bool" in name:
        return "false"
    if "json" in name:
        return "'[]'"
    if "uuid" in name:
        return "gen_random_uuid()"
    if "date" in name and "time" not in name:
        return "current_date"
    if "time" in name:
        return "now()"
    if python in (int, float) or "int" in name or "float" in name or "numeric" in name:
        return "0"
    return "''"


def _fill(conn: sa.Connection, table: sa.Table, n: int, overrides: dict[str, str]) -> None:
    names, values = [], []
    for column in table.columns:
        if column.name in overrides:
            names.append(column.name)
            values.append(overrides[column.name])
        elif not column.nullable and column.server_default is None:
            names.append(column.name)
            values.append(_default(column))
    conn.execute(text(f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {', '.join(values)} "
                      f"FROM generate_series(0, {n - 1}) AS g(i)"))  # fmt: skip


def fill_postgres(url: str, n_sources: int, n_cases: int, now: datetime) -> tuple[float, str]:
    """Migrated schema + org units + sources and cases in bulk; returns (seconds, the export squad's id)."""
    started = time.monotonic()
    upgrade(url)
    districts, squads = units()
    engine = create_engine(url)
    step = DAYS * 86400.0 / max(n_sources, 1)
    case_step = DAYS * 86400.0 / max(n_cases, 1)
    start = (now - timedelta(days=DAYS)).isoformat()
    with engine.begin() as c:
        city = str(uuid.uuid5(uuid.NAMESPACE_DNS, "bench-city"))
        unit = text("INSERT INTO org_unit (id, name, level, division_code, parent_id, sort_order, created_at, "
                    "updated_at) VALUES (:id, :name, :level, :code, :p, 0, now(), now())")  # fmt: skip
        c.execute(unit, {"id": city, "name": "基准市局", "level": "city", "code": "370200", "p": None})
        for n, d in enumerate(districts):
            c.execute(unit, {"id": d, "name": f"基准{n}区", "level": "district", "code": f"3702{n:02d}", "p": city})
        for n, s in enumerate(squads):
            c.execute(unit, {"id": s, "name": f"基准{n}中队", "level": "squad", "code": f"3702{n // 10:02d}{n:03d}",
                             "p": districts[n // 10]})  # fmt: skip
        _fill(c, User.__table__, 1, {"id": f"'{BENCH_USER}'::uuid", "username": "'bench'"})
        squad_array = "(ARRAY[" + ",".join(f"'{s}'::uuid" for s in squads) + "])"
        district_array = "(ARRAY[" + ",".join(f"'{d}'::uuid" for d in districts) + "])"
        cats = "(ARRAY[" + ",".join(f"'{x}'" for x in categories()) + "])"
        chans = "(ARRAY[" + ",".join(f"'{x}'" for x in CHANNELS) + "])"
        created = f"TIMESTAMPTZ '{start}' + make_interval(secs => i * {step})"
        _fill(c, CaseSource.__table__, n_sources, {
            "id": "gen_random_uuid()", "code": "'B' || i",
            "status": "CASE WHEN i % 10 < 8 THEN 'closed' ELSE 'handling' END",
            "category_code": f"{cats}[1 + (i * 7) % {CATEGORIES}]", "channel": f"{chans}[1 + (i * 9) % 11]",
            "lng": "120.3 + (i % 1000) / 5000.0", "lat": "36.05 + ((i * 3) % 1000) / 5000.0",
            "grid_code": f"'370200' || lpad(((i * 5) % {GRIDS})::text, 9, '0')",
            "squad_id": f"{squad_array}[1 + (i * 3) % {SQUADS}]", "unit_id": f"{squad_array}[1 + (i * 3) % {SQUADS}]",
            "district_id": f"{district_array}[1 + ((i * 3) % {SQUADS}) / 10]", "first_signal_at": created,
            "last_signal_at": created, "created_at": created, "updated_at": created,
            "closed_at": f"CASE WHEN i % 10 < 8 THEN {created} + make_interval(secs => (i * 13) % 2592000) END",
            "reported_by_id": f"CASE WHEN i % 1000 = 0 THEN '{BENCH_USER}'::uuid END",  # one user's own sources
        })  # fmt: skip
        case_created = f"TIMESTAMPTZ '{start}' + make_interval(secs => i * {case_step})"
        export_squad = squads[0]
        _fill(c, Case.__table__, n_cases, {
            "id": "gen_random_uuid()", "code": "'BC' || i",
            "procedure": "CASE WHEN i % 2 = 0 THEN 'simple' ELSE 'ordinary' END",
            "status": "CASE WHEN i % 10 < 8 THEN 'archived' ELSE 'investigation' END",
            "unit_id": f"CASE WHEN i < {EXPORT_ROWS} THEN '{export_squad}'::uuid "
                       f"ELSE {squad_array}[2 + (i * 3) % {SQUADS - 1}] END",
            "district_id": f"{district_array}[1 + ((i * 3) % {SQUADS}) / 10]", "matter_code": "'M' || (i % 300)",
            "matter_name": "'基准事项' || (i % 300)", "party_type": "'individual'",
            "party_name": "'当事人' || (i % 3000000)",
            "act_on": f"CAST({case_created} AS date)", "created_at": case_created, "updated_at": case_created,
            "decision_kind": "CASE WHEN i % 10 < 8 THEN 'penalty' END",
            "decided_on": f"CASE WHEN i % 10 < 8 THEN CAST({case_created} + interval '20 days' AS date) END",
            "fine_fen": "CASE WHEN i % 10 < 8 THEN (1 + i % 100) * 10000 END",
            "closed_at": f"CASE WHEN i % 10 < 8 THEN {case_created} + interval '25 days' END",
        })  # fmt: skip
        c.execute(text("ANALYZE case_source"))
        c.execute(text("ANALYZE penalty_case"))
    engine.dispose()
    return time.monotonic() - started, export_squad


# -- the queries ------------------------------------------------------------------------------------------------


def queries(today: datetime) -> list[tuple[str, Measure, Dim, Window]]:
    """The ten figures of the big screen and the home page."""
    d = today.date()
    last = lambda days: Window(d - timedelta(days=days - 1), d)  # noqa: E731
    return [
        ("今日案源·按区", Measure.sources, Dim.district, last(1)),
        ("30 天案源·按区", Measure.sources, Dim.district, last(30)),
        ("30 天案源·按街道排名", Measure.sources, Dim.street, last(30)),
        ("30 天案源·按类别", Measure.sources, Dim.category, last(30)),
        ("7 天案源·按小时", Measure.sources, Dim.hour, last(7)),
        ("30 天案源·按日趋势", Measure.sources, Dim.day, last(30)),
        ("1 年案源·按月趋势", Measure.sources, Dim.month, last(365)),
        ("1 年案件·按月趋势", Measure.cases, Dim.month, last(365)),
        ("1 年罚款·按区", Measure.fines, Dim.district, last(365)),
        ("30 天热点网格前 20", Measure.sources, Dim.district, last(30)),  # hotspots (Dim unused)
    ]


def timed(fn: Callable[[], object], runs: int) -> dict[str, float]:
    fn()  # warm: files mapped, plans cached
    spans = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        spans.append((time.perf_counter() - t) * 1000)
    spans.sort()
    p95 = spans[min(len(spans) - 1, max(0, round(0.95 * len(spans)) - 1))]
    return {"p50_ms": round(statistics.median(spans), 1), "p95_ms": round(p95, 1), "max_ms": round(spans[-1], 1)}


def run_duck(data_dir: Path, now: datetime, runs: int) -> dict[str, dict[str, float]]:
    col = Columnar.open(data_dir)
    assert col is not None
    everything = Scope(everything=True)
    out = {}
    for label, measure, by, w in queries(now):
        if label.startswith("30 天热点"):
            out[label] = timed(lambda w=w: col.hotspots(everything, w, 20), runs)
        else:
            out[label] = timed(lambda m=measure, b=by, w=w: col.cube(everything, m, b, w), runs)
    return out


def run_duck_scoped(data_dir: Path, now: datetime, runs: int) -> dict[str, dict[str, dict[str, float]]]:
    """A district bureau's figures over the snapshot: its units' counts from the unit-keyed rollups, plus the
    leader's own sources elsewhere (reported by them or dispatched to their officer card) from the sources."""
    col = Columnar.open(data_dir)
    assert col is not None
    districts, squads = units()
    district = Scope(everything=False, unit_ids=(districts[0], *squads[:10]), user_id="u42", officer_id="o42")
    scanned = Columnar.open(data_dir)  # the same figures read from the sources themselves: the baseline
    assert scanned is not None
    scanned.rolled = False
    out: dict[str, dict[str, dict[str, float]]] = {"rollups (+ own rows from the database)": {}, "sources scanned": {}}
    # The rollups' part; the leader's own sources elsewhere come from the database (timed in run_pg) — here the
    # scanned baseline's own rows are counted the same way, so both columns answer the same question.
    def own(by: Dim | None, w: Window) -> dict[str, int]:
        key = "s.grid_code" if by is None else columnar._source_key(by)
        sql = (f"SELECT {'k' if by is None else columnar._outer(by)}, v FROM (SELECT {key} AS k, count(*) AS v "
               f"FROM sources s WHERE (s.reported_by_id = ? OR s.officer_id = ?) AND NOT list_contains(?, s.unit_id) "
               f"AND s.created_at >= ? AND s.created_at < ? GROUP BY k)")  # fmt: skip
        start, end = days.bounds(w.start, w.end)
        return scanned._grouped(sql, ["u42", "o42", list(district.unit_ids), start.replace(tzinfo=None),
                                      end.replace(tzinfo=None)])  # fmt: skip

    for engine, c, mine in (("rollups (+ own rows from the database)", col, lambda w: (lambda by: {})),
                            ("sources scanned", scanned, lambda w: None)):  # fmt: skip
        for label, measure, by, w in (queries(now)[i] for i in (1, 3, 5, 6)):
            out[engine][label + "（区局）"] = timed(
                lambda c=c, m=measure, b=by, w=w, o=mine(w): c.cube(district, m, b, w, own=o), runs)
        w = queries(now)[1][3]
        hot = "30 天热点网格前 20（区局）"
        out[engine][hot] = timed(lambda c=c, w=w, o=mine(w): c.hotspots(district, w, 20, own=o), runs)
    year = queries(now)[6][3]  # the two ways agree once the own rows are added
    rolled = col.cube(district, Measure.sources, Dim.month, year, own=lambda by: own(by, year))
    assert rolled == scanned.cube(district, Measure.sources, Dim.month, year)
    return out


def run_pg(url: str, now: datetime, runs: int) -> dict[str, dict[str, float]]:
    db = Database(url)
    principal = StaffPrincipal(uuid.uuid4(), "bench", "基准", None, None, frozenset({"source:read", "case:read"}),
                               frozenset({DataScope.all}))  # fmt: skip
    out = {}
    with db.session(write=False) as session:
        for label, measure, by, w in queries(now):
            if label.startswith("30 天热点"):
                out[label] = timed(lambda w=w: live.hotspots(session, principal, w, 20), runs)
            else:
                out[label] = timed(lambda m=measure, b=by, w=w: live.cube(session, principal, m, b, w), runs)
        # A district leader's own sources outside its units (here: all of its 1 in 1,000), which the scoped
        # rollups add from the database: an index lookup.
        leader = StaffPrincipal(uuid.UUID(BENCH_USER), "bench", "基准", uuid.UUID(units()[0][0]), None,
                                frozenset({"source:read"}), frozenset({DataScope.unit_and_below}))  # fmt: skip
        year = queries(now)[6][3]
        out["本人辖区外案源·1 年按月"] = timed(lambda: live.own_outside_units(session, leader, Dim.month, year), runs)
    db.dispose()
    return out


def run_export(url: str, squad: str) -> dict[str, float]:
    """100,000 case rows through the export's code: seconds, Python peak (tracemalloc) and peak RSS growth."""
    db = Database(url)
    principal = StaffPrincipal(uuid.uuid4(), "bench", "基准", None, None, frozenset({"case:read"}),
                               frozenset({DataScope.all}))  # fmt: skip
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    t = time.perf_counter()
    with db.session(write=True) as session:
        book = export.export_cases(session, principal, CaseFilter(unit_id=uuid.UUID(squad)), False)
        session.rollback()
    seconds = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = Path(book.path).stat().st_size if book.path else 0
    book.discard()
    db.dispose()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"rows": EXPORT_ROWS, "seconds": round(seconds, 2), "python_peak_mb": round(peak / 2**20, 1),
            "rss_before_mb": round(rss_before / 1024, 1), "rss_peak_mb": round(rss_after / 1024, 1),
            "rss_growth_mb": round((rss_after - rss_before) / 1024, 1), "file_mb": round(size / 2**20, 1)}


def export_in_child(url: str, squad: str) -> dict[str, float]:
    """The export in a fresh process, so its peak RSS is the export's and not the data generation's."""
    done = subprocess.run([sys.executable, __file__, "--export-only", url, squad], capture_output=True, text=True,
                          check=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_table(title: str, results: dict[str, dict[str, dict[str, float]]]) -> None:
    print(f"\n{title}")
    engines = list(results)
    print("query".ljust(24) + "".join(f"{e:>34}" for e in engines))
    labels = list(dict.fromkeys(label for r in results.values() for label in r))
    for label in labels:
        cells = "".join(f"{'p50 {:.0f} / p95 {:.0f} ms'.format(r[label]['p50_ms'], r[label]['p95_ms']):>34}"
                        if label in r else f"{'—':>34}" for r in results.values())  # fmt: skip
        print(label.ljust(24 - sum(1 for ch in label if ord(ch) > 0x2000)) + cells)


def main() -> None:
    if sys.argv[1:2] == ["--export-only"]:
        print(json.dumps(run_export(sys.argv[2], sys.argv[3])))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=100_000_000)
    parser.add_argument("--cases", type=int, default=5_000_000)
    parser.add_argument("--pg-sources", type=int, default=5_000_000)
    parser.add_argument("--pg-cases", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--keep", type=Path, default=None, help="keep the Parquet files here (default: removed)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args()
    now = clock.now().astimezone(clock.SHANGHAI).replace(hour=12, minute=0, second=0, microsecond=0).astimezone(UTC)
    clock.set_now(now)
    work = args.keep or Path(tempfile.mkdtemp(prefix="chengguan-bench-analytics-"))
    small = work / "small"
    report: dict[str, object] = {"sources": args.sources, "cases": args.cases, "pg_sources": args.pg_sources,
                                 "pg_cases": args.pg_cases, "runs": args.runs}  # fmt: skip
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(args.database_url, isolation_level="AUTOCOMMIT")
    try:
        print(f"generating DuckDB/Parquet: {args.sources:,} sources, {args.cases:,} cases …", flush=True)
        report["duck_generate_s"] = round(generate_parquet(work, args.sources, args.cases, now), 1)
        size = sum(p.stat().st_size for p in (work / "analytics").rglob("*.parquet"))
        report["parquet_gb"] = round(size / 2**30, 2)
        print(f"  {report['duck_generate_s']} s, {report['parquet_gb']} GiB", flush=True)
        report["duck_small_generate_s"] = round(generate_parquet(small, args.pg_sources, args.pg_cases, now), 1)
        with admin.connect() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(args.database_url).update_query_dict({"options": f"-csearch_path={schema}"})
        url_text = url.render_as_string(hide_password=False)
        print(f"filling PostgreSQL: {args.pg_sources:,} sources, {args.pg_cases:,} cases …", flush=True)
        seconds, squad = fill_postgres(url_text, args.pg_sources, args.pg_cases, now)
        report["pg_fill_s"] = round(seconds, 1)
        print(f"  {report['pg_fill_s']} s", flush=True)
        results = {
            f"DuckDB {args.sources / 1e6:g}M/{args.cases / 1e6:g}M": run_duck(work, now, args.runs),
            f"DuckDB {args.pg_sources / 1e6:g}M/{args.pg_cases / 1e6:g}M": run_duck(small, now, args.runs),
            f"PostgreSQL {args.pg_sources / 1e6:g}M/{args.pg_cases / 1e6:g}M": run_pg(url_text, now, args.runs),
        }  # fmt: skip
        report["queries"] = results
        print_table("the ten queries of the big screen and the home page (warm)", results)
        report["duck_scoped"] = scoped = run_duck_scoped(work, now, args.runs)
        print_table("a district bureau's scope on DuckDB: unit-keyed rollups + its own rows elsewhere, and the same "
                    "figures scanned from the sources", scoped)
        report["export"] = e = export_in_child(url_text, squad)
        print(f"\nexport of {e['rows']:,} case rows: {e['seconds']} s, Python peak {e['python_peak_mb']} MiB, "
              f"peak RSS {e['rss_peak_mb']} MiB (+{e['rss_growth_mb']} MiB over the process before it), "
              f"file {e['file_mb']} MiB")
        if args.json:
            args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
