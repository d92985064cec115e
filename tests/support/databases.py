"""Throw-away databases for tests: a SQLite file, or a PostgreSQL database created and dropped around the test.

Migrating (and seeding the demo city) takes a while, so each process (each xdist worker) migrates once per backend
into a template, and seeds once into a second one, and every test gets a copy: the SQLite file copied, or
``CREATE DATABASE … TEMPLATE``.  Names carry the worker and a random
part, so workers (and concurrent runs) never share a database.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from core.settings import Settings
from db.migrate import upgrade
from db.seed import seed_demo

POSTGRES_URL = os.environ.get("RINGI_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")

_templates: dict[str, str] = {}


@contextlib.asynccontextmanager
async def fresh_database(backend: str, data_dir: Path, *, seeded: bool = False) -> AsyncIterator[str]:
    """A migrated database of ``backend``, empty or (``seeded``) holding the demo city as ``ringi seed`` leaves it;
    skips the test when PostgreSQL is not configured."""
    if backend == "sqlite":
        path = data_dir / "ringi.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(await (_sqlite_seeded() if seeded else _sqlite_template()), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    if not POSTGRES_URL:
        pytest.skip("RINGI_TEST_POSTGRES_URL is not set")
    template = await (_postgres_seeded() if seeded else _postgres_template())
    name = _unique_name("ringi_test")
    admin = await asyncpg.connect(_admin_dsn())
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        yield _database_url(name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def _unique_name(prefix: str) -> str:
    return f"{prefix}_{WORKER}_{uuid.uuid4().hex[:12]}"


def _admin_dsn() -> str:
    assert POSTGRES_URL
    return POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")


def _database_url(name: str) -> str:
    assert POSTGRES_URL
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


async def _sqlite_template() -> Path:
    """This process's migrated SQLite file (a single file: alembic's engine is gone, nothing is left in a WAL)."""
    if "sqlite" not in _templates:
        folder = Path(tempfile.mkdtemp(prefix=f"ringi-template-{WORKER}-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "template.db"
        await asyncio.to_thread(upgrade, f"sqlite+aiosqlite:///{path}")
        _templates["sqlite"] = str(path)
    return Path(_templates["sqlite"])


async def _sqlite_seeded() -> Path:
    """The migrated template with the demo city seeded into it (a copy: the empty template stays empty)."""
    if "sqlite-seeded" not in _templates:
        path = (await _sqlite_template()).with_name("seeded.db")
        shutil.copyfile(await _sqlite_template(), path)
        await seed_demo(Settings(database_url=f"sqlite+aiosqlite:///{path}", data_dir=path.parent))
        _templates["sqlite-seeded"] = str(path)
    return Path(_templates["sqlite-seeded"])


async def _postgres_seeded() -> str:
    """A second template: the migrated one copied, with the demo city seeded into it."""
    if "postgres-seeded" not in _templates:
        template = await _postgres_template()
        name = _unique_name("ringi_seeded")
        admin = await asyncpg.connect(_admin_dsn())
        try:
            await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            await admin.close()
        atexit.register(_drop_database, name)
        await seed_demo(Settings(database_url=_database_url(name), data_dir=Path(tempfile.gettempdir())))
        _templates["postgres-seeded"] = name
    return _templates["postgres-seeded"]


async def _postgres_template() -> str:
    """This process's migrated PostgreSQL template database (dropped when the process exits)."""
    if "postgres" not in _templates:
        name = _unique_name("ringi_template")
        admin = await asyncpg.connect(_admin_dsn())
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        atexit.register(_drop_database, name)
        await asyncio.to_thread(upgrade, _database_url(name))
        _templates["postgres"] = name
    return _templates["postgres"]


def _drop_database(name: str) -> None:
    async def drop() -> None:
        admin = await asyncpg.connect(_admin_dsn())
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()

    with contextlib.suppress(Exception):
        asyncio.run(drop())
