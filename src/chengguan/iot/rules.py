"""The alarm rules — pure functions over (rule, state, reading), no I/O.

Every rule is evaluated on the readings' own timestamps, never on the clock: a device that buffers during an outage
and resends later, or a replay of a day's readings, gives the same alarms at the same instants. A reading not newer
than the last one evaluated is ignored (broker redelivery after a crash, duplicates), and the state is a plain value
the service persists after every batch, so a restart neither loses a duration window nor raises an alarm twice.

The machine per rule: ``idle`` → (condition holds) ``pending`` → (held for ``for_s``) ``active`` [alarm raised] →
(clear condition holds) ``clearing`` → (held for ``clear_for_s``) ``idle`` [alarm cleared]. Hysteresis: an active
alarm clears only below ``clear_at`` (above rules) or above it (below rules), so a value flapping around the
threshold keeps one alarm. A gap between readings longer than ``max_gap_s`` restarts a pending or clearing window
(the condition cannot be assumed to have held while nothing was heard). Outside the rule's schedule nothing new is
raised and an active alarm may clear.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from chengguan.core.clock import SHANGHAI
from chengguan.iot.enums import RuleKind

ZERO = 1e-9  # "zero" as a device reports it (0, 0.0, 0.000)


class Phase(StrEnum):
    idle = "idle"
    pending = "pending"
    active = "active"
    clearing = "clearing"


@dataclass(frozen=True)
class Window:
    """A local-time (Asia/Shanghai) period a rule applies in; ``end`` before ``start`` runs past midnight (夜间
    22:00–06:00, 《噪声污染防治法》第八十八条). ``days``: ISO weekdays of the window's start (empty: every day)."""

    start_min: int
    end_min: int
    days: frozenset[int] = frozenset()

    def contains(self, local: datetime) -> bool:
        m = local.hour * 60 + local.minute
        if self.start_min <= self.end_min:
            return self.start_min <= m < self.end_min and self._day(local)
        if m >= self.start_min:
            return self._day(local)
        return m < self.end_min and self._day(local - timedelta(days=1))

    def _day(self, local: datetime) -> bool:
        return not self.days or local.isoweekday() in self.days


@dataclass(frozen=True)
class Rule:
    """One alarm rule as the engine sees it (built by the service from the stored rule and the device).

    ``threshold``: above/below → the limit; fan_without_purifier → the current (A) above which a motor counts as
    running; flat_line → the tolerance within which a value counts as unchanged; drop_to_zero → the value the
    reading before must have reached for a fall to zero to count as sudden."""

    key: str
    kind: RuleKind
    metric: str | None = None
    threshold: float = 0.0
    clear_at: float | None = None
    for_s: float = 0.0
    clear_for_s: float = 0.0
    schedule: tuple[Window, ...] = ()
    max_gap_s: float | None = None
    escalate_after_s: float | None = None
    fan_metric: str = "fan_current"
    purifier_metric: str = "purifier_current"


@dataclass(frozen=True)
class State:
    """What the engine remembers of one (device, rule) between readings (persisted)."""

    phase: Phase = Phase.idle
    since: float | None = None  # start of the pending or clearing window (epoch seconds)
    last_ts: float | None = None  # newest reading evaluated
    ref_value: float | None = None  # flat_line: the run's value; drop_to_zero: the previous reading's value
    ref_ts: float | None = None  # flat_line: when the run began
    raised_at: float | None = None
    escalated: bool = False


class EventKind(StrEnum):
    raised = "raised"
    cleared = "cleared"
    escalated = "escalated"


@dataclass(frozen=True)
class Event:
    kind: EventKind
    at: float  # the reading's own timestamp
    value: float | None = None
    since: float | None = None  # raised: when the condition began (the evidence window starts here)


@dataclass(frozen=True)
class _Check:
    violating: bool
    ok: bool  # the clear condition (hysteresis) holds
    value: float | None
    starts_at: float | None = None  # flat_line: the violation began with the run, not with this reading
    updates: dict[str, float | None] = field(default_factory=dict)


def in_schedule(schedule: tuple[Window, ...], ts: float) -> bool:
    """Whether the instant falls in one of the windows (no windows: always)."""
    if not schedule:
        return True
    local = datetime.fromtimestamp(ts, SHANGHAI)
    return any(w.contains(local) for w in schedule)


def _check(rule: Rule, state: State, ts: float, values: dict[str, float]) -> _Check | None:
    """The rule's condition on one reading; None when the reading lacks what the rule reads."""
    kind = rule.kind
    if kind is RuleKind.fan_without_purifier:
        fan, purifier = values.get(rule.fan_metric), values.get(rule.purifier_metric)
        if fan is None or purifier is None:
            return None
        bad = fan >= rule.threshold > purifier
        return _Check(bad, not bad, purifier)
    v = values.get(rule.metric or "")
    if v is None:
        return None
    if kind is RuleKind.above:
        return _Check(v > rule.threshold, v < rule.clear_at if rule.clear_at is not None else v <= rule.threshold, v)
    if kind is RuleKind.below:
        return _Check(v < rule.threshold, v > rule.clear_at if rule.clear_at is not None else v >= rule.threshold, v)
    if kind is RuleKind.flat_line:
        if state.ref_value is None or state.ref_ts is None or abs(v - state.ref_value) > rule.threshold:
            return _Check(False, True, v, updates={"ref_value": v, "ref_ts": ts})
        return _Check(True, False, v, starts_at=state.ref_ts)
    if kind is RuleKind.drop_to_zero:
        zero = abs(v) <= ZERO
        if state.phase is Phase.idle:
            bad = zero and state.ref_value is not None and state.ref_value >= rule.threshold
        else:
            bad = zero  # once it fell, staying at zero keeps the violation
        return _Check(bad, not zero, v, updates={"ref_value": v})
    return None  # offline is the watchdog's (iot.health), not a reading's


def step(rule: Rule, state: State, ts: float, values: dict[str, float]) -> tuple[State, list[Event]]:
    """Evaluate one reading (timestamp ``ts``, epoch seconds): the new state and what happened."""
    if state.last_ts is not None and ts <= state.last_ts:
        return state, []  # redelivered or older than what was evaluated: evaluated already, or too late to matter
    check = _check(rule, state, ts, values)
    if check is None:
        return state, []
    gap = ts - state.last_ts if state.last_ts is not None else None
    long_gap = rule.max_gap_s is not None and gap is not None and gap > rule.max_gap_s
    scheduled = in_schedule(rule.schedule, ts)
    violating = check.violating and scheduled
    ok = check.ok or not scheduled
    # Plain locals and one State at the end: this runs for every reading and rule (bench/iot.py).
    phase, since, raised_at, escalated = state.phase, state.since, state.raised_at, state.escalated
    events: list[Event] = []
    if phase is Phase.idle or phase is Phase.pending:
        if not violating:
            phase, since = Phase.idle, None
        else:
            if phase is Phase.idle or long_gap or since is None:
                phase = Phase.pending
                since = check.starts_at if check.starts_at is not None and not long_gap else ts
            if ts - since >= rule.for_s:
                events.append(Event(EventKind.raised, ts, check.value, since))
                phase, since, raised_at, escalated = Phase.active, None, ts, False
    elif ok:
        if phase is Phase.active or long_gap or since is None:
            phase, since = Phase.clearing, ts
        if ts - since >= rule.clear_for_s:
            events.append(Event(EventKind.cleared, ts, check.value))
            phase, since, raised_at, escalated = Phase.idle, None, None, False
    else:
        phase, since = Phase.active, None
        due = rule.escalate_after_s
        if due is not None and not escalated and raised_at is not None and ts - raised_at >= due:
            events.append(Event(EventKind.escalated, ts, check.value))
            escalated = True
    updates = check.updates
    return State(
        phase,
        since,
        ts,
        updates.get("ref_value", state.ref_value),
        updates.get("ref_ts", state.ref_ts),
        raised_at,
        escalated,
    ), events


def run(rule: Rule, state: State, readings: list[tuple[float, dict[str, float]]]) -> tuple[State, list[Event]]:
    """Evaluate readings in timestamp order (a batch may arrive out of order)."""
    events: list[Event] = []
    for ts, values in sorted(readings, key=lambda r: r[0]):
        state, happened = step(rule, state, ts, values)
        events.extend(happened)
    return state, events
