"""The FastAPI application: /v1 JSON API (OpenAPI at /openapi.json) and the web UI (/, api/web)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.admission import AdmissionControl
from api.deps import AppState
from api.metrics import ApiMetrics, MetricsMiddleware
from api.openapi import install_openapi
from api.problems import install_problem_handlers, problem
from api.routes import (
    absences,
    access_log,
    accounts,
    attachments,
    auth,
    budgets,
    clerks,
    codec,
    disposal,
    documents,
    files,
    health,
    inbox,
    intake,
    limits,
    metrics,
    notifications,
    org,
    printing,
    receipts,
    records,
    reports,
    rules,
    search,
    staff,
)
from api.routes import preferences as notification_preferences
from api.routes import sessions as my_sessions
from api.routes.attachments import MULTIPART_OVERHEAD_BYTES, UPLOAD_PATH
from api.routes.codec import CodecCors
from api.web import mount_web
from api.web.messages import japanese
from core.settings import Settings
from core.telemetry import instrument_api, temporal_interceptors, tracer_provider
from core.temporal import connect_client
from db.session import create_engine, create_sessionmaker
from integrations.finance import HttpFinanceClient
from integrations.hr import HttpHrClient

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

MAX_BODY_BYTES = 1_000_000
INTAKE_PREFIX = "/v1/intake/"


class BodyTooLarge(Exception):
    """Raised into the app when a streamed body passes its limit (the middleware answers 413 instead)."""


class BodyLimit:
    """Refuse oversized bodies: JSON bodies up to MAX_BODY_BYTES, attachment uploads up to their own limit.

    A declared Content-Length is checked up front.  A body without one (chunked) is counted as the app reads it,
    never buffered: past the limit the read fails, and whatever the app then answers is replaced by the 413.
    """

    def __init__(
        self, app: ASGIApp, attachment_max_bytes: int = MAX_BODY_BYTES, intake_max_bytes: int = MAX_BODY_BYTES
    ) -> None:
        self.app = app
        self.attachment_limit = attachment_max_bytes + MULTIPART_OVERHEAD_BYTES
        self.intake_limit = intake_max_bytes

    def limit_for(self, scope: Scope) -> int:
        if scope.get("method") == "POST" and UPLOAD_PATH.match(scope.get("path", "")):
            return self.attachment_limit
        if scope.get("method") == "POST" and scope.get("path", "").startswith(INTAKE_PREFIX):
            return self.intake_limit  # applications with base64 attachments, CSV exports
        return MAX_BODY_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _too_large(limit, scope, receive, send)
            return
        if length is not None:  # the server holds the client to its declared length
            await self.app(scope, receive, send)
            return
        received = 0
        exceeded = started = False

        async def counted() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge()
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the app's answer to a failed read (e.g. 400) gives way to the 413 below
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _too_large(limit, scope, receive, send)


async def _too_large(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    reason = f"request bodies here are limited to {limit} bytes"
    path = scope.get("path", "")
    if not path.startswith("/v1/"):  # a page's form (an attachment too large): in Japanese
        if UPLOAD_PATH.match(path):
            reason = f"attachments are limited to {limit - MULTIPART_OVERHEAD_BYTES} bytes"
        text = PlainTextResponse(japanese(reason), status_code=413)
        await text(scope, receive, send)
        return
    response = problem(413, "Request too large", reason)
    await response(scope, receive, send)


def create_app(settings: Settings, *, traces: TracerProvider | None = None) -> FastAPI:
    """``traces``: where spans go (a test's in-memory exporter); default: OTLP when configured, else none."""
    owned = traces is None
    traces = traces or tracer_provider(settings, "api")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        temporal = await connect_client(
            settings.temporal_address,
            settings.temporal_namespace,
            lazy=True,
            interceptors=temporal_interceptors(traces),
            payload_keys=settings.temporal_payload_keys(),
        )
        async with HttpHrClient(settings.hr_url) as hr, HttpFinanceClient(settings.finance_url) as finance:
            app.state.ringi = AppState(
                settings=settings, sessions=create_sessionmaker(engine), temporal=temporal, hr=hr, finance=finance
            )
            yield
        await engine.dispose()
        if traces is not None and owned:
            traces.shutdown()  # flushes the spans still batched

    app = FastAPI(
        title="ringi",
        version="0.1.0",
        summary="稟議: electronic approval API",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(
        BodyLimit,
        attachment_max_bytes=settings.attachment_max_bytes,
        intake_max_bytes=settings.intake_max_body_bytes,
    )
    if settings.codec_endpoint_enabled and settings.codec_cors_origin:
        app.add_middleware(CodecCors, origin=settings.codec_cors_origin)
    app.add_middleware(
        AdmissionControl,
        max_inflight_updates=settings.max_inflight_updates,
        retry_after_seconds=settings.overload_retry_after_seconds,
    )
    app.state.metrics = ApiMetrics()
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)  # outermost: sees every answer
    install_problem_handlers(app)
    instrument_api(app, traces)
    modules = (
        auth,
        accounts,
        staff,
        files,  # before documents: /v1/documents/search is not a document id
        search,
        documents,
        inbox,
        budgets,
        notifications,
        attachments,
        printing,
        rules,
        absences,
        org,
        clerks,
        records,
        disposal,
        receipts,
        intake,
        limits,
        reports,
    )
    for module in modules:
        app.include_router(module.router)
    app.include_router(notification_preferences.router)
    app.include_router(my_sessions.router)
    app.include_router(receipts.my_router)  # /v1/me/circulations
    mount_web(app)
    install_openapi(app)
    app.include_router(access_log.router)
    app.include_router(metrics.router)
    app.include_router(health.router)
    if settings.codec_endpoint_enabled:
        app.include_router(codec.router)

    return app
