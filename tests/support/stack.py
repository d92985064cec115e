"""A whole ringi stack for tests: real Temporal dev server, database, HR stub over HTTP, worker, API over HTTP."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client
from temporalio.worker import Worker

from api.app import create_app
from core.demo_city import generate_city
from core.settings import Settings
from db.session import create_engine, create_sessionmaker
from integrations.attachment_store import attachment_store
from integrations.finance import HttpFinanceClient
from integrations.hr import HttpHrClient
from tests.support.databases import fresh_database
from tests.support.serve import serve_app
from worker.main import build_worker

CITY = generate_city()


def holder(org_unit: str, post: str) -> str:
    """The staff id of the (first) holder of a post in the demo city."""
    return next(a.staff_id for a in CITY.assignments if a.org_unit_code == org_unit and a.post_code == post)


@dataclass
class Stack:
    settings: Settings
    api_url: str
    temporal: Client
    http: httpx.AsyncClient
    _tokens: dict[str, str] = field(default_factory=dict)

    async def token(self, staff_id: str) -> str:
        if staff_id not in self._tokens:
            r = await self.http.post("/v1/auth/token", json={"staff_id": staff_id, "password": "demo"})
            r.raise_for_status()
            self._tokens[staff_id] = r.json()["access_token"]
        return self._tokens[staff_id]

    async def as_(self, staff_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(staff_id)}"}

    async def call(self, staff_id: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**(await self.as_(staff_id)), **kwargs.pop("headers", {})}
        return await self.http.request(method, path, headers=headers, **kwargs)

    async def act(
        self, staff_id: str, document_id: str, action: str, comment: str = "", key: str | None = None, **extra: Any
    ) -> httpx.Response:
        return await self.call(
            staff_id,
            "POST",
            f"/v1/documents/{document_id}/actions",
            json={"action": action, "comment": comment, **extra},
            headers={"Idempotency-Key": key or str(uuid.uuid4())},
        )

    async def ok(self, staff_id: str, document_id: str, action: str, comment: str = "", **extra: Any) -> dict[str, Any]:
        """An action that must succeed: its answer (the document)."""
        r = await self.act(staff_id, document_id, action, comment, **extra)
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def submitted(self, staff_id: str, amount_yen: int = 1_500_000, **overrides: Any) -> dict[str, Any]:
        """A drafted and submitted document (its submit answer)."""
        doc = await self.draft(staff_id, amount_yen, **overrides)
        r = await self.call(staff_id, "POST", f"/v1/documents/{doc['id']}/submit")
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def draft(self, staff_id: str, amount_yen: int = 1_500_000, **overrides: Any) -> dict[str, Any]:
        body = {
            "title": "備品購入について",
            "body": "下記のとおり購入してよろしいか伺います。",
            "matter": "spending",
            "amount_yen": amount_yen,
            "confidentiality": 1,
            "retention_years": 5,
            **overrides,
        }
        r = await self.call(staff_id, "POST", "/v1/documents", json=body)
        assert r.status_code == 201, r.text
        return dict(r.json())


def settings_for(
    *, database_url: str, temporal: Client, hr_url: str, data_dir: Path, finance_url: str = "", **overrides: Any
) -> Settings:
    """Settings for a test stack (a fresh task queue each); without ``finance_url`` nothing may call finance.

    Actions wait up to 15 s for the workflow (production: 2 s) unless a test sets its own: the suite runs two
    workers, each with its own dev server, on a shared 2-core machine; a test about 503s passes its timeout.
    """
    overrides.setdefault("action_timeout_seconds", 15.0)
    # Many tests sign in from 127.0.0.1 with wrong passwords on one shared database: the address back-off is
    # tested on stacks of its own (tests/auth/test_throttle.py).
    overrides.setdefault("throttle_address_free", 10_000)
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        temporal_address=temporal.service_client.config.target_host,
        temporal_namespace=temporal.namespace,
        temporal_task_queue=f"ringi-test-{uuid.uuid4().hex[:8]}",
        hr_url=hr_url,
        finance_url=finance_url or "http://127.0.0.1:9",
        **overrides,
    )


@contextlib.asynccontextmanager
async def in_process_worker(settings: Settings, temporal: Client) -> AsyncIterator[Worker]:
    engine = create_engine(settings.database_url)
    try:
        async with HttpHrClient(settings.hr_url) as hr, HttpFinanceClient(settings.finance_url) as finance:
            worker = build_worker(
                temporal,
                task_queue=settings.temporal_task_queue,
                hr=hr,
                finance=finance,
                sessions=create_sessionmaker(engine),
                archive_dir=settings.data_dir / "archives",
                attachments=attachment_store(settings.attachment_root()),
            )
            async with worker:
                yield worker
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def api_stack(settings: Settings, temporal: Client) -> AsyncIterator[Stack]:
    async with serve_app(create_app(settings)) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield Stack(settings=settings, api_url=url, temporal=temporal, http=http)


@contextlib.asynccontextmanager
async def full_stack(
    database_url: str, temporal: Client, *, hr_url: str, finance_url: str, data_dir: Path, **overrides: Any
) -> AsyncIterator[Stack]:
    """The API and a worker in this process, on a fresh task queue: what most end-to-end tests drive."""
    settings = settings_for(
        database_url=database_url,
        temporal=temporal,
        hr_url=hr_url,
        finance_url=finance_url,
        data_dir=data_dir,
        **overrides,
    )
    async with in_process_worker(settings, temporal), api_stack(settings, temporal) as stack:
        yield stack


@contextlib.asynccontextmanager
async def seeded_full_stack(
    backend: str, temporal: Client, *, hr_url: str, finance_url: str, data_dir: Path, **overrides: Any
) -> AsyncIterator[Stack]:
    """``full_stack`` on a seeded database of its own (a module whose pages change what others would see)."""
    async with (
        fresh_database(backend, data_dir, seeded=True) as url,
        full_stack(url, temporal, hr_url=hr_url, finance_url=finance_url, data_dir=data_dir, **overrides) as stack,
    ):
        yield stack


class WorkerProcess:
    """``ringi worker`` as a real child process, so a test can SIGKILL it."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        self._env = {
            **os.environ,
            "RINGI_DATABASE_URL": settings.database_url,
            "RINGI_TEMPORAL_ADDRESS": settings.temporal_address,
            "RINGI_TEMPORAL_NAMESPACE": settings.temporal_namespace,
            "RINGI_TEMPORAL_TASK_QUEUE": settings.temporal_task_queue,
            "RINGI_HR_URL": settings.hr_url,
            "RINGI_FINANCE_URL": settings.finance_url,
            # `ringi worker` refuses the shipped JWT secret and a missing TOTP key (the worker uses neither).
            "RINGI_JWT_SECRET": secrets.token_hex(32),
            "RINGI_TOTP_ENCRYPTION_KEY": secrets.token_hex(32),
        }
        self._log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self._log_path.open("ab")
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "worker"], env=self._env, stdout=log, stderr=subprocess.STDOUT
        )

    def kill(self) -> None:
        assert self._proc is not None
        self._proc.send_signal(signal.SIGKILL)
        self._proc.wait(timeout=10)
        self._proc = None

    def terminate(self, timeout: float) -> int:
        """SIGTERM, as compose or systemd stops it; its exit code once it has stopped (within ``timeout`` s)."""
        assert self._proc is not None
        self._proc.send_signal(signal.SIGTERM)
        code = self._proc.wait(timeout=timeout)
        self._proc = None
        return code

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
            self._proc = None
