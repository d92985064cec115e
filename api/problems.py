"""RFC 9457 problem details: every error leaves the API in this one shape, with a human-readable ``detail``."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import RingiError
from db.session import connection_broken

log = structlog.get_logger("ringi.api")

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int, title: str, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _describe(errors: list[dict[str, Any]]) -> str:
    parts = []
    for error in errors[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(RingiError)
    async def _ringi(_: Request, exc: RingiError) -> JSONResponse:
        return problem(exc.status, exc.title, exc.detail, headers=exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()
        ]
        return problem(422, "Invalid input", _describe(errors), errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI's "error parsing the body" (malformed JSON or multipart): bad input
            return problem(422, "Invalid input", f"body: the request body could not be parsed ({exc.detail})")
        return problem(exc.status_code, str(exc.detail), str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(DBAPIError)
    async def _database(_: Request, exc: DBAPIError) -> JSONResponse:
        return _unexpected_or_lost(exc)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        return _unexpected_or_lost(exc)


def _unexpected_or_lost(exc: Exception) -> JSONResponse:
    """A 500, unless the connection died under the request (database restarted, backend terminated, asyncpg's
    connection broken mid-operation): its transaction is gone, so a retry is safe; found by bench/chaos.py."""
    if connection_broken(exc):
        log.warning("api.database_connection_lost", error=str(getattr(exc, "orig", exc))[:200])
        return problem(
            503,
            "Database unavailable",
            "the connection to the database was lost; retry with the same Idempotency-Key",
            headers={"Retry-After": "1"},
        )
    log.exception("api.unexpected_error", error=repr(exc))
    return problem(500, "Internal error", "an unexpected error occurred; it has been logged")
