"""Graceful stop (issue #15): SIGTERM to ``ringi worker`` stops its polling but lets the activity in flight finish
(within ``GRACEFUL_SHUTDOWN_TIMEOUT``) and report its result, instead of cancelling it for a retry elsewhere.

The activity is the budget reservation of a submitted document (財務会計 made slow by a proxy in front of the finance
stub); SIGTERM arrives while the stub holds the answer.  Likewise ``ringi api`` answers the request it is serving (a
budget read waiting on the same slow proxy) before it exits."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from temporalio.client import Client

from core.calendar import JST
from domain.fiscal import fiscal_year_of
from tests.support.databases import fresh_database
from tests.support.serve import serve_app
from tests.support.stack import WorkerProcess, api_stack, holder, settings_for
from worker.main import GRACEFUL_SHUTDOWN_TIMEOUT
from workflows.document import workflow_id

DRAFTER = holder("somu.somu", "staff")
SLOW_S = 1.5  # the reservation's answer is held this long: SIGTERM lands in the middle
START_PATIENCE_S = 60.0


class SlowFinance:
    """In front of the finance stub: a POST /reservations waits ``SLOW_S`` before it is forwarded."""

    def __init__(self, upstream: str, *, method: str = "POST", prefix: str = "reservations") -> None:
        self.upstream = upstream
        self.method, self.prefix = method, prefix
        self.reservations = 0
        self.arrived = asyncio.Event()
        self.answered = asyncio.Event()

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE"])
        async def forward(path: str, request: Request) -> Response:
            slow = request.method == self.method and path.startswith(self.prefix)
            if slow:
                self.reservations += 1
                self.arrived.set()
                await asyncio.sleep(SLOW_S)
            headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
            async with httpx.AsyncClient(base_url=self.upstream, timeout=10) as http:
                r = await http.request(
                    request.method,
                    f"/{path}",
                    params=request.query_params,
                    content=await request.body(),
                    headers=headers,
                )
            if slow:
                self.answered.set()
            return Response(r.content, status_code=r.status_code, media_type=r.headers.get("content-type"))

        return app


@contextlib.asynccontextmanager
async def slow_finance(upstream: str, **which: str) -> AsyncIterator[tuple[SlowFinance, str]]:
    proxy = SlowFinance(upstream, **which)
    async with serve_app(proxy.app()) as url:
        yield proxy, url


def log_text(log_path: Path) -> str:
    return log_path.read_text(errors="replace") if log_path.exists() else ""


async def started(log_path: Path) -> None:
    deadline = time.monotonic() + START_PATIENCE_S
    while "worker.started" not in log_text(log_path):
        assert time.monotonic() < deadline, log_text(log_path)[-3000:]
        await asyncio.sleep(0.1)


async def activity_attempts(temporal: Client, document_id: str, name: str) -> tuple[list[int], int]:
    """The attempts of ``name`` that started and how many completed, from the workflow's history."""
    events = [e async for e in temporal.get_workflow_handle(workflow_id(document_id)).fetch_history_events()]
    names = {
        e.event_id: e.activity_task_scheduled_event_attributes.activity_type.name
        for e in events
        if e.HasField("activity_task_scheduled_event_attributes")
    }
    attempts = [
        e.activity_task_started_event_attributes.attempt
        for e in events
        if e.HasField("activity_task_started_event_attributes")
        and names[e.activity_task_started_event_attributes.scheduled_event_id] == name
    ]
    completed = sum(
        1
        for e in events
        if e.HasField("activity_task_completed_event_attributes")
        and names[e.activity_task_completed_event_attributes.scheduled_event_id] == name
    )
    return attempts, completed


async def test_sigterm_lets_the_activity_in_flight_finish(
    temporal_client: Client, hr_url: str, finance_url: str, tmp_path: Path
) -> None:
    year = fiscal_year_of(datetime.now(JST).date())
    code = f"9903-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=finance_url, timeout=10) as finance:
        r = await finance.put(f"/admin/budgets/{year}/{code}", json={"name": "停止試験", "allocated_yen": 1_000_000})
        r.raise_for_status()
    async with (
        fresh_database("sqlite", tmp_path, seeded=True) as url,
        slow_finance(finance_url) as (proxy, proxy_url),
    ):
        settings = settings_for(
            database_url=url,
            temporal=temporal_client,
            hr_url=hr_url,
            finance_url=proxy_url,
            data_dir=tmp_path,
            action_timeout_seconds=2.0,  # the submit's answer is not what this test is about
        )
        log_path = tmp_path / "worker.log"
        worker = WorkerProcess(settings, log_path)
        async with api_stack(settings, temporal_client) as stack:
            worker.start()
            doc: dict[str, Any] = {}
            try:
                await started(log_path)
                doc = await stack.draft(DRAFTER, amount_yen=300_000, budget_code=code)
                submit = asyncio.create_task(stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/submit"))
                await asyncio.wait_for(proxy.arrived.wait(), 30)  # reserve_budget is in flight in the worker

                signalled = time.monotonic()
                exit_code = await asyncio.to_thread(worker.terminate, GRACEFUL_SHUTDOWN_TIMEOUT.total_seconds() + 10)
                stopped_after = time.monotonic() - signalled
                await submit  # answered 503 once no worker takes the update any more; the workflow waits for one
            finally:
                worker.stop()
                with contextlib.suppress(Exception):  # an open workflow on a queue nobody serves
                    await temporal_client.get_workflow_handle(workflow_id(doc["id"])).terminate(reason="test over")
            attempts, completed = await activity_attempts(temporal_client, doc["id"], "reserve_budget")

    assert exit_code == 0, log_text(log_path)[-3000:]
    assert proxy.answered.is_set() and proxy.reservations == 1
    assert stopped_after < GRACEFUL_SHUTDOWN_TIMEOUT.total_seconds()
    assert (attempts, completed) == ([1], 1), "the reservation was cut off by the stop and left to a retry"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_api(port: int, env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "cli.main", "api", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


async def test_sigterm_lets_the_api_answer_the_request_in_flight(
    temporal_client: Client, hr_url: str, finance_url: str, tmp_path: Path
) -> None:
    """``ringi api`` (uvicorn) on SIGTERM stops accepting, answers what it is serving, then exits."""
    year = fiscal_year_of(datetime.now(JST).date())
    code = f"9904-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=finance_url, timeout=10) as finance:
        r = await finance.put(f"/admin/budgets/{year}/{code}", json={"name": "停止試験", "allocated_yen": 700_000})
        r.raise_for_status()
    port = free_port()
    async with (
        fresh_database("sqlite", tmp_path, seeded=True) as url,
        slow_finance(finance_url, method="GET", prefix=f"budgets/{code}") as (proxy, proxy_url),
    ):
        env = {
            **os.environ,
            "RINGI_DATA_DIR": str(tmp_path),
            "RINGI_DATABASE_URL": url,
            "RINGI_TEMPORAL_ADDRESS": temporal_client.service_client.config.target_host,
            "RINGI_HR_URL": hr_url,
            "RINGI_FINANCE_URL": proxy_url,
            "RINGI_JWT_SECRET": secrets.token_hex(32),
            "RINGI_TOTP_ENCRYPTION_KEY": secrets.token_hex(32),
            "RINGI_ALLOW_DEMO": "1",
        }
        log_path = tmp_path / "api.log"
        api = start_api(port, env, log_path)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30, trust_env=False) as http:
                deadline = time.monotonic() + START_PATIENCE_S
                while True:
                    with contextlib.suppress(httpx.TransportError):
                        if (await http.get("/health")).status_code == 200:
                            break
                    assert api.poll() is None and time.monotonic() < deadline, log_text(log_path)[-3000:]
                    await asyncio.sleep(0.2)
                r = await http.post("/v1/auth/token", json={"staff_id": DRAFTER, "password": "demo"})
                token = r.json()["access_token"]
                budget = asyncio.create_task(
                    http.get(f"/v1/budgets/{code}", headers={"Authorization": f"Bearer {token}"})
                )
                await asyncio.wait_for(proxy.arrived.wait(), 30)  # the request is in flight, waiting on finance
                api.send_signal(signal.SIGTERM)
                answered = await budget
                exit_code = await asyncio.to_thread(api.wait, 20)
        finally:
            if api.poll() is None:
                api.kill()
                api.wait(10)

    assert answered.status_code == 200, answered.text
    assert answered.json()["allocated_yen"] == 700_000
    # uvicorn re-raises the signal it handled once it has shut down (so a supervisor sees "terminated by SIGTERM").
    assert exit_code in (0, -signal.SIGTERM), log_text(log_path)[-3000:]
    assert "Application shutdown complete" in log_text(log_path)
