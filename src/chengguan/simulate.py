"""Demo traffic for a running server (``chengguan simulate``): officers and vehicles moving on the map, and a
realistic mix of alarms and complaints flowing into the case-source pool.

Everything goes through the public API as a field system would send it: ``POST /api/v1/positions:batch`` every
``interval`` seconds (each fix marked ``"source": "simulator"``) and ``POST /api/v1/signals:batch`` at
``alarms_per_minute``. Officers walk (or ride e-bikes) inside their squad's grids, vehicles drive faster over the same
area; officers with an active dispatch task head for the task's location — acknowledging, arriving and completing are
left to the people at the screens. About a fifth of the alarms repeat a recent spot within 30 m, so merging into open
case sources shows on the map.

Only simulated people move: an officer whose real phone reports (the server refuses a simulated fix for them,
``position.device_active``; the map feed's ``device_at`` says so at start) is left alone, and asked about again with
one fix a minute later.

``AlarmMix`` (the channel/category/text mix, ``chengguan.simulate_alarms``) is shared with the intake benchmarks.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import shapely

from chengguan.simulate_alarms import CST, GridArea, Site, point_in
from chengguan.simulate_alarms import AlarmMix as AlarmMix  # re-exported: bench/ and tests import it from here

_M_PER_DEG = 111_320.0

# How long an officer whose phone reports is left alone before one simulated fix asks again (the server decides with
# CHENGGUAN_DEVICE_FIX_PRIORITY_MINUTES; this only keeps the simulator from asking every tick).
REAL_PHONE_RETRY_S = 60.0
REAL_PHONE_RECENT = timedelta(minutes=10)  # a phone fix this recent on the map: not simulated from the start
# The server's refusals of a simulated fix: the phone reports, or the officer went off duty on it.
REAL_PHONE_CODES = frozenset({"position.device_active", "position.off_duty"})


# --------------------------------------------------------------------------------------------------------------
# The live simulator (HTTP client of a running server).


@dataclass
class _Mover:
    kind: str  # "officer" | "vehicle"
    id: str
    area: Any  # prepared polygon the subject stays in (its squads' grids, slightly buffered)
    grids: list[GridArea]
    lng: float
    lat: float
    speed: float  # cruising speed, m/s
    heading: float = 0.0
    status: str = "available"
    announce: bool = True  # send the duty status with the next fix (first fix, shift changes)
    target: tuple[float, float] | None = None  # active task location
    pause: int = 0
    real_until: float = 0.0  # monotonic time until which a real phone reports for this subject (not simulated)
    real: bool = False  # real_until is still ahead (set at the start of each tick)


@dataclass
class _Stats:
    positions: int = 0
    signals: int = 0
    merged: int = 0
    rejected: int = 0
    errors: int = 0
    tasks: int = 0
    real_phones: int = 0
    started: float = field(default_factory=time.monotonic)

    def line(self) -> str:
        return (
            f"[{time.monotonic() - self.started:6.0f}s] 定位 {self.positions} 条  告警 {self.signals} 条"
            f"（合并 {self.merged}，拒收 {self.rejected}）  进行中任务 {self.tasks}  真机上报 {self.real_phones} 人"
            f"  错误 {self.errors}"
        )


class _HttpError(RuntimeError):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class _Api:
    """A logged-in httpx client; a 401 is retried, then answered by logging in again."""

    def __init__(self, url: str, username: str, password: str) -> None:
        try:
            import httpx  # a development dependency; only this command needs it at run time
        except ImportError as exc:  # pragma: no cover
            raise SystemExit("chengguan simulate 需要 httpx：pip install httpx") from exc

        self.httpx = httpx
        self.client = httpx.Client(base_url=url.rstrip("/"), timeout=30.0, trust_env=False)
        self.credentials = {"username": username, "password": password}
        self.token: str | None = None

    def login(self) -> None:
        response = self.client.post("/api/v1/auth/login", json=self.credentials)
        if response.status_code != 200:
            raise RuntimeError(f"登录失败：HTTP {response.status_code} {response.text[:200]}")
        self.token = response.json()["access_token"]

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        for attempt in range(3):
            if self.token is None:
                self.login()
            response = self.client.request(method, path, headers={"Authorization": f"Bearer {self.token}"}, **kwargs)
            if response.status_code == 401 and attempt < 2:
                # The server may answer the login before its transaction commits: retry the same token once after
                # a moment, then log in again.
                time.sleep(0.1)
                self.token = self.token if attempt == 0 else None
                continue
            if response.status_code >= 400:
                detail = f"{method} {path}：HTTP {response.status_code} {response.text[:200]}"
                raise _HttpError(detail, response.status_code)
            return response.json() if response.content else None
        raise AssertionError("unreachable")

    def pages(self, path: str, **params: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            body = self.call("GET", path, params={**params, "page": page, "page_size": 200})
            items += body["items"]
            if not body["items"] or len(items) >= body["total"]:
                return items
            page += 1


def _squads_below(tree: list[dict[str, Any]]) -> dict[str, set[str]]:
    """unit id → ids of itself and every unit below it."""
    below: dict[str, set[str]] = {}

    def walk(node: dict[str, Any]) -> set[str]:
        ids = {node["id"]}
        for child in node.get("children", []):
            ids |= walk(child)
        below[node["id"]] = ids
        return ids

    for root in tree:
        walk(root)
    return below


class _World:
    """What the simulator moves and reports about, read once from the server."""

    def __init__(self, api: _Api, rng: random.Random, key_prefix: str) -> None:
        features = api.call("GET", "/api/v1/grids/geojson")["features"]
        self.grids = [GridArea.from_feature(f) for f in features]
        if not self.grids:
            raise RuntimeError("服务器上没有可见的单元网格（先执行 chengguan demo）")
        below = _squads_below(api.call("GET", "/api/v1/org-units/tree"))
        by_squad: dict[str, list[GridArea]] = {}
        for g in self.grids:
            by_squad.setdefault(g.squad_id, []).append(g)
        areas: dict[frozenset[str], tuple[Any, list[GridArea]]] = {}

        def area_of(unit_id: str) -> tuple[Any, list[GridArea]]:
            squads = frozenset(s for s in below.get(unit_id, {unit_id}) if s in by_squad) or frozenset(by_squad)
            if squads not in areas:
                grids = [g for s in sorted(squads) for g in by_squad[s]]
                union = shapely.union_all([g.polygon for g in grids]).buffer(0.0008)
                shapely.prepare(union)
                areas[squads] = (union, grids)
            return areas[squads]

        # Carry on from where a previous run left everyone: a restarted simulator does not teleport the city.
        try:
            live = {p["id"]: p for p in api.call("GET", "/api/v1/dispatch/map")["positions"] if not p["stale"]}
        except _HttpError as exc:
            if exc.status != 403:
                raise
            live = {}  # without dispatch:read everyone starts at a random spot
        subjects = [("officer", o) for o in api.pages("/api/v1/officers", status="active")]
        subjects += [("vehicle", v) for v in api.pages("/api/v1/vehicles", status="in_service")]
        self.movers: list[_Mover] = []
        for kind, subject in subjects:
            union, grids = area_of(subject["unit_id"])
            lng, lat = point_in(rng.choice(grids), rng)
            bike = rng.random() < 0.25
            speed = (
                rng.uniform(6.0, 11.0)
                if kind == "vehicle"
                else rng.uniform(3.5, 6.0)
                if bike
                else rng.uniform(1.0, 1.6)
            )
            m = _Mover(kind, subject["id"], union, grids, lng, lat, speed, heading=rng.uniform(0, 360))
            m.status = "available" if kind == "vehicle" or rng.random() < 0.7 else "off_duty"
            if (fix := live.get(m.id)) is not None:
                m.lng, m.lat = fix["lng"], fix["lat"]
                m.status = "off_duty" if fix["status"] == "off_duty" else "available"
                if _recent(fix.get("device_at")):
                    m.real_until = time.monotonic() + REAL_PHONE_RETRY_S
            self.movers.append(m)
        cameras = [Site(d["code"], d["lng"], d["lat"]) for d in api.pages("/api/v1/devices", kind="camera") if d["lng"]]
        sensors = [Site(d["code"], d["lng"], d["lat"]) for d in api.pages("/api/v1/devices", kind="sensor") if d["lng"]]
        self.alarms = AlarmMix(rng, self.grids, cameras, sensors, key_prefix=key_prefix)

    def simulated(self) -> list[_Mover]:
        """The subjects the simulator moves now (not those whose real phone reports)."""
        return [m for m in self.movers if not m.real]

    def step(self, rng: random.Random, dt: float) -> None:
        for m in self.simulated():
            if m.status == "off_duty" and m.target is None:
                continue
            if m.target is not None:
                _move_toward(m, *m.target, m.speed * 1.3 * dt, stop_m=5.0)
                continue
            if m.pause > 0:  # talking to a shop owner, writing a note
                m.pause -= 1
                continue
            if rng.random() < 0.03:
                m.pause = rng.randint(2, 15)
            m.heading = (m.heading + rng.gauss(0.0, 25.0)) % 360.0
            lng, lat = _ahead(m.lng, m.lat, m.heading, m.speed * dt * rng.uniform(0.8, 1.2))
            if shapely.contains_xy(m.area, lng, lat):
                m.lng, m.lat = lng, lat
            else:  # turn back towards somewhere inside the squad's grids
                tx, ty = point_in(rng.choice(m.grids), rng)
                m.heading = math.degrees(math.atan2((tx - m.lng) * math.cos(math.radians(m.lat)), ty - m.lat)) % 360

    def shifts(self, rng: random.Random, dt: float) -> None:
        """Shift changes: ~70 % of officers on duty in the long run (leave rate 1/h, return rate 7/3 per h)."""
        for m in self.simulated():
            if m.kind != "officer" or m.target is not None:
                continue
            if m.status == "available" and rng.random() < dt / 3600.0:
                m.status, m.announce = "off_duty", True
            elif m.status == "off_duty" and rng.random() < dt * (7 / 3) / 3600.0:
                m.status, m.announce = "available", True

    def alarm(self, rng: random.Random) -> dict[str, Any]:
        """The next alarm, occurring up to 90 s ago (patrol reports where an on-duty officer is)."""
        on_duty = [m for m in self.movers if m.kind == "officer" and m.status == "available" and not m.real]
        walker = rng.choice(on_duty) if on_duty else None
        near = (walker.lng, walker.lat) if walker else None
        return self.alarms.next(datetime.now(UTC) - timedelta(seconds=rng.uniform(0, 90)), near)

    def fixes(self, now: datetime, movers: Sequence[_Mover]) -> list[dict[str, Any]]:
        at = now.isoformat(timespec="seconds")
        out = []
        for m in movers:
            fix: dict[str, Any] = {
                "source": "simulator",
                "subject_kind": m.kind,
                "subject_id": m.id,
                "lng": round(m.lng, 7),
                "lat": round(m.lat, 7),
                "at": at,
                "heading": round(m.heading, 1),
                "speed_mps": 0.0 if m.status == "off_duty" or m.pause else round(m.speed, 1),
            }
            if m.announce and m.target is None:  # with a task the server's "busy" stays as it is
                fix["status"] = m.status
            out.append(fix)
        return out


def _recent(iso: str | None) -> bool:
    """Whether a real device's fix time (ISO-8601 from the map feed) is recent enough to leave its subject alone."""
    if not iso:
        return False
    try:
        at = datetime.fromisoformat(iso)
    except ValueError:
        return False
    return at.tzinfo is not None and datetime.now(UTC) - at < REAL_PHONE_RECENT


def _ahead(lng: float, lat: float, heading_deg: float, metres: float) -> tuple[float, float]:
    h = math.radians(heading_deg)
    return (
        lng + metres * math.sin(h) / (_M_PER_DEG * math.cos(math.radians(lat))),
        lat + metres * math.cos(h) / _M_PER_DEG,
    )


def _move_toward(m: _Mover, lng: float, lat: float, metres: float, stop_m: float) -> None:
    dx = (lng - m.lng) * _M_PER_DEG * math.cos(math.radians(m.lat))
    dy = (lat - m.lat) * _M_PER_DEG
    dist = math.hypot(dx, dy)
    if dist <= stop_m:
        return
    m.heading = math.degrees(math.atan2(dx, dy)) % 360.0
    f = min(1.0, metres / dist, (dist - stop_m * 0.5) / dist)
    m.lng += (lng - m.lng) * f
    m.lat += (lat - m.lat) * f


class _Simulator:
    """One tick: (re)load the city if needed, follow tasks, move, post fixes, post the alarms that fell due."""

    def __init__(self, api: _Api, seed: int, interval: float, alarms_per_minute: float, echo: Callable) -> None:
        self.api, self.interval, self.echo = api, interval, echo
        self.world_rng, self.move_rng, self.alarm_rng = (
            random.Random(f"{seed}:{p}") for p in ("world", "move", "alarm")
        )
        self.prefix = f"sim-{datetime.now(CST):%Y%m%d%H%M%S}-{seed}"
        self.rate = alarms_per_minute / 60.0
        self.next_alarm = self.alarm_rng.expovariate(self.rate) if self.rate > 0 else math.inf
        self.next_tasks = 0.0
        self.world: _World | None = None
        self.pending: list[dict[str, Any]] = []
        self.stats = _Stats()
        self.failures = (RuntimeError, api.httpx.HTTPError, KeyError, ValueError)

    def _try(self, what: str, action: Callable[[], Any]) -> None:
        try:
            action()
        except self.failures as exc:  # reported, and simply tried again on the next tick
            self.stats.errors += 1
            self.echo(f"{what}失败（下一轮重试）：{exc}")

    def tick(self, now_m: float) -> None:
        if self.world is None:
            self._try("载入示范城市", self._load)
        if self.world is None:
            return
        for m in self.world.movers:
            m.real = m.real_until > now_m
        if now_m >= self.next_tasks:
            self.next_tasks = now_m + max(self.interval, 3.0)
            self._try("读取派遣任务", self._follow_tasks)
        self.world.shifts(self.move_rng, self.interval)
        self.world.step(self.move_rng, self.interval)
        self._try("上报定位", self._post_fixes)
        while self.next_alarm <= now_m - self.stats.started:
            self.next_alarm += self.alarm_rng.expovariate(self.rate)
            self.pending.append(self.world.alarm(self.alarm_rng))
        del self.pending[:-5000]  # a long outage drops the oldest rather than growing without bound
        if self.pending:
            self._try("上报告警", self._post_alarms)

    def _load(self) -> None:
        self.world = _World(self.api, self.world_rng, self.prefix)
        self.echo(f"已载入 {len(self.world.grids)} 个网格、{len(self.world.movers)} 名队员与车辆")

    def _follow_tasks(self) -> None:
        """Officers with an active dispatch task head for it (the steps themselves are left to people)."""
        assert self.world is not None
        try:
            tasks = self.api.call("GET", "/api/v1/dispatch/tasks", params={"mine": "false", "active": "true"})
        except _HttpError as exc:
            if exc.status != 403:
                raise
            self.next_tasks = math.inf  # an account without dispatch rights: officers just patrol
            self.echo("当前账号无权读取派遣任务，队员不会前往任务地点")
            return
        targets = {t["officer_id"]: (t["lng"], t["lat"]) for t in tasks}
        self.stats.tasks = len(targets)
        for m in self.world.simulated():
            had = m.target is not None
            m.target = targets.get(m.id) if m.kind == "officer" else None
            if had and m.target is None:
                m.status, m.announce = "available", False  # the server freed the officer when the task ended

    def _post_fixes(self) -> None:
        assert self.world is not None
        movers = self.world.simulated()
        if not movers:
            return
        body = self.api.call(
            "POST", "/api/v1/positions:batch", json={"positions": self.world.fixes(datetime.now(UTC), movers)}
        )
        self.stats.positions += body["accepted"]
        found = 0
        for problem in body["rejected"]:
            if problem["code"] in REAL_PHONE_CODES:  # a real phone reports for this one (or is off duty): leave it
                m = movers[problem["index"]]
                found += not m.real_until
                m.real_until, m.real, m.target = time.monotonic() + REAL_PHONE_RETRY_S, True, None
        for m in movers:
            m.announce = m.announce and m.target is not None  # the status went out with this fix
        self.stats.real_phones = sum(1 for m in self.world.movers if m.real)
        if found:
            self.echo(f"{found} 名人员的执法终端正在上报定位（或已在执法通下班），不再模拟其位置")

    def _post_alarms(self) -> None:
        # Same idempotency keys on a retry: a batch the server took before the connection broke is a replay.
        body = self.api.call("POST", "/api/v1/signals:batch", json={"signals": self.pending[:1000]})
        del self.pending[:1000]
        self.stats.signals += body["accepted"]
        self.stats.rejected += body["rejected"]
        self.stats.merged += sum(1 for r in body["results"] if r.get("merged"))
        problems = [r["problem"]["detail"] for r in body["results"] if r.get("problem")]
        if problems:
            self.echo(f"告警被拒收 {len(problems)} 条：{problems[0]}")


def run(
    *,
    url: str,
    username: str,
    password: str,
    seconds: float,
    interval: float,
    alarms_per_minute: float,
    seed: int | None,
    echo: Callable[[str], Any] = print,
) -> _Stats:
    """Stream positions and alarms into the server at ``url`` for ``seconds`` (0: until Ctrl-C); never fatal.

    Placement, walks and the alarm sequence are reproducible for a given ``seed`` (None: a random one).
    """
    seed = seed if seed is not None else random.SystemRandom().randrange(1, 2**31)
    interval = max(0.1, interval)
    api = _Api(url, username, password)
    sim = _Simulator(api, seed, interval, alarms_per_minute, echo)
    stats = sim.stats
    deadline = stats.started + seconds if seconds > 0 else math.inf
    next_status = stats.started + 10.0
    echo(f"模拟开始：{url}（种子 {seed}，定位每 {interval:g} 秒，告警每分钟 {alarms_per_minute:g} 条）")
    try:
        while (now_m := time.monotonic()) < deadline:
            sim.tick(now_m)
            if now_m >= next_status:
                echo(stats.line())
                next_status = now_m + 10.0
            time.sleep(max(0.0, min(now_m + interval, deadline) - time.monotonic()))
    except KeyboardInterrupt:
        echo("已中断。")
    finally:
        api.client.close()
    echo(stats.line())
    return stats
