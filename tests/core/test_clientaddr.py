"""The client address (core.clientaddr): proxy headers are believed only from a trusted proxy, and then read from the
right past the trusted hops — a header a client forged never names the client."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from chengguan.core.clientaddr import client_address, parse_address, parse_proxies
from chengguan.core.config import Settings

TRUSTED = parse_proxies("127.0.0.1, ::1, 10.0.0.0/8")

CASES = [
    # (peer, X-Forwarded-For headers, X-Real-IP, expected, why)
    ("203.0.113.9", ["1.2.3.4"], None, "203.0.113.9", "an untrusted peer's X-Forwarded-For is ignored"),
    ("203.0.113.9", [], "1.2.3.4", "203.0.113.9", "an untrusted peer's X-Real-IP is ignored"),
    ("127.0.0.1", ["198.51.100.7"], None, "198.51.100.7", "nginx on the same machine names the client"),
    ("127.0.0.1", ["6.6.6.6, 198.51.100.7"], None, "198.51.100.7", "what the client wrote stands left, unread"),
    ("127.0.0.1", ["6.6.6.6", "198.51.100.7"], None, "198.51.100.7", "several headers are one list"),
    ("127.0.0.1", ["6.6.6.6, 198.51.100.7, 10.0.0.5"], None, "198.51.100.7", "trusted hops are skipped"),
    ("127.0.0.1", ["10.0.0.7, 10.0.0.5"], None, "10.0.0.7", "every hop trusted: the leftmost began it"),
    ("127.0.0.1", [], "198.51.100.8", "198.51.100.8", "X-Real-IP when there is no X-Forwarded-For"),
    ("127.0.0.1", [], None, "127.0.0.1", "no header: the proxy itself"),
    ("127.0.0.1", ["6.6.6.6, garbage"], None, "127.0.0.1", "a hop that is no address stops the walk"),
    ("127.0.0.1", ["198.51.100.7:51234"], None, "198.51.100.7", "a port is dropped"),
    ("::1", ["[2001:db8::7]:443"], None, "2001:db8::7", "IPv6 with brackets and port"),
    ("::ffff:127.0.0.1", ["198.51.100.7"], None, "198.51.100.7", "an IPv4-mapped peer is the IPv4 address"),
    ("testclient", ["1.2.3.4"], None, "testclient", "a peer that is no address is never trusted"),
    (None, ["1.2.3.4"], None, None, "no peer at all"),
]


@pytest.mark.parametrize(("peer", "forwarded", "real_ip", "expected", "why"), CASES, ids=[c[-1] for c in CASES])
def test_client_address(peer, forwarded, real_ip, expected, why):
    assert client_address(peer, forwarded, real_ip, TRUSTED) == expected, why


def test_nobody_trusted_by_default():
    assert client_address("127.0.0.1", ["198.51.100.7"], "198.51.100.8", ()) == "127.0.0.1"
    assert Settings(env="test", secret_key="s" * 40).trusted_networks == ()


def test_parse_address_forms():
    assert str(parse_address(" 192.0.2.1 ")) == "192.0.2.1"
    assert parse_address("unknown") is None and parse_address("_hidden") is None and parse_address("") is None


def test_settings_refuse_a_bad_proxy_entry(monkeypatch):
    monkeypatch.setenv("CHENGGUAN_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/33")
    with pytest.raises(ValidationError, match=r"10\.0\.0\.0/33"):
        Settings(env="test", secret_key="s" * 40)
    monkeypatch.setenv("CHENGGUAN_TRUSTED_PROXIES", "127.0.0.1,::1,10.20.0.0/24")
    assert len(Settings(env="test", secret_key="s" * 40).trusted_networks) == 3
