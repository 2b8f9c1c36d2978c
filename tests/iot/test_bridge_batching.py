"""The bridge's plumbing without the broker: its buffered socket hands paho the bytes the kernel gave it, in order and
in whatever sizes paho asks; a batch waits for more readings only until its oldest one has waited the batch time."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from chengguan.core.config import Settings
from chengguan.iot.bridge import Bridge, _BufferedSocket, _Message


@pytest.fixture
def pair():  # type: ignore[no-untyped-def]
    a, b = socket.socketpair()
    b.setblocking(False)
    yield a, _BufferedSocket(b)
    a.close()
    b.close()


def test_the_buffered_socket_gives_back_every_byte_in_order(pair):  # type: ignore[no-untyped-def]
    sender, sock = pair
    sender.sendall(b"\x30\x05hello\x40\x02\x00\x01")
    time.sleep(0.05)
    assert sock.recv(1) == b"\x30"
    assert sock.pending() == 10  # the rest came with the first read: paho's loop reads on without select()
    assert sock.recv(1) == b"\x05"
    assert sock.recv(5) == b"hello"
    assert sock.recv(100) == b"\x40\x02\x00\x01"  # never more than is buffered: no read past it
    assert sock.pending() == 0
    with pytest.raises(BlockingIOError):  # nothing more: paho's "try again later"
        sock.recv(1)
    sender.sendall(b"more")
    time.sleep(0.05)
    assert sock.recv(2) == b"mo"
    assert sock.recv(2) == b"re"
    sender.close()
    time.sleep(0.05)
    assert sock.recv(1) == b""  # the end of the connection reaches paho as from the socket
    assert sock.fileno() >= 0  # everything else is the socket's


def message(age_s: float) -> _Message:
    return _Message("chengguan/devices/X/readings", b"{}", 1, 1, time.monotonic() - age_s)


def bridge(tmp_path: Path, batch_ms: int) -> Bridge:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}", data_dir=tmp_path, env="dev",
                        iot_batch_ms=batch_ms)  # fmt: skip
    return Bridge(settings, db=None)  # type: ignore[arg-type]  # gathering touches no database


def test_a_batch_behind_an_old_message_goes_at_once(tmp_path: Path):
    b = bridge(tmp_path, batch_ms=5000)
    for age in (6.0, 0.5, 0.0):  # queued behind a long batch: the oldest has waited longer than the batch time
        b._queue.put(message(age))
    began = time.monotonic()
    batch = b._gather()
    assert len(batch) == 3
    assert time.monotonic() - began < 4  # it did not wait the 5 s batch time again


def test_a_fresh_message_waits_for_company_within_the_batch_time(tmp_path: Path):
    b = bridge(tmp_path, batch_ms=300)
    b._queue.put(message(0.0))
    late = message(0.0)

    threading.Timer(0.05, b._queue.put, args=(late,)).start()  # comes 50 ms later, inside the 300 ms
    batch = b._gather()
    assert batch[-1] is late and len(batch) == 2
