"""A worker started while Temporal is down waits for it (bench/chaos.py found it dying, then hanging, instead)."""

from __future__ import annotations

from typing import Any, cast

import pytest
from temporalio.client import Client

from worker.main import connect_when_up


async def test_the_worker_retries_until_temporal_answers() -> None:
    attempts: list[int] = []
    client = cast(Client, object())

    async def connect() -> Client:
        attempts.append(len(attempts))
        if len(attempts) < 3:
            raise RuntimeError("Failed client connect: Server connection error: tcp connect error")
        return client

    assert await connect_when_up(connect, first=0.001, most=0.002) is client
    assert len(attempts) == 3


async def test_other_errors_are_not_swallowed() -> None:
    async def connect() -> Any:
        raise ValueError("a bad namespace is not a server that is down")

    with pytest.raises(ValueError):
        await connect_when_up(connect, first=0.001)
