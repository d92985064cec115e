"""The fault harness (``make chaos``): a whole stack under seeded SIGKILLs while real clients drive documents.

Starts what ``ringi dev`` starts — the Temporal dev server, the HR and finance stubs, the worker(s) and the API
process(es) — on free ports, a temporary data directory and SQLite (or, with ``--postgres``, a throw-away database
on the PostgreSQL server), plus an SMTP sink in this process for the notices.  Then C clients drive a seeded mix
of documents through the HTTP API as people would (spread round-robin over the API processes; every request
retried after a 503 or a connection error, with the same Idempotency-Key):

- ``spending``: a purchase with a 予算科目, reserved at submit, committed at the decision;
- ``send_back``: sent back by the 課長, its amount edited, resubmitted (再提出) and decided;
- ``withdraw``: submitted, then withdrawn (取下げ) by the drafter: its reservation released;
- ``objection``: a 合議 whose member objects: the decision goes one level up;
- ``affairs``: a 庶務 request (休暇, 出張, 時間外) the 課長 decides, posted to 人事給与;
- ``issuance``: decided, numbered, then issued (施行) and so completed (完結).

Meanwhile a chaos loop SIGKILLs, at moments drawn from the seed, one process at a time — a worker, an API process,
the Temporal dev server, the HR stub, the finance stub (and on PostgreSQL terminates ringi's backends with
``pg_terminate_backend``) — and restarts it.  At the end it checks and prints a table: every document reached the
state its script intended; the audit chains verify and hold each decision once; the finance ledger equals the
decisions; each 庶務 request posted to HR exactly once; 文書番号 gapless per series; every notice mailed at least
once and no duplicate without the same Message-ID.  Then an overload phase (C=100+ clients creating and deciding
documents for a while) reports the accepted throughput, the p99 of accepted requests, the share shed (503) and the
time to the first 503.

    python -m bench.chaos                               # 500 documents, >= 200 kills, two workers, two APIs
    python -m bench.chaos --docs 40 --kills 10 --seed 7 --postgres

The harness is bounded: loopback addresses only, a wall-clock limit (``--max-seconds``), a cap on requests, and it
stops everything it started, also when interrupted.  Exit 0 when every check passed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import IO, Any

import httpx

from bench.measure import free_ports, log, percentile

PG_SERVER_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
BUDGET_CODE = "9901-01-01-001"
BUDGET_YEN = 10_000_000_000
SPENDING_UNIT = "somu.somu"
AFFAIRS_UNIT = "doboku.doboku"
CONSULT_UNIT = "somu.jinji"
SEAL = {"clean_copy_on": "2026-11-26", "dispatch_method": "post", "dispatched_on": "2026-11-27", "seal_omitted": True}
MAIL_DOMAIN = "chaos.example.lg.jp"
READY_TIMEOUT_S = 120.0
REQUEST_PATIENCE_S = 240.0
HTTP_TIMEOUT_S = 30.0
DECIDED = ("approved", "completed")
#: Audit actions that are decisions someone took (each must appear once per accepted request).
DECISIONS = ("submit", "approve", "consent", "object", "send_back", "withdraw", "resubmit")
SCRIPTS = {"spending": 3, "send_back": 2, "withdraw": 1, "objection": 1, "affairs": 2, "issuance": 1}
TARGETS = {"worker": 5, "api": 4, "temporal": 2, "hr": 2, "finance": 2, "postgres": 2}


#: Set when the run ends (or is interrupted): restarts waiting in threads give up at once.
STOPPING = threading.Event()


class ChaosFailure(RuntimeError):
    """A request that could not be made to succeed, or a stack that would not come back."""


# --------------------------------------------------------------------------- processes


@dataclass
class Child:
    """One process of the stack the harness may kill and restart; its log is appended to across restarts."""

    name: str
    kind: str  # temporal | hr | finance | worker | api
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    ready: Callable[[Child], bool]
    popen: subprocess.Popen[bytes] | None = None
    starts: int = 0
    kills: int = 0
    _log: IO[bytes] | None = None

    def start(self) -> None:
        from cli.dev import die_with_parent

        self.close_log()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=self.env,
            process_group=0,
            preexec_fn=die_with_parent(),
        )
        self.starts += 1

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready(self):
            if STOPPING.is_set():
                raise ChaosFailure(f"{self.name}: the run is stopping")
            if not self.alive():
                raise ChaosFailure(f"{self.name} exited while starting; see {self.log_path}")
            if time.monotonic() > deadline:
                raise ChaosFailure(f"{self.name} not ready after {timeout:.0f} s; see {self.log_path}")
            time.sleep(0.1)

    def restart_until_ready(self, anomalies: list[str], attempts: int = 3) -> None:
        """Start and wait; a child not ready in time is made to dump its threads (SIGABRT with faulthandler on:
        into its log), noted as an anomaly, killed and started again."""
        for attempt in range(1, attempts + 1):
            if STOPPING.is_set():
                return
            self.start()
            try:
                self.wait_ready()
                return
            except ChaosFailure as exc:
                anomalies.append(f"{self.name} (start {self.starts}): {exc}")
                if attempt == attempts:
                    raise
                if self.alive() and self.popen is not None:
                    self.popen.send_signal(signal.SIGABRT)
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        self.popen.wait(2)
                self.kill()

    def kill(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait()
            self.kills += 1

    def stop(self, grace: float = 10.0) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(grace)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self.close_log()

    def close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


def worker_started(child: Child) -> bool:
    """Ready when the log holds one ``worker.started`` per start (the log is appended to)."""
    try:
        text = child.log_path.read_text(errors="replace")
    except OSError:
        return False
    return text.count("worker.started") >= child.starts


def http_ok(url: str) -> Callable[[Child], bool]:
    def check(_: Child) -> bool:
        try:
            return httpx.get(url, timeout=5.0, trust_env=False).status_code == 200
        except httpx.HTTPError:
            return False

    return check


def tcp_ok(port: int) -> Callable[[Child], bool]:
    from cli.dev import port_open

    return lambda _: port_open("127.0.0.1", port)


@dataclass
class Fleet:
    """The stack's children: temporal, hr, finance, worker-1..n, api-1..n; their URLs and the database."""

    children: dict[str, Child]
    api_urls: list[str]
    hr_url: str
    finance_url: str
    database_url: str
    data_dir: Path
    settings: Any

    def of_kind(self, kind: str) -> list[Child]:
        return [c for c in self.children.values() if c.kind == kind]

    def start_all(self) -> None:
        """Temporal first, then everything else at once (each retries its own connections), until all are ready."""
        first, *rest = self.children.values()
        first.start()
        first.wait_ready()
        for child in rest:
            child.start()
        for child in rest:
            child.wait_ready()

    def stop_all(self) -> None:
        for child in reversed(list(self.children.values())):
            child.stop()

    def revive_dead(self) -> list[str]:
        """Restart any child that died on its own (not by our hand); their names."""
        dead = [c for c in self.children.values() if not c.alive()]
        for child in dead:
            child.start()
        for child in dead:
            child.wait_ready(READY_TIMEOUT_S * 2)
        return [c.name for c in dead]


def build_fleet(data_dir: Path, database_url: str, *, workers: int, apis: int, smtp_port: int) -> Fleet:
    """Settings on free loopback ports (exported as RINGI_*), migrate and seed, and the children to start."""
    from cli.dev import dev_secrets, find_temporal, prepare_data, ringi_argv, temporal_argv
    from core.settings import Settings

    # Every port at once (a port handed out and closed may come back from the next call).
    temporal, ui, hr_port, finance_port, *extra_ports = free_ports(4 + apis)
    exported = {
        "RINGI_DATA_DIR": str(data_dir),
        "RINGI_DATABASE_URL": database_url,
        "RINGI_TEMPORAL_ADDRESS": f"127.0.0.1:{temporal}",
        "RINGI_TEMPORAL_UI_PORT": str(ui),
        "RINGI_HR_URL": f"http://127.0.0.1:{hr_port}",
        "RINGI_FINANCE_URL": f"http://127.0.0.1:{finance_port}",
        "RINGI_API_HOST": "127.0.0.1",
        "RINGI_API_PORT": str(extra_ports[0]),
    }
    os.environ.update(exported)  # restored by run()
    settings = Settings()
    prepare_data(settings)
    base_env = {
        **os.environ,
        **dev_secrets(settings),
        "RINGI_ALLOW_DEMO": "1",
        "RINGI_SMTP_HOST": "127.0.0.1",
        "RINGI_SMTP_PORT": str(smtp_port),
        "RINGI_SMTP_FROM": f"ringi@{MAIL_DOMAIN}",
        "RINGI_NOTIFY_POLL_SECONDS": "0.5",
        "RINGI_NOTIFY_RETRY_SECONDS": "1",
        "RINGI_NOTIFY_MAX_ATTEMPTS": "30",
        "RINGI_LOG_LEVEL": "WARNING",
        "PYTHONFAULTHANDLER": "1",  # a child stuck at start dumps its threads on SIGABRT (into its log)
    }
    logs = data_dir / "logs"
    temporal_port = int(settings.temporal_address.rsplit(":", 1)[1])
    children: dict[str, Child] = {}

    def add(name: str, kind: str, argv: list[str], ready: Callable[[Child], bool], **env: str) -> None:
        children[name] = Child(name, kind, argv, {**base_env, **env}, logs / f"{name}.log", ready)

    add("temporal", "temporal", temporal_argv(settings, find_temporal()), tcp_ok(temporal_port))
    add("hr", "hr", ringi_argv("stub", "hr"), http_ok(f"{settings.hr_url}/health"))
    add("finance", "finance", ringi_argv("stub", "finance"), http_ok(f"{settings.finance_url}/health"))
    for n in range(1, workers + 1):
        add(f"worker-{n}", "worker", ringi_argv("worker"), worker_started, RINGI_LOG_LEVEL="INFO")
    api_urls = []
    for n, port in enumerate(extra_ports, start=1):
        url = f"http://127.0.0.1:{port}"
        api_urls.append(url)
        add(f"api-{n}", "api", ringi_argv("api"), http_ok(f"{url}/health"), RINGI_API_PORT=str(port))
    return Fleet(children, api_urls, settings.hr_url, settings.finance_url, database_url, data_dir, settings)


# --------------------------------------------------------------------------- SMTP sink


@dataclass
class MailSink:
    """What the SMTP server in this process accepted: (recipient, Message-ID, subject, text)."""

    messages: list[tuple[str, str, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or b""
        parsed = message_from_bytes(raw, policy=policy.default)
        body = parsed.get_body(("plain",)) if hasattr(parsed, "get_body") else None
        text = str(body.get_content()) if body is not None else ""
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.messages.append((str(rcpt), str(parsed["Message-ID"] or ""), str(parsed["Subject"]), text))
        return "250 OK"


@contextlib.contextmanager
def smtp_sink() -> Iterator[tuple[MailSink, int]]:
    from aiosmtpd.controller import Controller

    sink = MailSink()
    (port,) = free_ports(1)
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


# --------------------------------------------------------------------------- clients


@dataclass
class Tally:
    requests: int = 0
    retries_503: int = 0
    retries_transport: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    orphan_creates: int = 0


class Api:
    """Clients of the API processes, round-robin; every request retried after 503 or a transport error."""

    def __init__(self, urls: Sequence[str], tally: Tally, max_requests: int, connections: int = 64) -> None:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        self.http = [httpx.AsyncClient(base_url=u, timeout=HTTP_TIMEOUT_S, limits=limits) for u in urls]
        self.turn = 0
        self.tokens: dict[str, str] = {}
        self.tally = tally
        self.max_requests = max_requests

    async def close(self) -> None:
        for http in self.http:
            await http.aclose()

    def _next(self) -> httpx.AsyncClient:
        self.turn += 1
        return self.http[self.turn % len(self.http)]

    async def raw(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request with retries after 503 and transport errors (the same headers, so the same key)."""
        deadline = time.monotonic() + REQUEST_PATIENCE_S
        attempt = 0
        while True:
            attempt += 1
            self.tally.requests += 1
            if self.tally.requests > self.max_requests:
                raise ChaosFailure(f"more than {self.max_requests} requests: the harness stops")
            try:
                r = await self._next().request(method, path, **kwargs)
            except httpx.TransportError:
                self.tally.retries_transport += 1
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)
                continue
            r.extensions["attempt"] = attempt
            self.tally.statuses[str(r.status_code)] += 1
            if r.status_code in (503, 502, 504) or (r.status_code >= 500 and time.monotonic() < deadline):
                self.tally.retries_503 += 1
                if time.monotonic() > deadline:
                    return r
                with contextlib.suppress(ValueError):
                    await asyncio.sleep(min(float(r.headers.get("Retry-After", "0.5")), 2.0))
                continue
            return r

    async def token(self, staff_id: str) -> str:
        if staff_id not in self.tokens:
            r = await self.raw("POST", "/v1/auth/token", json={"staff_id": staff_id, "password": "demo"})
            if r.status_code != 200:
                raise ChaosFailure(f"sign-in of {staff_id}: {r.status_code} {r.text[:200]}")
            self.tokens[staff_id] = str(r.json()["access_token"])
        return self.tokens[staff_id]

    async def call(
        self, staff_id: str, method: str, path: str, *, key: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {await self.token(staff_id)}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return await self.raw(method, path, headers=headers, **kwargs)

    async def ok(self, staff_id: str, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        r = await self.call(staff_id, method, path, **kwargs)
        if r.status_code not in (200, 201):
            raise ChaosFailure(f"{staff_id} {method} {path}: {r.status_code} {r.text[:300]}")
        return dict(r.json())


# --------------------------------------------------------------------------- the documents' scripts


@dataclass
class Doc:
    index: int
    script: str
    drafter: str
    id: str = ""
    amount_yen: int = 0
    final_yen: int = 0
    decisions: list[tuple[str, str]] = field(default_factory=list)  # (action, actor) accepted
    status: str = ""
    error: str = ""


def city_people() -> dict[str, list[str]]:
    from core.demo_city import generate_city

    city = generate_city()

    def holders(unit: str, *posts: str) -> list[str]:
        return sorted(a.staff_id for a in city.assignments if a.org_unit_code == unit and a.post_code in posts)

    return {"spending": holders(SPENDING_UNIT, "staff"), "affairs": holders(AFFAIRS_UNIT, "staff", "chief")}


def make_docs(rng: random.Random, count: int) -> list[Doc]:
    people = city_people()
    docs = []
    for index in range(count):
        script = rng.choices(list(SCRIPTS), weights=list(SCRIPTS.values()))[0]
        pool = people["affairs"] if script == "affairs" else people["spending"]
        doc = Doc(index, script, pool[index % len(pool)])
        doc.amount_yen = 0 if script == "affairs" else rng.randrange(10_000, 900_000, 1_000)
        doc.final_yen = doc.amount_yen
        docs.append(doc)
    return docs


def affair_details(rng: random.Random, index: int) -> dict[str, Any]:
    start = date(2032, 1, 5) + timedelta(days=7 * (index % 400))
    kind = rng.choice(("leave", "trip", "overtime"))
    if kind == "leave":
        return {"matter": "leave", "kind": "special", "start": str(start), "end": str(start), "days": 1}
    if kind == "trip":
        return {
            "matter": "trip",
            "destination": "山口市",
            "purpose": "研修",
            "start": str(start),
            "end": str(start),
            "days": 1,
        }
    return {
        "matter": "overtime",
        "work_date": str(start),
        "start_time": "17:30",
        "end_time": "20:00",
        "hours": 2.5,
        "reason": "選挙事務",
    }


class Driver:
    def __init__(self, api: Api, rng_seed: int) -> None:
        self.api = api
        self.seed = rng_seed

    async def act(self, doc: Doc, actor: str, action: str, key: str, comment: str = "") -> dict[str, Any]:
        body = {"action": action, "comment": comment}
        r = await self.api.call(actor, "POST", f"/v1/documents/{doc.id}/actions", key=key, json=body)
        if r.status_code != 200:
            raise ChaosFailure(f"{doc.script} {doc.id} {action} by {actor}: {r.status_code} {r.text[:300]}")
        doc.decisions.append((action, actor))
        return dict(r.json())

    async def create(self, doc: Doc, rng: random.Random) -> None:
        if doc.script == "affairs":
            details = affair_details(rng, doc.index)
            body: dict[str, Any] = {
                "title": f"庶務申請（{doc.index}）",
                "matter": details["matter"],
                "amount_yen": 0,
                "details": details,
            }
        else:
            body = {
                "title": f"障害試験用備品購入（{doc.index}）",
                "body": "購入してよろしいか伺います。",
                "matter": "spending",
                "amount_yen": doc.amount_yen,
                "confidentiality": 1,
                "retention_years": 5,
                "budget_code": BUDGET_CODE,
            }
            if doc.script == "objection":
                body["consult_units"] = [CONSULT_UNIT]
            body["needs_issuance"] = doc.script == "issuance"
        r = await self.api.call(doc.drafter, "POST", "/v1/documents", json=body)
        if r.status_code != 201:
            raise ChaosFailure(f"create {doc.script}: {r.status_code} {r.text[:300]}")
        if r.extensions.get("attempt", 1) > 1:
            self.api.tally.orphan_creates += 1  # an earlier attempt may have created a draft nobody answered for
        doc.id = str(r.json()["id"])

    async def run(self, doc: Doc) -> None:
        rng = random.Random(f"{self.seed}-{doc.index}")
        try:
            await self.create(doc, rng)
            state = await self.api.ok(doc.drafter, "POST", f"/v1/documents/{doc.id}/submit", key=f"{doc.id}-submit")
            doc.decisions.append(("submit", doc.drafter))
            if doc.script == "withdraw":
                state = await self.act(doc, doc.drafter, "withdraw", f"{doc.id}-withdraw", "取下げます")
            sent_back = objected = False
            for step in range(20):
                pending = state.get("pending") or []
                if not pending or state["status"] not in ("in_review",):
                    break
                actor = str(pending[0])
                kind = next(
                    (s["stage_kind"] for s in state["steps"] if s["assignee_id"] == actor and s["state"] == "pending"),
                    "",
                )
                if doc.script == "send_back" and not sent_back:
                    sent_back = True
                    await self.act(doc, actor, "send_back", f"{doc.id}-send_back", "金額を見直してください")
                    doc.final_yen = max(1_000, doc.amount_yen - rng.randrange(1_000, 9_000, 1_000))
                    await self.api.ok(
                        doc.drafter, "PATCH", f"/v1/documents/{doc.id}", json={"amount_yen": doc.final_yen}
                    )
                    state = await self.api.ok(
                        doc.drafter, "POST", f"/v1/documents/{doc.id}/resubmit", key=f"{doc.id}-resubmit"
                    )
                    doc.decisions.append(("resubmit", doc.drafter))
                elif doc.script == "objection" and kind == "consult" and not objected:
                    objected = True
                    state = await self.act(doc, actor, "object", f"{doc.id}-object", "人員配置の見直しが先")
                else:
                    action = "consent" if kind == "consult" else "approve"
                    state = await self.act(doc, actor, action, f"{doc.id}-{action}-{step}")
            if doc.script == "issuance":
                state = await self.issue(doc)
            doc.status = str(state["status"])
        except (ChaosFailure, httpx.HTTPError, KeyError, ValueError) as exc:
            doc.error = f"{type(exc).__name__}: {exc}"[:400]

    async def issue(self, doc: Doc) -> dict[str, Any]:
        """施行 once the decision is numbered; a retry that finds it issued (409) reads the document."""
        for _ in range(600):
            state = await self.api.ok(doc.drafter, "GET", f"/v1/documents/{doc.id}")
            if state.get("issuance"):
                return state
            if state.get("number_display"):
                r = await self.api.call(doc.drafter, "POST", f"/v1/documents/{doc.id}/issuance", json=SEAL)
                if r.status_code == 200:
                    return dict(r.json())
                if r.status_code != 409:
                    raise ChaosFailure(f"issuance {doc.id}: {r.status_code} {r.text[:300]}")
            await asyncio.sleep(0.2)
        raise ChaosFailure(f"issuance {doc.id}: never numbered")


# --------------------------------------------------------------------------- chaos


@dataclass
class ChaosLog:
    kills: Counter[str] = field(default_factory=Counter)
    pg_terminated: int = 0
    revived: Counter[str] = field(default_factory=Counter)  # died on their own, restarted
    restart_seconds: list[float] = field(default_factory=list)
    anomalies: list[str] = field(default_factory=list)  # children that did not come back at once
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    over: bool = False  # the chaos loop has ended

    @property
    def total(self) -> int:
        return sum(self.kills.values())

    async def count(self, kind: str) -> None:
        async with self.changed:
            self.kills[kind] += 1
            self.changed.notify_all()

    async def end(self) -> None:
        async with self.changed:
            self.over = True
            self.changed.notify_all()

    async def until(self, kills: float) -> None:
        """Until ``kills`` kills have been made (or the loop has ended)."""
        async with self.changed:
            await self.changed.wait_for(lambda: self.over or self.total >= kills)


async def terminate_backends(database_url: str) -> int:
    import asyncpg  # type: ignore[import-untyped]

    name = database_url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        rows = await conn.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        return len(rows)
    finally:
        await conn.close()


async def chaos_loop(
    fleet: Fleet,
    rng: random.Random,
    log_: ChaosLog,
    stop: asyncio.Event,
    *,
    gap: tuple[float, float],
    allowed: Callable[[], int],
    at_once: int = 2,
) -> None:
    """Kill one process of a kind at a time (of two workers or APIs, never both), restart it in the background;
    meanwhile another kind may be killed, so several processes of different kinds can be down at once."""
    postgres = fleet.database_url.startswith("postgresql")
    targets = {k: w for k, w in TARGETS.items() if k != "postgres" or postgres}
    restarting: dict[str, asyncio.Task[None]] = {}

    async def restart(victim: Child, started: float) -> None:
        await asyncio.sleep(rng.uniform(0.0, 0.5))  # the others meet it dead for a moment
        await asyncio.to_thread(victim.restart_until_ready, log_.anomalies)
        log_.restart_seconds.append(time.monotonic() - started)

    try:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), rng.uniform(*gap))
            if stop.is_set():
                return
            for kind, task in list(restarting.items()):
                if task.done():
                    del restarting[kind]
                    if task.exception() is not None:  # it would not come back: noted, and revived below
                        log_.anomalies.append(f"{kind}: {task.exception()}")
            if not restarting:
                for name in await asyncio.to_thread(fleet.revive_dead):
                    log_.revived[name] += 1
            free = {k: w for k, w in targets.items() if k not in restarting}
            if not free or len(restarting) >= at_once or log_.total >= allowed():
                continue  # at most ``at_once`` down, and the kills follow the documents' progress
            kind = rng.choices(list(free), weights=list(free.values()))[0]
            if kind == "postgres":
                log_.pg_terminated += await terminate_backends(fleet.database_url)
                await log_.count(kind)
                continue
            victim = rng.choice(fleet.of_kind(kind))
            started = time.monotonic()
            await asyncio.to_thread(victim.kill)
            await log_.count(kind)
            restarting[kind] = asyncio.create_task(restart(victim, started))
    finally:
        for task in restarting.values():
            with contextlib.suppress(Exception):
                await task
        for name in await asyncio.to_thread(fleet.revive_dead):
            log_.revived[name] += 1
        await log_.end()


# --------------------------------------------------------------------------- checks


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def expected_status(doc: Doc) -> tuple[str, ...]:
    return ("withdrawn",) if doc.script == "withdraw" else DECIDED


async def settle(api: Api, docs: list[Doc], patience: float = 300.0) -> dict[str, dict[str, Any]]:
    """Read every document until its after-decision work (finance, HR, number, completion) has settled."""
    gate = asyncio.Semaphore(8)
    deadline = time.monotonic() + patience

    def settled(doc: Doc, read: dict[str, Any]) -> bool:
        if read["status"] not in expected_status(doc):
            return False
        finance = (read.get("finance") or {}).get("state")
        if doc.script == "withdraw":
            return finance in ("released", "none")
        if doc.script == "affairs":
            return (read.get("hr") or {}).get("state") == "posted" and bool(read.get("number_display"))
        return finance == "committed" and bool(read.get("number_display")) and read.get("completed_at") is not None

    async def one(doc: Doc) -> tuple[str, dict[str, Any]]:
        async with gate:
            while True:
                read = await api.ok(doc.drafter, "GET", f"/v1/documents/{doc.id}")
                if settled(doc, read) or doc.error or time.monotonic() > deadline:  # a failed script: as it is
                    return doc.id, read
                await asyncio.sleep(0.5)

    return dict(await asyncio.gather(*(one(d) for d in docs if d.id)))


async def audits(api: Api, docs: list[Doc]) -> dict[str, dict[str, Any]]:
    gate = asyncio.Semaphore(8)

    async def one(doc: Doc) -> tuple[str, dict[str, Any]]:
        async with gate:
            return doc.id, await api.ok(doc.drafter, "GET", f"/v1/documents/{doc.id}/audit")

    return dict(await asyncio.gather(*(one(d) for d in docs if d.id)))


async def database_facts(database_url: str) -> tuple[dict[tuple[str, int], list[int]], list[tuple[int, str, str]]]:
    """文書番号 (sub-numbers aside) per series, and the e-mail deliveries planned: (notice id, recipient, state)."""
    from sqlalchemy import select

    from db.models import DocumentRow, NotificationDeliveryRow, NotificationRow
    from db.session import create_engine, create_sessionmaker

    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = await session.execute(
                select(DocumentRow.number_symbol, DocumentRow.number_fiscal_year, DocumentRow.number_serial).where(
                    DocumentRow.number_serial.is_not(None), DocumentRow.number_sub.is_(None)
                )
            )
            series: dict[tuple[str, int], list[int]] = defaultdict(list)
            for symbol, year, serial in rows:
                series[(str(symbol), int(year or 0))].append(int(serial or 0))
            mails = await session.execute(
                select(NotificationRow.id, NotificationRow.recipient_id, NotificationDeliveryRow.state)
                .join(NotificationDeliveryRow, NotificationDeliveryRow.notification_id == NotificationRow.id)
                .where(NotificationDeliveryRow.channel == "email")
            )
            return series, [(int(i), str(r), str(s)) for i, r, s in mails]
    finally:
        await engine.dispose()


async def outbox_drained(database_url: str, patience: float = 420.0) -> bool:
    """No delivery pending; waits past the dispatcher's lease (5 min): a pass that failed mid-way (its database
    connection lost) leaves its leased deliveries to the next pass after the lease."""
    from sqlalchemy import func, select

    from db.models import NotificationDeliveryRow
    from db.session import create_engine, create_sessionmaker

    engine = create_engine(database_url)
    deadline = time.monotonic() + patience
    try:
        while True:
            async with create_sessionmaker(engine)() as session:
                waiting = await session.scalar(select(func.count()).where(NotificationDeliveryRow.state == "pending"))
            if not waiting or time.monotonic() > deadline:
                return not waiting
            await asyncio.sleep(1.0)
    finally:
        await engine.dispose()


async def run_checks(
    api: Api, fleet: Fleet, docs: list[Doc], sink: MailSink, finance: httpx.AsyncClient, hr: httpx.AsyncClient
) -> list[Check]:
    from domain.fiscal import fiscal_year_of

    checks: list[Check] = []
    reads = await settle(api, docs)
    wrong = [
        f"#{d.index} {d.script}: {reads.get(d.id, {}).get('status')} {d.error[:160]}".rstrip()
        for d in docs
        if not d.id or d.error or reads[d.id]["status"] not in expected_status(d)
    ]
    unsettled = [
        f"#{d.index} {d.script} finance={reads[d.id].get('finance', {}).get('state')} "
        f"hr={reads[d.id].get('hr', {}).get('state')} number={reads[d.id].get('number_display')}"
        for d in docs
        if d.id and not wrong and d.script != "withdraw" and not reads[d.id].get("number_display")
    ]
    checks.append(
        Check(
            "every document reached its script's state",
            not wrong and not unsettled,
            f"{len(docs) - len(wrong)}/{len(docs)} " + "; ".join((wrong + unsettled)[:5]),
        )
    )

    trails = await audits(api, docs)
    bad_audit = []
    for d in docs:
        if not d.id:
            continue
        trail = trails[d.id]
        held = Counter((e["action"], e["actor_id"]) for e in trail["events"] if e["action"] in DECISIONS)
        meant = Counter(d.decisions)
        if not trail["verified"] or held != meant:
            bad_audit.append(f"#{d.index} verified={trail['verified']} held={dict(held)} meant={dict(meant)}")
    decisions = sum(len(d.decisions) for d in docs)
    checks.append(
        Check(
            "audit chains verify, each decision once",
            not bad_audit,
            f"{len(trails)} chains, {decisions} decisions " + "; ".join(bad_audit[:3]),
        )
    )

    ledger = (await finance.get("/ledger")).json()
    by_doc_res: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_doc_com: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for res in ledger["reservations"]:
        by_doc_res[res["document_id"]].append(res)
    for com in ledger["commitments"]:
        by_doc_com[com["document_id"]].append(com)
    bad_ledger = []
    for d in docs:
        if not d.id or d.script == "affairs":
            continue
        coms = [c for c in by_doc_com[d.id] if c["state"] != "cancelled"]
        left = [r for r in by_doc_res[d.id] if r["state"] == "reserved"]
        if d.script == "withdraw":
            if coms or left:
                bad_ledger.append(f"#{d.index} withdrawn but commitments={len(coms)} reserved={len(left)}")
        elif [c["amount_yen"] for c in coms] != [d.final_yen] or left:
            bad_ledger.append(
                f"#{d.index} {d.script}: commitments {[c['amount_yen'] for c in coms]} for {d.final_yen},"
                f" {len(left)} left reserved"
            )
    budget = (await finance.get(f"/budgets/{BUDGET_CODE}", params={"fiscal_year": fiscal_year_of(date.today())})).json()
    committed = sum(d.final_yen for d in docs if d.id and d.script not in ("affairs", "withdraw"))
    if budget.get("committed_yen") != committed or budget.get("reserved_yen") != 0:
        bad_ledger.append(
            f"budget line: committed {budget.get('committed_yen')} (meant {committed}),"
            f" reserved {budget.get('reserved_yen')}"
        )
    checks.append(
        Check(
            "finance ledger equals the decisions",
            not bad_ledger,
            f"{len(ledger['commitments'])} commitments, ¥{committed:,} committed " + "; ".join(bad_ledger[:3]),
        )
    )

    bad_hr = []
    affairs = [d for d in docs if d.id and d.script == "affairs"]
    for d in affairs:
        postings = (await hr.get("/postings", params={"document_id": d.id})).json()
        posting_id = (reads[d.id].get("hr") or {}).get("posting_id")
        if [p["id"] for p in postings] != [posting_id]:
            bad_hr.append(f"#{d.index}: postings {[p['id'] for p in postings]}, document shows {posting_id}")
    checks.append(
        Check("each 庶務 request posted to HR once", not bad_hr, f"{len(affairs)} requests " + "; ".join(bad_hr[:3]))
    )

    drained = await outbox_drained(fleet.database_url)
    series, mails = await database_facts(fleet.database_url)
    gaps = [
        f"{s}{y}: {len(n)} numbers, max {max(n)}"
        for (s, y), n in series.items()
        if sorted(n) != list(range(1, len(n) + 1))
    ]
    mine = sum(1 for d in docs if d.id and reads[d.id].get("number_display"))
    checks.append(
        Check(
            "文書番号 gapless per series",
            not gaps,
            f"{len(series)} series, {sum(len(n) for n in series.values())} numbers ({mine} of ours) "
            + "; ".join(gaps[:3]),
        )
    )

    with sink.lock:
        received = list(sink.messages)
    ids_by_notice: dict[int, set[str]] = defaultdict(set)
    stray = []
    for _rcpt, message_id, _subject, _text in received:
        core = message_id.strip("<>")
        if core.startswith("notice-") and ".email@" in core:
            ids_by_notice[int(core.split("-", 1)[1].split(".", 1)[0])].add(core)
        else:
            stray.append(message_id)
    planned = [(i, r, s) for i, r, s in mails if s != "skipped"]
    missing = [i for i, _, _ in planned if i not in ids_by_notice]
    unknown = set(ids_by_notice) - {i for i, _, _ in mails}
    copies = Counter(m[1] for m in received)
    duplicates = sum(n - 1 for n in copies.values() if n > 1)
    checks.append(
        Check(
            "notices mailed at least once, duplicates share a Message-ID",
            drained and not missing and not unknown and not stray,
            f"{len(planned)} planned, {len(received)} received ({duplicates} duplicates with the same Message-ID)"
            + (f"; missing {missing[:5]}" if missing else "")
            + (f"; unknown notices {sorted(unknown)[:5]}" if unknown else "")
            + (f"; without a notice Message-ID {stray[:3]}" if stray else "")
            + ("" if drained else "; outbox not drained"),
        )
    )
    errors = {status: n for status, n in api.tally.statuses.items() if status.startswith("5") and status != "503"}
    checks.append(
        Check(
            "no answer 5xx but 503 (retry later)",
            not errors,
            f"{sum(api.tally.statuses.values())} answers" + (f"; {errors}" if errors else ""),
        )
    )
    return checks


# --------------------------------------------------------------------------- overload


@dataclass
class Overload:
    clients: int
    seconds: float
    accepted: int = 0
    shed: int = 0
    other: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    first_shed_after: float | None = None
    documents: int = 0


async def overload_phase(urls: Sequence[str], clients: int, seconds: float, drafters: list[str]) -> Overload:
    """C clients each creating, submitting and deciding small documents (no budget) for ``seconds``; a 503 is
    counted as shed and retried with the same Idempotency-Key after Retry-After, never timed as accepted."""
    from core.demo_city import generate_city

    city = generate_city()
    manager = next(
        a.staff_id for a in city.assignments if a.org_unit_code == SPENDING_UNIT and a.post_code == "manager"
    )
    result = Overload(clients, seconds)
    tally = Tally()
    api = Api(urls, tally, max_requests=10_000_000, connections=clients)
    for staff_id in {*drafters, manager}:
        await api.token(staff_id)
    start = time.monotonic()
    end = start + seconds

    async def timed(
        staff_id: str, method: str, path: str, *, key: str | None = None, **kwargs: Any
    ) -> dict[str, Any] | None:
        headers = {"Authorization": f"Bearer {api.tokens[staff_id]}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        while time.monotonic() < end + 30:
            began = time.monotonic()
            try:
                r = await api._next().request(method, path, headers=headers, **kwargs)
            except httpx.TransportError as exc:
                result.other[type(exc).__name__] += 1
                await asyncio.sleep(0.2)
                continue
            if r.status_code == 503:  # shed at the door (nothing done), or the engine's answer was late
                if r.headers.get("content-type", "").startswith("application/problem") and (
                    r.json().get("title") == "Overloaded"
                ):
                    result.shed += 1
                    if result.first_shed_after is None:
                        result.first_shed_after = began - start
                else:
                    result.other["503 (engine late)"] += 1
                await asyncio.sleep(float(r.headers.get("Retry-After", "1")))
                continue
            if r.status_code in (200, 201):
                result.accepted += 1
                result.latencies.append(time.monotonic() - began)
                return dict(r.json())
            result.other[str(r.status_code)] += 1
            return None
        return None

    async def client(n: int) -> None:
        drafter = drafters[n % len(drafters)]
        i = 0
        while time.monotonic() < end:
            i += 1
            body = {
                "title": f"過負荷試験（{n}-{i}）",
                "body": "例示",
                "matter": "spending",
                "amount_yen": 50_000,
                "confidentiality": 1,
                "retention_years": 1,
            }
            doc = await timed(drafter, "POST", "/v1/documents", json=body)
            if doc is None:
                continue
            key = uuid.uuid4().hex
            state = await timed(drafter, "POST", f"/v1/documents/{doc['id']}/submit", key=f"{key}-s")
            if state is None or time.monotonic() >= end:
                continue
            for pending in (state.get("pending") or [])[:1]:
                actor = pending if pending in api.tokens else manager
                if actor not in api.tokens:
                    continue
                if (
                    await timed(
                        actor,
                        "POST",
                        f"/v1/documents/{doc['id']}/actions",
                        key=f"{key}-a",
                        json={"action": "approve", "comment": ""},
                    )
                    is not None
                ):
                    result.documents += 1

    await asyncio.gather(*(client(n) for n in range(clients)))
    await api.close()
    return result


# --------------------------------------------------------------------------- the run


@dataclass
class RunResult:
    seed: int
    database: str
    docs: list[Doc]
    chaos: ChaosLog
    tally: Tally
    checks: list[Check]
    seconds: float
    overload: Overload | None
    workers: int
    apis: int


async def drive(fleet: Fleet, args: argparse.Namespace, sink: MailSink) -> RunResult:
    rng = random.Random(args.seed)
    docs = make_docs(rng, args.docs)
    tally = Tally()
    api = Api(fleet.api_urls, tally, max_requests=args.max_requests)
    chaos = ChaosLog()
    started = time.monotonic()
    async with (
        httpx.AsyncClient(base_url=fleet.finance_url, timeout=30) as finance,
        httpx.AsyncClient(base_url=fleet.hr_url, timeout=30) as hr,
    ):
        from domain.fiscal import fiscal_year_of

        year = fiscal_year_of(date.today())
        (
            await finance.put(
                f"/admin/budgets/{year}/{BUDGET_CODE}", json={"name": "障害試験用（例示）", "allocated_yen": BUDGET_YEN}
            )
        ).raise_for_status()
        # Notices by mail to everyone who drafts (and so hears of decisions) and everyone a route may reach.
        people = sorted({d.drafter for d in docs} | set(await approvers(api, docs)))
        gate = asyncio.Semaphore(8)

        async def prefer(staff_id: str) -> None:
            async with gate:
                await preferences(api, staff_id)

        await asyncio.gather(*(prefer(p) for p in people))
        stop = asyncio.Event()
        done = 0
        chaos_task = asyncio.create_task(
            chaos_loop(
                fleet,
                random.Random(args.seed + 1),
                chaos,
                stop,
                gap=args.gap,
                # kill k once k/kills of the documents are done (+ a few ahead): spread over the load, never
                # faster than the stack can make progress
                allowed=lambda: 3 + int(args.kills * done / len(docs)),
            )
        )
        driver = Driver(api, args.seed)
        counter = iter(range(len(docs)))

        async def client() -> None:
            nonlocal done
            for i in counter:
                await driver.run(docs[i])
                done += 1
                if done % 25 == 0:
                    log(f"{done}/{len(docs)} documents, {sum(chaos.kills.values())} kills")

        try:
            async with asyncio.timeout(args.max_seconds):
                await asyncio.gather(*(client() for _ in range(args.concurrency)))
                await chaos.until(args.kills)
        finally:
            stop.set()
            with contextlib.suppress(Exception):
                await chaos_task
        if chaos_task.done() and chaos_task.exception() is not None:
            raise ChaosFailure(f"the chaos loop failed: {chaos_task.exception()!r}")
        await asyncio.to_thread(fleet.revive_dead)
        seconds = time.monotonic() - started
        log(f"load done in {seconds:.0f} s; checking")
        checks = await run_checks(api, fleet, docs, sink, finance, hr)
    await api.close()
    overload = None
    if args.overload_clients:
        log(f"overload: {args.overload_clients} clients for {args.overload_seconds:.0f} s")
        overload = await overload_phase(
            fleet.api_urls, args.overload_clients, args.overload_seconds, city_people()["spending"]
        )
    return RunResult(
        args.seed,
        "PostgreSQL" if args.postgres else "SQLite",
        docs,
        chaos,
        tally,
        checks,
        seconds,
        overload,
        args.workers,
        args.apis,
    )


async def preferences(api: Api, staff_id: str) -> None:
    body = {"channels": ["email"], "email": f"{staff_id}@{MAIL_DOMAIN}"}
    await api.ok(staff_id, "PUT", "/v1/me/notification-preferences", json=body)


async def approvers(api: Api, docs: list[Doc]) -> list[str]:
    """Everyone a route may reach: the holders of the posts of the units the scripts use (and one level up)."""
    from core.demo_city import generate_city

    city = generate_city()
    units = {SPENDING_UNIT, AFFAIRS_UNIT, CONSULT_UNIT}
    departments = {u.split(".")[0] for u in units}
    return sorted(
        {
            a.staff_id
            for a in city.assignments
            if (a.org_unit_code in units and a.post_code not in ("staff",)) or a.org_unit_code in departments
        }
    )


def render(result: RunResult) -> str:
    kills = sum(result.chaos.kills.values())
    by_kind = ", ".join(f"{k} {n}" for k, n in sorted(result.chaos.kills.items()))
    scripts = Counter(d.script for d in result.docs)
    restart = result.chaos.restart_seconds
    lines = [
        "",
        f"ringi chaos: seed {result.seed}, {result.database}, {result.workers} workers, {result.apis} API processes",
        f"  documents {len(result.docs)} ({', '.join(f'{k} {n}' for k, n in sorted(scripts.items()))})",
        f"  kills {kills} ({by_kind}); PostgreSQL backends terminated {result.chaos.pg_terminated}",
        f"  restart p50 {percentile(restart, 50):.1f} s, max {max(restart, default=0):.1f} s;"
        f" died on their own and restarted: {dict(result.chaos.revived) or 'none'}",
        f"  anomalies (not ready in time, dumped and restarted): {len(result.chaos.anomalies)}"
        + "".join(f"\n    {a}" for a in result.chaos.anomalies[:10]),
        f"  {result.seconds:.0f} s under faults; {result.tally.requests} requests, {result.tally.retries_503} retried"
        f" after 5xx, {result.tally.retries_transport} after a connection error; answers {dict(result.tally.statuses)};"
        f" creates retried (orphan drafts possible) {result.tally.orphan_creates}",
        "",
        f"  {'check':<58} {'result':<6} detail",
    ]
    for check in result.checks:
        lines.append(f"  {check.name:<58} {'PASS' if check.ok else 'FAIL':<6} {check.detail}")
    if result.overload is not None:
        o = result.overload
        total = o.accepted + o.shed
        first = "never" if o.first_shed_after is None else f"{o.first_shed_after:.2f} s"
        lines += [
            "",
            f"  overload: C={o.clients} for {o.seconds:.0f} s: {o.accepted / o.seconds:.1f} accepted requests/s,"
            f" {o.documents / o.seconds:.1f} documents decided/s",
            f"    accepted p50 {percentile(o.latencies, 50) * 1000:.0f} ms,"
            f" p99 {percentile(o.latencies, 99) * 1000:.0f} ms,"
            f" max {max(o.latencies, default=0) * 1000:.0f} ms; shed {o.shed} of {total}"
            f" ({(o.shed / total if total else 0):.1%}); first 503 after {first}; other {dict(o.other) or 'none'}",
        ]
    verdict = all(c.ok for c in result.checks)
    lines += ["", f"  {'all checks passed' if verdict else 'CHECKS FAILED'} (seed {result.seed})"]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=500, help="documents to drive (default 500)")
    parser.add_argument("--kills", type=int, default=200, help="at least this many kills (default 200)")
    parser.add_argument("--seed", type=int, default=None, help="the seed (default: random, printed)")
    parser.add_argument("--concurrency", type=int, default=12, help="concurrent clients during the faults")
    parser.add_argument("--workers", type=int, choices=(1, 2), default=2)
    parser.add_argument("--apis", type=int, choices=(1, 2), default=2)
    parser.add_argument("--postgres", action="store_true", help=f"ringi's database on PostgreSQL ({PG_SERVER_URL})")
    parser.add_argument("--postgres-url", default=PG_SERVER_URL, help="the server (a throw-away database is made)")
    parser.add_argument(
        "--gap",
        type=float,
        nargs=2,
        default=(0.2, 1.5),
        metavar=("MIN", "MAX"),
        help="seconds between a restart and the next kill (uniform)",
    )
    parser.add_argument("--overload-clients", type=int, default=120, help="C of the overload phase (0: skip)")
    parser.add_argument("--overload-seconds", type=float, default=20.0)
    parser.add_argument("--max-seconds", type=float, default=3600.0, help="wall-clock limit of the load")
    parser.add_argument("--max-requests", type=int, default=500_000)
    parser.add_argument("--keep-data", action="store_true")
    return parser


async def guarded(run: Coroutine[Any, Any, RunResult]) -> RunResult:
    """The run; on its way out (also when Ctrl-C cancels it) restarts waiting in threads give up at once, so
    asyncio.run's wait for its threads ends and everything started is stopped."""
    try:
        return await run
    finally:
        STOPPING.set()


def run(args: argparse.Namespace) -> RunResult:
    """Start everything, drive, check; stop everything (also on Ctrl-C)."""
    from bench.stack import throwaway_database

    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1, 2**31)
    if not args.postgres_url.startswith("postgresql") or (
        "127.0.0.1" not in args.postgres_url and "localhost" not in args.postgres_url
    ):
        raise SystemExit("--postgres-url: a PostgreSQL server on the loopback address only")
    log(f"seed {args.seed}")
    saved_env = dict(os.environ)  # stack_settings exports RINGI_*: a test process gets its environment back
    data_dir = Path(tempfile.mkdtemp(prefix="ringi-chaos-"))
    failed = True
    fleet: Fleet | None = None
    try:
        with contextlib.ExitStack() as cleanup:
            url = f"sqlite+aiosqlite:///{data_dir / 'ringi.db'}"
            if args.postgres:
                url = cleanup.enter_context(throwaway_database(args.postgres_url, keep=args.keep_data))
            STOPPING.clear()
            sink, smtp_port = cleanup.enter_context(smtp_sink())
            fleet = build_fleet(data_dir, url, workers=args.workers, apis=args.apis, smtp_port=smtp_port)
            cleanup.callback(fleet.stop_all)
            log(f"starting the stack in {data_dir}")
            fleet.start_all()
            result = asyncio.run(guarded(drive(fleet, args, sink)))
            failed = not all(c.ok for c in result.checks)
            return result
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        if args.keep_data or failed:
            log(f"data and logs kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    import logging

    for noisy in ("alembic", "httpx", "temporalio", "mail.log"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    result = run(args)
    print(render(result))
    print(json.dumps({"seed": result.seed, "ok": all(c.ok for c in result.checks)}))
    return 0 if all(c.ok for c in result.checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
