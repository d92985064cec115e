"""A request whose database connection dies under it (PostgreSQL restarted, its backend terminated) answers 503
+ Retry-After, not 500 (found by bench/chaos.py's pg_terminate_backend); other database errors stay 500."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError

from api.problems import install_problem_handlers


class Lost(Exception):
    pass


def app_raising(*, invalidated: bool) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/x")
    async def x() -> None:
        raise DBAPIError("UPDATE documents …", {}, Lost("terminating connection"), connection_invalidated=invalidated)

    return app


async def answer(app: FastAPI) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        return await http.post("/x")


async def test_a_lost_connection_is_a_503_with_retry_after() -> None:
    r = await answer(app_raising(invalidated=True))
    assert r.status_code == 503 and r.headers["retry-after"] == "1"
    assert r.headers["content-type"] == "application/problem+json"
    assert "Idempotency-Key" in r.json()["detail"]


async def test_another_database_error_is_still_a_500() -> None:
    r = await answer(app_raising(invalidated=False))
    assert r.status_code == 500
