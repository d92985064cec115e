"""A whole stack per test, with an HR stub of its own: transfers change the org chart and absences who is away,
which must not leak into other tests (the session's shared HR stub)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import Client

from core.demo_city import generate_city
from core.settings import Settings
from db.seed import seed_demo
from stubs.hr.app import create_app as create_hr_app
from tests.support.databases import BACKENDS, fresh_database
from tests.support.serve import serve_app
from tests.support.stack import Stack, api_stack, in_process_worker, settings_for


@pytest_asyncio.fixture(loop_scope="session", params=BACKENDS)
async def org_stack(request: pytest.FixtureRequest, temporal_client: Client, tmp_path: Path) -> AsyncIterator[Stack]:
    async with (
        fresh_database(request.param, tmp_path) as url,
        serve_app(create_hr_app(tmp_path / "hr.db", city=generate_city())) as hr_url,
    ):
        await seed_demo(Settings(database_url=url, data_dir=tmp_path))
        settings = settings_for(database_url=url, temporal=temporal_client, hr_url=hr_url, data_dir=tmp_path)
        async with in_process_worker(settings, temporal_client), api_stack(settings, temporal_client) as stack:
            yield stack
