"""The Temporal codec endpoint, off unless ``RINGI_CODEC_ENDPOINT_ENABLED``: ``POST /codec/decode`` and
``POST /codec/encode`` in Temporal's Codec Server Protocol (``{"payloads": [{"metadata", "data"}]}``, bytes in
base64), for administrators (bearer token).  Cross-origin calls (the Temporal UI in a browser) are allowed from
``RINGI_CODEC_CORS_ORIGIN`` only (``CodecCors``).  Not part of API v1: left out of /openapi.json."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import CurrentStaff, SessionDep, StateDep
from api.origin import OriginDep
from api.services import codec

PREFIX = "/codec"
router = APIRouter(prefix=PREFIX, tags=["operations"], include_in_schema=False)

Namespace = Annotated[str | None, Header(alias="X-Namespace")]


@router.post("/decode")
async def decode(
    request: Request, staff: CurrentStaff, state: StateDep, session: SessionDep, origin: OriginDep, ns: Namespace = None
) -> Response:
    """Open sealed payloads (the Temporal UI's and CLI's view of a history)."""
    body = await request.body()
    answer = await codec.run(session, state.settings, staff, "decode", body, namespace=ns, origin=origin)
    return Response(answer, media_type="application/json")


@router.post("/encode")
async def encode(
    request: Request, staff: CurrentStaff, state: StateDep, session: SessionDep, origin: OriginDep, ns: Namespace = None
) -> Response:
    """Seal payloads (input typed in the UI or CLI, e.g. a signal's)."""
    body = await request.body()
    answer = await codec.run(session, state.settings, staff, "encode", body, namespace=ns, origin=origin)
    return Response(answer, media_type="application/json")


class CodecCors:
    """CORS for the codec endpoint and nothing else: the configured origin (the Temporal UI) may call it from a
    browser with a bearer token; any other origin gets no CORS header (the browser refuses), and a preflight
    from it answers 403."""

    ALLOW_HEADERS = "authorization, content-type, x-namespace"

    def __init__(self, app: ASGIApp, *, origin: str) -> None:
        self.app = app
        self.origin = origin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope["path"]).startswith(PREFIX + "/"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        allowed = headers.get("origin") == self.origin
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(allowed, send)
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start" and allowed:
                message["headers"] = [*message.get("headers", []), *self._headers()]
            elif message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"vary", b"Origin")]
            await send(message)

        await self.app(scope, receive, with_cors)

    def _headers(self) -> list[tuple[bytes, bytes]]:
        return [(b"access-control-allow-origin", self.origin.encode("latin-1")), (b"vary", b"Origin")]

    async def _preflight(self, allowed: bool, send: Send) -> None:
        headers = [(b"content-length", b"0"), (b"vary", b"Origin")]
        if allowed:
            headers = [
                *headers[:1],
                *self._headers(),
                (b"access-control-allow-methods", b"POST"),
                (b"access-control-allow-headers", self.ALLOW_HEADERS.encode()),
                (b"access-control-max-age", b"600"),
            ]
        await send({"type": "http.response.start", "status": 204 if allowed else 403, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
