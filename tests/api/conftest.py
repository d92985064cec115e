"""One real stack per database for the whole API test package: Temporal, HR stub, worker, API over HTTP.

Building a stack costs about a second, so the API tests share one per database (SQLite and PostgreSQL);
every test creates its own documents and compares before/after snapshots, so they do not interfere.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio
from temporalio.client import Client

from core.settings import Settings
from db.migrate import upgrade
from db.seed import seed_demo
from tests.support.stack import Stack, api_stack, in_process_worker, settings_for

POSTGRES_URL = os.environ.get("RINGI_TEST_POSTGRES_URL")


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
    async with in_process_worker(settings, temporal_client), api_stack(settings, temporal_client) as stack:
        yield stack
