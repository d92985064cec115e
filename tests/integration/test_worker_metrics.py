"""The worker's Temporal SDK metrics: served for Prometheus at RINGI_WORKER_METRICS_ADDRESS, absent unless set."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx
from temporalio.client import Client

from core.settings import Settings
from core.telemetry import temporal_runtime
from core.temporal import connect_client
from tests.support.stack import in_process_worker, settings_for


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_worker_serves_the_sdk_metrics_when_an_address_is_set(
    database_url: str, temporal_client: Client, hr_url: str, tmp_path: Path
) -> None:
    address = f"127.0.0.1:{free_port()}"
    settings = settings_for(
        database_url=database_url,
        temporal=temporal_client,
        hr_url=hr_url,
        data_dir=tmp_path,
        worker_metrics_address=address,
    )
    client = await connect_client(
        settings.temporal_address, settings.temporal_namespace, runtime=temporal_runtime(settings)
    )
    text = ""
    async with in_process_worker(settings, client), httpx.AsyncClient(trust_env=False) as http:
        for _ in range(100):  # the pollers report once they have polled
            text = (await http.get(f"http://{address}/metrics")).text
            if "temporal_worker_task_slots_available" in text:
                break
            await asyncio.sleep(0.1)
    assert f'task_queue="{settings.temporal_task_queue}"' in text, text[:2000]
    assert "temporal_worker_task_slots_available" in text


def test_no_runtime_of_its_own_unless_an_address_is_set(tmp_path: Path) -> None:
    assert temporal_runtime(Settings(data_dir=tmp_path)) is None
