"""The client address behind proxies, and the office network test."""

from __future__ import annotations

import pytest

from core.network import client_address, within
from core.settings import Settings, parse_networks

OFFICE = parse_networks("10.0.0.0/8, 192.0.2.0/24, fd00::/8")
PROXIES = parse_networks("10.1.1.1/32, 10.1.1.2/32")


@pytest.mark.parametrize(
    ("address", "inside"),
    [
        ("10.2.3.4", True),
        ("192.0.2.200", True),
        ("::ffff:10.2.3.4", True),  # IPv4-mapped IPv6, as a dual-stack socket reports it
        ("fd00::1", True),
        ("11.0.0.1", False),
        ("203.0.113.5", False),
        ("fe80::1", False),
        ("", False),
        ("not-an-address", False),
        ("10.0.0.0/8", False),
    ],
)
def test_within(address: str, inside: bool) -> None:
    assert within(address, OFFICE) is inside


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        pytest.param("203.0.113.5", None, "203.0.113.5", id="direct"),
        pytest.param("203.0.113.5", "10.2.3.4", "203.0.113.5", id="forged-by-an-untrusted-peer"),
        pytest.param("10.1.1.1", "203.0.113.5", "203.0.113.5", id="behind-a-proxy"),
        pytest.param("10.1.1.1", "10.9.9.9, 203.0.113.5", "203.0.113.5", id="forged-left-part-ignored"),
        pytest.param("10.1.1.1", "203.0.113.5, 10.1.1.2", "203.0.113.5", id="two-trusted-proxies"),
        pytest.param("10.1.1.1", "10.1.1.2", "10.1.1.2", id="only-proxies"),
        pytest.param("10.1.1.1", "garbage", "garbage", id="garbage-stays-outside"),
        pytest.param("10.1.1.1", "", "10.1.1.1", id="empty-header"),
        pytest.param("::ffff:10.1.1.1", "198.51.100.7", "198.51.100.7", id="mapped-proxy-address"),
    ],
)
def test_client_address(peer: str, forwarded: str | None, client: str) -> None:
    assert client_address(peer, forwarded, PROXIES) == client


def test_a_forwarded_garbage_address_is_never_in_the_office() -> None:
    assert not within(client_address("10.1.1.1", "garbage", PROXIES), OFFICE)


def test_the_default_office_network_is_this_machine() -> None:
    networks = parse_networks(Settings().office_networks)
    assert within("127.0.0.1", networks) and within("::1", networks)
    assert not within("10.0.0.1", networks)


def test_malformed_networks_are_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="does not appear to be"):
        Settings(office_networks="10.0.0.0/8, the office")
