"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and go back down."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from db.migrate import downgrade, upgrade
from db.models import Base
from db.search_index import in_models
from db.session import create_engine


def _differences(connection: Connection) -> list[Any]:
    return list(
        compare_metadata(MigrationContext.configure(connection, opts={"include_name": in_models}), Base.metadata)
    )


async def test_models_match_the_migrated_schema(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()


async def test_downgrade_to_base_and_back(database_url: str) -> None:
    downgrade(database_url, "base")
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()
