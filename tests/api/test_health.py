"""GET /health (alive) and GET /ready (database, Temporal, HR and finance answer), each dependency down in turn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.client import Client

from api.app import create_app
from core.settings import Settings
from tests.support.serve import serve_app
from tests.support.stack import settings_for

#: Nothing listens on the discard port.
CLOSED_PORT = 9
DEPENDENCIES = {"database", "temporal", "hr", "finance"}


@pytest.fixture
def settings(database_url: str, temporal_client: Client, hr_url: str, finance_url: str, tmp_path: Path) -> Settings:
    return settings_for(
        database_url=database_url, temporal=temporal_client, hr_url=hr_url, finance_url=finance_url, data_dir=tmp_path
    )


async def get(settings: Settings, path: str) -> httpx.Response:
    async with serve_app(create_app(settings)) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        return await http.get(path)


async def test_alive_and_ready_when_every_dependency_answers(settings: Settings) -> None:
    alive = await get(settings, "/health")
    assert alive.status_code == 200 and alive.json() == {"status": "ok"}

    ready = await get(settings, "/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {name: {"state": "up"} for name in DEPENDENCIES}


@pytest.mark.parametrize(
    ("down", "setting"),
    [
        ("database", {"database_url": f"postgresql+asyncpg://postgres@127.0.0.1:{CLOSED_PORT}/test"}),
        ("temporal", {"temporal_address": f"127.0.0.1:{CLOSED_PORT}"}),
        ("hr", {"hr_url": f"http://127.0.0.1:{CLOSED_PORT}"}),
        ("finance", {"finance_url": f"http://127.0.0.1:{CLOSED_PORT}"}),
    ],
)
async def test_not_ready_names_the_dependency_that_is_down(
    settings: Settings, down: str, setting: dict[str, Any]
) -> None:
    broken = settings.model_copy(update=setting)
    ready = await get(broken, "/ready")

    assert ready.status_code == 503, ready.text
    assert ready.headers["content-type"].startswith("application/problem+json")
    body = ready.json()
    assert body["status"] == 503 and down in body["detail"]
    checks = body["checks"]
    assert set(checks) == DEPENDENCIES
    assert checks[down]["state"] == "down" and checks[down]["reason"]
    assert all(checks[name] == {"state": "up"} for name in DEPENDENCIES - {down})
    # alive all the same: the process serves
    assert (await get(broken, "/health")).status_code == 200
