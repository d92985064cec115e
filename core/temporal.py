"""The one way to connect to Temporal: every client (worker, API, tests, bench) uses the pydantic converter,
encrypting its payloads when a payload key is set."""

from __future__ import annotations

from collections.abc import Sequence

from temporalio.client import Client, Interceptor
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import Runtime

from core.payload_codec import with_encryption


async def connect_client(
    address: str,
    namespace: str,
    *,
    lazy: bool = False,
    interceptors: Sequence[Interceptor] = (),
    runtime: Runtime | None = None,
    payload_keys: Sequence[str] = (),
) -> Client:
    """``lazy``: connect on first use, so the API starts (and answers 503) while Temporal is still down.
    ``interceptors``: tracing (core/telemetry.py); ``runtime``: one exporting the SDK's metrics."""
    return await Client.connect(
        address,
        namespace=namespace,
        data_converter=with_encryption(pydantic_data_converter, payload_keys),
        lazy=lazy,
        interceptors=interceptors,
        runtime=runtime,
    )
