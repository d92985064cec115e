"""Fault injection shared by the stub services: tests make a stub slow or failing through ``/admin/faults``.

``POST /admin/faults`` replaces the current faults, ``GET`` shows them, ``DELETE`` clears them.  Faults
apply to every HTTP request except ``/health`` and ``/admin/*``: first the delay, then (while
``fail_next`` > 0) an error answer with ``status`` instead of the real one.

A stub whose writes must be idempotent (finance) uses ``WriteFaultConfig``, which adds two faults of writes
(POST, PUT, PATCH, DELETE), applied after the ones above:

- ``refuse_next``: the next N writes get the stub's business refusal (e.g. 409) without being processed;
- ``timeout_after_write``: the next N writes are processed and committed, then the answer is withheld until the
  client gives up (disconnects) or ``withhold_ms`` passes.  This is the dangerous case: the caller cannot tell
  whether its write happened and must retry with the same idempotency key.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, FastAPI, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

WriteFault = Literal["refuse", "withhold"]


class FaultConfig(BaseModel):
    """Faults to inject: a delay for every request, an error answer for the next ``fail_next`` requests."""

    delay_ms: int = Field(0, ge=0, le=120_000)
    fail_next: int = Field(0, ge=0)
    status: int = Field(503, ge=400, le=599)


class WriteFaultConfig(FaultConfig):
    """``FaultConfig`` plus faults of writes: refused unprocessed, or processed with the answer withheld."""

    refuse_next: int = Field(0, ge=0)
    timeout_after_write: int = Field(0, ge=0)
    withhold_ms: int = Field(30_000, ge=0, le=120_000)


class FaultState:
    """The faults currently in force for one app (one instance per ``create_app``; no module globals)."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self.config = config if config is not None else FaultConfig()
        #: Which faults the stub supports: ``/admin/faults`` validates its body as this class.
        self.config_type = type(self.config)

    def take(self) -> tuple[float, int | None]:
        """Count one request: the delay to apply in seconds, and the error status to answer with (or None)."""
        delay = self.config.delay_ms / 1000
        if self.config.fail_next <= 0:
            return delay, None
        # Single event loop, no await between the read and the write: the countdown is exact.
        self.config = self.config.model_copy(update={"fail_next": self.config.fail_next - 1})
        return delay, self.config.status

    def take_write(self) -> WriteFault | None:
        """Count one write (after ``take``): refuse it, withhold its answer, or None to serve it normally."""
        config = self.config
        if not isinstance(config, WriteFaultConfig):
            return None
        if config.refuse_next > 0:
            self.config = config.model_copy(update={"refuse_next": config.refuse_next - 1})
            return "refuse"
        if config.timeout_after_write > 0:
            self.config = config.model_copy(update={"timeout_after_write": config.timeout_after_write - 1})
            return "withhold"
        return None


def _exempt(path: str) -> bool:
    return path == "/health" or path == "/admin" or path.startswith("/admin/")


class FaultMiddleware:
    """Pure ASGI middleware that applies a ``FaultState`` before the app sees the request."""

    def __init__(self, app: ASGIApp, *, faults: FaultState, refusal: Mapping[str, Any] | None = None) -> None:
        self.app = app
        self.faults = faults
        self.refusal = dict(refusal) if refusal is not None else {"detail": "injected refusal"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        delay, status = self.faults.take()
        if delay:
            await asyncio.sleep(delay)
        if status is not None:
            response = JSONResponse({"detail": "injected fault"}, status_code=status, headers={"Retry-After": "0"})
            await response(scope, receive, send)
            return
        fault = self.faults.take_write() if scope["method"] in _WRITES else None
        if fault == "refuse":
            await JSONResponse(self.refusal, status_code=409)(scope, receive, send)
        elif fault == "withhold":
            await self._withhold(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _withhold(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Process the request fully, then keep the answer until the client disconnects or the hold time is up."""
        config = self.faults.config
        seconds = config.withhold_ms / 1000 if isinstance(config, WriteFaultConfig) else 0.0
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while (await receive())["type"] != "http.disconnect":
                    pass
                return  # the client gave up: it never learns whether the write happened
        for message in held:
            await send(message)


def fault_router(faults: FaultState) -> APIRouter:
    """The ``/admin/faults`` endpoints over ``faults``, whose request body is validated as its config's class."""
    config_type = faults.config_type
    router = APIRouter(prefix="/admin/faults", tags=["admin"])

    @router.get("", response_model=config_type)
    async def get_faults() -> FaultConfig:
        """Show the faults in force."""
        return faults.config

    @router.post("", response_model=config_type)
    async def set_faults(body: Annotated[dict[str, Any], Body()]) -> FaultConfig:
        """Replace the faults in force."""
        try:
            faults.config = config_type.model_validate(body)
        except ValidationError as exc:
            errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
            raise RequestValidationError(errors, body=body) from exc
        return faults.config

    @router.delete("", status_code=204)
    async def clear_faults() -> Response:
        """Clear all faults."""
        faults.config = config_type()
        return Response(status_code=204)

    return router


def add_faults(
    app: FastAPI, config: FaultConfig | None = None, *, refusal: Mapping[str, Any] | None = None
) -> FaultState:
    """Give ``app`` its own fault state: the middleware and the ``/admin/faults`` endpoints.

    Args:
        app: the stub.
        config: the faults at start, whose class says which faults the stub supports (default: ``FaultConfig()``).
        refusal: the JSON body of a 409 answer to a write refused by ``refuse_next`` (``WriteFaultConfig`` only).
    """
    faults = FaultState(config)
    app.add_middleware(FaultMiddleware, faults=faults, refusal=refusal)
    app.include_router(fault_router(faults))
    return faults
