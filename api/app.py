"""The FastAPI application: /v1 JSON API (OpenAPI at /openapi.json)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from api.deps import AppState
from api.problems import install_problem_handlers, problem
from api.routes import auth, documents, inbox, staff
from core.settings import Settings
from core.temporal import connect_client
from db.session import create_engine, create_sessionmaker
from integrations.hr import HttpHrClient

MAX_BODY_BYTES = 1_000_000


class BodyLimit(BaseHTTPMiddleware):
    """Refuse oversized bodies before parsing them (attachments get their own limit later)."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return problem(413, "Request too large", f"request bodies are limited to {MAX_BODY_BYTES} bytes")
        return await call_next(request)


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        temporal = await connect_client(settings.temporal_address, settings.temporal_namespace, lazy=True)
        async with HttpHrClient(settings.hr_url) as hr:
            app.state.ringi = AppState(
                settings=settings, sessions=create_sessionmaker(engine), temporal=temporal, hr=hr
            )
            yield
        await engine.dispose()

    app = FastAPI(title="ringi", version="0.1.0", summary="稟議: electronic approval API", lifespan=lifespan)
    app.add_middleware(BodyLimit)
    install_problem_handlers(app)
    for module in (auth, staff, documents, inbox):
        app.include_router(module.router)

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
