"""RINGI_NUMBERING=at_drafting: the 文書番号 is taken with the submission, and kept whatever follows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from temporalio.client import Client

from tests.records.test_lifecycle import DRAFTER, MANAGER, until
from tests.support.stack import Stack, api_stack, in_process_worker, settings_for


@pytest_asyncio.fixture(loop_scope="session")
async def stack(seeded_database_url: str, temporal_client: Client, hr_url: str, tmp_path: Path) -> AsyncIterator[Stack]:
    settings = settings_for(
        database_url=seeded_database_url,
        temporal=temporal_client,
        hr_url=hr_url,
        data_dir=tmp_path,
        numbering="at_drafting",
    )
    async with in_process_worker(settings, temporal_client), api_stack(settings, temporal_client) as stack:
        yield stack


async def test_numbered_at_submit_and_kept_after_withdrawal(stack: Stack) -> None:
    first = await stack.submitted(DRAFTER, amount_yen=300_000)
    second = await stack.submitted(DRAFTER, amount_yen=300_000)
    r = await stack.call(DRAFTER, "GET", f"/v1/documents/{first['id']}")
    one = r.json()["number"]
    assert one is not None and r.json()["status"] == "in_review"  # numbered before any decision
    two = (await stack.call(DRAFTER, "GET", f"/v1/documents/{second['id']}")).json()["number"]
    assert (one["symbol"], two["serial"]) == ("萩総", one["serial"] + 1)
    await stack.ok(DRAFTER, first["id"], "withdraw")
    await stack.ok(MANAGER, second["id"], "approve")
    for doc, number in ((first, one), (second, two)):
        done = await until(stack, doc["id"], lambda d: d["completed_at"] is not None)
        assert done["number"] == number  # taken once, never again
