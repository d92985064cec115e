"""One real stack per database for the whole API test package: Temporal, HR stub, worker, API over HTTP.

Building a stack costs about a second, so the API tests share one per database (SQLite and PostgreSQL);
every test creates its own documents and compares before/after snapshots, so they do not interfere.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from temporalio.client import Client

from core.settings import Settings
from db.seed import seed_demo
from tests.support.databases import BACKENDS, fresh_database
from tests.support.stack import Stack, api_stack, in_process_worker, settings_for


@pytest_asyncio.fixture(
    scope="package",
    loop_scope="session",
    params=BACKENDS,
)
async def api_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A fresh, migrated and seeded database shared by the package (cf. ``database_url`` in tests/conftest.py)."""
    data_dir = tmp_path_factory.mktemp("api-db")
    async with fresh_database(request.param, data_dir) as url:
        await seed_demo(Settings(database_url=url, data_dir=data_dir))
        yield url


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
