"""One real stack per database for the whole API test package: Temporal, HR stub, worker, API over HTTP.

Building a stack costs about a second, so the API tests share one per database (SQLite and PostgreSQL);
every test creates its own documents and compares before/after snapshots, so they do not interfere.
"""

from __future__ import annotations

import contextlib
import os
import socket
import types
import uuid
from collections.abc import AsyncIterator, Iterator
from unittest import mock

import asyncpg
import pytest
import pytest_asyncio
from temporalio.client import Client

from core.settings import Settings
from db.migrate import upgrade
from db.seed import seed_demo
from stubs.hr.app import create_app as create_hr_app
from tests.support import serve
from tests.support.stack import Stack, api_stack, in_process_worker, settings_for

POSTGRES_URL = os.environ.get("RINGI_TEST_POSTGRES_URL")


@contextlib.contextmanager
def tcp_nodelay() -> Iterator[None]:
    """Make ``serve_app`` bind an IPPROTO_TCP socket, so asyncio sets TCP_NODELAY on its connections.

    Workaround: tests/support/serve.py creates ``socket.socket(AF_INET, SOCK_STREAM)`` (proto 0); asyncio
    only sets TCP_NODELAY when ``sock.proto == IPPROTO_TCP``, so every response (headers and body written
    separately) waits ~40 ms for the client's delayed ACK.  Remove once serve.py passes IPPROTO_TCP.
    """
    shim = types.SimpleNamespace(**{n: getattr(socket, n) for n in dir(socket) if not n.startswith("__")})
    shim.socket = lambda family, kind: socket.socket(family, kind, socket.IPPROTO_TCP)
    with mock.patch.object(serve, "socket", shim):
        yield


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def hr_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """The HR stub, as in tests/conftest.py but served without the delayed-ACK stall (see ``tcp_nodelay``)."""
    async with contextlib.AsyncExitStack() as exits:
        with tcp_nodelay():
            url = await exits.enter_async_context(
                serve.serve_app(create_hr_app(tmp_path_factory.mktemp("hr") / "hr.db"))
            )
        yield url


@pytest_asyncio.fixture(
    scope="package",
    loop_scope="session",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
async def api_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A fresh, migrated and seeded database shared by the package (cf. ``database_url`` in tests/conftest.py)."""
    data_dir = tmp_path_factory.mktemp("api-db")
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{data_dir / 'ringi.db'}"
        upgrade(url)
        await seed_demo(Settings(database_url=url, data_dir=data_dir))
        yield url
        return
    if not POSTGRES_URL:
        pytest.skip("RINGI_TEST_POSTGRES_URL is not set")
    name = f"ringi_test_{uuid.uuid4().hex[:12]}"
    dsn = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
        upgrade(url)
        await seed_demo(Settings(database_url=url, data_dir=data_dir))
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def stack(
    api_database_url: str,
    temporal_client: Client,
    hr_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Stack]:
    settings = settings_for(
        database_url=api_database_url,
        temporal=temporal_client,
        hr_url=hr_url,
        data_dir=tmp_path_factory.mktemp("api-stack"),
    )
    async with contextlib.AsyncExitStack() as exits:
        await exits.enter_async_context(in_process_worker(settings, temporal_client))
        with tcp_nodelay():
            stack = await exits.enter_async_context(api_stack(settings, temporal_client))
        yield stack
