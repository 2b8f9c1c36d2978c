"""IoT throughput: sustained QoS 1 readings/s through the real Mosquitto into the rules, and reading → alarm latency.

A fresh database (a temporary SQLite file, or a throwaway PostgreSQL database of ``--database-url``'s server) gets
``--devices`` oil-fume monitors with one duration-free threshold rule each (fume > 2.0, clear below 1.5; alarms stay
on the platform: no case source, no text message, so what is measured is the bridge). A ``chengguan iot-bridge``
process subscribes; ``--publishers`` publisher processes (paho, each its own GIL) publish ``--rate`` readings/s
(QoS 1, ~230 B of JSON each, five metrics) for ``--seconds``; one reading in ``--alarm-every`` of each device is above
the limit and the next below, so alarms are raised and cleared all along (a device needs ``--alarm-every`` readings
before its first alarm: rate × seconds / devices of them). The bench listens on ``{root}/alarms/+``.

Latency: from the triggering reading's publish() call (its ``ts``, wall clock) to the alarm's arrival at the
listener (after the commit). Printed apart, so that the machine's queueing is not taken for the bridge's:
- how late each publish() call was against its schedule (a publisher short of CPU: outside the latency, as the
  reading's ts is taken at the call), and publish() → the broker's PUBACK (paho's queue, the socket, the broker);
- the latency from that PUBACK, i.e. without the publisher;
- the bridge's own share: each message from paho's callback to its batch's alarms announced (and the part of it
  queued before its batch began), from the bridge's stats;
- the CPU seconds the publishers, the bridge and the broker used, and the load average (other sessions share the
  machine: a load above 2 means the figures measure the scheduler as much as the bridge).
The bridge's counters split its busy time into the client (decoding, acknowledging), the rules and the database.
Run:
    .venv/bin/python bench/iot.py [--rate 2500] [--seconds 10] [--devices 500] [--alarm-every 25]
    .venv/bin/python bench/iot.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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


def publish(root: str, mine: list[str], n: int, per_s: float, total: int, alarm_every: int, go: Any,
            results: Any) -> None:  # fmt: skip
    """One publisher process: ``total`` readings at ``per_s`` over its devices, on the wall clock from the start
    time it is sent on ``go`` once every publisher is connected (a process's start-up is not in its schedule).

    What it reports about itself, so that its own queueing is not taken for the bridge's: how late each publish()
    call was against its schedule (a publisher short of CPU falls behind: the reading's ts is taken at the call, so
    this lateness is outside the latency), and when the broker acknowledged each reading that raises an alarm (paho's
    own queue, the socket and the broker lie between publish() and that PUBACK).

    At most 100 messages in flight: paho walks every in-flight message on each PUBACK (``_update_inflight``), so
    with 1,000 allowed a publisher that fell behind on a loaded machine spent its time walking and fell further
    behind (publish() → PUBACK grew to seconds); what waits beyond 100 waits in paho's queue, seen in that PUBACK."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{root}-{n}")
    client.max_inflight_messages_set(100)
    client.max_queued_messages_set(0)
    watched: dict[int, tuple[str, float]] = {}
    acked: dict[tuple[str, float], float] = {}

    def on_publish(_c, _u, mid, _rc, _p) -> None:  # type: ignore[no-untyped-def]
        key = watched.pop(mid, None)
        if key is not None:
            acked[key] = time.time()

    client.on_publish = on_publish
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    results.put("ready")
    started = go.get()
    cpu = time.process_time()
    count = [0] * len(mine)
    late: list[float] = []
    last = None
    for i in range(total):
        due = started + i / per_s
        delay = due - time.time()
        if delay > 0:
            time.sleep(delay)
        k = i % len(mine)
        count[k] += 1
        phase = count[k] % alarm_every
        fume = 3.0 if phase == 0 else 1.0 if phase == 1 else 1.2
        now = time.time()
        late.append(now - due)
        ts = round(now, 3)
        values = {"fume": fume, "particulate": 0.8, "nmhc": 3.1, "fan_current": 3.2, "purifier_current": 2.9}
        body = {"ts": datetime.fromtimestamp(ts, UTC).isoformat(), "values": values}
        last = client.publish(f"{root}/devices/{mine[k]}/readings", json.dumps(body), qos=1)
        if phase == 0:
            watched[last.mid] = (mine[k], ts)
    if last is not None:
        last.wait_for_publish(60)
    finished = time.time()
    client.disconnect()
    client.loop_stop()
    results.put({"sent": total, "finished": finished, "late": late, "acked": acked, "cpu_s": time.process_time() - cpu})


def cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) a process has used so far, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def broker_pid() -> int | None:
    """The broker's process (the oldest mosquitto: the machine's own, started at boot)."""
    found = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "mosquitto":
                found.append(int(comm.parent.name))
        except OSError:
            continue
    return min(found, default=None)


def ms(values: list[float], p: float) -> str:
    return f"{percentile(values, p) * 1000:.0f}" if values else "–"


def held(histogram: dict[str, int], p: float) -> float:
    """The ``p`` percentile of a bridge histogram of 5 ms buckets, in ms (the bucket's upper edge)."""
    buckets = sorted((int(k), v) for k, v in histogram.items())
    total, seen = sum(v for _, v in buckets), 0
    for bucket, v in buckets:
        seen += v
        if seen >= p / 100 * total:
            return (bucket + 1) * 5.0
    return float("nan")


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
    received: dict[tuple[str, float], float] = {}
    stats: dict = {}
    listener = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-listen-{root}")

    def on_message(_c, _u, msg) -> None:  # type: ignore[no-untyped-def]
        if msg.topic.endswith("/bridge/stats"):
            stats.update(json.loads(msg.payload))
            return
        event = json.loads(msg.payload)  # raised_at is the triggering reading's ts: its publish() time (wall clock)
        received[(event["device_code"], round(datetime.fromisoformat(event["raised_at"]).timestamp(), 3))] = time.time()

    listener.on_message = on_message
    listener.connect("127.0.0.1", 1883)
    listener.subscribe([(f"{root}/alarms/+", 1), (f"{root}/bridge/stats", 0)])
    listener.loop_start()
    for _ in range(100):
        if "bridge connected" in (tmp / "bridge.log").read_text():
            break
        time.sleep(0.1)
    time.sleep(0.5)

    # Each publisher its own process (its own GIL: the listener's and the publishers' threads do not queue behind
    # each other); all start together on the wall clock.
    context = multiprocessing.get_context("spawn")
    results, go = context.Queue(), context.Queue()
    share = int(args.rate * args.seconds) // args.publishers
    per = args.rate / args.publishers
    jobs = [(root, codes[n :: args.publishers], n, per, share, args.alarm_every, go, results)
            for n in range(args.publishers)]  # fmt: skip
    publishers = [context.Process(target=publish, args=job) for job in jobs]
    for p in publishers:
        p.start()
    for _ in publishers:
        results.get(timeout=120)
    started = time.time() + 0.2
    broker = broker_pid()
    load_before = os.getloadavg()[0]
    for _ in publishers:
        go.put(started)
    spy = None
    if args.py_spy:
        time.sleep(max(0.0, started - time.time()))
        sampler = str(Path(sys.executable).parent / "py-spy")
        sampler = sampler if Path(sampler).exists() else (shutil.which("py-spy") or "py-spy")
        command = [sampler, "record", "--pid", str(bridge.pid), "--rate", "250", "--format", "raw", "--threads",
                   "--nonblocking", "-o", args.py_spy, "--duration", str(int(args.seconds) + 2)]  # fmt: skip
        spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(max(0.0, started - time.time()))
    cpu_before = cpu_seconds(bridge.pid), cpu_seconds(broker)
    reports = [results.get(timeout=args.seconds + 120) for _ in publishers]
    for p in publishers:
        p.join()
    sent = sum(r["sent"] for r in reports)
    publish_s = max(r["finished"] for r in reports) - started
    # Done when every reading is in the table (the database polled every 50 ms: the bridge's stats come every 2 s,
    # too coarse to time a 10 s run).
    counter = create_engine(url)
    deadline = time.time() + 120
    while time.time() < deadline:
        with counter.connect() as c:
            if c.execute(text("SELECT count(*) FROM iot_reading")).scalar() >= sent:
                break
        time.sleep(0.05)
    done_s = time.time() - started
    counter.dispose()
    time.sleep(2.5)  # the last stats and alarms
    if spy is not None:
        spy.wait(timeout=60)
    cpu_after = cpu_seconds(bridge.pid), cpu_seconds(broker)
    load_after = os.getloadavg()[0]
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
    late = [x for r in reports for x in r["late"]]
    acked = {key: t for r in reports for key, t in r["acked"].items()}
    latencies = [t - ts for (_code, ts), t in received.items()]
    from_ack = [t - acked[key] for key, t in received.items() if key in acked]
    to_ack = [acked[key] - key[1] for key in received if key in acked]
    backend = "PostgreSQL" if pg else "SQLite"
    print(f"{backend}: published {sent} readings in {publish_s:.1f} s ({sent / publish_s:,.0f}/s offered), "
          f"the bridge stored and evaluated {stored} by {done_s:.1f} s: {rate:,.0f} readings/s sustained "
          f"(target ≥ 2,000/s) in {stats.get('batches', 0)} batches")  # fmt: skip
    print(f"alarms: {stats.get('alarms', 0)} raised; reading → alarm latency p50 {ms(latencies, 50)} ms, "
          f"p95 {ms(latencies, 95)} ms (target ≤ 100 ms) over {len(latencies)} alarms; from the broker's PUBACK of "
          f"the reading p50 {ms(from_ack, 50)} ms, p95 {ms(from_ack, 95)} ms")  # fmt: skip
    print(f"publishers: publish() behind schedule p50 {ms(late, 50)} ms, p95 {ms(late, 95)} ms, max "
          f"{ms(late, 100)} ms (outside the latency); publish() → PUBACK of the alarm readings p50 {ms(to_ack, 50)} "
          f"ms, p95 {ms(to_ack, 95)} ms (inside)")  # fmt: skip
    used = [a - b for a, b in zip(cpu_after, cpu_before, strict=True)]
    print(f"CPU over the {done_s:.1f} s (2 cores: {2 * done_s:.0f} s to share): publishers "
          f"{sum(r['cpu_s'] for r in reports):.1f} s, bridge {used[0]:.1f} s, broker {used[1]:.1f} s; "
          f"load average {load_before:.1f} before, {load_after:.1f} after (other sessions' work too)")  # fmt: skip
    if stats.get("held_ms"):
        bridge_ms, per_batch = stats["held_ms"], stored / max(stats.get("batches", 1), 1)
        print(f"in the bridge (paho callback → alarms announced, every message): p50 {held(bridge_ms, 50):.0f} ms, "
              f"p95 {held(bridge_ms, 95):.0f} ms, of which queued before its batch p95 "
              f"{held(stats['queued_ms'], 95):.0f} ms; {per_batch:.0f} a batch")  # fmt: skip
    print(f"bridge time: client {stats.get('client_s', 0) / busy:.0%}, rules {stats.get('rules_s', 0) / busy:.0%}, "
          f"database {stats.get('database_s', 0) / busy:.0%} of {busy:.1f} s busy")  # fmt: skip


if __name__ == "__main__":
    main()
