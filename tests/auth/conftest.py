"""Sign-in tests run the API in process (httpx ASGITransport, so each client has the address a test gives it) on a
seeded database per module and backend.  Nothing here needs Temporal: sign-in, enrolment and drafts are
database-only.  Each test signs in as staff members of its own (``Staff.take``), so counters never collide.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from api.app import create_app
from core.settings import Settings
from db.seed import seed_demo
from tests.api.support import DRAFTER
from tests.support.databases import BACKENDS, fresh_database
from tests.support.stack import CITY

OFFICE_IP = "127.0.0.1"
HOME_IP = "203.0.113.5"  # TEST-NET-3: a teleworker's home connection


@pytest_asyncio.fixture(scope="module", loop_scope="session", params=BACKENDS)
async def signin_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    data_dir = tmp_path_factory.mktemp("signin-db")
    async with fresh_database(request.param, data_dir) as url:
        await seed_demo(Settings(database_url=url, data_dir=data_dir))
        yield url


class Staff:
    """Hands out staff members of the demo city, each once per database (the admin is not among them)."""

    def __init__(self) -> None:
        self._pool: Iterator[str] = iter([s.id for s in CITY.staff if not s.is_admin and s.id != DRAFTER][20:])

    def take(self) -> str:
        return next(self._pool)


@pytest.fixture(scope="module")
def staff() -> Staff:
    return Staff()


@dataclass
class Api:
    """One app (one set of settings) and clients on it from any address."""

    app: FastAPI
    settings: Settings

    @contextlib.asynccontextmanager
    async def client(self, ip: str = OFFICE_IP, **headers: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=self.app, client=(ip, 50123))
        async with httpx.AsyncClient(transport=transport, base_url="http://ringi.test", headers=headers) as http:
            yield http

    async def sign_in(
        self, staff_id: str, *, ip: str = OFFICE_IP, password: str = "demo", **extra: Any
    ) -> httpx.Response:
        async with self.client(ip, **{"user-agent": "pytest-signin"}) as http:
            return await http.post("/v1/auth/token", json={"staff_id": staff_id, "password": password, **extra})

    async def token(self, staff_id: str, *, ip: str = OFFICE_IP, **extra: Any) -> str:
        r = await self.sign_in(staff_id, ip=ip, **extra)
        assert r.status_code == 200, r.text
        return str(r.json()["access_token"])


@contextlib.asynccontextmanager
async def running_api(database_url: str, data_dir: Path, **overrides: Any) -> AsyncIterator[Api]:
    # The module's tests all fail sign-ins from the office address on one database: the back-off is tested with
    # its own settings (tests/auth/test_throttle.py).
    overrides.setdefault("throttle_address_free", 10_000)
    settings = Settings(
        data_dir=data_dir,
        database_url=database_url,
        temporal_address="127.0.0.1:9",  # lazy: nothing here calls Temporal
        hr_url="http://127.0.0.1:9",
        finance_url="http://127.0.0.1:9",
        **overrides,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield Api(app=app, settings=settings)


@pytest_asyncio.fixture(loop_scope="session")
async def api(signin_database: str, tmp_path: Path) -> AsyncIterator[Api]:
    """The API with the default settings: 127.0.0.0/8 is the office network, no trusted proxy."""
    async with running_api(signin_database, tmp_path) as running:
        yield running
