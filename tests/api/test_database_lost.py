"""A request whose database connection dies under it (PostgreSQL restarted, its backend terminated) answers 503
+ Retry-After, not 500 (found by bench/chaos.py's pg_terminate_backend); other database errors stay 500."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
import sqlalchemy.exc
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError, EmulatedDBAPIException

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


def app_raising_error(error: Exception) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/x")
    async def x() -> None:
        raise error

    return app


def asyncpg_wrapped(error: Exception) -> DBAPIError:
    """As SQLAlchemy's asyncpg dialect raises it: its own DBAPI error caused by asyncpg's, inside a DBAPIError."""
    adapted = AdaptedError(str(error), error)
    adapted.__cause__ = error
    return sqlalchemy.exc.InternalError("SELECT …", {}, adapted, connection_invalidated=False)


class AdaptedError(EmulatedDBAPIException):
    pass


BROKEN = [
    asyncpg.InternalClientError("cannot switch to state 12; another operation (2) is in progress"),
    asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
    asyncpg.InterfaceError("cannot perform operation: connection is closed"),
]


@pytest.mark.parametrize("error", BROKEN, ids=["switch-state", "in-progress", "closed"])
async def test_asyncpgs_broken_connection_is_a_503_too(error: Exception) -> None:
    """bench/chaos.py after pg_terminate_backend: asyncpg's connection broken mid-operation, not (yet) flagged as a
    disconnect, answered 500; wrapped by SQLAlchemy or raised bare, it is a lost connection like any other."""
    for raised in (asyncpg_wrapped(error), error):
        r = await answer(app_raising_error(raised))
        assert r.status_code == 503 and r.headers["retry-after"] == "1", raised
        assert r.headers["content-type"] == "application/problem+json"


async def test_another_asyncpg_client_error_is_still_a_500() -> None:
    r = await answer(app_raising_error(asyncpg_wrapped(asyncpg.InternalClientError("no binary format encoder"))))
    assert r.status_code == 500
