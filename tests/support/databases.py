"""Throw-away databases for tests: a SQLite file, or a PostgreSQL database created and dropped around the test."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from db.migrate import upgrade

POSTGRES_URL = os.environ.get("RINGI_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextlib.asynccontextmanager
async def fresh_database(backend: str, data_dir: Path) -> AsyncIterator[str]:
    """A migrated, empty database of ``backend``; skips the test when PostgreSQL is not configured."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{data_dir / 'ringi.db'}"
        upgrade(url)
        yield url
        return
    if not POSTGRES_URL:
        pytest.skip("RINGI_TEST_POSTGRES_URL is not set")
    name = f"ringi_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
        upgrade(url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
