"""The worker's heartbeat: touched only while the Temporal server sees the worker poll; the check reads its age."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from google.protobuf.timestamp_pb2 import Timestamp
from temporalio import workflow
from temporalio.api.taskqueue.v1 import PollerInfo
from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from worker.health import MAX_AGE, POLLER_FRESHNESS, heartbeat, main, problem, sees_poller

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
FAST = timedelta(milliseconds=100)


@workflow.defn(name="HealthProbe")
class HealthProbe:
    @workflow.run
    async def run(self) -> None:
        return None


def poller(identity: str, last_access: datetime) -> PollerInfo:
    stamp = Timestamp()
    stamp.FromDatetime(last_access)
    return PollerInfo(identity=identity, last_access_time=stamp)


def aged(path: Path, seconds: float) -> Path:
    path.touch()
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def test_a_fresh_heartbeat_is_healthy(tmp_path: Path) -> None:
    beat = aged(tmp_path / "beat", 1)
    assert problem(beat, now=time.time()) is None
    assert main(["--file", str(beat)]) == 0


def test_a_stale_or_missing_heartbeat_is_not(tmp_path: Path) -> None:
    stale = aged(tmp_path / "beat", MAX_AGE.total_seconds() + 5)
    assert "not polling" in (problem(stale, now=time.time()) or "")
    assert "no heartbeat" in (problem(tmp_path / "none", now=time.time()) or "")
    assert main(["--file", str(stale)]) == 1
    assert main(["--file", str(stale), "--max-age", str(MAX_AGE.total_seconds() + 60)]) == 0


def test_only_this_workers_recent_poll_counts() -> None:
    assert sees_poller([poller("1@a", NOW - timedelta(seconds=5))], "1@a", now=NOW)
    assert not sees_poller([poller("2@b", NOW)], "1@a", now=NOW)
    assert not sees_poller([poller("1@a", NOW - POLLER_FRESHNESS - timedelta(seconds=1))], "1@a", now=NOW)
    assert not sees_poller([], "1@a", now=NOW)


async def wait_for(path: Path, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await asyncio.to_thread(path.exists):
            return True
        await asyncio.sleep(0.05)
    return False


async def test_the_heartbeat_beats_while_the_worker_polls(temporal_client: Client, tmp_path: Path) -> None:
    task_queue = f"health-{uuid.uuid4().hex[:8]}"
    beat = tmp_path / "beat"
    worker = Worker(
        temporal_client, task_queue=task_queue, workflows=[HealthProbe], workflow_runner=UnsandboxedWorkflowRunner()
    )
    async with worker, heartbeat(temporal_client, task_queue, beat, interval=FAST):
        assert await wait_for(beat), "the server saw the worker poll, yet no heartbeat was written"
    assert problem(beat, now=time.time()) is None


async def test_no_heartbeat_without_a_polling_worker(temporal_client: Client, tmp_path: Path) -> None:
    beat = tmp_path / "beat"
    async with heartbeat(temporal_client, f"nobody-{uuid.uuid4().hex[:8]}", beat, interval=FAST):
        await asyncio.sleep(1.0)  # ten beats' worth of asking
    assert not beat.exists()
