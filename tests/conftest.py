"""Shared fixtures: the Temporal dev server (once per session), databases on SQLite and PostgreSQL, the HR stub."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from cli.dev import find_temporal, search_attribute_args
from core.demo_city import generate_city
from stubs.finance.app import create_app as create_finance_app
from stubs.hr.app import create_app as create_hr_app
from tests.support.databases import BACKENDS, fresh_database
from tests.support.serve import serve_app

pytest_plugins = ["tests.support.skips", "tests.support.schedule", "tests.support.cheap_hashing"]

#: The slow end-to-end tests (a real dev server and worker processes end to end, the browser, kill/restart):
#: ``make test-fast`` (``-m "not slow"``) leaves them out.  Chosen with ``--durations``.
SLOW = (
    "tests/browser/",
    "tests/reliability/",
    "tests/integration/",
    "tests/domain/test_offers.py",  # property tests with many examples: 20-30 s each
    "tests/domain/test_chain_properties.py",
    "tests/api/test_fuzz.py",  # schemathesis over every operation on a stack of its own
    # the exhaustive matrices (every route or action × role × level × state: 1,300 cases); make test runs them
    "tests/api/test_confidentiality.py",
    "tests/api/test_action_authorisation.py",
    "tests/api/test_authorisation_matrix.py",
    "tests/api/test_bad_input.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = item.path.as_posix()
        # The pages' own axe checks in tests/web drive Chromium like tests/browser/ (their names say "axe").
        if any(f"/{slow}" in path for slow in SLOW) or "_axe" in item.name:
            item.add_marker(pytest.mark.slow)


#: The embedded server as `ringi dev` starts it (see DESIGN.md §5).
DEV_SERVER_ARGS = [
    "--sqlite-pragma",
    "journal_mode=wal",
    "--dynamic-config-value",
    "history.transferProcessorMaxPollRPS=1000",
    "--log-level",
    "error",
    *search_attribute_args(),
]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(find_temporal()),
        dev_server_extra_args=DEV_SERVER_ARGS,
        data_converter=pydantic_data_converter,
    )
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture(scope="session")
def temporal_client(temporal_env: WorkflowEnvironment) -> Client:
    return temporal_env.client


@pytest_asyncio.fixture(loop_scope="session", params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, migrated database: a SQLite file, or a throw-away PostgreSQL database."""
    async with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest_asyncio.fixture(loop_scope="session", params=BACKENDS)
async def seeded_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database holding the demo city (copied from this process's seeded template)."""
    async with fresh_database(request.param, tmp_path, seeded=True) as url:
        yield url


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def finance_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    async with serve_app(create_finance_app(tmp_path_factory.mktemp("finance") / "finance.db")) as url:
        yield url


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def hr_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    async with serve_app(create_hr_app(tmp_path_factory.mktemp("hr") / "hr.db", city=generate_city())) as url:
        yield url
