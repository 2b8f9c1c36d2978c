"""The analytics snapshot (统计快照): the fact tables copied out of the live database into Parquet files that DuckDB
reads — the big screen's and the analytics page's aggregates then scan compressed columns instead of the working
database's rows.

Layout under ``<data_dir>/analytics/``: ``manifest.json`` names the current generation ``g-…/``, which holds one
folder per table (``sources/``, ``cases/``), one sub-folder per local month of registration (``2026-05/``) with
Parquet parts, and a zero-row ``schema.parquet`` so a table without rows still reads. A run builds a new
generation beside the current one and switches the manifest atomically (``os.replace``); readers holding the old
generation keep reading it, and generations older than the previous one are removed.

Incremental: between full rebuilds (daily), only the months holding rows registered or updated since the last run
(``updated_at``, indexed) are exported again; the other months' files are hard-linked from the previous generation.
Rows are streamed from SQLAlchemy to a CSV file (``yield_per``), which DuckDB turns into Parquet: memory stays
bounded whatever the table's size, and nothing but DuckDB itself is needed (no pyarrow, no DuckDB extension).
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from chengguan.analytics import live, rollups
from chengguan.cases.models import Case
from chengguan.core import clock
from chengguan.intake.models import CaseSource
from chengguan.law.models import EnforcementMatter
from chengguan.merchants.models import Merchant

FULL_EVERY = timedelta(hours=24)
OVERLAP = timedelta(minutes=2)  # rows committed late by a transaction that began before the last run
BATCH = 20_000
NULL = "\\N"
Source = aliased(CaseSource)

# (column, DuckDB type) of each table, in the order the query selects them.
SOURCE_COLUMNS = (
    ("id", "VARCHAR"), ("unit_id", "VARCHAR"), ("district_id", "VARCHAR"), ("squad_id", "VARCHAR"),
    ("reported_by_id", "VARCHAR"), ("officer_id", "VARCHAR"), ("grid_code", "VARCHAR"), ("category_code", "VARCHAR"),
    ("channel", "VARCHAR"), ("status", "VARCHAR"), ("created_at", "TIMESTAMP"), ("closed_at", "TIMESTAMP"),
    ("lng", "DOUBLE"), ("lat", "DOUBLE"),
)  # fmt: skip
CASE_COLUMNS = (
    ("id", "VARCHAR"), ("unit_id", "VARCHAR"), ("district_id", "VARCHAR"), ("source_id", "VARCHAR"),
    ("merchant_id", "VARCHAR"), ("merchant_name", "VARCHAR"), ("industry", "VARCHAR"), ("category_code", "VARCHAR"),
    ("channel", "VARCHAR"), ("matter_code", "VARCHAR"), ("status", "VARCHAR"), ("procedure", "VARCHAR"),
    ("party_key", "VARCHAR"), ("party_name", "VARCHAR"), ("created_at", "TIMESTAMP"), ("decided_on", "DATE"),
    ("decision_kind", "VARCHAR"), ("fine_fen", "BIGINT"), ("paid_fen", "BIGINT"), ("fine_paid_on", "DATE"),
    ("closed_at", "TIMESTAMP"), ("decided_at", "TIMESTAMP"),
)  # fmt: skip
# The files' layout: a generation written under another one is not read (``Columnar.open``) and the next run
# rebuilds everything instead of linking months of the old layout beside new ones (rollups included: their folder
# names their format).
LAYOUT = (f"2:{rollups.FOLDER}:" + ",".join(c for c, _ in SOURCE_COLUMNS) + ";"
          + ",".join(c for c, _ in CASE_COLUMNS))  # fmt: skip


def _sources() -> Select[Any]:
    s = CaseSource
    return select(s.id, s.unit_id, s.district_id, s.squad_id, s.reported_by_id, s.officer_id, s.grid_code,
                  s.category_code, s.channel, s.status, s.created_at, s.closed_at, s.lng, s.lat)  # fmt: skip


def _cases() -> Select[Any]:
    c = Case
    return (
        select(c.id, c.unit_id, c.district_id, c.source_id, c.merchant_id, Merchant.name, Merchant.business_type,
               EnforcementMatter.category_code, Source.channel, c.matter_code, c.status, c.procedure,
               c.party_id_no_hash, c.party_name, c.created_at, c.decided_on, c.decision_kind, c.fine_fen, c.paid_fen,
               c.fine_paid_on, c.closed_at, live.decided_at())
        .outerjoin(Merchant, Merchant.id == c.merchant_id)
        .outerjoin(EnforcementMatter, EnforcementMatter.code == c.matter_code)
        .outerjoin(Source, Source.id == c.source_id)
    )  # fmt: skip


@dataclass(frozen=True)
class Table:
    name: str
    model: Any
    columns: tuple[tuple[str, str], ...]
    query: Any


TABLES = (Table("sources", CaseSource, SOURCE_COLUMNS, _sources), Table("cases", Case, CASE_COLUMNS, _cases))


@dataclass(frozen=True)
class Manifest:
    generation: str
    as_of: datetime
    full_at: datetime
    rows: dict[str, int]
    seconds: float
    layout: str = LAYOUT

    @property
    def current(self) -> bool:
        """Written in this version's layout (else queries of new columns would fail on it)."""
        return self.layout == LAYOUT

    def path(self, root: Path) -> Path:
        return root / self.generation


def root_of(data_dir: Path) -> Path:
    return Path(data_dir) / "analytics"


def read_manifest(data_dir: Path) -> Manifest | None:
    """The current snapshot's manifest, or None when no snapshot was taken."""
    path = root_of(data_dir) / "manifest.json"
    try:
        raw = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None
    return Manifest(raw["generation"], datetime.fromisoformat(raw["as_of"]), datetime.fromisoformat(raw["full_at"]),
                    raw["rows"], raw.get("seconds", 0.0), raw.get("layout", ""))  # fmt: skip


def _cell(value: Any) -> Any:
    if value is None:
        return NULL
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "value", value)


def _month(created_at: datetime) -> str:
    return clock.as_utc(created_at).astimezone(clock.SHANGHAI).strftime("%Y-%m")


def _month_bounds(month: str) -> tuple[datetime, datetime]:
    y, m = int(month[:4]), int(month[5:])
    start = datetime(y, m, 1, tzinfo=clock.SHANGHAI)
    end = datetime(y + (m == 12), 1 if m == 12 else m + 1, 1, tzinfo=clock.SHANGHAI)
    return start.astimezone(UTC), end.astimezone(UTC)


class _Writer:
    """Rows of one table → CSV parts → Parquet files, one folder per month."""

    def __init__(self, con: duckdb.DuckDBPyConnection, folder: Path, table: Table) -> None:
        self.con, self.folder, self.table = con, folder, table
        self.rows = 0
        self._month: str | None = None
        self._part = 0
        self._csv: Any = None
        self._file: Any = None
        self._pending = 0
        self._created = [c for c, _ in table.columns].index("created_at")

    def add(self, row: tuple[Any, ...]) -> None:
        month = _month(row[self._created])
        if month != self._month or self._pending >= BATCH * 25:
            self._flush()
            if month != self._month:
                self._month, self._part = month, 0
        if self._csv is None:
            self._file = tempfile.NamedTemporaryFile("w", newline="", suffix=".csv", delete=False, encoding="utf-8")  # noqa: SIM115 (closed in _flush)
            self._csv = csv.writer(self._file)
        self._csv.writerow([_cell(v) for v in row])
        self._pending += 1
        self.rows += 1

    def _flush(self) -> None:
        if self._csv is None:
            return
        self._file.close()
        target = self.folder / self._month / f"part-{self._part:04d}.parquet"  # type: ignore[operator]
        target.parent.mkdir(parents=True, exist_ok=True)
        types = ", ".join(f"'{c}': '{t}'" for c, t in self.table.columns)
        source = (f"read_csv('{self._file.name}', header=false, nullstr='{NULL}', quote='\"', escape='\"', "
                  f"columns={{{types}}})")  # fmt: skip
        self.con.execute(f"COPY (SELECT * FROM {source}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
        os.unlink(self._file.name)
        self._csv = self._file = None
        self._part += 1
        self._pending = 0

    def close(self) -> None:
        self._flush()
        types = ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in self.table.columns)
        self.con.execute(f"COPY (SELECT {types} LIMIT 0) TO '{self.folder / 'schema.parquet'}' (FORMAT parquet)")


def _stream(session: Session, statement: Select[Any]) -> Iterator[tuple[Any, ...]]:
    yield from session.execute(statement.execution_options(yield_per=BATCH)).tuples()


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[bool]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False  # another process of this machine is writing the snapshot now
            return
        yield True


def take(session: Session, data_dir: Path, *, full: bool = False) -> Manifest | None:
    """Write a new snapshot generation (incremental unless ``full`` or the last full one is a day old); None when
    another process is writing one at this moment."""
    root = root_of(data_dir)
    with _locked(root) as mine:
        if not mine:
            return None
        started, now = time.monotonic(), clock.now()
        previous = read_manifest(data_dir)
        full = full or previous is None or not previous.current or now - previous.full_at >= FULL_EVERY
        generation = "g-" + now.strftime("%Y%m%dT%H%M%S%f")
        folder = root / generation
        con = duckdb.connect()
        rows, written = {}, None
        for table in TABLES:
            target = folder / table.name
            target.mkdir(parents=True)
            writer = _Writer(con, target, table)
            if full:
                for row in _stream(session, table.query().order_by(table.model.created_at)):
                    writer.add(row)
            else:
                assert previous is not None
                dirty = _dirty_months(session, table, previous.as_of - OVERLAP)
                kept = _link_clean(previous.path(root) / table.name, target, dirty)
                if table.name == "sources":
                    written = dirty
                    rollups.link_clean(previous.path(root) / rollups.FOLDER, folder / rollups.FOLDER, dirty)
                for month in sorted(dirty):
                    start, end = _month_bounds(month)
                    statement = table.query().where(table.model.created_at >= start, table.model.created_at < end)
                    for row in _stream(session, statement.order_by(table.model.created_at)):
                        writer.add(row)
                writer.rows += kept
            writer.close()
            rows[table.name] = writer.rows
            if table.name == "sources":
                rollups.build(con, target, folder / rollups.FOLDER, written)
        con.close()
        manifest = Manifest(generation, now, now if full else previous.full_at, rows,  # type: ignore[union-attr]
                            round(time.monotonic() - started, 3))  # fmt: skip
        _publish(root, manifest)
        _prune(root, {generation, previous.generation if previous else ""})
        return manifest


def _dirty_months(session: Session, table: Table, since: datetime) -> set[str]:
    statement = select(table.model.created_at).where(table.model.updated_at >= since)
    return {_month(at) for (at,) in session.execute(statement.execution_options(yield_per=BATCH)).tuples()}


def _link_clean(old: Path, new: Path, dirty: set[str]) -> int:
    """Hard-link the months not to be exported again; returns how many rows they hold (from their Parquet footers)."""
    kept = 0
    if not old.is_dir():
        return 0
    con = duckdb.connect()
    for month in sorted(p for p in old.iterdir() if p.is_dir() and p.name not in dirty):
        (new / month.name).mkdir(parents=True)
        for part in month.glob("*.parquet"):
            os.link(part, new / month.name / part.name)
        kept += con.execute(f"SELECT count(*) FROM read_parquet('{month}/*.parquet')").fetchone()[0]  # type: ignore[index]
    con.close()
    return kept


def _publish(root: Path, manifest: Manifest) -> None:
    body = {"generation": manifest.generation, "as_of": manifest.as_of.isoformat(),
            "full_at": manifest.full_at.isoformat(), "rows": manifest.rows, "seconds": manifest.seconds,
            "layout": manifest.layout}  # fmt: skip
    tmp = root / "manifest.json.tmp"
    tmp.write_text(json.dumps(body, ensure_ascii=False, indent=1))
    os.replace(tmp, root / "manifest.json")


def _prune(root: Path, keep: set[str]) -> None:
    for path in root.iterdir():
        if path.is_dir() and path.name.startswith("g-") and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)
