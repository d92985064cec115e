"""Fault injection shared by the stub services: tests make a stub slow or failing through ``/admin/faults``.

``POST /admin/faults`` replaces the current faults, ``GET`` shows them, ``DELETE`` clears them.  Faults
apply to every HTTP request except ``/health`` and ``/admin/*``: first the delay, then (while
``fail_next`` > 0) an error answer with ``status`` instead of the real one.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Receive, Scope, Send


class FaultConfig(BaseModel):
    """Faults to inject: a delay for every request, an error answer for the next ``fail_next`` requests."""

    delay_ms: int = Field(0, ge=0, le=120_000)
    fail_next: int = Field(0, ge=0)
    status: int = Field(503, ge=400, le=599)


class FaultState:
    """The faults currently in force for one app (one instance per ``create_app``; no module globals)."""

    def __init__(self) -> None:
        self.config = FaultConfig()

    def take(self) -> tuple[float, int | None]:
        """Count one request: the delay to apply in seconds, and the error status to answer with (or None)."""
        delay = self.config.delay_ms / 1000
        if self.config.fail_next <= 0:
            return delay, None
        # Single event loop, no await between the read and the write: the countdown is exact.
        self.config = self.config.model_copy(update={"fail_next": self.config.fail_next - 1})
        return delay, self.config.status


def _exempt(path: str) -> bool:
    return path == "/health" or path == "/admin" or path.startswith("/admin/")


class FaultMiddleware:
    """Pure ASGI middleware that applies a ``FaultState`` before the app sees the request."""

    def __init__(self, app: ASGIApp, *, faults: FaultState) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        delay, status = self.faults.take()
        if delay:
            await asyncio.sleep(delay)
        if status is None:
            await self.app(scope, receive, send)
            return
        response = JSONResponse({"detail": "injected fault"}, status_code=status, headers={"Retry-After": "0"})
        await response(scope, receive, send)


def fault_router(faults: FaultState) -> APIRouter:
    """The ``/admin/faults`` endpoints over ``faults``."""
    router = APIRouter(prefix="/admin/faults", tags=["admin"])

    @router.get("")
    async def get_faults() -> FaultConfig:
        """Show the faults in force."""
        return faults.config

    @router.post("")
    async def set_faults(config: FaultConfig) -> FaultConfig:
        """Replace the faults in force."""
        faults.config = config
        return faults.config

    @router.delete("", status_code=204)
    async def clear_faults() -> Response:
        """Clear all faults."""
        faults.config = FaultConfig()
        return Response(status_code=204)

    return router


def add_faults(app: FastAPI) -> FaultState:
    """Give ``app`` its own fault state: the middleware and the ``/admin/faults`` endpoints."""
    faults = FaultState()
    app.add_middleware(FaultMiddleware, faults=faults)
    app.include_router(fault_router(faults))
    return faults
