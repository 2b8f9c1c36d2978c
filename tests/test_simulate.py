"""``chengguan simulate`` against a real server process: positions and case sources appear on the command map."""

from __future__ import annotations

import math
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from shapely.geometry import box

from chengguan.core.geo import gcj02_to_wgs84, haversine_m
from chengguan.intake.schemas import SignalIn
from chengguan.simulate import AlarmMix, GridArea, run
from support import demo_server

pytestmark = pytest.mark.commits  # a live server on its own copy of the demo city

COMMAND = {"username": "command", "password": "Command@2026"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server on a fresh migrated demo database (no web build, no background jobs)."""
    with demo_server(tmp_path_factory.mktemp("simulate")) as base:
        yield base


def _map(base: str) -> dict:
    with httpx.Client(base_url=base, timeout=30, trust_env=False) as c:
        login = c.post("/api/v1/auth/login", json=COMMAND)
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        for _ in range(3):
            # FastAPI runs the exit of a request-scoped yield dependency (chengguan.core.db.get_session: the commit)
            # after the response is sent, so a token used at once can be refused until the login commits.
            feed = c.get("/api/v1/dispatch/map", headers=headers)
            if feed.status_code != 401:
                break
            time.sleep(0.1)
        assert feed.status_code == 200, feed.text
        return feed.json()


def test_simulator_moves_officers_and_feeds_alarms(server: str) -> None:
    before = _map(server)
    lines: list[str] = []
    stats = run(url=server, username=COMMAND["username"], password=COMMAND["password"], seconds=4.0, interval=0.5,
                alarms_per_minute=900, seed=7, echo=lines.append)  # fmt: skip
    assert stats.errors == 0, lines
    assert stats.positions > 0 and stats.signals > 0 and stats.rejected == 0, lines
    assert stats.merged > 0, "about a fifth of the alarms repeat a recent spot and must merge"
    assert lines[-1].startswith("[") and "定位" in lines[-1]

    after = _map(server)
    fresh = [p for p in after["positions"] if not p["stale"]]
    assert len(fresh) >= 50  # every visible officer and vehicle reports
    assert Counter(p["status"] for p in fresh)["available"] > len(fresh) / 2
    assert len(after["sources"]) > len(before["sources"])
    assert any(s["signal_count"] > 1 for s in after["sources"])


def test_unreachable_server_is_reported_not_fatal() -> None:
    lines: list[str] = []
    stats = run(url=f"http://127.0.0.1:{_free_port()}", username="x", password="y", seconds=0.8, interval=0.3,
                alarms_per_minute=60, seed=1, echo=lines.append)  # fmt: skip
    assert stats.errors >= 2  # tried again on the next tick
    assert any("失败" in line for line in lines)


def test_alarm_mix_is_deterministic_realistic_and_valid() -> None:
    cells = [box(120.30 + i * 0.01, 36.06, 120.31 + i * 0.01, 36.07) for i in range(4)]
    grids = [GridArea(f"g{i}", f"37020200100100{i}", f"网格{i}", "squad", cell) for i, cell in enumerate(cells)]
    start = datetime(2026, 5, 1, 8, tzinfo=UTC)

    def stream(seed: int) -> tuple[list[dict], AlarmMix]:
        mix = AlarmMix(random.Random(seed), grids, [], key_prefix="t")
        return [mix.next(start + timedelta(seconds=3 * i)) for i in range(4000)], mix

    signals, mix = stream(5)
    assert signals == stream(5)[0]
    assert signals != stream(6)[0]
    for s in signals[:500]:
        SignalIn.model_validate(s)
    shares = Counter(s["channel"] for s in signals)
    for channel, share in (("ai_video", 0.45), ("iot", 0.15), ("complaint", 0.25), ("hotline", 0.10)):
        assert math.isclose(shares[channel] / len(signals), share, abs_tol=0.04), shares
    assert math.isclose(mix.repeats / len(signals), 0.2, abs_tol=0.03)
    assert all(s["crs"] == "gcj02" and s["reporter"]["phone"] for s in signals if s["channel"] == "complaint")
    assert all(s["device_id"] for s in signals if s["channel"] in ("ai_video", "iot"))

    # A repeat lies within 30 m of a spot (same category) reported in the last 30 minutes.
    def wgs(s: dict) -> tuple[float, float]:
        return gcj02_to_wgs84(s["lng"], s["lat"]) if s.get("crs") == "gcj02" else (s["lng"], s["lat"])

    for i, s in enumerate(signals):
        if s["idempotency_key"] in mix.repeat_keys:
            earlier = [e for e in signals[max(0, i - 600) : i] if e["category_code"] == s["category_code"]]
            assert min(haversine_m(*wgs(e), *wgs(s)) for e in earlier) <= 30.5


def _phone(base: str) -> tuple[httpx.Client, str]:
    """bdg_officer's phone: a logged-in client and the officer's id."""
    c = httpx.Client(base_url=base, timeout=30, trust_env=False)
    login = c.post("/api/v1/auth/login", json={"username": "bdg_officer", "password": "Officer@2026"})
    assert login.status_code == 200, login.text
    c.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    for _ in range(3):  # the login commits after its response (see _map)
        me = c.get("/api/v1/auth/me")
        if me.status_code != 401:
            break
        time.sleep(0.1)
    return c, me.json()["officer"]["id"]


def _report(phone: httpx.Client, officer_id: str, lng: float, lat: float) -> None:
    fix = {"subject_id": officer_id, "lng": lng, "lat": lat, "at": datetime.now(UTC).isoformat(), "accuracy_m": 5}
    response = phone.post("/api/v1/dispatch/me/position", json=fix)
    assert response.status_code == 204, response.text


def test_the_simulator_never_moves_an_officer_whose_phone_reports(server: str) -> None:
    phone, officer_id = _phone(server)
    spot = (120.3912345, 36.0612345)
    lines: list[str] = []
    # The phone starts reporting while the simulator already runs: its next fix for the officer is refused, it learns.
    options = {"seconds": 4.0, "interval": 0.4, "alarms_per_minute": 0, "seed": 3, "echo": lines.append}
    sim = threading.Thread(target=run, kwargs={"url": server, **COMMAND, **options})
    sim.start()
    time.sleep(1.5)
    _report(phone, officer_id, *spot)
    sim.join(timeout=30)
    assert not sim.is_alive()
    entry = next(p for p in _map(server)["positions"] if p["id"] == officer_id)
    assert (entry["lng"], entry["lat"], entry["source"]) == (*spot, "device"), lines
    assert any("执法终端正在上报定位" in line for line in lines), lines
    assert not any("失败" in line for line in lines), lines

    # A simulator started after the phone reported leaves the officer alone from the first tick.
    spot = (120.3923456, 36.0623456)
    _report(phone, officer_id, *spot)
    lines.clear()
    stats = run(url=server, username=COMMAND["username"], password=COMMAND["password"], seconds=2.0, interval=0.4,
                alarms_per_minute=0, seed=4, echo=lines.append)  # fmt: skip
    assert stats.errors == 0 and stats.real_phones >= 1 and stats.positions > 0, lines
    assert not any("执法终端正在上报定位" in line for line in lines), "nothing was even tried for that officer"
    entry = next(p for p in _map(server)["positions"] if p["id"] == officer_id)
    assert (entry["lng"], entry["lat"], entry["source"]) == (*spot, "device")
    others = [p for p in _map(server)["positions"] if p["id"] != officer_id and not p["stale"]]
    assert others and Counter(p["source"] for p in others)["simulator"] > len(others) / 2
    phone.close()
