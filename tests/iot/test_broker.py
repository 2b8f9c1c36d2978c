"""Against the real Mosquitto (127.0.0.1:1883): kill -9 of the bridge inside an alarm's duration window, offline
detection within 2 × the interval (watchdog and last will), malformed frames counted, HJ 212 end to end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select

from chengguan.iot import hj212
from chengguan.iot.models import IotDevice, IotReading
from chengguan.merchants.models import Merchant
from isolation import World

pytestmark = [pytest.mark.serial, pytest.mark.commits]
ROOT = Path(__file__).resolve().parents[2]


def wait_for(check: Callable[[], Any], timeout: float = 20, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"not within {timeout} s: {check}")


class Rig:
    """A bridge process on the test's own database, topic root and MQTT session; a publisher; the app's client."""

    def __init__(self, world: World, tmp: Path, headers: dict[str, str]) -> None:
        self.world, self.tmp, self.headers = world, tmp, headers
        self.root = f"t{uuid.uuid4().hex[:10]}"
        self.client_id = f"bridge-{self.root}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = tmp / f"bridge-{self.root}.log"
        self.pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{self.root}")
        self.pub.connect("127.0.0.1", 1883)
        self.pub.loop_start()

    def start(self) -> None:
        env = {
            **os.environ,
            "CHENGGUAN_DATABASE_URL": self.world.db.url,
            "CHENGGUAN_DATA_DIR": str(self.world.settings.data_dir),
            "CHENGGUAN_ENV": "test",
            "CHENGGUAN_SECRET_KEY": self.world.settings.secret_key,
            "CHENGGUAN_MQTT_TOPIC_ROOT": self.root,
            "CHENGGUAN_MQTT_CLIENT_ID": self.client_id,
            "CHENGGUAN_IOT_WATCHDOG_S": "0.2",
            "CHENGGUAN_IOT_BATCH_MS": "10",
        }
        env.pop("CHENGGUAN_NOW", None)
        mark = self.log.read_text().count("bridge connected") if self.log.exists() else 0
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "chengguan", "iot-bridge"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        wait_for(lambda: self.log.read_text().count("bridge connected") > mark, timeout=30)
        time.sleep(0.3)  # the SUBACK

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
        self.pub.loop_stop()
        self.pub.disconnect()
        # End the persistent session so the broker does not keep queueing for it.
        ender = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=mqtt.MQTTv5)
        ender.connect("127.0.0.1", 1883, clean_start=True)
        ender.loop_start()
        time.sleep(0.2)
        ender.disconnect()
        ender.loop_stop()

    def publish(self, topic: str, payload: bytes | str) -> None:
        self.pub.publish(f"{self.root}/{topic}", payload, qos=1).wait_for_publish(5)

    def reading(self, code: str, ts: datetime, **values: float) -> None:
        import json

        self.publish(f"devices/{code}/readings", json.dumps({"ts": ts.isoformat(), "values": values}))

    def device(self, **body: Any) -> dict[str, Any]:
        r = self.world.client.post("/api/v1/iot/devices", json=body, headers=self.headers)
        assert r.status_code == 201, r.text
        return r.json()

    def rules(self, code: str, rules: list[dict[str, Any]]) -> None:
        r = self.world.client.put(f"/api/v1/iot/devices/{code}/rules", json=rules, headers=self.headers)
        assert r.status_code == 200, r.text

    def count(self, statement: Any) -> int:
        with self.world.db.session(write=False) as s:
            return s.scalar(statement) or 0

    def alarms(self, code: str) -> list[dict[str, Any]]:
        r = self.world.client.get("/api/v1/iot/alarms", params={"device_code": code}, headers=self.headers)
        return r.json()["items"]


@pytest.fixture
def rig(world: World, tmp_path: Path, admin: dict[str, str]) -> Iterator[Rig]:
    probe = mqtt.Client(CallbackAPIVersion.VERSION2)
    try:
        probe.connect("127.0.0.1", 1883)
        probe.disconnect()
    except OSError as exc:
        pytest.fail(f"Mosquitto is not reachable at 127.0.0.1:1883 ({exc}): the IoT tests need the broker")
    r = Rig(world, tmp_path, admin)
    try:
        yield r
    finally:
        r.close()


def _readings_of(code: str) -> Any:
    return (
        select(func.count())
        .select_from(IotReading)
        .join(IotDevice, IotDevice.id == IotReading.device_id)
        .where(IotDevice.code == code)
    )


def test_kill_9_inside_the_duration_window_raises_once_at_the_right_time(rig: Rig, world: World):
    with world.db.session() as s:
        shop = s.scalars(select(Merchant).where(Merchant.business_type == "餐饮")).first()
    code = f"OF-{rig.root}"
    rig.device(code=code, kind="oil_fume", report_interval_s=60, merchant_code=shop.code)
    rig.rules(code, [{"metric": "fume", "above": 2.0, "for_s": 5, "clear_below": 1.5, "clear_for_s": 60}])
    rig.start()
    t0 = (datetime.now(UTC) - timedelta(minutes=5)).replace(microsecond=0)
    for i in range(3):  # above from t0: the window is open when the bridge dies
        rig.reading(code, t0 + timedelta(seconds=i), fume=3.0)
    wait_for(lambda: rig.count(_readings_of(code)) == 3)
    rig.kill()
    for i in range(3, 10):  # published while the bridge is dead: the broker keeps them for its session
        rig.reading(code, t0 + timedelta(seconds=i), fume=3.0)
    assert rig.alarms(code) == []
    rig.start()
    wait_for(lambda: rig.count(_readings_of(code)) == 10)
    alarms = wait_for(lambda: rig.alarms(code))
    assert len(alarms) == 1
    assert datetime.fromisoformat(alarms[0]["raised_at"]) == t0 + timedelta(seconds=5)  # the reading's own time
    assert alarms[0]["signal_id"] and alarms[0]["evidence_id"] and alarms[0]["notified"]
    rig.kill()  # and once more, with nothing new: a restart replays nothing
    rig.start()
    for i in range(10, 12):
        rig.reading(code, t0 + timedelta(seconds=i), fume=3.0)
    wait_for(lambda: rig.count(_readings_of(code)) == 12)
    assert len(rig.alarms(code)) == 1


def test_offline_within_two_intervals_and_cleared_on_return(rig: Rig):
    code = f"DS-{rig.root}"
    rig.device(code=code, kind="dust", report_interval_s=1, lng=120.38, lat=36.07)
    rig.start()
    rig.reading(code, datetime.now(UTC), pm10=40.0)
    heard = time.monotonic()
    wait_for(
        lambda: rig.count(
            select(func.count()).select_from(IotDevice).where(IotDevice.code == code, IotDevice.health == "online")
        )
    )
    offline = wait_for(lambda: [a for a in rig.alarms(code) if a["rule"] == "offline"], timeout=30, every=0.05)
    assert time.monotonic() - heard >= 2.0  # never before 2 × interval (how soon after depends on the machine's load)
    assert offline[0]["state"] == "active"
    overdue = datetime.fromisoformat(offline[0]["raised_at"]) - datetime.fromisoformat(offline[0]["began_at"])
    assert overdue == timedelta(seconds=2)  # dated when it became overdue: last heard + 2 × interval
    rig.reading(code, datetime.now(UTC), pm10=42.0)
    wait_for(lambda: [a for a in rig.alarms(code) if a["rule"] == "offline" and a["state"] == "cleared"])
    # The last will: the device's connection dies without a DISCONNECT; the broker publishes its will.
    will = subprocess.Popen(
        [
            "mosquitto_sub",
            "-h",
            "127.0.0.1",
            "-t",
            f"{rig.root}/none",
            "-i",
            f"dev-{rig.root}",
            "-k",
            "60",
            "--will-topic",
            f"{rig.root}/devices/{code}/status",
            "--will-payload",
            "offline",
            "--will-qos",
            "1",
        ],
    )
    time.sleep(0.5)
    rig.reading(code, datetime.now(UTC), pm10=41.0)
    time.sleep(0.3)
    will.send_signal(signal.SIGKILL)
    will.wait()
    alarms = wait_for(
        lambda: [a for a in rig.alarms(code) if a["rule"] == "offline" and a["state"] == "active"],
        timeout=1.5,
        every=0.05,
    )
    assert len(alarms) == 1
    rig.publish(f"devices/{code}/status", "online")
    wait_for(lambda: not [a for a in rig.alarms(code) if a["state"] == "active"])


def test_malformed_frames_are_counted_and_hj212_maps_factors(rig: Rig):
    code, mn = f"OF2-{rig.root}", f"MN{uuid.uuid4().hex[:12].upper()}"
    rig.device(
        code=code,
        kind="oil_fume",
        report_interval_s=60,
        lng=120.38,
        lat=36.07,
        hj212_mn=mn,
        factor_profile="oil-fume-db11-1488",
    )
    rig.start()
    now = datetime.now(UTC).astimezone(hj212.SHANGHAI)
    segment = (
        f"QN={now:%Y%m%d%H%M%S}000;ST=31;CN=2011;PW=123456;MN={mn};Flag=5;CP=&&DataTime={now:%Y%m%d%H%M%S};"
        "a34041-Rtd=1.25,a34041-Flag=N;FanI-Rtd=3.1;PurI-Rtd=2.9&&"
    )
    good = hj212.encode(segment)
    rig.publish(f"hj212/{mn}", good.replace(b"Flag=5", b"Flag=4"))  # CRC no longer matches
    rig.publish(f"hj212/{mn}", b"##9999" + good[6:])  # length lies
    rig.publish(f"devices/{code}/readings", b"{not json")
    rig.publish(f"devices/{code}/readings", b'{"ts": "2026-12-07T10:00:00", "values": {"fume": 1}}')  # no offset
    rig.publish(f"hj212/{mn}", good)
    wait_for(lambda: rig.count(_readings_of(code)) == 1)
    with rig.world.db.session(write=False) as s:
        device = s.scalar(select(IotDevice).where(IotDevice.code == code))
        reading = s.scalar(select(IotReading).where(IotReading.device_id == device.id))
    assert device.malformed_count == 4 and device.last_malformed
    assert reading.values == {"fume": 1.25, "fan_current": 3.1, "purifier_current": 2.9}
    assert rig.proc is not None and rig.proc.poll() is None  # still running
