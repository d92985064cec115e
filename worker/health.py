"""Is this worker polling?  A heartbeat file for container healthchecks (docker-compose's ``ringi-worker``).

While it runs, the worker asks the Temporal server every ``HEARTBEAT_INTERVAL`` whether it sees this worker (by
its client identity) polling the task queue, and touches the heartbeat file only when it does.  ``python -m
worker.health`` exits 0 while the file is younger than ``MAX_AGE`` and 1, with one line saying why, when it is
missing or stale: a worker that lost the server, hangs or has stopped turns unhealthy within ``MAX_AGE``.

The file lives in the temporary directory, not under ``RINGI_DATA_DIR``: that volume is shared by every worker
replica and the API, a heartbeat must be one process's own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import structlog
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import PollerInfo, TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

log = structlog.get_logger("ringi.worker.health")

HEARTBEAT_INTERVAL = timedelta(seconds=10)
#: Three missed beats: a slow server answer once in a while does not flap the healthcheck.
MAX_AGE = 3 * HEARTBEAT_INTERVAL
#: The server records a poller when its long poll (up to about a minute) starts: older than this, it has stopped.
POLLER_FRESHNESS = timedelta(minutes=2)
DEFAULT_HEARTBEAT_FILE = Path(tempfile.gettempdir()) / "ringi-worker.heartbeat"


def sees_poller(pollers: Iterable[PollerInfo], identity: str, *, now: datetime) -> bool:
    """Whether ``identity`` is among the task queue's pollers and polled within ``POLLER_FRESHNESS`` of ``now``."""
    return any(
        poller.identity == identity and now - poller.last_access_time.ToDatetime(tzinfo=UTC) <= POLLER_FRESHNESS
        for poller in pollers
    )


async def server_sees_polling(client: Client, task_queue: str) -> bool:
    """Ask the server whether this client's identity polls ``task_queue`` for workflow tasks."""
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        ),
        timeout=HEARTBEAT_INTERVAL,
    )
    return sees_poller(response.pollers, client.identity, now=datetime.now(UTC))


async def beat(client: Client, task_queue: str, path: Path, interval: timedelta = HEARTBEAT_INTERVAL) -> None:
    """Touch ``path`` every ``interval`` while the server sees this worker poll; runs until cancelled."""
    await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
    while True:
        await asyncio.sleep(interval.total_seconds())  # first beat after one interval: the pollers start meanwhile
        try:
            polling = await server_sees_polling(client, task_queue)
        except Exception as exc:  # the server unreachable: no beat, the file ages
            log.warning("worker.heartbeat_failed", error=str(exc))
        else:
            if polling:
                await asyncio.to_thread(path.touch)
            else:
                log.warning("worker.heartbeat_not_polling", task_queue=task_queue, identity=client.identity)


@contextlib.asynccontextmanager
async def heartbeat(
    client: Client, task_queue: str, path: Path = DEFAULT_HEARTBEAT_FILE, interval: timedelta = HEARTBEAT_INTERVAL
) -> AsyncIterator[None]:
    """Beat in the background for as long as the block runs (the file is left to age when it ends)."""
    task = asyncio.create_task(beat(client, task_queue, path, interval), name="ringi-worker-heartbeat")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def problem(path: Path, *, now: float, max_age: timedelta = MAX_AGE) -> str | None:
    """Why the worker is not healthy (``now`` in epoch seconds), or None when the heartbeat is fresh."""
    try:
        age = now - path.stat().st_mtime
    except FileNotFoundError:
        return f"no heartbeat at {path}: the worker has not polled the Temporal server yet"
    if age > max_age.total_seconds():
        return f"heartbeat {path} is {age:.0f} s old (more than {max_age.total_seconds():.0f} s): not polling"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m worker.health", description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_HEARTBEAT_FILE, help="the heartbeat file")
    parser.add_argument("--max-age", type=float, default=MAX_AGE.total_seconds(), help="seconds")
    args = parser.parse_args(argv)
    found = problem(args.file, now=time.time(), max_age=timedelta(seconds=args.max_age))
    if found is not None:
        print(f"unhealthy: {found}", file=sys.stderr)
        return 1
    print("healthy: the worker is polling")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
