"""Signal intake (every channel → one case-source pool): validate, locate, snooze, deduplicate, store — in bulk.

One call handles a batch: replays (same idempotency key) return the first result, invalid items are reported one
by one while the valid ones are kept, and everything is written with a few multi-row statements so machines can
push thousands of alarms a second (bench/intake.py). The work is split in two: what needs no database (validation,
coordinates, grid, ids, the signal columns in the driver's format) runs before the transaction takes the write
lock; what must see committed state (replays, dedup, codes, the INSERTs) runs under it, kept short.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import event, select, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from chengguan.calendar.service import work_calendar
from chengguan.core import clock
from chengguan.core.bulk import convert, insert_converted
from chengguan.core.config import get_settings
from chengguan.core.counters import reserve
from chengguan.core.geo import Crs, gcj02_to_wgs84_many, haversine_m, out_of_china, to_wgs84
from chengguan.core.grid_index import GridIndex, GridShape
from chengguan.core.ids import uuid7, uuid7_many
from chengguan.core.principals import Actor
from chengguan.intake import rules
from chengguan.intake.dedup import Candidate, DedupCache, Params
from chengguan.intake.enums import OPEN_STATUSES, SourceStatus
from chengguan.intake.models import CaseSource, Signal, SnoozeRule
from chengguan.intake.schemas import IntakeResult, ItemProblem, SignalIn
from chengguan.intake.timelimits import due, pick, warn_at
from chengguan.kit.schemas import NUL_CHECKED, contains_nul
from chengguan.law.seed import categories
from chengguan.org.enums import OrgLevel
from chengguan.org.grids import grid_locator
from chengguan.org.models import OrgUnit

SEQ_KEY = "intake_seq"
_PENDING = "intake.pending_seq"
FUTURE_TOLERANCE = timedelta(minutes=10)

cache = DedupCache()
_SIGNALS = TypeAdapter(list[SignalIn])
_sources = CaseSource.__table__
_signals = Signal.__table__


def bump_seq(session: Session) -> int:
    """Advance the intake sequence (invalidates other processes' dedup caches); returns the new value."""
    return reserve(session, SEQ_KEY)


def _problem(key: Any, code: str, detail: str, errors: list[dict[str, str]] | None = None) -> IntakeResult:
    return IntakeResult(
        idempotency_key=key if isinstance(key, str) else None,
        problem=ItemProblem(code=code, detail=detail, errors=errors),
    )


def _validation_problem(raw: Any, exc: ValidationError) -> IntakeResult:
    errors = [{"field": ".".join(str(p) for p in e["loc"]) or "signal", "message": e["msg"]} for e in exc.errors()[:10]]
    key = raw.get("idempotency_key") if isinstance(raw, dict) else None
    return _problem(key, "signal.invalid", "告警数据不合法：" + "；".join(e["field"] for e in errors), errors)


# Signal columns that need no database: converted to the driver's format before the write lock is taken.
_EARLY_COLUMNS = (
    "id", "idempotency_key", "channel", "category_code", "lng", "lat", "crs", "raw_lng", "raw_lat", "occurred_at",
    "received_at", "description", "address", "device_id", "external_ref", "media", "reporter", "attributes",
    "created_by_id",
)  # fmt: skip
_SOURCE_COLUMNS = (
    "id", "code", "status", "category_code", "channel", "lng", "lat", "address", "description", "grid_id",
    "grid_code", "squad_id", "district_id", "unit_id", "needs_routing", "reported_by_id", "signal_count",
    "first_signal_at", "last_signal_at", "due_at", "warn_at", "supervision_count", "created_at", "updated_at",
    "version",
)  # fmt: skip
_CODE, _COUNT, _FIRST, _LAST = (_SOURCE_COLUMNS.index(c) for c in ("code", "signal_count", "first_signal_at",
                                                                    "last_signal_at"))  # fmt: skip
# Columns with few distinct values in a batch (each distinct value is converted once).
_REPEATED = frozenset(
    {"channel", "crs", "received_at", "created_by_id", "status", "grid_id", "squad_id", "district_id", "unit_id",
     "needs_routing", "reported_by_id", "due_at", "warn_at", "created_at", "updated_at", "merged", "snooze_rule_id"}
)  # fmt: skip


_NO_ID = uuid.UUID(int=0)  # replaced by the batch's block of ids


@dataclass(slots=True)
class _Item:
    index: int
    signal: SignalIn
    lng: float
    lat: float
    occurred_at: datetime
    id: uuid.UUID
    at_s: float  # occurred_at in epoch seconds (dedup compares floats)
    hit: GridShape | None = None


class _Prepared:
    """A batch's accepted items with their signal columns already in the driver's format: everything that needs no
    database, done before the write lock is taken, so that meanwhile another batch's writes can run."""

    def __init__(
        self,
        parsed: list[tuple[int, SignalIn]],
        results: list[IntakeResult | None],
        now: datetime,
        dialect: Dialect,
        created_by_id: uuid.UUID | None,
    ) -> None:
        cats = categories()
        self.items: list[_Item] = []
        self.repeats: list[tuple[int, int]] = []  # (index, index of the first item with the same key)
        first_of_key: dict[str, int] = {}
        latest = now + FUTURE_TOLERANCE
        coords = _wgs84_of(parsed)
        for (i, s), (lng, lat) in zip(parsed, coords, strict=True):
            key = s.idempotency_key
            if key in first_of_key:
                self.repeats.append((i, first_of_key[key]))
                continue
            if s.category_code not in cats:
                results[i] = _problem(key, "signal.unknown_category", f"未知的事项类别码 {s.category_code}")
                continue
            if out_of_china(lng, lat):
                results[i] = _problem(key, "signal.out_of_area", "坐标不在中国境内（请检查经纬度顺序与坐标系）")
                continue
            occurred = s.occurred_at.astimezone(now.tzinfo)
            if occurred > latest:
                results[i] = _problem(key, "signal.occurred_in_future", "发生时间晚于当前时间")
                continue
            first_of_key[key] = i
            self.items.append(_Item(i, s, lng, lat, occurred, _NO_ID, occurred.timestamp()))
        for it, id_ in zip(self.items, uuid7_many(len(self.items)), strict=True):
            it.id = id_
        self.index = grid_locator.peek()
        self.locate(self.index)
        sig = [it.signal for it in self.items]
        values: dict[str, list[Any]] = {
            "id": [it.id for it in self.items],
            "idempotency_key": [s.idempotency_key for s in sig],
            "channel": [s.channel for s in sig],
            "category_code": [s.category_code for s in sig],
            "lng": [it.lng for it in self.items],
            "lat": [it.lat for it in self.items],
            "crs": [s.crs.value for s in sig],
            "raw_lng": [s.lng for s in sig],
            "raw_lat": [s.lat for s in sig],
            "occurred_at": [it.occurred_at for it in self.items],
            "received_at": [now] * len(sig),
            "description": [s.description for s in sig],
            "address": [s.address for s in sig],
            "device_id": [s.device_id for s in sig],
            "external_ref": [s.external_ref for s in sig],
            "media": [s.media or None for s in sig],
            "reporter": [s.reporter.model_dump(mode="json", exclude_none=True) if s.reporter else None for s in sig],
            "attributes": [s.attributes for s in sig],
            "created_by_id": [created_by_id] * len(sig),
        }
        self.columns = {n: convert(dialect, _signals, n, values[n], repeated=n in _REPEATED) for n in _EARLY_COLUMNS}

    def locate(self, index: GridIndex | None) -> None:
        """Grid of every item (none without an index)."""
        self.index = index
        hits = index.locate_many([it.lng for it in self.items], [it.lat for it in self.items]) if index else None
        for n, it in enumerate(self.items):
            it.hit = hits[n] if hits else None

    def drop(self, keys: Collection[str]) -> None:
        """Forget the items whose key turned out to be stored already (replays)."""
        keep = [it.signal.idempotency_key not in keys for it in self.items]
        if all(keep):
            return
        self.items = [it for it, k in zip(self.items, keep, strict=True) if k]
        self.columns = {n: [v for v, k in zip(vs, keep, strict=True) if k] for n, vs in self.columns.items()}


def _wgs84_of(parsed: list[tuple[int, SignalIn]]) -> list[tuple[float, float]]:
    """Every item's position in WGS-84; the GCJ-02 ones (phone apps, a quarter of the traffic) in one numpy pass."""
    coords = [to_wgs84(s.lng, s.lat, s.crs) if s.crs is Crs.BD09 else (s.lng, s.lat) for _, s in parsed]
    gcj = [n for n, (_, s) in enumerate(parsed) if s.crs is Crs.GCJ02]
    if gcj:
        lngs, lats = gcj02_to_wgs84_many([parsed[n][1].lng for n in gcj], [parsed[n][1].lat for n in gcj])
        for n, lng, lat in zip(gcj, lngs, lats, strict=True):
            coords[n] = (lng, lat)
    return coords


class _Units:
    """Squad → district and the city unit (owner of sources no grid covers), read once per batch."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.level)).all()
        self.parent = {r.id: r.parent_id for r in rows}
        self.level = {r.id: r.level for r in rows}
        self.city = next((r.id for r in rows if r.level == OrgLevel.city), None)
        self._districts: dict[uuid.UUID | None, uuid.UUID | None] = {}

    def chain(self, unit_id: uuid.UUID | None) -> tuple[uuid.UUID, ...]:
        """The unit and the units above it, nearest first (a source no grid covers belongs to the city unit)."""
        found, out = unit_id or self.city, []
        while found is not None:
            out.append(found)
            found = self.parent.get(found)
        return tuple(out)

    def district_of(self, unit_id: uuid.UUID | None) -> uuid.UUID | None:
        try:
            return self._districts[unit_id]
        except KeyError:
            pass
        found = unit_id
        while found is not None and self.level.get(found) != OrgLevel.district:
            found = self.parent.get(found)
        self._districts[unit_id] = found
        return found


def ingest(
    session: Session,
    items: Sequence[SignalIn | dict[str, Any]],
    actor: Actor,
    *,
    created_by_id: uuid.UUID | None = None,
    nul_checked: bool = False,
) -> list[IntakeResult]:
    """Take in a batch of signals; one result per item, in input order (see the module docstring).
    ``nul_checked``: the caller already refused U+0000 anywhere in ``items`` (a validated request body)."""
    now = clock.now()
    results: list[IntakeResult | None] = [None] * len(items)
    parsed = _parse(items, results, nul_checked)
    if not parsed:
        return [r for r in results if r is not None]
    batch = _Prepared(parsed, results, now, session.get_bind().dialect, created_by_id)

    # From the first statement on, this transaction holds the write lock (SQLite) — keep what follows short.
    if session.get_bind().dialect.name == "postgresql":
        # One intake batch at a time, so two batches cannot both open a source for the same spot.
        session.execute(text("SELECT pg_advisory_xact_lock(73110001)"))
    seq = bump_seq(session)
    known = _replays(session, {s.idempotency_key for _, s in parsed})
    if known:
        for i, s in parsed:
            if s.idempotency_key in known:
                results[i] = known[s.idempotency_key]
        batch.drop(known)
    if batch.items:
        _store(session, batch, results, created_by_id, now, seq)
    for i, first in batch.repeats:
        original = results[first]
        if original is not None and results[i] is None:
            results[i] = original.model_copy(update={"duplicate_replay": original.problem is None})
    return [r for r in results if r is not None]


def _parse(
    items: Sequence[SignalIn | dict[str, Any]], results: list[IntakeResult | None], nul_checked: bool
) -> list[tuple[int, SignalIn]]:
    """The valid items, validated; each invalid one gets its problem in ``results``."""
    raw = [r for r in items if not isinstance(r, SignalIn)]
    # One NUL scan of the whole batch instead of one serialisation per item (the schemas' own check).
    context = {NUL_CHECKED: True} if raw and (nul_checked or not contains_nul(raw)) else None
    if context and len(raw) == len(items):
        try:  # the whole batch in one call; a batch with a bad item is validated again item by item
            return list(enumerate(_SIGNALS.validate_python(items, context=context)))
        except ValidationError:
            pass
    parsed: list[tuple[int, SignalIn]] = []
    for i, item in enumerate(items):
        if isinstance(item, SignalIn):
            parsed.append((i, item))
            continue
        try:
            parsed.append((i, SignalIn.model_validate(item, context=context)))
        except ValidationError as exc:
            results[i] = _validation_problem(item, exc)
    return parsed


def _replays(session: Session, keys: set[str]) -> dict[str, IntakeResult]:
    """Results of keys already stored (the first result, marked as a replay)."""
    found: dict[str, IntakeResult] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), 900):
        chunk = ordered[start : start + 900]
        rows = session.execute(
            select(
                Signal.idempotency_key,
                Signal.id,
                Signal.case_source_id,
                Signal.merged,
                Signal.snooze_rule_id,
                CaseSource.code,
                CaseSource.needs_routing,
            )
            .outerjoin(CaseSource, CaseSource.id == Signal.case_source_id)
            .where(Signal.idempotency_key.in_(chunk))
        )
        for r in rows:
            found[r.idempotency_key] = IntakeResult(
                idempotency_key=r.idempotency_key,
                signal_id=r.id,
                case_source_id=r.case_source_id,
                case_source_code=r.code,
                merged=r.merged,
                duplicate_replay=True,
                snoozed=r.snooze_rule_id is not None,
                needs_routing=bool(r.needs_routing),
            )
    return found


def _candidates(session: Session, since: datetime) -> list[Candidate]:
    rows = session.execute(
        select(
            CaseSource.id,
            CaseSource.code,
            CaseSource.category_code,
            CaseSource.lng,
            CaseSource.lat,
            CaseSource.first_signal_at,
            CaseSource.last_signal_at,
        ).where(CaseSource.status.in_(sorted(OPEN_STATUSES)), CaseSource.last_signal_at >= since)
    )
    return [Candidate(*r) for r in rows]


def _store(
    session: Session,
    batch: _Prepared,
    results: list[IntakeResult | None],
    created_by_id: uuid.UUID | None,
    now: datetime,
    seq: int,
) -> None:
    settings = get_settings()
    dedup_rules = rules.dedup_params(session)
    default = Params(settings.dedup_radius_m, timedelta(minutes=settings.dedup_window_minutes))
    # The cache belongs to one database (a process may serve several, e.g. in tests).
    params_key = (
        session.get_bind().engine.url.render_as_string(hide_password=True),
        tuple(sorted(dedup_rules.items())),
        default,
    )
    max_window = max([default.window, *(p.window for p in dedup_rules.values())])
    params: dict[str, Params] = _ParamsFor(dedup_rules, default)  # type: ignore[assignment]
    snoozes = list(session.scalars(select(SnoozeRule).where(SnoozeRule.active.is_(True), SnoozeRule.until > now)))
    index = grid_locator.index(session)
    if index is not batch.index:  # the grids changed since the batch was prepared (or were never loaded)
        batch.locate(index)
    units = _Units(session)
    limits = rules.time_limits(session)
    unit_rules = any(lim.unit_id for lim in limits)
    calendar = work_calendar(session)
    items = batch.items
    earliest = min(it.occurred_at for it in items)

    sources: list[list[Any]] = []
    grid_codes: list[str | None] = []
    source_ids: list[uuid.UUID | None] = []
    merged_flags: list[bool] = []
    snooze_ids: list[uuid.UUID | None] = []
    touched: dict[uuid.UUID, Candidate] = {}
    outcomes: list[tuple[_Item, Candidate | None, bool, bool, bool]] = []
    created: dict[uuid.UUID, Candidate] = {}
    due_cache: dict[tuple[str, str, uuid.UUID | None], tuple[datetime | None, datetime | None]] = {}
    day = clock.local_now().strftime("%Y%m%d")
    dialect = session.get_bind().dialect

    with cache.lock:
        if not cache.valid_for(seq - 1, earliest, params_key):
            cache.load(seq, earliest, params_key, params, _candidates(session, earliest - max_window))
        try:
            for it in items:
                s = it.signal
                hit = it.hit
                snooze = _snooze_of(snoozes, s.category_code, it, units) if snoozes else None
                source: Candidate | None = None
                merged = needs_routing = False
                if snooze is None:
                    h = cache.hash_for(s.category_code, params)
                    target = h.best(it.lng, it.lat, it.at_s)
                    if target is not None:
                        merged, source = True, target
                        target.take(it.occurred_at, it.at_s)
                        touched[target.id] = target
                    else:
                        source_id = uuid7()
                        needs_routing = hit is None
                        squad = hit.squad_id if hit else None
                        key = (s.category_code, s.channel.value, squad)
                        if key not in due_cache:
                            chain = units.chain(squad) if unit_rules else ()
                            limit = pick(limits, SourceStatus.pending, s.category_code, s.channel, chain)
                            d = due(calendar, now, limit) if limit else None
                            due_cache[key] = (d, warn_at(now, d, limit.warn_percent) if d and limit else None)
                        due_at, warn = due_cache[key]
                        sources.append([
                            source_id, "", SourceStatus.pending, s.category_code, s.channel, it.lng, it.lat,
                            s.address, s.description, hit.grid_id if hit else None, hit.grid_code if hit else None,
                            squad, units.district_of(squad), squad or units.city, needs_routing, created_by_id, 1,
                            it.occurred_at, it.occurred_at, due_at, warn, 0, now, now, 1,
                        ])  # fmt: skip
                        source = Candidate(source_id, "", s.category_code, it.lng, it.lat, it.occurred_at,
                                           it.occurred_at)  # fmt: skip
                        h.add(source)
                        created[source_id] = source
                outcomes.append((it, source, merged, snooze is not None, needs_routing))
                grid_codes.append(hit.grid_code if hit else None)
                source_ids.append(source.id if source else None)
                merged_flags.append(merged)
                snooze_ids.append(snooze.id if snooze else None)
            if sources:
                first = reserve(session, f"case_source:{day}", len(sources))
                for n, row in enumerate(sources):
                    cand = created[row[0]]
                    cand.code = row[_CODE] = f"AY{day}{first + n:06d}"
                    # Later signals of this batch that joined it count here, not in an UPDATE.
                    row[_COUNT] += cand.added
                    row[_FIRST], row[_LAST] = cand.first_at, cand.last_at
                    cand.added = 0
                # No timeline row for the creation: the source's own created_at and channel say it (detail shows it).
                columns = dict(zip(_SOURCE_COLUMNS, map(list, zip(*sources, strict=True)), strict=True))
                insert_converted(session.connection(), _sources, {
                    n: convert(dialect, _sources, n, vs, repeated=n in _REPEATED) for n, vs in columns.items()
                })  # fmt: skip
            for it, source, merged, snoozed, needs_routing in outcomes:  # now that every new source has its code
                results[it.index] = IntakeResult(
                    idempotency_key=it.signal.idempotency_key,
                    signal_id=it.id,
                    case_source_id=source.id if source else None,
                    case_source_code=source.code if source else None,
                    merged=merged,
                    snoozed=snoozed,
                    needs_routing=needs_routing,
                )
            late = {"grid_code": grid_codes, "case_source_id": source_ids, "merged": merged_flags,
                    "snooze_rule_id": snooze_ids}  # fmt: skip
            signal_columns = dict(batch.columns)
            for n, vs in late.items():
                signal_columns[n] = convert(dialect, _signals, n, vs, repeated=n in _REPEATED)
            insert_converted(session.connection(), _signals, signal_columns)
            _apply_merges(session, [c for c in touched.values() if c.added], now)
            for c in touched.values():
                c.added = 0
            newest = max(it.occurred_at for it in items)
            cache.latest = newest if cache.latest is None else max(cache.latest, newest)
            _prune(cache, max_window)
        except BaseException:
            cache.reset()
            raise
        # Valid again only once this transaction commits (see the session hooks below).
        cache.pending_seq, cache.seq = seq, None
        session.info[_PENDING] = seq


def _apply_merges(session: Session, merged: list[Candidate], now: datetime) -> None:
    """signal_count and first/last signal time of the sources that took signals, in one executemany UPDATE."""
    if not merged:
        return
    # Merges do not bump ``version``: a new signal does not invalidate what a dispatcher is looking at.
    connection = session.connection()
    d = connection.dialect
    t = _sources
    marker = "?" if d.paramstyle == "qmark" else "%s"
    sql = (
        f"UPDATE {d.identifier_preparer.format_table(t)} SET signal_count = signal_count + {marker}, "
        f"first_signal_at = {marker}, last_signal_at = {marker}, updated_at = {marker} WHERE id = {marker}"
    )
    rows = zip(
        [c.added for c in merged],
        convert(d, t, "first_signal_at", [c.first_at for c in merged]),
        convert(d, t, "last_signal_at", [c.last_at for c in merged]),
        convert(d, t, "updated_at", [now] * len(merged), repeated=True),
        convert(d, t, "id", [c.id for c in merged]),
        strict=True,
    )
    connection.exec_driver_sql(sql, list(rows))


def _prune(c: DedupCache, max_window: timedelta) -> None:
    if c.latest is None or c.horizon is None:
        return
    cutoff = c.latest - 3 * max_window
    if cutoff - c.horizon > max_window:
        for h in c.hashes.values():
            h.prune(cutoff)
        c.horizon = cutoff + max_window


def _snooze_of(rules: list[SnoozeRule], category: str, it: _Item, units: _Units) -> SnoozeRule | None:
    return next((r for r in rules if _snoozed(r, category, it, units)), None)


def _snoozed(rule: SnoozeRule, category: str, it: _Item, units: _Units) -> bool:
    if rule.category_code not in (None, category):
        return False
    if rule.unit_id is not None and rule.unit_id not in units.chain(it.hit.squad_id if it.hit else None):
        return False  # a squad's rule silences its own grids only, however far its radius reaches
    return haversine_m(rule.lng, rule.lat, it.lng, it.lat) <= rule.radius_m


class _ParamsFor(dict):
    """category → Params, falling back to the platform default for categories without a rule."""

    def __init__(self, specific: dict[str, Params], default: Params) -> None:
        super().__init__(specific)
        self.default = default

    def __missing__(self, key: str) -> Params:
        return self.default


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    seq = session.info.pop(_PENDING, None)
    if seq is not None:
        with cache.lock:
            if cache.seq is None and cache.pending_seq == seq:
                cache.seq = seq


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if session.info.pop(_PENDING, None) is not None:
        with cache.lock:
            cache.reset()
