"""A pooled PostgreSQL connection broken mid-operation (asyncpg: "another operation is in progress", found by
bench/chaos.py's pg_terminate_backend) is a disconnect: the error says the connection is invalidated (the API
answers 503) and the pool hands out a fresh connection next, never the broken one again."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from db.session import connection_broken, create_engine
from tests.support.databases import POSTGRES_URL

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="RINGI_TEST_POSTGRES_URL is not set"),
]


async def test_a_connection_broken_mid_operation_is_discarded_by_the_pool() -> None:
    assert POSTGRES_URL
    engine = create_engine(POSTGRES_URL, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as connection:
            backend = await connection.scalar(text("SELECT pg_backend_pid()"))
            raw = (await connection.get_raw_connection()).driver_connection
            assert raw is not None
            busy = asyncio.create_task(raw.fetchval("SELECT pg_sleep(0.3)"))  # an operation left running on it
            await asyncio.sleep(0.05)
            with pytest.raises(DBAPIError) as caught:
                await connection.execute(text("SELECT 1"))
            with contextlib.suppress(Exception):
                await busy
        assert "another operation is in progress" in str(caught.value)
        assert caught.value.connection_invalidated and connection_broken(caught.value)

        async with engine.connect() as connection:  # the one pooled connection was replaced
            assert await connection.scalar(text("SELECT pg_backend_pid()")) != backend
    finally:
        await engine.dispose()
