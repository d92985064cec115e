"""The systems under test: a whole ``ringi dev`` stack on free ports and a fresh data directory, and the bare
Temporal baseline's client and in-process worker on that stack's Temporal server.

ringi's database is SQLite in the data directory unless a PostgreSQL URL is given: then a throw-away database
(``ringi_bench_<hex>``) is created on that server for the run and dropped afterwards, so the named database
itself (e.g. ``test``) is never written to.

    with ringi_stack(database_url=None) as stack:
        print(stack.api_url, stack.pids)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from temporalio.client import Client
from temporalio.worker import Worker

from bench.bare import BareWorkflow, noop
from bench.measure import free_ports, log

if TYPE_CHECKING:
    from cli.dev import Stack
    from core.settings import Settings

STACK_TIMEOUT_SECONDS = 120.0


def stack_settings(data_dir: Path, database_url: str | None = None) -> Settings:
    """Settings on free ports and a fresh data directory; exported as RINGI_* so the children get them too."""
    from core.settings import Settings

    temporal, ui, hr, finance, api = free_ports(5)
    env = {
        "RINGI_DATA_DIR": str(data_dir),
        "RINGI_DATABASE_URL": database_url or f"sqlite+aiosqlite:///{data_dir / 'ringi.db'}",
        "RINGI_TEMPORAL_ADDRESS": f"127.0.0.1:{temporal}",
        "RINGI_TEMPORAL_UI_PORT": str(ui),
        "RINGI_HR_URL": f"http://127.0.0.1:{hr}",
        "RINGI_FINANCE_URL": f"http://127.0.0.1:{finance}",
        "RINGI_API_HOST": "127.0.0.1",
        "RINGI_API_PORT": str(api),
    }
    os.environ.update(env)
    return Settings(
        data_dir=data_dir,
        database_url=env["RINGI_DATABASE_URL"],
        temporal_address=env["RINGI_TEMPORAL_ADDRESS"],
        temporal_ui_port=ui,
        hr_url=env["RINGI_HR_URL"],
        finance_url=env["RINGI_FINANCE_URL"],
        api_host="127.0.0.1",
        api_port=api,
    )


def database_kind(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"


# --------------------------------------------------------------------------- a throw-away PostgreSQL database


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _admin(url: str, statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@contextlib.contextmanager
def throwaway_database(server_url: str, *, keep: bool = False) -> Iterator[str]:
    """A new, empty database on ``server_url``'s PostgreSQL server for the block; its URL.  Dropped after it
    (unless ``keep``).  ``server_url`` names any database there the bench may connect to (e.g. ``…/test``)."""
    name = f"ringi_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        if keep:
            log(f"database {name} kept")
        else:
            asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --------------------------------------------------------------------------- ringi


@dataclass
class RingiStack:
    """A running ``ringi dev`` stack: its settings, its children's pids and where its data and logs are."""

    settings: Settings
    stack: Stack
    data_dir: Path
    keep: bool = False  # set by the caller (e.g. a failed run): the data directory stays for its logs

    @property
    def pids(self) -> dict[str, int]:
        return self.stack.pids

    @property
    def api_url(self) -> str:
        from cli.dev import api_url

        return api_url(self.settings)

    def check_children(self) -> str | None:
        """None while every child runs; else which one died, with its log's tail."""
        dead = self.stack.exited()
        return None if dead is None else dead.failure_report()


@contextlib.contextmanager
def ringi_stack(
    *, database_url: str | None = None, staff: int | None = None, keep_data: bool = False
) -> Iterator[RingiStack]:
    """Migrate and seed, start Temporal, the stubs, the worker and the API; stop them after the block.

    ``database_url``: a PostgreSQL server to create a throw-away database on (default: SQLite in the data
    directory).  ``staff``: the demo city's size.  The data directory (logs included) is removed afterwards,
    unless ``keep_data`` or the block raised.
    """
    from cli.dev import start_stack

    data_dir = Path(tempfile.mkdtemp(prefix="ringi-bench-"))
    failed = True
    try:
        with contextlib.ExitStack() as cleanup:
            url = None
            if database_url and database_url.startswith("postgresql"):
                url = cleanup.enter_context(throwaway_database(database_url, keep=keep_data))
            elif database_url:
                raise SystemExit(f"--database-url: expected postgresql+asyncpg://…, got {database_url!r}")
            if staff:
                os.environ["RINGI_DEMO_STAFF"] = str(staff)
            settings = stack_settings(data_dir, url).model_copy(update={"demo_staff": staff})
            log(f"starting the stack in {data_dir} on {database_kind(settings.database_url)}")
            stack = start_stack(settings, timeout=STACK_TIMEOUT_SECONDS)
            cleanup.callback(stack.stop)
            running = RingiStack(settings, stack, data_dir)
            yield running
            failed = running.keep
    finally:
        if keep_data or failed:
            log(f"data and logs kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


# --------------------------------------------------------------------------- bare Temporal


@contextlib.asynccontextmanager
async def bare_worker(settings: Settings) -> AsyncIterator[tuple[Client, str]]:
    """A client of the stack's Temporal server (default converter) and an in-process worker for
    ``BareWorkflow`` on a fresh task queue: (client, task queue) for the block."""
    client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
    task_queue = f"bench-bare-{uuid.uuid4().hex[:8]}"
    async with Worker(client, task_queue=task_queue, workflows=[BareWorkflow], activities=[noop]):
        yield client, task_queue
