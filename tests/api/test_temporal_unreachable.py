"""An API process whose lazy Temporal client first connects while Temporal is down answers 503 (retry with the
same Idempotency-Key), never 500: the SDK raises a bare RuntimeError then (found by bench/chaos.py)."""

from __future__ import annotations

import pytest

from api.services.temporal_calls import bounded
from core.errors import Unavailable


async def test_a_failed_first_connection_is_a_503() -> None:
    async def call() -> None:
        raise RuntimeError(
            "Failed client connect: Server connection error: tonic::transport::Error(Transport, ConnectError("
            '"tcp connect error", 127.0.0.1:7233, Os { code: 111, kind: ConnectionRefused }))'
        )

    with pytest.raises(Unavailable) as raised:
        await bounded(call(), within_seconds=1.0)
    assert raised.value.status == 503 and "Retry-After" in raised.value.headers


async def test_other_runtime_errors_still_surface() -> None:
    async def call() -> None:
        raise RuntimeError("something else")

    with pytest.raises(RuntimeError, match="something else"):
        await bounded(call(), within_seconds=1.0)
