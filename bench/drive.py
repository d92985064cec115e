"""The load: documents walked to their decision at concurrency C, through ringi's HTTP API or on bare Temporal.

ringi: per document create, submit, then each pending approver approves (課長 review -> 財政課長 consult ->
部長 decide for 1,500,000 yen); the three approvals of a document are sequential, documents run side by side.  A
503 is retried after its Retry-After with the same Idempotency-Key.  Afterwards every document must read
``approved`` and a sample's audit trail must verify with exactly three approvals.

bare: per document a workflow start and three updates, each awaiting one no-op local activity (``bench.bare``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from temporalio.client import Client, WorkflowHandle

from bench.bare import BareDecision, BareDocument, BareState, BareWorkflow
from bench.measure import LevelResult, ProcSampler, Tally, level_result, log

AMOUNT_YEN = 1_500_000  # >= 100万: 課長 review, 財政課長 consult, 部長 decides
APPROVALS_PER_DOCUMENT = 3
MAX_ATTEMPTS = 20  # per call, 503s and transport errors included
MAX_STEPS = 10  # a runaway route is a failure, not an endless loop
DEFAULT_RETRY_AFTER_SECONDS = 1.0
HTTP_TIMEOUT_SECONDS = 60.0


class BenchFailure(Exception):
    """One document could not be walked to its decision."""


async def drive(documents: int, concurrency: int, walk: Callable[[int], Awaitable[None]]) -> float:
    """Run ``walk(i)`` for i in range(documents) on ``concurrency`` clients; the wall time in seconds."""
    counter = itertools.count()

    async def client() -> None:
        while (i := next(counter)) < documents:
            await walk(i)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(min(concurrency, documents))))
    return time.perf_counter() - started


# --------------------------------------------------------------------------- ringi over HTTP


def retry_after(response: httpx.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return DEFAULT_RETRY_AFTER_SECONDS


@dataclass
class Drafter:
    staff_id: str
    approvers: tuple[str, ...]


class RingiApi:
    """The calls the bench makes, each timed from the first attempt to the accepted answer."""

    def __init__(self, http: httpx.AsyncClient, tokens: dict[str, str]) -> None:
        self.http = http
        self.tokens = tokens
        self.late_tokens = 0

    async def token(self, staff_id: str) -> str:
        if staff_id not in self.tokens:  # an approver the route previews did not show: fetch, and say so
            self.late_tokens += 1
            r = await self.http.post("/v1/auth/token", json={"staff_id": staff_id, "password": "demo"})
            r.raise_for_status()
            self.tokens[staff_id] = str(r.json()["access_token"])
        return self.tokens[staff_id]

    async def call(
        self,
        tally: Tally,
        kind: str,
        staff_id: str,
        method: str,
        path: str,
        *,
        json_body: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        expect: int = 200,
    ) -> dict[str, Any]:
        """One API call; a 503 (or a transport error) is retried with the same Idempotency-Key."""
        headers = {"Authorization": f"Bearer {await self.token(staff_id)}"}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        started = time.perf_counter()
        for _ in range(MAX_ATTEMPTS):
            try:
                r = await self.http.request(method, path, json=json_body, headers=headers)
            except httpx.TransportError as exc:
                tally.unexpected[f"transport:{type(exc).__name__}"] += 1
                if idempotency_key is None:
                    raise BenchFailure(f"{kind}: {type(exc).__name__}: {exc}") from exc
                tally.retries += 1
                await asyncio.sleep(DEFAULT_RETRY_AFTER_SECONDS)
                continue
            if r.status_code == expect:
                tally.record(kind, time.perf_counter() - started)
                body = r.json()
                if not isinstance(body, dict):
                    raise BenchFailure(f"{kind}: expected a JSON object, got {r.text[:200]}")
                return body
            tally.unexpected[str(r.status_code)] += 1
            if r.status_code == 503 and idempotency_key is not None:
                tally.retries += 1
                await asyncio.sleep(retry_after(r))
                continue
            raise BenchFailure(f"{kind} {path}: {r.status_code} {r.text[:300]}")
        raise BenchFailure(f"{kind} {path}: no answer after {MAX_ATTEMPTS} attempts")

    async def create(self, tally: Tally, drafter: str, n: int) -> str:
        body = {
            "title": f"ベンチマーク用備品購入について（{n}）",
            "body": "下記のとおり購入してよろしいか伺います。\n\n1 品名 事務用椅子\n2 金額 1,500,000円",
            "matter": "spending",
            "amount_yen": AMOUNT_YEN,
            "confidentiality": 1,
            "retention_years": 5,
        }
        doc = await self.call(tally, "create", drafter, "POST", "/v1/documents", json_body=body, expect=201)
        return str(doc["id"])

    async def walk_submitted(self, tally: Tally, drafter: str, document_id: str) -> None:
        """Submit, then let each pending approver approve until nothing is pending; it must end approved."""
        state = await self.call(
            tally,
            "submit",
            drafter,
            "POST",
            f"/v1/documents/{document_id}/submit",
            idempotency_key=str(uuid.uuid4()),
        )
        for _ in range(MAX_STEPS):
            pending = state.get("pending") or []
            if not pending:
                break
            state = await self.call(
                tally,
                "action",
                str(pending[0]),
                "POST",
                f"/v1/documents/{document_id}/actions",
                json_body={"action": "approve", "comment": ""},
                idempotency_key=str(uuid.uuid4()),
            )
        if state.get("status") != "approved":
            raise BenchFailure(f"document {document_id} ended {state.get('status')!r}, pending {state.get('pending')}")

    async def walk(self, tally: Tally, drafter: str, n: int) -> None:
        try:
            document_id = await self.create(tally, drafter, n)
            tally.documents[document_id] = drafter
            await self.walk_submitted(tally, drafter, document_id)
            tally.completed += 1
        except (BenchFailure, httpx.HTTPError, KeyError, ValueError) as exc:
            tally.fail(exc)


async def fetch_tokens(http: httpx.AsyncClient, staff_ids: Sequence[str], concurrency: int = 10) -> dict[str, str]:
    gate = asyncio.Semaphore(concurrency)

    async def one(staff_id: str) -> tuple[str, str]:
        async with gate:
            r = await http.post("/v1/auth/token", json={"staff_id": staff_id, "password": "demo"})
            r.raise_for_status()
            return staff_id, str(r.json()["access_token"])

    return dict(await asyncio.gather(*(one(s) for s in staff_ids)))


async def choose_drafters(api: RingiApi) -> tuple[list[Drafter], list[tuple[str, str]]]:
    """Every 主事 of the demo city (but admin) whose 1.5M-yen route previews as three single-assignee stages.

    Creates one draft per candidate (to preview its route) and returns them as (drafter, draft id) for warm-up.
    """
    from core.demo_city import ADMIN_ID, generate_city

    city = generate_city()
    candidates = sorted({a.staff_id for a in city.assignments if a.post_code == "staff"} - {ADMIN_ID})
    api.tokens.update(await fetch_tokens(api.http, candidates))
    tally = Tally()
    gate = asyncio.Semaphore(10)

    async def preview(staff_id: str) -> tuple[Drafter, str] | None:
        async with gate:
            document_id = await api.create(tally, staff_id, 0)
            route = await api.call(tally, "preview", staff_id, "POST", f"/v1/documents/{document_id}/route-preview")
        stages = [[str(a["id"]) for a in stage["assignees"]] for stage in route["stages"]]
        if len(stages) != APPROVALS_PER_DOCUMENT or any(len(s) != 1 or s[0] == staff_id for s in stages):
            return None
        return Drafter(staff_id, tuple(s[0] for s in stages)), document_id

    found = [r for r in await asyncio.gather(*(preview(s) for s in candidates)) if r is not None]
    if not found:
        raise BenchFailure("no drafter in the demo city has a three-step route for 1,500,000 yen")
    approvers = sorted({a for d, _ in found for a in d.approvers} - set(api.tokens))
    api.tokens.update(await fetch_tokens(api.http, approvers))
    return [d for d, _ in found], [(d.staff_id, doc) for d, doc in found]


async def verify_ringi(api: RingiApi, tally: Tally, sample_size: int, seed: int) -> dict[str, Any]:
    """Every document ``approved`` in the read model; a sample's audit verifies with exactly 3 approvals."""
    gate = asyncio.Semaphore(10)
    scratch = Tally()

    async def status(document_id: str, drafter: str) -> str:
        async with gate:
            try:
                doc = await api.call(scratch, "get", drafter, "GET", f"/v1/documents/{document_id}")
            except (BenchFailure, httpx.HTTPError) as exc:
                return f"unreadable ({type(exc).__name__})"
        return str(doc["status"])

    async def audit(document_id: str, drafter: str) -> bool:
        async with gate:
            try:
                trail = await api.call(scratch, "audit", drafter, "GET", f"/v1/documents/{document_id}/audit")
            except (BenchFailure, httpx.HTTPError):
                return False
        approvals = [e for e in trail["events"] if e["action"] == "approve"]
        return trail["verified"] is True and len(approvals) == APPROVALS_PER_DOCUMENT

    documents = sorted(tally.documents.items())
    statuses = Counter(await asyncio.gather(*(status(i, d) for i, d in documents)))
    sample = random.Random(seed).sample(documents, min(sample_size, len(documents)))
    audits = await asyncio.gather(*(audit(i, d) for i, d in sample))
    approved = statuses.get("approved", 0)
    return {
        "ok": approved == len(documents) and all(audits),
        "documents": len(documents),
        "approved": approved,
        "statuses": dict(statuses),
        "audit_sample": len(sample),
        "audit_ok": sum(audits),
    }


class RingiBench:
    """ringi through its HTTP API: ``prepare`` once (tokens, drafters, warm-up), then ``level`` per C."""

    def __init__(self, base_url: str, pids: dict[str, int], audit_sample: int) -> None:
        self.base_url = base_url
        self.audit_sample = audit_sample
        self.tokens: dict[str, str] = {}
        self.drafters: list[Drafter] = []
        watched: dict[str, int] = {n: pids[n] for n in ("worker", "api", "temporal", "hr") if n in pids}
        self.sampler = ProcSampler({**watched, "bench": os.getpid()})

    def _client(self, connections: int) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        return httpx.AsyncClient(base_url=self.base_url, timeout=HTTP_TIMEOUT_SECONDS, limits=limits)

    async def prepare(self, warmup: int) -> None:
        async with self._client(10) as http:
            api = RingiApi(http, self.tokens)
            log("ringi: tokens, route previews, warm-up")
            self.drafters, drafts = await choose_drafters(api)
            approvers = {a for d in self.drafters for a in d.approvers}
            log(f"ringi: {len(self.drafters)} drafters, {len(approvers)} approvers")
            warm = Tally()
            gate = asyncio.Semaphore(10)

            async def warm_one(drafter: str, document_id: str) -> None:
                async with gate:
                    with contextlib.suppress(BenchFailure, httpx.HTTPError):
                        await api.walk_submitted(warm, drafter, document_id)

            await asyncio.gather(*(warm_one(d, doc) for d, doc in drafts[:warmup]))

    async def level(self, concurrency: int, documents: int) -> LevelResult:
        async with self._client(concurrency) as http:
            api = RingiApi(http, self.tokens)
            tally = Tally()

            async def walk(n: int) -> None:
                await api.walk(tally, self.drafters[n % len(self.drafters)].staff_id, n)

            log(f"ringi: C={concurrency}, {documents} documents")
            self.sampler.start()
            seconds = await drive(documents, concurrency, walk)
            rss, cpu = await self.sampler.stop()
            result = level_result("ringi", concurrency, documents, seconds, tally, rss, cpu)
            result.verification = await verify_ringi(api, tally, self.audit_sample, seed=concurrency)
            result.verification["tokens_fetched_during_run"] = api.late_tokens  # 0: all were pre-fetched
        log(f"ringi: C={concurrency}: {result.docs_per_second:.2f} docs/s, ok={result.ok()}")
        return result


# --------------------------------------------------------------------------- bare Temporal


class BareBench:
    """The bare baseline: its own client (default converter) and the in-process worker of ``task_queue``."""

    def __init__(self, client: Client, task_queue: str, temporal_pid: int | None, audit_sample: int) -> None:
        self.client = client
        self.audit_sample = audit_sample
        self.task_queue = task_queue
        pids = {"bench": os.getpid()} if temporal_pid is None else {"temporal": temporal_pid, "bench": os.getpid()}
        self.sampler = ProcSampler(pids)

    async def walk(self, tally: Tally, handles: list[WorkflowHandle[Any, BareState]], key: str) -> None:
        workflow_id = f"{self.task_queue}-{key}"
        try:
            started = time.perf_counter()
            handle = await self.client.start_workflow(
                BareWorkflow.run,
                BareDocument(workflow_id, APPROVALS_PER_DOCUMENT),
                id=workflow_id,
                task_queue=self.task_queue,
            )
            tally.record("start", time.perf_counter() - started)
            handles.append(handle)
            state: BareState | None = None
            for step in range(APPROVALS_PER_DOCUMENT):
                started = time.perf_counter()
                state = await handle.execute_update(
                    BareWorkflow.decide, BareDecision(actor_id=f"approver-{step}"), id=str(uuid.uuid4())
                )
                tally.record("update", time.perf_counter() - started)
            if state is None or state.status != "approved":
                raise BenchFailure(f"{workflow_id} ended {state}")
            tally.completed += 1
        except Exception as exc:  # any RPC or update failure: count it, keep going
            tally.unexpected[type(exc).__name__] += 1
            tally.fail(exc)

    async def prepare(self, warmup: int) -> None:
        log("bare: warm-up")
        handles: list[WorkflowHandle[Any, BareState]] = []
        warm = Tally()
        await drive(warmup, 10, lambda n: self.walk(warm, handles, f"warm-{n}"))

    async def level(self, concurrency: int, documents: int) -> LevelResult:
        tally = Tally()
        handles: list[WorkflowHandle[Any, BareState]] = []
        log(f"bare: C={concurrency}, {documents} documents")
        self.sampler.start()
        seconds = await drive(documents, concurrency, lambda n: self.walk(tally, handles, f"c{concurrency}-{n}"))
        rss, cpu = await self.sampler.stop()
        result = level_result("bare", concurrency, documents, seconds, tally, rss, cpu)
        sample = random.Random(concurrency).sample(handles, min(self.audit_sample, len(handles)))
        outcomes = await asyncio.gather(*(h.result() for h in sample), return_exceptions=True)
        good = sum(
            1
            for o in outcomes
            if isinstance(o, BareState) and o.status == "approved" and o.decided == APPROVALS_PER_DOCUMENT
        )
        result.verification = {"ok": good == len(sample), "sample": len(sample), "completed_with_3_updates": good}
        log(f"bare: C={concurrency}: {result.docs_per_second:.2f} docs/s, ok={result.ok()}")
        return result
