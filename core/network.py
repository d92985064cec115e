"""Where a request comes from: the client address behind trusted proxies, and whether it is the office network."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from core.settings import Network

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse(address: str) -> IpAddress | None:
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return parsed.ipv4_mapped
    return parsed


def within(address: str, networks: Iterable[Network]) -> bool:
    """Whether ``address`` is in one of ``networks``; an address that does not parse is in none."""
    parsed = _parse(address)
    return parsed is not None and any(parsed.version == n.version and parsed in n for n in networks)


def client_address(peer: str, forwarded_for: str | None, trusted_proxies: Iterable[Network]) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy; then X-Forwarded-For is walked from
    the right (the nearest hop first) past the trusted proxies, and the first other address is the client.

    An entry that is not an address is returned as it is, so it counts as outside every network (a forged or
    broken header can never make a request look as if it came from the office)."""
    proxies = tuple(trusted_proxies)
    if not forwarded_for or not within(peer, proxies):
        return _canonical(peer)
    current = peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        if not within(current, proxies):
            break
        current = hop
    return _canonical(current)


def _canonical(address: str) -> str:
    parsed = _parse(address)
    return str(parsed) if parsed is not None else address[:45]
