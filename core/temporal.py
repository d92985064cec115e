"""The one way to connect to Temporal: every client (worker, API, tests, bench) uses the pydantic converter."""

from __future__ import annotations

from collections.abc import Sequence

from temporalio.client import Client, Interceptor
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import Runtime


async def connect_client(
    address: str,
    namespace: str,
    *,
    lazy: bool = False,
    interceptors: Sequence[Interceptor] = (),
    runtime: Runtime | None = None,
) -> Client:
    """``lazy``: connect on first use, so the API starts (and answers 503) while Temporal is still down.
    ``interceptors``: tracing (core/telemetry.py); ``runtime``: one exporting the SDK's metrics."""
    return await Client.connect(
        address,
        namespace=namespace,
        data_converter=pydantic_data_converter,
        lazy=lazy,
        interceptors=interceptors,
        runtime=runtime,
    )
