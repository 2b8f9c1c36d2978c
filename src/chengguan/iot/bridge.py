"""The MQTT bridge: Mosquitto → readings → rules → alarms, with QoS 1 end to end.

One persistent MQTT v5 session (fixed client id, clean_start off, a day's session expiry): while the bridge is down
the broker keeps its QoS 1 messages and hands them over on return. Messages are acknowledged by hand, only after the
batch that holds them committed — a crash (kill -9) before the commit makes the broker resend them; the engine
skips what it evaluated already (iot.ingest), so each alarm is raised once, at its reading's time.

Threads: paho's network loop (on a buffered socket: :class:`_BufferedSocket`) queues messages; one worker gathers a
batch (until its oldest message has waited ``CHENGGUAN_IOT_BATCH_MS``), decodes it, runs it through
``ingest.process`` in one transaction, commits, publishes each alarm on ``{root}/alarms/{device_code}`` and
acknowledges; a watchdog marks silent devices offline every ``CHENGGUAN_IOT_WATCHDOG_S``.
Malformed messages are counted against their device (``malformed_count``) and logged; they never stop the bridge.
"""

from __future__ import annotations

import json
import logging
import queue
import socket
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions
from sqlalchemy import select, update
from sqlalchemy.orm import configure_mappers

from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.iot import decode, factors, health
from chengguan.iot.directory import Directory
from chengguan.iot.hj212 import FrameError
from chengguan.iot.ingest import Reading, process
from chengguan.iot.models import IotAlarm, IotDevice
from chengguan.iot.retention import maintain, partitions_ahead

log = logging.getLogger("chengguan.iot.bridge")
DEFAULT_URL = "mqtt://127.0.0.1:1883"
MAX_BATCH = 2000
SESSION_EXPIRY_S = 86_400
RECV_BYTES = 262_144
READ_AHEAD = 100  # packets parsed from the buffer in one go; then paho writes what waits (alarms, acks) and reads on


@dataclass
class Stats:
    """What the bridge did (published on ``{root}/bridge/stats``; the bench reads it)."""

    messages: int = 0
    readings: int = 0
    batches: int = 0
    malformed: int = 0
    unknown: int = 0
    alarms: int = 0
    client_s: float = 0.0  # decoding and acknowledging (the MQTT side of the work)
    rules_s: float = 0.0
    database_s: float = 0.0
    faults: Counter[str] = field(default_factory=Counter)
    # Each message's time in the bridge, from paho's callback to its batch's alarms announced and acks queued, in
    # 5 ms buckets (bucket 3 = 15–20 ms): the bench tells the bridge's share of reading → alarm from the rest (the
    # publishers, the broker, the sockets). ``queued_ms``: the part before its batch began.
    held_ms: Counter[int] = field(default_factory=Counter)
    queued_ms: Counter[int] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {k: (dict(v) if isinstance(v, Counter) else v) for k, v in self.__dict__.items()}


class _BufferedSocket:
    """A plain TCP socket read 256 KiB at a time.

    paho reads a packet as one ``recv`` for its type, one per length byte and one for the rest — four system calls
    per reading, each of which lets the batch thread take the GIL, and the network thread then waits up to the
    switch interval to get it back: behind a busy batch paho read one packet per few milliseconds and the readings
    queued in the broker (bench/iot.py). Here one ``recv`` brings every packet the kernel holds and paho parses them
    from memory; ``pending()`` (the hook paho already uses for TLS) tells its loop to read on without waiting."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._data = b""
        self._at = 0

    def recv(self, size: int) -> bytes:
        if self._at >= len(self._data):
            data = self._sock.recv(RECV_BYTES)  # BlockingIOError and EOF (b"") reach paho as from the socket
            if not data:
                return data
            self._data, self._at = data, 0
        chunk = self._data[self._at : self._at + size]
        self._at += len(chunk)
        return chunk

    def pending(self) -> int:
        return len(self._data) - self._at

    def __getattr__(self, name: str) -> Any:  # send, fileno, setblocking, close … are the socket's
        return getattr(self._sock, name)


class _Client(mqtt.Client):
    """paho's client on a :class:`_BufferedSocket`, reading every packet already received before it waits again."""

    def loop_read(self, max_packets: int = 1) -> MQTTErrorCode:
        # paho's loop reads one packet per select(): another system call, another chance to lose the GIL, per reading.
        rc = super().loop_read(max_packets)
        for _ in range(READ_AHEAD):
            sock = self._sock
            if rc != MQTTErrorCode.MQTT_ERR_SUCCESS or not isinstance(sock, _BufferedSocket) or not sock.pending():
                break
            rc = super().loop_read(max_packets)
        return rc

    def _create_socket(self) -> Any:  # paho 2's socket factory (pinned < 3 in pyproject.toml)
        sock = super()._create_socket()
        return _BufferedSocket(sock) if type(sock) is socket.socket else sock  # TLS and websockets as they are


@dataclass(frozen=True)
class _Message:
    topic: str
    payload: bytes
    mid: int
    qos: int
    arrived: float  # time.monotonic() in paho's callback


class Bridge:
    """Run with ``start()`` / ``stop()`` (or ``run()`` until interrupted)."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings, self.db = settings, db
        self.root = settings.mqtt_topic_root
        url = urlparse(settings.mqtt_url or DEFAULT_URL)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 1883
        self.directory = Directory()
        self.stats = Stats()
        self._queue: queue.Queue[_Message] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.connected = threading.Event()
        self.client = _Client(
            CallbackAPIVersion.VERSION2,
            client_id=settings.mqtt_client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        if url.username:
            self.client.username_pw_set(url.username, url.password)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_disconnect = lambda *_a: self.connected.clear()

    # -- MQTT side ---------------------------------------------------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            log.error("broker refused the bridge: %s", reason)
            return
        options = SubscribeOptions(qos=1)
        client.subscribe(
            [
                (f"{self.root}/devices/+/readings", options),
                (f"{self.root}/devices/+/status", options),
                (f"{self.root}/hj212/+", options),
            ]
        )
        self.connected.set()
        log.info("bridge connected to %s:%s (session %s)", self.host, self.port, self.settings.mqtt_client_id)

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        self._queue.put(_Message(msg.topic, bytes(msg.payload), msg.mid, msg.qos, time.monotonic()))

    def start(self) -> None:
        # The ORM's mappers configured now, not inside the first batch or watchdog sweep (seconds on a loaded
        # machine, with the first readings after every restart waiting behind them: py-spy on bench/iot.py).
        configure_mappers()
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY_S
        props.ReceiveMaximum = 65535  # the broker's QoS 1 window to us: acks come per batch, not per message
        self.client.connect(self.host, self.port, keepalive=30, clean_start=False, properties=props)
        self.client.loop_start()
        for target, name in ((self._work, "iot-batches"), (self._watch, "iot-watchdog"), (self._report, "iot-stats")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def request_stop(self) -> None:
        """Ask ``run()`` to return (signal handlers: no joins here)."""
        self._stop.set()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self.client.disconnect()
        self.client.loop_stop()

    def run(self) -> None:
        self.start()
        try:
            while not self._stop.wait(1.0):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    # -- batches -----------------------------------------------------------------------------------------------------

    def _gather(self) -> list[_Message]:
        """The next batch: whatever is queued, and what comes until the oldest message has waited the batch time
        (``CHENGGUAN_IOT_BATCH_MS``) or the batch is full — never longer. The wait counts from the oldest message's
        arrival, not from the batch's start: behind a long batch the queue is already old and goes at once, so a
        reading waits at most the batch time plus the batch before it."""
        try:
            first = self._queue.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        deadline = first.arrived + self.settings.iot_batch_ms / 1000
        while len(batch) < MAX_BATCH:
            try:
                batch.append(self._queue.get_nowait())
                continue
            except queue.Empty:
                pass
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(self._queue.get(timeout=remaining))
            except queue.Empty:
                break
        return batch

    def _work(self) -> None:
        while not self._stop.is_set():
            batch = self._gather()
            if not batch:
                continue
            try:
                self.handle(batch)
            except Exception:  # the batch stays unacknowledged: the broker resends it after a reconnect
                log.exception("batch of %d messages failed; reconnecting for redelivery", len(batch))
                time.sleep(1.0)
                self.client.reconnect()

    def handle(self, batch: list[_Message]) -> None:
        """Decode, process and commit one batch, then acknowledge it and announce its alarms."""
        began = time.monotonic()
        t0 = time.perf_counter()
        parsed: list[tuple[decode.Parsed, _Message]] = []
        bad: dict[tuple[str, str], list[str]] = defaultdict(list)  # (topic kind, code or MN) → faults
        for m in batch:
            try:
                p = decode.parse(self.root, m.topic, m.payload)
            except (decode.Malformed, FrameError) as exc:
                where = decode.route(self.root, m.topic) or ("", "")
                fault = getattr(exc, "fault", "json")
                bad[where].append(f"{fault}: {exc}")
                self.stats.faults[str(fault)] += 1
                log.warning("malformed message on %s: %s", m.topic, exc)
                continue
            if p.kind != "other":
                parsed.append((p, m))
        t1 = time.perf_counter()
        with self.db.session() as session, session.begin():
            readings: list[Reading] = []
            mns = {f"mn:{p.ident}" for p, _ in parsed if p.kind == "hj212"}
            infos = self.directory.resolve(session, mns) if mns else {}
            for p, _ in parsed:
                if p.kind == "readings":
                    readings.extend(Reading(f"code:{p.ident}", ts, v) for ts, v in p.readings or [])
                elif p.kind == "hj212" and p.frame is not None:
                    info = infos.get(f"mn:{p.ident}")
                    if p.frame.mn != p.ident:
                        bad[("hj212", p.ident)].append("mn: 报文 MN 与主题不符")
                        continue
                    values = factors.values_of(p.frame, info.profile if info else None)
                    ts = p.frame.data_time or clock.now()
                    if values:
                        readings.append(Reading(f"mn:{p.ident}", ts, values))
                elif p.kind == "status":
                    health.last_will(session, self.settings, p.ident, bool(p.online), clock.now())
            outcome = process(session, self.settings, readings, self.directory)
            if bad:
                self._count_malformed(session, bad)
            raised = (
                list(
                    session.execute(
                        select(IotAlarm, IotDevice.code)
                        .join(IotDevice, IotDevice.id == IotAlarm.device_id)
                        .where(IotAlarm.id.in_(outcome.raised))
                        .execution_options(populate_existing=True)  # cleared in the same batch by a Core update
                    ).tuples()
                )
                if outcome.raised
                else []
            )
            t2 = time.perf_counter()
        t3 = time.perf_counter()
        # Committed: the alarms are told first (whoever waits for them waits for nothing else), then the broker.
        for alarm, code in raised:
            self.client.publish(f"{self.root}/alarms/{code}", json.dumps(_alarm_event(alarm, code)), qos=1)
        for m in batch:
            if m.qos:
                self.client.ack(m.mid, m.qos)
        t4 = time.perf_counter()
        done = time.monotonic()
        s = self.stats
        for m in batch:
            s.queued_ms[int((began - m.arrived) * 200)] += 1
            s.held_ms[int((done - m.arrived) * 200)] += 1
        s.messages += len(batch)
        s.readings += outcome.stored
        s.batches += 1
        s.malformed += sum(len(v) for v in bad.values())
        s.unknown += outcome.unknown
        s.alarms += len(outcome.raised)
        s.client_s += (t1 - t0) + (t4 - t3)
        s.rules_s += outcome.rules_s
        s.database_s += (t2 - t1 - outcome.rules_s) + (t3 - t2)

    def _count_malformed(self, session: Any, bad: dict[tuple[str, str], list[str]]) -> None:
        """Each device's malformed messages, counted and the last fault kept (the health page shows them)."""
        for (kind, ident), faults in bad.items():
            if not ident:
                continue
            column = IotDevice.hj212_mn if kind == "hj212" else IotDevice.code
            session.execute(
                update(IotDevice)
                .where(column == ident)
                .values(malformed_count=IotDevice.malformed_count + len(faults), last_malformed=faults[-1][:200])
                .execution_options(synchronize_session=False)
            )

    # -- watchdog and stats ------------------------------------------------------------------------------------------

    def _watch(self) -> None:
        try:  # months of readings made ready ahead before the first batch (PostgreSQL)
            partitions_ahead(self.db, self.settings, clock.now())
        except Exception:
            log.exception("reading partitions not checked")
        last_upkeep = time.monotonic()
        while not self._stop.wait(self.settings.iot_watchdog_s):
            if time.monotonic() - last_upkeep > 3600:  # partitions ahead, hourly history, retention (iot.retention)
                last_upkeep = time.monotonic()
                try:
                    maintain(self.db, self.settings, clock.now())
                except Exception:
                    log.exception("reading maintenance failed")
            try:
                with self.db.session() as session, session.begin():
                    health.sweep(session, self.settings, clock.now())
            except Exception:
                log.exception("watchdog sweep failed")

    def _report(self) -> None:
        while not self._stop.wait(2.0):
            self.client.publish(f"{self.root}/bridge/stats", json.dumps(self.stats.as_dict()), qos=0, retain=True)


def _alarm_event(alarm: IotAlarm, code: str) -> dict[str, Any]:
    return {
        "id": str(alarm.id),
        "device_code": code,
        "rule": alarm.rule_key,
        "state": alarm.state.value,
        "raised_at": alarm.raised_at.isoformat(),
        "signal_id": str(alarm.signal_id) if alarm.signal_id else None,
    }
