"""A big city's read paths: ``GET /v1/inbox`` and ``GET /v1/documents`` over 1,000,000 documents in PostgreSQL.

Creates a throw-away PostgreSQL database (on ``--postgres``, default ``RINGI_TEST_POSTGRES_URL``), migrates it,
seeds a generated city of ``--staff`` people, then bulk-loads with COPY (not through workflows):

- ``--documents`` documents (default 1,000,000) by every staff member in turn, created over three years; all but
  ``--pending`` of them finished (approved, rejected, withdrawn);
- for each of the ``--pending`` in-flight documents (default 100,000): a done 回議 step, one pending step and one
  waiting 決裁 step, the pending ones spread over everyone holding 係長 or above.

Then serves the real API (and the HR stub, which the inbox asks about 代決) in-process over HTTP and times
``--requests`` sequential calls of each endpoint by random users with something to see: p50, p95, p99, max.
Target: p99 <= 50 ms.

    python -m bench.inbox                                     # 1,000,000 documents, 100,000 pending steps
    python -m bench.inbox --documents 200000 --pending 20000  # smaller, when time is short
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import httpx

from api.app import create_app
from bench.measure import Latency, machine_facts
from core.demo_city import generate_city
from core.logging import configure_logging
from core.serve import serve_app
from core.settings import Settings
from db.migrate import upgrade
from db.seed import seed_demo
from schemas.org import POST_RANKS, City
from stubs.hr.app import create_app as create_hr_app

FINISHED = ("approved", "approved", "approved", "completed", "rejected", "withdrawn")
START = datetime(2023, 4, 1, tzinfo=UTC)


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _asyncpg_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def load(dsn: str, city: City, *, documents: int, pending: int, seed: int) -> dict[str, list[str]]:
    """COPY the documents and route steps; returns who has something to see (drafters, approvers)."""
    rng = random.Random(seed)
    home = {a.staff_id: a.org_unit_code for a in city.assignments}
    staff = [s.id for s in city.staff]
    approvers = [a.staff_id for a in city.assignments if POST_RANKS[a.post_code] >= POST_RANKS["chief"]]
    span = 3 * 365 * 24 * 3600
    conn = await asyncpg.connect(dsn)
    try:
        in_flight = set(rng.sample(range(documents), pending))
        doc_columns = [
            *("id", "title", "body", "matter", "amount_yen", "confidentiality", "retention_years", "drafter_id"),
            *("org_unit_code", "status", "version", "content_hash", "projected_seq", "created_at", "updated_at"),
            "submitted_at",
        ]
        step_columns = [
            *("document_id", "stage_index", "stage_kind", "assignee_id", "state", "since", "acted_at", "acted_by"),
            "version",
        ]
        batch = 100_000
        steps: list[tuple[object, ...]] = []
        for first in range(0, documents, batch):
            rows = []
            for n in range(first, min(first + batch, documents)):
                drafter = staff[n % len(staff)]
                created = START + timedelta(seconds=rng.randrange(span))
                doc_id = str(uuid.UUID(int=rng.getrandbits(128)))
                status = "in_review" if n in in_flight else FINISHED[n % len(FINISHED)]
                rows.append(
                    (doc_id, f"文書 {n}", "伺い文", "spending", 100_000 + n % 5_000_000, 1, 5, drafter,
                     home[drafter], status, 1, "h" * 64, 2, created, created, created)
                )  # fmt: skip
                if n in in_flight:
                    reviewer, approver, decider = rng.choice(approvers), rng.choice(approvers), rng.choice(approvers)
                    since = created + timedelta(hours=1)
                    steps += [
                        (doc_id, 0, "review", reviewer, "done", created, since, reviewer, 1),
                        (doc_id, 1, "review", approver, "pending", since, None, None, None),
                        (doc_id, 2, "decide", decider, "waiting", None, None, None, None),
                    ]
            await conn.copy_records_to_table("documents", records=rows, columns=doc_columns)
            log(f"  documents: {min(first + batch, documents):,}")
        await conn.copy_records_to_table("route_steps", records=steps, columns=step_columns)
        log(f"  route steps: {len(steps):,} ({pending:,} pending)")
        await conn.execute("ANALYZE")
        with_pending = await conn.fetch("SELECT DISTINCT assignee_id FROM route_steps WHERE state = 'pending'")
    finally:
        await conn.close()
    return {"drafters": staff, "approvers": [r["assignee_id"] for r in with_pending]}


async def measure(api_url: str, settings: Settings, who: Sequence[str], path: str, requests: int) -> Latency:
    rng = random.Random(7)
    seconds: list[float] = []
    tokens: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as http:
        for i in range(requests + 20):
            staff_id = rng.choice(who)
            if staff_id not in tokens:  # a real sign-in (a session row), outside the timed part
                signed = await http.post(
                    "/v1/auth/token", json={"staff_id": staff_id, "password": settings.demo_password}
                )
                signed.raise_for_status()
                tokens[staff_id] = signed.json()["access_token"]
            token = tokens[staff_id]
            started = time.perf_counter()
            r = await http.get(path, headers={"Authorization": f"Bearer {token}"})
            elapsed = time.perf_counter() - started
            if r.status_code != 200:
                raise RuntimeError(f"{path} as {staff_id}: {r.status_code} {r.text[:200]}")
            if i >= 20:  # warm-up excluded
                seconds.append(elapsed)
    return Latency.of(seconds)


async def run(args: argparse.Namespace) -> int:
    configure_logging("WARNING", json=False)
    admin_url = args.postgres or os.environ.get("RINGI_TEST_POSTGRES_URL", "")
    if not admin_url:
        print("needs PostgreSQL: --postgres URL or RINGI_TEST_POSTGRES_URL", file=sys.stderr)
        return 2
    name = f"ringi_bench_inbox_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(_asyncpg_url(admin_url))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    city = generate_city(staff=args.staff)
    try:
        with tempfile.TemporaryDirectory(prefix="ringi-bench-inbox-") as tmp:
            settings = Settings(data_dir=Path(tmp), database_url=url)
            upgrade(url)
            await seed_demo(settings, staff=args.staff)
            log(f"city of {len(city.staff):,} staff; loading {args.documents:,} documents …")
            started = time.monotonic()
            people = await load(_asyncpg_url(url), city, documents=args.documents, pending=args.pending, seed=1)
            load_seconds = time.monotonic() - started
            async with serve_app(create_hr_app(Path(tmp) / "hr.db", city=city)) as hr_url:
                settings = settings.model_copy(update={"hr_url": hr_url})
                async with serve_app(create_app(settings)) as api_url:
                    inbox = await measure(api_url, settings, people["approvers"], "/v1/inbox", args.requests)
                    listing = await measure(
                        api_url, settings, people["drafters"], "/v1/documents?limit=50", args.requests
                    )
    finally:
        if not args.keep:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    facts = machine_facts()
    print(f"machine: {facts['cpu_count']} cores, {facts['cpu_model']}, load average {facts['load_avg_1m']} (shared)")
    print(
        f"PostgreSQL: {args.documents:,} documents, {args.pending:,} pending steps, city of {len(city.staff):,} "
        f"staff; bulk-loaded (COPY) in {load_seconds:.0f} s{'; kept as ' + name if args.keep else ''}"
    )
    per_doc = args.documents / len(city.staff)
    per_inbox = args.pending / max(len(people["approvers"]), 1)
    print(f"per drafter ~{per_doc:.0f} documents; per approver ~{per_inbox:.0f} pending steps")
    ok = True
    for label, latency in (("GET /v1/inbox", inbox), ("GET /v1/documents?limit=50", listing)):
        verdict = "PASS" if latency.p99 <= 50 else "MISS"
        ok = ok and verdict == "PASS"
        print(
            f"{label:28} n={latency.count:<5} p50 {latency.p50:.1f} ms  p95 {latency.p95:.1f} ms  "
            f"p99 {latency.p99:.1f} ms  max {latency.max:.1f} ms  (target p99 <= 50 ms: {verdict})"
        )
    return 0 if ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--pending", type=int, default=100_000, help="documents in flight, one pending step each")
    parser.add_argument("--staff", type=int, default=10_000, help="city size")
    parser.add_argument("--requests", type=int, default=500, help="timed requests per endpoint")
    parser.add_argument("--postgres", default="", help="admin URL (postgresql+asyncpg://…/db) of the server to use")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
