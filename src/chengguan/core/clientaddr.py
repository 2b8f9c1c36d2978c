"""The client's address as the audit log, the login throttle and the token rows record it (pure, no I/O).

A request's ``X-Forwarded-For`` / ``X-Real-IP`` are whatever the sender wrote, so they are believed only when the
direct peer is a proxy the deployment named (``CHENGGUAN_TRUSTED_PROXIES``). Then ``X-Forwarded-For`` is walked from
the right — each proxy appends the address it saw — past the hops that are trusted proxies too; the first hop that
is not one is the client. Everything left of it was written by the client (or a proxy nobody vouches for) and is
never read: a forged header can add entries on the left only.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def parse_proxies(spec: str) -> tuple[Network, ...]:
    """``"127.0.0.1, 10.0.0.0/8, ::1"`` → networks (a bare address is a /32 or /128); ValueError names a bad entry."""
    networks = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ValueError(f"CHENGGUAN_TRUSTED_PROXIES：{item!r} 不是 IP 地址或 CIDR 网段") from exc
    return tuple(networks)


def parse_address(text: str | None) -> Address | None:
    """An address as proxies write it — ``1.2.3.4``, ``1.2.3.4:5678``, ``[2001:db8::1]:443``, ``2001:db8::1`` — or
    None (``unknown``, an obfuscated RFC 7239 name, garbage). IPv4-mapped IPv6 is read as the IPv4 address."""
    value = (text or "").strip().strip('"')
    if not value:
        return None
    if value.startswith("["):  # [v6]:port
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:  # v4:port (a v6 address has at least two colons)
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address | None, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def forwarded_hops(values: Iterable[str]) -> list[str]:
    """Every entry of every ``X-Forwarded-For`` header, in order (several headers are one comma-separated list)."""
    return [hop.strip() for value in values for hop in value.split(",") if hop.strip()]


def client_address(
    peer: str | None, forwarded_for: Iterable[str], real_ip: str | None, trusted: tuple[Network, ...]
) -> str | None:
    """The client behind ``peer``: ``peer`` itself unless it is a trusted proxy; then the rightmost
    ``X-Forwarded-For`` hop that is not a trusted proxy (or ``X-Real-IP`` when the proxy sent no X-Forwarded-For)."""
    peer_address = parse_address(peer)
    if not trusted or not _trusted(peer_address, trusted):
        return peer
    hops = forwarded_hops(forwarded_for)
    if not hops:
        real = parse_address(real_ip)
        return str(real) if real is not None else str(peer_address)
    nearest = peer_address  # the last address known to be true: the hop that vouched for the ones left of it
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            # A trusted proxy passed on an entry that is not an address: nothing left of it can be believed either,
            # so the request is recorded as coming from the proxy that vouched for it.
            return str(nearest)
        if not _trusted(address, trusted):
            return str(address)
        nearest = address
    return str(nearest)  # every hop a trusted proxy: the request began at the leftmost of them
