"""Crash test of the 人事給与 posting: one posting per decided 庶務 request, whatever crashed on the way.

Two storms, with ``ringi worker`` as a real child process:

- targeted: HR withholds its answer to the next write it has committed (``timeout_after_write``); as soon as the
  posting is in HR's database (the worker's activity still waiting for the answer) the worker is SIGKILLed and
  restarted.  The activity's attempt is lost with the worker; Temporal retries it on the new one, with the same
  idempotency key, and HR answers with the posting it already has.
- mixed: several requests decided at once while HR withholds several answers (the client gives up after 5 s and
  retries) and the worker is killed at a random moment; a withdrawn request among them must post nothing.

Afterwards HR holds exactly one posting per decided request, whose id the document shows.  ``pytest -s`` prints
the counts.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from temporalio.client import Client

from tests.support.stack import CITY, Stack, WorkerProcess, api_stack, holder, settings_for

SEED = int(os.environ.get("RINGI_CRASH_SEED", "20250401"))
UNIT = "doboku.doboku"
MANAGER = holder(UNIT, "manager")
DRAFTERS = [a.staff_id for a in CITY.assignments if a.org_unit_code == UNIT and a.post_code in ("staff", "chief")]
ACTION_TIMEOUT_S = 1.0
REQUEST_PATIENCE_S = 120.0
#: Above the worker's HR client timeout (5 s): in the mixed storm the client always gives up first.
WITHHOLD_MS = 8_000


def request_details(rng: random.Random, index: int) -> dict[str, Any]:
    """A request the 課長 decides alone (up to 2 days; overtime well ahead), of a kind the seed picks."""
    start = date(2032, 1, 5) + timedelta(days=7 * index)
    kind = rng.choice(("leave", "trip", "overtime"))
    if kind == "leave":
        days = rng.choice((0.5, 1, 2))
        return {
            "matter": "leave",
            "kind": "special",
            "start": str(start),
            "end": str(start + timedelta(1)),
            "days": days,
        }
    if kind == "trip":
        return {
            "matter": "trip",
            "destination": "山口市",
            "purpose": "研修",
            "start": str(start),
            "end": str(start),
            "days": 1,
        }
    hours = rng.choice((1, 2.5, 4))
    return {
        "matter": "overtime",
        "work_date": str(start),
        "start_time": "17:30",
        "end_time": "22:00",
        "hours": hours,
        "reason": "選挙事務",
    }


@pytest_asyncio.fixture(loop_scope="session")
async def crash_stack(
    seeded_database_url: str, temporal_client: Client, hr_url: str, tmp_path: Path
) -> AsyncIterator[tuple[Stack, WorkerProcess, Path]]:
    """The API in-process (503 after 1 s); the worker a `ringi worker` process the test kills and restarts."""
    settings = settings_for(
        database_url=seeded_database_url,
        temporal=temporal_client,
        hr_url=hr_url,
        data_dir=tmp_path,
        action_timeout_seconds=ACTION_TIMEOUT_S,
    )
    log_path = tmp_path / "worker.log"
    worker = WorkerProcess(settings, log_path)
    async with api_stack(settings, temporal_client) as stack:
        try:
            yield stack, worker, log_path
        finally:
            worker.stop()


class Storm:
    def __init__(self, stack: Stack, worker: WorkerProcess, log_path: Path, hr: httpx.AsyncClient) -> None:
        self.stack, self.worker, self.log_path, self.hr = stack, worker, log_path, hr
        self.starts = 0
        self.kills = 0
        self.retries_503 = 0

    async def start(self) -> None:
        self.worker.start()
        self.starts += 1
        async with asyncio.timeout(30):
            while True:
                log = await asyncio.to_thread(self.log_path.read_text, errors="replace")
                if log.count("worker.started") >= self.starts:
                    return
                await asyncio.sleep(0.05)

    async def restart(self) -> None:
        self.worker.kill()  # SIGKILL: no graceful shutdown, whatever it was doing
        self.kills += 1
        await self.start()

    async def answered(self, staff_id: str, method: str, path: str, *, key: str, **kwargs: Any) -> dict[str, Any]:
        """A request that must succeed, retried on 503 with the same Idempotency-Key."""
        deadline = time.monotonic() + REQUEST_PATIENCE_S
        while True:
            r = await self.stack.call(staff_id, method, path, headers={"Idempotency-Key": key}, **kwargs)
            if r.status_code != 503:
                assert r.status_code in (200, 201), f"{method} {path}: {r.status_code} {r.text}"
                return dict(r.json())
            self.retries_503 += 1
            assert time.monotonic() < deadline, f"{method} {path} still answers 503"
            await asyncio.sleep(0.2)

    async def submitted(self, index: int, details: dict[str, Any]) -> str:
        drafter = DRAFTERS[index % len(DRAFTERS)]
        body = {"title": f"庶務申請（{index}）", "matter": details["matter"], "amount_yen": 0, "details": details}
        doc = await self.answered(drafter, "POST", "/v1/documents", key=f"h{index}-draft", json=body)
        state = await self.answered(drafter, "POST", f"/v1/documents/{doc['id']}/submit", key=f"h{index}-submit")
        assert state["pending"] == [MANAGER], state
        return str(doc["id"])

    async def act(self, staff_id: str, document_id: str, action: str, key: str) -> None:
        body = {"action": action, "comment": "取下げ" if action == "withdraw" else ""}
        await self.answered(staff_id, "POST", f"/v1/documents/{document_id}/actions", key=key, json=body)

    async def postings(self, document_id: str) -> list[dict[str, Any]]:
        return list((await self.hr.get("/postings", params={"document_id": document_id})).json())

    async def written(self, document_id: str) -> None:
        """Wait until HR has stored the document's posting (its answer may still be withheld)."""
        async with asyncio.timeout(30):
            while True:
                if await self.postings(document_id):
                    return
                await asyncio.sleep(0.02)

    async def settled(self, document_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + 90
        while True:
            doc = (await self.stack.call(MANAGER, "GET", f"/v1/documents/{document_id}")).json()
            if doc["hr"]["state"] != "none":
                return dict(doc)
            assert time.monotonic() < deadline, f"{document_id} never posted: {doc['status']} {doc['hr']}"
            await asyncio.sleep(0.2)

    async def arm(self, writes: int, withhold_ms: int) -> None:
        r = await self.hr.post("/admin/faults", json={"timeout_after_write": writes, "withhold_ms": withhold_ms})
        r.raise_for_status()


async def test_one_posting_per_decided_request_through_worker_kills_and_lost_answers(
    crash_stack: tuple[Stack, WorkerProcess, Path], hr_url: str
) -> None:
    stack, worker, log_path = crash_stack
    rng = random.Random(SEED)
    decided: list[str] = []
    async with httpx.AsyncClient(base_url=hr_url, timeout=10) as hr:
        storm = Storm(stack, worker, log_path, hr)
        (await hr.delete("/admin/faults")).raise_for_status()
        try:
            await storm.start()
            # Targeted: killed right after HR's write, before the activity could complete.
            for index in range(2):
                document_id = await storm.submitted(index, request_details(rng, index))
                await storm.arm(1, 60_000)
                await storm.act(MANAGER, document_id, "approve", key=f"h{index}-approve")
                await storm.written(document_id)
                assert (await hr.get("/admin/faults")).json()["timeout_after_write"] == 0  # its answer is held
                await storm.restart()
                decided.append(document_id)

            # Mixed: answers withheld (the client gives up and retries), a kill at a random moment.
            batch = list(range(2, 8))
            ids = {i: await storm.submitted(i, request_details(rng, i)) for i in batch}
            withdrawn = ids.pop(batch[-1])
            await storm.act(DRAFTERS[batch[-1] % len(DRAFTERS)], withdrawn, "withdraw", key="h-withdraw")
            await storm.arm(3, WITHHOLD_MS)

            async def approve(index: int, document_id: str) -> None:
                await asyncio.sleep(rng.uniform(0, 1.0))
                await storm.act(MANAGER, document_id, "approve", key=f"h{index}-approve")

            async def kill_later() -> None:
                await asyncio.sleep(rng.uniform(1.0, 3.0))
                await storm.restart()

            async with asyncio.timeout(120), asyncio.TaskGroup() as group:
                for index, document_id in ids.items():
                    group.create_task(approve(index, document_id))
                group.create_task(kill_later())
            decided += ids.values()

            async with asyncio.timeout(120):
                docs = {document_id: await storm.settled(document_id) for document_id in decided}
            withheld = 3 - (await hr.get("/admin/faults")).json()["timeout_after_write"]
        finally:
            await hr.delete("/admin/faults")
        postings = {document_id: await storm.postings(document_id) for document_id in [*decided, withdrawn]}

    print(
        f"\nHR posting crash test (seed {SEED}): {len(decided)} decided, 1 withdrawn, {storm.kills} worker kills, "
        f"{2 + withheld} answers withheld, {storm.retries_503} retries on 503"
    )
    assert storm.kills == 3
    assert withheld >= 1
    for document_id in decided:
        doc = docs[document_id]
        assert (doc["status"], doc["hr"]["state"]) == ("approved", "posted"), doc
        assert [p["id"] for p in postings[document_id]] == [doc["hr"]["posting_id"]], (document_id, postings)
        assert postings[document_id][0]["kind"] == doc["matter"]
    assert postings[withdrawn] == []
