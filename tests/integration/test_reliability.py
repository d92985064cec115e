"""Crashes and outages: a killed worker loses nothing; an action while no worker runs answers 503, then applies once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from temporalio.client import Client

from tests.api.support import completed
from tests.support.stack import Stack, WorkerProcess, api_stack, holder, settings_for

DRAFTER = holder("somu.somu", "staff")
MANAGER = holder("somu.somu", "manager")
FINANCE = holder("somu.zaisei", "manager")
DIRECTOR = holder("somu", "director")


@pytest_asyncio.fixture(loop_scope="session")
async def api_only(
    seeded_database_url: str, temporal_client: Client, hr_url: str, tmp_path: Path
) -> AsyncIterator[tuple[Stack, WorkerProcess]]:
    """The API in-process; the worker as a separate `ringi worker` process the test can kill."""
    settings = settings_for(
        database_url=seeded_database_url,
        temporal=temporal_client,
        hr_url=hr_url,
        data_dir=tmp_path,
        action_timeout_seconds=1.0,
    )
    worker = WorkerProcess(settings, tmp_path / "worker.log")
    async with api_stack(settings, temporal_client) as stack:
        try:
            yield stack, worker
        finally:
            worker.stop()


async def audit_actions(stack: Stack, document_id: str) -> list[str]:
    r = await stack.call(DRAFTER, "GET", f"/v1/documents/{document_id}/audit")
    assert r.json()["verified"] is True
    return [e["action"] for e in r.json()["events"]]


async def retry_until_ok(stack: Stack, staff_id: str, document_id: str, action: str, key: str) -> dict[str, object]:
    for _ in range(60):
        r = await stack.act(staff_id, document_id, action, key=key)
        if r.status_code == 200:
            return dict(r.json())
        assert r.status_code == 503, r.text
        await asyncio.sleep(0.5)
    raise AssertionError("the action never succeeded")


async def submit_until_ok(stack: Stack, document_id: str) -> dict[str, object]:
    """Submit with one Idempotency-Key, retrying while the worker process is still starting."""
    for _ in range(60):
        r = await stack.call(DRAFTER, "POST", f"/v1/documents/{document_id}/submit", headers={"Idempotency-Key": "s1"})
        if r.status_code == 200:
            return dict(r.json())
        assert r.status_code == 503, r.text
        await asyncio.sleep(0.5)
    raise AssertionError("the submit never succeeded")


async def test_killing_the_worker_between_approvals_loses_nothing(api_only: tuple[Stack, WorkerProcess]) -> None:
    stack, worker = api_only
    worker.start()
    doc = await stack.draft(DRAFTER, amount_yen=1_500_000)
    submitted = await submit_until_ok(stack, doc["id"])
    assert submitted["pending"] == [MANAGER]

    await retry_until_ok(stack, MANAGER, doc["id"], "approve", key="a1")
    worker.kill()  # SIGKILL: no graceful shutdown
    worker.start()
    state = await retry_until_ok(stack, FINANCE, doc["id"], "approve", key="a2")
    assert state["pending"] == [DIRECTOR]
    worker.kill()
    worker.start()
    state = await retry_until_ok(stack, DIRECTOR, doc["id"], "approve", key="a3")
    assert state["status"] == "approved"

    await completed(stack, DRAFTER, doc["id"])
    assert await audit_actions(stack, doc["id"]) == [
        *("create", "submit", "approve", "approve", "approve"),
        *("number", "complete"),  # each once, across the kills
    ]


async def test_action_while_worker_is_down_answers_503_then_applies_once(
    api_only: tuple[Stack, WorkerProcess],
) -> None:
    stack, worker = api_only
    worker.start()
    doc = await stack.draft(DRAFTER, amount_yen=300_000)
    await submit_until_ok(stack, doc["id"])
    worker.stop()

    loop = asyncio.get_running_loop()
    started = loop.time()
    r = await stack.act(MANAGER, doc["id"], "approve", key="while-down")
    waited = loop.time() - started
    assert r.status_code == 503, r.text
    assert r.headers["retry-after"].isdigit()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "Idempotency-Key" in r.json()["detail"]
    assert waited < 1.0 + 4.0  # the configured 1 s, plus request overhead (generous: a loaded box)

    r = await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}")
    assert r.json()["status"] == "in_review"  # nothing half-applied

    worker.start()
    first = await retry_until_ok(stack, MANAGER, doc["id"], "approve", key="while-down")
    again = await retry_until_ok(stack, MANAGER, doc["id"], "approve", key="while-down")
    assert first["status"] == again["status"] == "approved"
    assert (await audit_actions(stack, doc["id"])).count("approve") == 1
