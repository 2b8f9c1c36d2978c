"""IoT throughput: sustained QoS 1 readings/s through the real Mosquitto into the rules, and reading → alarm latency.

A fresh database (a temporary SQLite file, or a throwaway PostgreSQL database of ``--database-url``'s server) gets
``--devices`` oil-fume monitors with one duration-free threshold rule each (fume > 2.0, clear below 1.5; alarms stay
on the platform: no case source, no text message, so what is measured is the bridge). A ``chengguan iot-bridge``
process subscribes; ``--publishers`` paho clients publish ``--rate`` readings/s (QoS 1, ~230 B of JSON each, five
metrics) for ``--seconds``; one reading in ``--alarm-every`` of each device is above the limit and the next below, so
alarms are raised and cleared all along. The bench listens on ``{root}/alarms/+``: latency is from the triggering
reading's publish to the alarm's announcement (after the commit). The bridge's own counters split its time into the
client (decoding, acknowledging), the rules and the database. Run:
    .venv/bin/python bench/iot.py [--rate 2500] [--seconds 20] [--devices 500]
    .venv/bin/python bench/iot.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).parent))
from chengguan.core.db import Database
from chengguan.core.migrate import upgrade
from chengguan.iot.models import IotDevice, IotRule
from chengguan.org.enums import OrgLevel
from chengguan.org.models import OrgUnit
from intake import machine, percentile

ROOT = Path(__file__).resolve().parents[1]
RULE = {"metric": "fume", "above": 2.0, "clear_below": 1.5, "kind": "above", "key": "fume>2", "label": "油烟超标",
        "signal": False, "notify_shop": False}  # fmt: skip


def fresh_database(server: str | None, tmp: Path) -> tuple[str, object]:
    if not server:
        return f"sqlite:///{tmp / 'iot-bench.db'}", None
    name = f"iot_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(server).set(database=name).render_as_string(hide_password=False), (admin, name)


def seed(url: str, devices: int) -> list[str]:
    upgrade(url)
    db = Database(url)
    codes = [f"BENCH-{i:05d}" for i in range(devices)]
    with db.session() as s, s.begin():
        unit = OrgUnit(name="压测中队", level=OrgLevel.squad, division_code="370202001")
        s.add(unit)
        s.flush()
        for code in codes:
            d = IotDevice(code=code, name=code, kind="oil_fume", unit_id=unit.id, report_interval_s=60,
                          lng=120.38, lat=36.07, malformed_count=0)  # fmt: skip
            s.add(d)
            s.flush()
            s.add(IotRule(device_id=d.id, key=RULE["key"], kind="above", label=RULE["label"], spec=RULE))
    db.dispose()
    return codes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=int, default=2500)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--publishers", type=int, default=2)
    parser.add_argument("--alarm-every", type=int, default=50)
    parser.add_argument("--batch-ms", type=int, default=20)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--py-spy", default="", help="sample the bridge with py-spy into this file (raw stacks)")
    args = parser.parse_args()
    print(machine())
    tmp = Path(tempfile.mkdtemp(prefix="iot-bench-"))
    url, pg = fresh_database(args.database_url, tmp)
    codes = seed(url, args.devices)
    root, cid = f"bench{uuid.uuid4().hex[:8]}", f"bench-bridge-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CHENGGUAN_DATABASE_URL": url, "CHENGGUAN_DATA_DIR": str(tmp), "CHENGGUAN_ENV": "dev",
           "CHENGGUAN_MQTT_TOPIC_ROOT": root, "CHENGGUAN_MQTT_CLIENT_ID": cid,
           "CHENGGUAN_IOT_BATCH_MS": str(args.batch_ms), "CHENGGUAN_IOT_WATCHDOG_S": "5"}  # fmt: skip
    log = (tmp / "bridge.log").open("w")
    bridge = subprocess.Popen([sys.executable, "-m", "chengguan", "iot-bridge"], env=env, stdout=log,
                              stderr=subprocess.STDOUT, cwd=ROOT)  # fmt: skip
    sent_at: dict[tuple[str, float], float] = {}
    latencies: list[float] = []
    stats: dict = {}
    listener = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-listen-{root}")

    def on_message(_c, _u, msg) -> None:  # type: ignore[no-untyped-def]
        if msg.topic.endswith("/bridge/stats"):
            stats.update(json.loads(msg.payload))
            return
        event = json.loads(msg.payload)
        key = (event["device_code"], round(datetime.fromisoformat(event["raised_at"]).timestamp(), 3))
        if key in sent_at:
            latencies.append(time.perf_counter() - sent_at[key])

    listener.on_message = on_message
    listener.connect("127.0.0.1", 1883)
    listener.subscribe([(f"{root}/alarms/+", 1), (f"{root}/bridge/stats", 0)])
    listener.loop_start()
    for _ in range(100):
        if "bridge connected" in (tmp / "bridge.log").read_text():
            break
        time.sleep(0.1)
    time.sleep(0.5)

    spy = None
    if args.py_spy:
        sampler = str(Path(sys.executable).parent / "py-spy")
        command = [sampler, "record", "--pid", str(bridge.pid), "--rate", "250", "--format", "raw", "--threads",
                   "--gil", "--nonblocking", "-o", args.py_spy, "--duration", str(int(args.seconds) + 2)]  # fmt: skip
        spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    per = args.rate / args.publishers
    total = int(args.rate * args.seconds)
    published = [0] * args.publishers
    started = time.perf_counter()

    def publish(n: int) -> None:
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{root}-{n}")
        client.max_inflight_messages_set(1000)
        client.max_queued_messages_set(0)
        client.connect("127.0.0.1", 1883)
        client.loop_start()
        mine = codes[n :: args.publishers]
        count = [0] * len(mine)
        last = None
        for i in range(total // args.publishers):
            due = started + i / per
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            k = i % len(mine)
            count[k] += 1
            phase = count[k] % args.alarm_every
            fume = 3.0 if phase == 0 else 1.0 if phase == 1 else 1.2
            now = time.time()
            ts = round(now, 3)
            values = {"fume": fume, "particulate": 0.8, "nmhc": 3.1, "fan_current": 3.2, "purifier_current": 2.9}
            body = {"ts": datetime.fromtimestamp(ts, UTC).isoformat(), "values": values}
            if phase == 0:
                sent_at[(mine[k], ts)] = time.perf_counter()
            last = client.publish(f"{root}/devices/{mine[k]}/readings", json.dumps(body), qos=1)
            published[n] += 1
        if last is not None:
            last.wait_for_publish(60)
        client.disconnect()
        client.loop_stop()

    threads = [threading.Thread(target=publish, args=(n,)) for n in range(args.publishers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sent = sum(published)
    publish_s = time.perf_counter() - started
    # Done when every reading is in the table (the database polled every 50 ms: the bridge's stats come every 2 s,
    # too coarse to time a 10 s run).
    counter = create_engine(url)
    deadline = time.perf_counter() + 120
    while time.perf_counter() < deadline:
        with counter.connect() as c:
            if c.execute(text("SELECT count(*) FROM iot_reading")).scalar() >= sent:
                break
        time.sleep(0.05)
    done_s = time.perf_counter() - started
    counter.dispose()
    time.sleep(2.5)  # the last stats and alarms
    if spy is not None:
        spy.wait(timeout=60)
    bridge.terminate()
    bridge.wait(timeout=30)
    listener.loop_stop()
    listener.disconnect()
    ender = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=cid, protocol=mqtt.MQTTv5)
    ender.connect("127.0.0.1", 1883, clean_start=True)
    ender.disconnect()
    if pg:
        engine, name = pg  # type: ignore[misc]
        with engine.connect() as c:  # type: ignore[attr-defined]
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    stored = stats.get("readings", 0)
    rate = stored / done_s if done_s else 0
    busy = stats.get("client_s", 0) + stats.get("rules_s", 0) + stats.get("database_s", 0) or 1
    p50 = percentile(latencies, 50) * 1000 if latencies else float("nan")
    p95 = percentile(latencies, 95) * 1000 if latencies else float("nan")
    backend = "PostgreSQL" if pg else "SQLite"
    print(f"{backend}: published {sent} readings in {publish_s:.1f} s ({sent / publish_s:,.0f}/s offered), "
          f"the bridge stored and evaluated {stored} by {done_s:.1f} s: {rate:,.0f} readings/s sustained "
          f"(target ≥ 2,000/s) in {stats.get('batches', 0)} batches")  # fmt: skip
    print(f"alarms: {stats.get('alarms', 0)} raised; reading → alarm latency p50 {p50:.0f} ms, p95 {p95:.0f} ms "
          f"(target ≤ 100 ms) over {len(latencies)} alarms")  # fmt: skip
    print(f"bridge time: client {stats.get('client_s', 0) / busy:.0%}, rules {stats.get('rules_s', 0) / busy:.0%}, "
          f"database {stats.get('database_s', 0) / busy:.0%} of {busy:.1f} s busy")  # fmt: skip


if __name__ == "__main__":
    main()
