"""The FastAPI application: /v1 JSON API (OpenAPI at /openapi.json)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import AppState
from api.problems import install_problem_handlers, problem
from api.routes import auth, budgets, disposal, documents, inbox, notifications, records, staff
from core.settings import Settings
from core.temporal import connect_client
from db.session import create_engine, create_sessionmaker
from integrations.finance import HttpFinanceClient
from integrations.hr import HttpHrClient

MAX_BODY_BYTES = 1_000_000


class BodyLimit:
    """Refuse oversized bodies before parsing them (attachments get their own limit later).

    A declared Content-Length is checked up front; a body without one (chunked) is read up to the limit
    before the app sees it, then replayed.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            await _too_large(scope, receive, send)
            return
        if length is not None or "chunked" not in headers.get("transfer-encoding", "").lower():
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > MAX_BODY_BYTES:
                await _too_large(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        replay = iter(messages)

        async def buffered() -> Message:
            return next(replay, None) or await receive()

        await self.app(scope, buffered, send)


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    response = problem(413, "Request too large", f"request bodies are limited to {MAX_BODY_BYTES} bytes")
    await response(scope, receive, send)


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        temporal = await connect_client(settings.temporal_address, settings.temporal_namespace, lazy=True)
        async with HttpHrClient(settings.hr_url) as hr, HttpFinanceClient(settings.finance_url) as finance:
            app.state.ringi = AppState(
                settings=settings, sessions=create_sessionmaker(engine), temporal=temporal, hr=hr, finance=finance
            )
            yield
        await engine.dispose()

    app = FastAPI(title="ringi", version="0.1.0", summary="稟議: electronic approval API", lifespan=lifespan)
    app.add_middleware(BodyLimit)
    install_problem_handlers(app)
    for module in (auth, staff, documents, inbox, budgets, notifications, records, disposal):
        app.include_router(module.router)

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
