"""Signal intake (every channel → one case-source pool): validate, locate, snooze, deduplicate, store — in bulk.

One call handles a batch: replays (same idempotency key) return the first result, invalid items are reported one
by one while the valid ones are kept, and everything is written with a few multi-row statements so machines can
push tens of thousands of alarms a second (bench/intake.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import bindparam, event, select, text, update
from sqlalchemy.orm import Session

from chengguan.calendar.service import work_calendar
from chengguan.core import clock
from chengguan.core.bulk import insert_rows
from chengguan.core.config import get_settings
from chengguan.core.counters import reserve
from chengguan.core.geo import haversine_m, out_of_china, to_wgs84
from chengguan.core.ids import uuid7
from chengguan.identity.principals import Actor
from chengguan.intake import rules
from chengguan.intake.dedup import Candidate, DedupCache, Params
from chengguan.intake.enums import OPEN_STATUSES, SourceStatus
from chengguan.intake.models import CaseSource, Signal, SnoozeRule
from chengguan.intake.schemas import IntakeResult, ItemProblem, SignalIn
from chengguan.intake.timelimits import due, pick, warn_at
from chengguan.law.seed import categories
from chengguan.org.enums import OrgLevel
from chengguan.org.grids import grid_locator
from chengguan.org.models import OrgUnit

SEQ_KEY = "intake_seq"
_PENDING = "intake.pending_seq"
FUTURE_TOLERANCE = timedelta(minutes=10)

cache = DedupCache()
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


@dataclass(slots=True)
class _Item:
    index: int
    signal: SignalIn
    lng: float
    lat: float
    occurred_at: datetime
    id: uuid.UUID


class _Units:
    """Squad → district and the city unit (owner of sources no grid covers), read once per batch."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.level)).all()
        self.parent = {r.id: r.parent_id for r in rows}
        self.level = {r.id: r.level for r in rows}
        self.city = next((r.id for r in rows if r.level == OrgLevel.city), None)

    def district_of(self, unit_id: uuid.UUID | None) -> uuid.UUID | None:
        while unit_id is not None and self.level.get(unit_id) != OrgLevel.district:
            unit_id = self.parent.get(unit_id)
        return unit_id


def ingest(
    session: Session,
    items: Sequence[SignalIn | dict[str, Any]],
    actor: Actor,
    *,
    created_by_id: uuid.UUID | None = None,
) -> list[IntakeResult]:
    """Take in a batch of signals; one result per item, in input order (see the module docstring)."""
    now = clock.now()
    results: list[IntakeResult | None] = [None] * len(items)
    parsed: list[tuple[int, SignalIn]] = []
    for i, raw in enumerate(items):
        if isinstance(raw, SignalIn):
            parsed.append((i, raw))
            continue
        try:
            parsed.append((i, SignalIn.model_validate(raw)))
        except ValidationError as exc:
            results[i] = _validation_problem(raw, exc)
    if not parsed:
        return [r for r in results if r is not None]

    if session.get_bind().dialect.name == "postgresql":
        # One intake batch at a time, so two batches cannot both open a source for the same spot.
        session.execute(text("SELECT pg_advisory_xact_lock(73110001)"))
    seq = bump_seq(session)

    known = _replays(session, {s.idempotency_key for _, s in parsed})
    cats = categories()
    fresh: list[_Item] = []
    first_of_key: dict[str, int] = {}
    repeats: list[tuple[int, int]] = []
    for i, s in parsed:
        key = s.idempotency_key
        if key in known:
            results[i] = known[key]
            continue
        if key in first_of_key:
            repeats.append((i, first_of_key[key]))
            continue
        if s.category_code not in cats:
            results[i] = _problem(key, "signal.unknown_category", f"未知的事项类别码 {s.category_code}")
            continue
        lng, lat = to_wgs84(s.lng, s.lat, s.crs)
        if out_of_china(lng, lat):
            results[i] = _problem(key, "signal.out_of_area", "坐标不在中国境内（请检查经纬度顺序与坐标系）")
            continue
        occurred = s.occurred_at.astimezone(now.tzinfo)
        if occurred > now + FUTURE_TOLERANCE:
            results[i] = _problem(key, "signal.occurred_in_future", "发生时间晚于当前时间")
            continue
        first_of_key[key] = i
        fresh.append(_Item(i, s, lng, lat, occurred, uuid7()))

    if fresh:
        _store(session, fresh, results, actor, created_by_id, now, seq)
    for i, first in repeats:
        original = results[first]
        assert original is not None
        results[i] = original.model_copy(update={"duplicate_replay": original.problem is None})
    return [r for r in results if r is not None]


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
    fresh: list[_Item],
    results: list[IntakeResult | None],
    actor: Actor,
    created_by_id: uuid.UUID | None,
    now: datetime,
    seq: int,
) -> None:
    settings = get_settings()
    dedup_rules = rules.dedup_params(session)
    default = Params(settings.dedup_radius_m, timedelta(minutes=settings.dedup_window_minutes))
    # The cache belongs to one database (a process may serve several, e.g. in tests).
    params_key = (
        session.get_bind().url.render_as_string(hide_password=True),
        tuple(sorted(dedup_rules.items())),
        default,
    )
    max_window = max([default.window, *(p.window for p in dedup_rules.values())])
    params: dict[str, Params] = _ParamsFor(dedup_rules, default)  # type: ignore[assignment]
    snoozes = list(session.scalars(select(SnoozeRule).where(SnoozeRule.active.is_(True), SnoozeRule.until > now)))
    index = grid_locator.index(session)
    units = _Units(session)
    limits = rules.time_limits(session)
    calendar = work_calendar(session)
    earliest = min(it.occurred_at for it in fresh)

    new_sources: list[dict[str, Any]] = []
    signal_rows: list[dict[str, Any]] = []
    touched: dict[uuid.UUID, Candidate] = {}
    created: dict[uuid.UUID, tuple[dict[str, Any], Candidate]] = {}
    due_cache: dict[tuple[str, str], tuple[datetime | None, datetime | None]] = {}
    day = clock.local_now().strftime("%Y%m%d")

    with cache.lock:
        if not cache.valid_for(seq - 1, earliest, params_key):
            horizon = earliest
            cache.load(seq, horizon, params_key, params, _candidates(session, horizon - max_window))
        try:
            for it in fresh:
                s = it.signal
                result = IntakeResult(idempotency_key=s.idempotency_key, signal_id=it.id)
                snooze = next((r for r in snoozes if _snoozed(r, s.category_code, it.lng, it.lat)), None)
                hit = index.locate(it.lng, it.lat)
                grid_code = hit.grid_code if hit else None
                source_id: uuid.UUID | None = None
                merged = False
                if snooze is None:
                    h = cache.hash_for(s.category_code, params)
                    target = h.best(it.lng, it.lat, it.occurred_at)
                    if target is not None:
                        merged, source_id = True, target.id
                        target.added += 1
                        target.last_at = max(target.last_at, it.occurred_at)
                        target.first_at = min(target.first_at, it.occurred_at)
                        touched[target.id] = target
                        result.case_source_code = target.code
                    else:
                        source_id = uuid7()
                        squad = hit.squad_id if hit else None
                        key = (s.category_code, s.channel.value)
                        if key not in due_cache:
                            limit = pick(limits, SourceStatus.pending, s.category_code, s.channel)
                            d = due(calendar, now, limit) if limit else None
                            due_cache[key] = (d, warn_at(now, d, limit.warn_percent) if d and limit else None)
                        due_at, warn = due_cache[key]
                        row = {
                            "id": source_id,
                            "code": "",
                            "status": SourceStatus.pending,
                            "category_code": s.category_code,
                            "channel": s.channel,
                            "lng": it.lng,
                            "lat": it.lat,
                            "address": s.address,
                            "description": s.description,
                            "grid_id": hit.grid_id if hit else None,
                            "grid_code": grid_code,
                            "squad_id": squad,
                            "district_id": units.district_of(squad),
                            "unit_id": squad or units.city,
                            "needs_routing": hit is None,
                            "reported_by_id": created_by_id,
                            "signal_count": 1,
                            "first_signal_at": it.occurred_at,
                            "last_signal_at": it.occurred_at,
                            "due_at": due_at,
                            "warn_at": warn,
                            "supervision_count": 0,
                            "created_at": now,
                            "updated_at": now,
                            "version": 1,
                        }
                        new_sources.append(row)
                        cand = Candidate(source_id, "", s.category_code, it.lng, it.lat, it.occurred_at, it.occurred_at)
                        h.add(cand)
                        result.needs_routing = hit is None
                        created[source_id] = (row, cand)
                else:
                    result.snoozed = True
                result.case_source_id = source_id
                result.merged = merged
                results[it.index] = result
                signal_rows.append(
                    {
                        "id": it.id,
                        "idempotency_key": s.idempotency_key,
                        "channel": s.channel,
                        "category_code": s.category_code,
                        "lng": it.lng,
                        "lat": it.lat,
                        "crs": s.crs.value,
                        "raw_lng": s.lng,
                        "raw_lat": s.lat,
                        "occurred_at": it.occurred_at,
                        "received_at": now,
                        "description": s.description,
                        "address": s.address,
                        "device_id": s.device_id,
                        "external_ref": s.external_ref,
                        "media": s.media or None,
                        "reporter": s.reporter.model_dump(mode="json", exclude_none=True) if s.reporter else None,
                        "attributes": s.attributes,
                        "grid_code": grid_code,
                        "case_source_id": source_id,
                        "merged": merged,
                        "snooze_rule_id": snooze.id if snooze else None,
                        "created_by_id": created_by_id,
                    }
                )
            if new_sources:
                first = reserve(session, f"case_source:{day}", len(new_sources))
                for n, row in enumerate(new_sources):
                    row["code"] = f"AY{day}{first + n:06d}"
                    cand = created[row["id"]][1]
                    cand.code = row["code"]
                    # Later signals of this batch that joined it count here, not in an UPDATE.
                    row["signal_count"] += cand.added
                    row["first_signal_at"], row["last_signal_at"] = cand.first_at, cand.last_at
                    cand.added = 0
                for it in fresh:
                    r = results[it.index]
                    if r is not None and r.case_source_id in created:
                        r.case_source_code = created[r.case_source_id][1].code
                # No timeline row for the creation: the source's own created_at and channel say it (detail shows it).
                insert_rows(session, _sources, new_sources)
            insert_rows(session, _signals, signal_rows)
            _apply_merges(session, [c for c in touched.values() if c.added], now)
            for c in touched.values():
                c.added = 0
            newest = max(it.occurred_at for it in fresh)
            cache.latest = newest if cache.latest is None else max(cache.latest, newest)
            _prune(cache, max_window)
        except BaseException:
            cache.reset()
            raise
        # Valid again only once this transaction commits (see the session hooks below).
        cache.pending_seq, cache.seq = seq, None
        session.info[_PENDING] = seq


def _apply_merges(session: Session, merged: list[Candidate], now: datetime) -> None:
    """signal_count and first/last signal time of the sources that took signals, in one multi-row UPDATE."""
    if not merged:
        return
    t = _sources
    # Merges do not bump ``version``: a new signal does not invalidate what a dispatcher is looking at.
    statement = (
        update(t)
        .where(t.c.id == bindparam("b_id"))
        .values(
            signal_count=t.c.signal_count + bindparam("b_n"),
            first_signal_at=bindparam("b_first", type_=t.c.first_signal_at.type),
            last_signal_at=bindparam("b_last", type_=t.c.last_signal_at.type),
            updated_at=bindparam("b_now", type_=t.c.updated_at.type),
        )
    )
    rows = [{"b_id": c.id, "b_n": c.added, "b_first": c.first_at, "b_last": c.last_at, "b_now": now} for c in merged]
    session.connection().execute(statement, rows)


def _prune(c: DedupCache, max_window: timedelta) -> None:
    if c.latest is None or c.horizon is None:
        return
    cutoff = c.latest - 3 * max_window
    if cutoff - c.horizon > max_window:
        for h in c.hashes.values():
            h.prune(cutoff)
        c.horizon = cutoff + max_window


def _snoozed(rule: SnoozeRule, category: str, lng: float, lat: float) -> bool:
    if rule.category_code not in (None, category):
        return False
    return haversine_m(rule.lng, rule.lat, lng, lat) <= rule.radius_m


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
