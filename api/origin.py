"""The requester's address and user agent, as the sign-in rules and the access log see them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from core.network import client_address, within
from core.settings import Settings, parse_networks


@dataclass(frozen=True)
class Origin:
    client_ip: str
    user_agent: str


def origin_of(request: Request, settings: Settings) -> Origin:
    """The one source of the client address (office network, TOTP enrolment, access log): X-Forwarded-For counts
    only when the peer is one of ``RINGI_TRUSTED_PROXIES`` (uvicorn's proxy handling is off, so the peer is the
    socket's)."""
    peer = request.client.host if request.client is not None else ""
    address = client_address(peer, request.headers.get("x-forwarded-for"), parse_networks(settings.trusted_proxies))
    return Origin(client_ip=address, user_agent=request.headers.get("user-agent", "")[:400])


def scheme_of(request: Request, settings: Settings) -> str:
    """``https`` over TLS, or when a trusted proxy's ``X-Forwarded-Proto`` says so (uvicorn's own proxy handling is
    off: core/serve.py); ``http`` otherwise."""
    if request.url.scheme == "https":
        return "https"
    peer = request.client.host if request.client is not None else ""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
    return "https" if forwarded == "https" and within(peer, parse_networks(settings.trusted_proxies)) else "http"


def _origin(request: Request) -> Origin:
    return origin_of(request, request.app.state.ringi.settings)


OriginDep = Annotated[Origin, Depends(_origin)]
