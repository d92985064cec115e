"""The one way to connect to Temporal: every client (worker, API, tests, bench) uses the pydantic converter."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter


async def connect_client(address: str, namespace: str, *, lazy: bool = False) -> Client:
    """``lazy``: connect on first use, so the API starts (and answers 503) while Temporal is still down."""
    return await Client.connect(address, namespace=namespace, data_converter=pydantic_data_converter, lazy=lazy)
