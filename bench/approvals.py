"""Approvals through ringi's HTTP API, next to a bare Temporal baseline on the same server (``make bench``).

Starts a whole ``ringi dev`` stack (Temporal dev server tuned as DESIGN §5, HR and finance stubs, worker, API) on a
temporary data directory and free ports, so it never meets a running ``make run``.  For each concurrency level C
it drives N spending documents of 1,500,000 yen (route: 課長 review -> 財政課長 consult -> 部長 decide) through
the API with C concurrent clients: create, submit, then each pending approver approves; the three approvals of a
document are sequential, documents run side by side.  A 503 is retried after its Retry-After with the same
Idempotency-Key.  It reports documents/s, submit and action latency (p50/p95/p99, retries included) and the peak
RSS of the worker and API processes, then checks that every document ended ``approved`` and that a sample's
audit trail verifies with exactly three approvals.

Right after each ringi level, on the same Temporal server, the bare baseline (``bench.bare``) at the same level:
per document a workflow start and three updates, each awaiting one no-op local activity, driven by a Temporal
client and an in-process worker on its own task queue.  Then the ratios ringi ÷ bare, and the targets marked PASS
or MISS.  Pairing the two per level keeps a busy machine's changing load from skewing the ratios.

    python -m bench.approvals                       # C = 1, 10, 50; 50 documents at C=1, else 200
    python -m bench.approvals --docs 30 --concurrency 1,10 --skip-bare --json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import itertools
import json
import logging
import math
import os
import random
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from bench.bare import BareDecision, BareDocument, BareState, BareWorkflow, noop
from bench.measure import Latency, ProcSampler, free_ports, machine_facts

if TYPE_CHECKING:
    from core.settings import Settings

DEFAULT_LEVELS = (1, 10, 50)
AMOUNT_YEN = 1_500_000  # >= 100万: 課長 review, 財政課長 consult, 部長 decides
APPROVALS_PER_DOCUMENT = 3
MAX_ATTEMPTS = 20  # per call, 503s and transport errors included
MAX_STEPS = 10  # a runaway route is a failure, not an endless loop
DEFAULT_RETRY_AFTER_SECONDS = 1.0
HTTP_TIMEOUT_SECONDS = 60.0
PAUSE_BETWEEN_LEVELS_SECONDS = 1.0

#: Targets printed next to the figures (never asserted).
TARGET_DOCS_RATIO = 0.8  # ringi docs/s >= 0.8 x bare at C=10
TARGET_ACTION_P50_MS = 30.0  # ringi action p50 at C=1
TARGET_P99_RATIO = 1.3  # ringi action p99 <= 1.3 x bare update p99 at C=10

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def log(message: str) -> None:
    """Progress goes to stderr, so ``--json`` output stays clean."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class BenchFailure(Exception):
    """One document could not be walked to its decision."""


# --------------------------------------------------------------------------- results


@dataclass
class Tally:
    """What one level of one system recorded while it ran."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    unexpected: Counter[str] = field(default_factory=Counter)  # answers other than the expected status
    retries: int = 0
    failures: Counter[str] = field(default_factory=Counter)  # why documents failed, ids masked
    completed: int = 0
    documents: dict[str, str] = field(default_factory=dict)  # document id -> drafter

    def record(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)

    def fail(self, exc: BaseException) -> None:
        self.failures[_UUID.sub("<id>", f"{type(exc).__name__}: {exc}")[:300]] += 1


@dataclass
class LevelResult:
    system: str
    concurrency: int
    documents: int
    completed: int
    seconds: float
    docs_per_second: float
    latency_ms: dict[str, Latency]
    unexpected: dict[str, int]
    retries: int
    failures: dict[str, int]  # the ten commonest reasons
    rss_peak_mib: dict[str, float]
    cpu_seconds: dict[str, float]
    load_avg_1m: float  # of the whole machine, at the end of the level: other work competes for the CPUs
    verification: dict[str, Any] = field(default_factory=dict)

    def ok(self) -> bool:
        return self.completed == self.documents and bool(self.verification.get("ok"))


def level_result(
    system: str,
    concurrency: int,
    documents: int,
    seconds: float,
    tally: Tally,
    rss: dict[str, float],
    cpu: dict[str, float],
) -> LevelResult:
    return LevelResult(
        system=system,
        concurrency=concurrency,
        documents=documents,
        completed=tally.completed,
        seconds=seconds,
        docs_per_second=tally.completed / seconds if seconds > 0 else math.nan,
        latency_ms={kind: Latency.of(values) for kind, values in tally.latencies.items()},
        unexpected=dict(sorted(tally.unexpected.items())),
        retries=tally.retries,
        failures=dict(tally.failures.most_common(10)),
        rss_peak_mib=rss,
        cpu_seconds=cpu,
        load_avg_1m=os.getloadavg()[0],
    )


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
    """The bare baseline: its own client (default converter) and in-process worker on a fresh task queue."""

    def __init__(self, client: Client, temporal_pid: int | None, audit_sample: int) -> None:
        self.client = client
        self.audit_sample = audit_sample
        self.run = uuid.uuid4().hex[:8]
        self.task_queue = f"bench-bare-{self.run}"
        pids = {"bench": os.getpid()} if temporal_pid is None else {"temporal": temporal_pid, "bench": os.getpid()}
        self.sampler = ProcSampler(pids)

    def worker(self) -> Worker:
        return Worker(self.client, task_queue=self.task_queue, workflows=[BareWorkflow], activities=[noop])

    async def walk(self, tally: Tally, handles: list[WorkflowHandle[Any, BareState]], key: str) -> None:
        workflow_id = f"bench-bare-{self.run}-{key}"
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


async def run_levels(
    settings: Settings, pids: dict[str, int], args: argparse.Namespace, plan: Sequence[tuple[int, int]]
) -> tuple[list[LevelResult], list[LevelResult]]:
    """Per level: ringi, then (unless skipped) bare right after it, so each pair sees the same machine load."""
    from cli.dev import api_url

    ringi_bench = RingiBench(api_url(settings), pids, args.audit_sample)
    await ringi_bench.prepare(args.warmup)
    ringi: list[LevelResult] = []
    bare: list[LevelResult] = []
    async with contextlib.AsyncExitStack() as stack:
        bare_bench: BareBench | None = None
        if not args.skip_bare:
            client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
            bare_bench = BareBench(client, pids.get("temporal"), args.audit_sample)
            await stack.enter_async_context(bare_bench.worker())
            await bare_bench.prepare(args.warmup)
        for concurrency, documents in plan:
            await asyncio.sleep(PAUSE_BETWEEN_LEVELS_SECONDS)  # let the previous level's workflows close
            ringi.append(await ringi_bench.level(concurrency, documents))
            if bare_bench is not None:
                await asyncio.sleep(PAUSE_BETWEEN_LEVELS_SECONDS)
                bare.append(await bare_bench.level(concurrency, documents))
    return ringi, bare


# --------------------------------------------------------------------------- comparison and output


@dataclass(frozen=True)
class Target:
    name: str
    passed: bool | None  # None: not measured in this run
    detail: str


def _level(results: Sequence[LevelResult], concurrency: int) -> LevelResult | None:
    return next((r for r in results if r.concurrency == concurrency), None)


def _lat(result: LevelResult | None, kind: str) -> Latency | None:
    return None if result is None else result.latency_ms.get(kind)


def ratios(ringi: Sequence[LevelResult], bare: Sequence[LevelResult]) -> list[dict[str, float]]:
    rows: list[dict[str, float]] = []
    for r in ringi:
        b = _level(bare, r.concurrency)
        action, update = _lat(r, "action"), _lat(b, "update")
        if b is None or action is None or update is None:
            continue
        submit, start = _lat(r, "submit"), _lat(b, "start")
        rows.append(
            {
                "concurrency": r.concurrency,
                "docs_per_second": r.docs_per_second / b.docs_per_second,
                "action_p50": action.p50 / update.p50,
                "action_p99": action.p99 / update.p99,
                "submit_p50_vs_start_p50": submit.p50 / start.p50 if submit and start else math.nan,
            }
        )
    return rows


def targets(ringi: Sequence[LevelResult], bare: Sequence[LevelResult]) -> list[Target]:
    out: list[Target] = []
    r10, b10, r1 = _level(ringi, 10), _level(bare, 10), _level(ringi, 1)
    name = f"ringi docs/s >= {TARGET_DOCS_RATIO} x bare at C=10"
    if r10 and b10:
        ratio = r10.docs_per_second / b10.docs_per_second
        detail = f"{ratio:.2f} x  (ringi {r10.docs_per_second:.1f}/s, bare {b10.docs_per_second:.1f}/s)"
        out.append(Target(name, ratio >= TARGET_DOCS_RATIO, detail))
    else:
        out.append(Target(name, None, "not measured (needs C=10 for ringi and bare)"))
    name = f"action p50 <= {TARGET_ACTION_P50_MS:.0f} ms at C=1"
    action1 = _lat(r1, "action")
    if action1:
        out.append(Target(name, action1.p50 <= TARGET_ACTION_P50_MS, f"{action1.p50:.1f} ms"))
    else:
        out.append(Target(name, None, "not measured (needs C=1)"))
    name = f"action p99 <= {TARGET_P99_RATIO} x bare update p99 at C=10"
    action10, update10 = _lat(r10, "action"), _lat(b10, "update")
    if action10 and update10:
        ratio = action10.p99 / update10.p99
        detail = f"{ratio:.2f} x  (ringi {action10.p99:.1f} ms, bare {update10.p99:.1f} ms)"
        out.append(Target(name, ratio <= TARGET_P99_RATIO, detail))
    else:
        out.append(Target(name, None, "not measured (needs C=10 for ringi and bare)"))
    return out


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    """Right-aligned columns, two spaces apart."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    return [indent + "  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in [headers, *rows]]


def _f(value: float | None, digits: int = 1) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _p(result: LevelResult, kind: str) -> list[str]:
    lat = _lat(result, kind)
    return [_f(lat.p50), _f(lat.p95), _f(lat.p99)] if lat else ["-", "-", "-"]


def _answers(result: LevelResult) -> str:
    if not result.unexpected:
        return "none"
    return ", ".join(f"{status} x{count}" for status, count in result.unexpected.items())


def render_text(report: dict[str, Any], ringi: Sequence[LevelResult], bare: Sequence[LevelResult]) -> str:
    m = report["machine"]
    s = report["stack"]
    lines = [
        f"ringi approvals bench  {report['started_at']}",
        f"machine  {m['cpu_count']} CPUs (affinity {m['cpu_affinity']}), {m['cpu_model']}, {m['mem_total_gib']} GiB,"
        f" load(1m) {m['load_avg_1m']} at start; Python {m['python']}, temporalio {m['temporalio']},"
        f" temporal CLI {m['temporal_cli']}",
        f"stack    data {s['data_dir']}; API {s['api_url']}; Temporal {s['temporal_address']};"
        f" action timeout {s['action_timeout_seconds']} s; log level {s['log_level']}",
        "",
        "ringi through the HTTP API: per document create, submit, 3 approvals (課長 review -> 財政課長 consult ->"
        " 部長 decide); latency ms from first attempt to accepted answer (503 retries included);"
        " RSS = peak sampled every 100 ms, CPU = seconds used during the level, load = 1-min load average after it",
    ]
    lines += table(
        ["C", "docs", "done", "time s", "docs/s", "submit p50", "p95", "p99", "action p50", "p95", "p99",
         "create p50", "retries", "RSS MiB worker", "api", "temporal",
         "CPU s worker", "api", "temporal", "hr", "bench", "load"],
        [
            [str(r.concurrency), str(r.documents), str(r.completed), _f(r.seconds), _f(r.docs_per_second, 2),
             *_p(r, "submit"), *_p(r, "action"), _p(r, "create")[0],
             str(r.retries), *(_f(r.rss_peak_mib.get(n), 0) for n in ("worker", "api", "temporal")),
             *(_f(r.cpu_seconds.get(n)) for n in ("worker", "api", "temporal", "hr", "bench")),
             _f(r.load_avg_1m, 2)]
            for r in ringi
        ],
    )  # fmt: skip
    if bare:
        lines += [
            "",
            "bare Temporal: per document start + 3 updates, each awaiting one no-op local activity"
            " (default converter, in-process worker on its own task queue, same server)",
        ]
        lines += table(
            ["C", "docs", "done", "time s", "docs/s", "start p50", "p95", "p99", "update p50", "p95", "p99",
             "RSS MiB temporal", "bench", "CPU s temporal", "bench", "load"],
            [
                [str(b.concurrency), str(b.documents), str(b.completed), _f(b.seconds), _f(b.docs_per_second, 2),
                 *_p(b, "start"), *_p(b, "update"),
                 *(_f(b.rss_peak_mib.get(n), 0) for n in ("temporal", "bench")),
                 *(_f(b.cpu_seconds.get(n)) for n in ("temporal", "bench")), _f(b.load_avg_1m, 2)]
                for b in bare
            ],
        )  # fmt: skip
        lines += ["", "ratios ringi ÷ bare"]
        lines += table(
            ["C", "docs/s", "action p50 ÷ update p50", "action p99 ÷ update p99", "submit p50 ÷ start p50"],
            [
                [str(row["concurrency"]), _f(row["docs_per_second"], 2), _f(row["action_p50"], 2),
                 _f(row["action_p99"], 2), _f(row["submit_p50_vs_start_p50"], 2)]
                for row in report["ratios"]
            ],
        )  # fmt: skip
    lines += ["", "targets"]
    for t in report["targets"]:
        mark = {True: "PASS", False: "MISS", None: "n/a "}[t["passed"]]
        lines.append(f"  {mark}  {t['name']:<46} {t['detail']}")
    lines += ["", "answers other than the expected status, retries (same Idempotency-Key), verification"]
    for r in ringi:
        v = r.verification
        lines.append(
            f"  ringi C={r.concurrency}: {_answers(r)}; retries {r.retries}; {v.get('approved')}/{v.get('documents')}"
            f" approved; audit sample {v.get('audit_ok')}/{v.get('audit_sample')} verified with exactly 3 approvals"
            f" -> {'OK' if r.ok() else 'FAILED'}"
        )
        lines += [f"      {n:4d} x {f}" for f, n in r.failures.items()]
    for b in bare:
        v = b.verification
        lines.append(
            f"  bare  C={b.concurrency}: {_answers(b)}; {b.completed}/{b.documents} completed; result sample"
            f" {v.get('completed_with_3_updates')}/{v.get('sample')} approved after 3 updates"
            f" -> {'OK' if b.ok() else 'FAILED'}"
        )
        lines += [f"      {n:4d} x {f}" for f, n in b.failures.items()]
    return "\n".join(lines)


def _jsonable(value: Any) -> Any:
    """NaN -> None, dataclasses -> dicts, so the output is strict JSON."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 3)
    return value


# --------------------------------------------------------------------------- main


def parse_levels(text: str) -> list[int]:
    try:
        levels = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from exc
    if not levels or any(level < 1 for level in levels):
        raise argparse.ArgumentTypeError("concurrency levels must be positive integers")
    return levels


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.approvals", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument(
        "--docs",
        type=parse_levels,
        default=None,
        help="documents per level: one number for every level, or one per level (default: 50 at C=1, else 200)",
    )
    parser.add_argument(
        "--concurrency", type=parse_levels, default=list(DEFAULT_LEVELS), help="comma-separated levels (1,10,50)"
    )
    parser.add_argument("--skip-bare", action="store_true", help="measure ringi only")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--warmup", type=int, default=10, help="untimed documents before measuring (default 10)")
    parser.add_argument("--audit-sample", type=int, default=20, help="documents per level whose audit is checked")
    parser.add_argument("--keep-data", action="store_true", help="keep the temporary data directory and logs")
    return parser


def plan_of(args: argparse.Namespace) -> list[tuple[int, int]]:
    levels: list[int] = args.concurrency
    docs: list[int] | None = args.docs
    if docs is None:
        return [(c, 50 if c == 1 else 200) for c in levels]
    if len(docs) == 1:
        return [(c, docs[0]) for c in levels]
    if len(docs) != len(levels):
        raise SystemExit(f"--docs has {len(docs)} values for {len(levels)} concurrency levels")
    return list(zip(levels, docs, strict=True))


def stack_settings(data_dir: Path) -> Settings:
    """Settings on free ports and a fresh data directory; exported as RINGI_* so the children get them too."""
    from core.settings import Settings

    temporal, ui, hr, finance, api = free_ports(5)
    env = {
        "RINGI_DATA_DIR": str(data_dir),
        "RINGI_DATABASE_URL": f"sqlite+aiosqlite:///{data_dir / 'ringi.db'}",
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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    plan = plan_of(args)
    for noisy in ("alembic", "httpx", "temporalio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    from cli.dev import StackError, api_url, find_temporal, start_stack

    data_dir = Path(tempfile.mkdtemp(prefix="ringi-bench-"))
    settings = stack_settings(data_dir)
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_facts(find_temporal()),
        "stack": {
            "data_dir": str(data_dir),
            "api_url": api_url(settings),
            "temporal_address": settings.temporal_address,
            "action_timeout_seconds": settings.action_timeout_seconds,
            "log_level": settings.log_level,
        },
        "plan": [{"concurrency": c, "documents": n} for c, n in plan],
    }
    log(f"starting the stack in {data_dir} (API {api_url(settings)}, Temporal {settings.temporal_address})")
    try:
        stack = start_stack(settings)
    except StackError as exc:
        log(f"the stack did not start: {exc}")
        return 2
    failed = True
    try:
        pids = stack.pids
        report["stack"]["pids"] = pids
        ringi, bare = asyncio.run(run_levels(settings, pids, args, plan))
        if (dead := stack.exited()) is not None:
            log(f"a child died during the run: {dead.failure_report()}")
        failed = not all(r.ok() for r in [*ringi, *bare]) or dead is not None
    finally:
        stack.stop()
        if args.keep_data or failed:
            log(f"data and logs kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    report["ringi"] = ringi
    report["bare"] = bare
    report["ratios"] = ratios(ringi, bare)
    report["targets"] = [dataclasses.asdict(t) for t in targets(ringi, bare)]
    report["ok"] = not failed
    if args.json:
        print(json.dumps(_jsonable(report), ensure_ascii=False, indent=2))
    else:
        print(render_text(report, ringi, bare))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
