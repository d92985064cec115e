"""The requester's address and user agent, as the sign-in rules and the access log see them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from core.network import client_address
from core.settings import Settings, parse_networks


@dataclass(frozen=True)
class Origin:
    client_ip: str
    user_agent: str


def origin_of(request: Request, settings: Settings) -> Origin:
    """X-Forwarded-For counts only when the peer is one of ``RINGI_TRUSTED_PROXIES``."""
    peer = request.client.host if request.client is not None else ""
    address = client_address(peer, request.headers.get("x-forwarded-for"), parse_networks(settings.trusted_proxies))
    return Origin(client_ip=address, user_agent=request.headers.get("user-agent", "")[:400])


def _origin(request: Request) -> Origin:
    return origin_of(request, request.app.state.ringi.settings)


OriginDep = Annotated[Origin, Depends(_origin)]
