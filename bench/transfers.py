"""人事異動 at scale: N documents in flight, then a transfer that moves every 課長; prints how long applying takes.

Starts a whole ``ringi dev`` stack on a temporary directory and free ports (the embedded Temporal dev server tuned
as DESIGN §5 with its SQLite file, the HR stub with a generated city of ``--staff`` people, the worker, the API;
ringi's database in SQLite), each its own process.  Documents are inserted into ringi's database in bulk and
submitted straight to their workflows (update-with-start, ``--submit-concurrency`` at a time, retried with the
same update id): 300,000 yen each, so each waits at its division's 課長, who decides.  The transfer rotates every
課長 to the next division, so every document's pending step moves.  Then this process applies it exactly as
``ringi org apply-transfer`` does and reports the time, the documents/s, and checks that each document now waits
for its division's new 課長.

    python -m bench.transfers --docs 1000
    python -m bench.transfers --docs 10000 --staff 10000
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from activities.transfers import TransferApplier
from bench.measure import machine_facts
from bench.stack import database_kind, ringi_stack
from core.audit import content_hash
from core.clock import today_in_japan
from core.demo_city import generate_city
from core.logging import configure_logging
from core.settings import Settings
from core.temporal import connect_client
from core.transfers import check_plan, day_before
from db.models import DocumentRow, OrgTransferRow, RouteStepRow
from db.repositories.transfers import TransferRepository
from db.session import begin_write, create_engine, create_sessionmaker
from integrations.hr import HttpHrClient
from schemas.document import DocumentFacts, DocumentInput, SubmitInput
from schemas.org import City
from schemas.transfers import TransferPlan
from workflows.document import DocumentWorkflow, workflow_id

AMOUNT_YEN = 300_000  # < 100万: the drafter's 課長 decides


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Draft:
    document_id: str
    drafter_id: str
    org_unit: str


def drafts_for(city: City, count: int) -> list[Draft]:
    """``count`` documents by the 主事 of every division in turn."""
    drafters = [a for a in city.assignments if a.post_code == "staff" and a.org_unit_code.count(".") == 1]
    return [
        Draft(str(uuid.uuid4()), drafters[i % len(drafters)].staff_id, drafters[i % len(drafters)].org_unit_code)
        for i in range(count)
    ]


def rotation(city: City, effective_on: date) -> TransferPlan:
    """Every division's 課長 moves to the next division (the last to the first)."""
    managers = [a for a in city.assignments if a.post_code == "manager"]
    nxt = managers[1:] + managers[:1]
    return TransferPlan.model_validate(
        {
            "effective_on": effective_on,
            "note": "bench: every 課長 rotates",
            "end": [{"staff_id": a.staff_id, "org_unit": a.org_unit_code, "post": "manager"} for a in managers],
            "start": [
                {"staff_id": a.staff_id, "org_unit": b.org_unit_code, "post": "manager"}
                for a, b in zip(managers, nxt, strict=True)
            ],
        }
    )


async def insert_documents(sessions: object, drafts: Sequence[Draft]) -> None:
    now = datetime.now(UTC)
    rows = [
        {
            "id": d.document_id,
            "title": f"ベンチ文書 {i}",
            "body": "購入してよろしいか伺います。",
            "matter": "spending",
            "amount_yen": AMOUNT_YEN,
            "confidentiality": 1,
            "retention_years": 5,
            "drafter_id": d.drafter_id,
            "org_unit_code": d.org_unit,
            "status": "draft",
            "version": 1,
            "content_hash": content_hash(title=f"ベンチ文書 {i}", body="", amount_yen=AMOUNT_YEN, matter="spending"),
            "created_at": now,
            "updated_at": now,
        }
        for i, d in enumerate(drafts)
    ]
    async with sessions() as session, session.begin():  # type: ignore[operator]
        for start in range(0, len(rows), 1000):
            await session.execute(insert(DocumentRow), rows[start : start + 1000])


def _start(draft: Draft, task_queue: str) -> WithStartWorkflowOperation[DocumentWorkflow, Any]:
    return WithStartWorkflowOperation(
        DocumentWorkflow.run,
        DocumentInput(document_id=draft.document_id, drafter_id=draft.drafter_id),
        id=workflow_id(draft.document_id),
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        task_queue=task_queue,
    )


async def submit_all(client: Client, task_queue: str, drafts: Sequence[Draft], concurrency: int) -> float:
    gate = asyncio.Semaphore(concurrency)
    done = 0
    started = time.monotonic()

    async def submit(draft: Draft) -> None:
        nonlocal done
        facts = DocumentFacts(
            matter="spending", amount_yen=AMOUNT_YEN, org_unit_code=draft.org_unit, version=1, content_hash="x"
        )
        _start(draft, task_queue)  # fail early on a bad draft
        async with gate:
            for attempt in range(20):  # an overloaded box times out; the same update id applies once
                try:
                    await client.execute_update_with_start_workflow(
                        DocumentWorkflow.submit,
                        SubmitInput(actor_id=draft.drafter_id, facts=facts),
                        start_workflow_operation=_start(draft, task_queue),
                        id=f"bench-submit-{draft.document_id}",
                    )
                    break
                except (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError) as exc:
                    if attempt == 19:
                        raise
                    log(f"  retrying submit of {draft.document_id}: {exc}")
                    await asyncio.sleep(2)
        done += 1
        if done % 500 == 0:
            log(f"  submitted {done}/{len(drafts)} ({done / (time.monotonic() - started):.1f}/s)")

    await asyncio.gather(*(submit(d) for d in drafts))
    return time.monotonic() - started


async def run(args: argparse.Namespace, settings: Settings) -> int:
    city = generate_city(staff=args.staff)
    client = await connect_client(settings.temporal_address, settings.temporal_namespace)
    engine = create_engine(settings.database_url)
    sessions = create_sessionmaker(engine)
    async with HttpHrClient(settings.hr_url, timeout=120) as hr:
        drafts = drafts_for(city, args.docs)
        await insert_documents(sessions, drafts)
        log(f"city of {len(city.staff)} staff; submitting {len(drafts)} documents …")
        queue = settings.temporal_task_queue
        submit_seconds = await submit_all(client, queue, drafts, args.submit_concurrency)
        plan = rotation(city, today_in_japan() + timedelta(days=1))
        transfer_id = await store_transfer(sessions, plan)
        log(f"applying a transfer of {len(plan.end)} 課長 to {len(drafts)} documents in flight …")
        applier = TransferApplier(sessions, hr, client, concurrency=args.concurrency)
        impact = await applier.impact(transfer_id)
        started = time.monotonic()
        last = [0.0]

        def progress(done: int, total: int) -> None:
            if time.monotonic() - last[0] > 10:
                last[0] = time.monotonic()
                log(f"  reassigned {done}/{total}")

        result = await applier.apply(transfer_id, progress=progress)
        apply_seconds = time.monotonic() - started
        moved = await count_moved(sessions, plan)
    await engine.dispose()
    facts = machine_facts()
    print(f"machine: {facts['cpu_count']} cores, {facts['cpu_model']}, load average {facts['load_avg_1m']} (shared)")
    print(f"stack: ringi dev processes, {database_kind(settings.database_url)}; city: {len(city.staff)} staff")
    rate = len(drafts) / submit_seconds
    print(f"documents in flight: {len(drafts)} (submitted in {submit_seconds:.1f} s, {rate:.1f}/s)")
    print(f"impact preview: {impact.documents} documents, {len(impact.moves)} steps")
    print(
        f"apply: {apply_seconds:.1f} s for {result.reassigned_documents} documents "
        f"({result.reassigned_documents / apply_seconds:.1f} documents/s, concurrency {args.concurrency}); "
        f"skipped {result.skipped_documents}, needs decision {result.needs_decision}"
    )
    print(f"extrapolated to 10,000 documents: {10_000 / max(result.reassigned_documents, 1) * apply_seconds:.0f} s")
    print(f"check: {moved}/{len(drafts)} documents wait for their division's new 課長")
    return 0 if moved == len(drafts) == impact.documents == result.reassigned_documents else 1


async def store_transfer(sessions: object, plan: TransferPlan) -> str:
    async with sessions() as session, session.begin():  # type: ignore[operator]
        await begin_write(session)  # reads then writes: take SQLite's write lock first, or a busy worker locks us out
        repo = TransferRepository(session)
        named = {r.staff_id for r in (*plan.end, *plan.start)}
        check_plan(
            plan,
            today=today_in_japan(),
            staff=await repo.known_staff(named),
            org_units=await repo.org_unit_codes(),
            posts=await repo.post_codes(),
            held=await repo.held(named, as_of=day_before(plan)),
        )
        transfer_id = str(uuid.uuid4())
        repo.add(
            OrgTransferRow(
                id=transfer_id,
                effective_on=plan.effective_on,
                status="draft",
                note=plan.note,
                plan=plan.model_dump(mode="json"),
                created_by="bench",
                created_at=datetime.now(UTC),
            )
        )
    return transfer_id


async def count_moved(sessions: object, plan: TransferPlan) -> int:
    """Documents whose pending step is held by the new 課長 of the drafter's division."""
    new_holder = {(r.org_unit, r.staff_id) for r in plan.start}
    async with sessions() as session:  # type: ignore[operator]
        stmt = (
            select(DocumentRow.org_unit_code, RouteStepRow.assignee_id, func.count())
            .join(RouteStepRow, RouteStepRow.document_id == DocumentRow.id)
            .where(RouteStepRow.state == "pending")
            .group_by(DocumentRow.org_unit_code, RouteStepRow.assignee_id)
        )
        rows = (await session.execute(stmt)).all()
    return sum(n for unit, assignee, n in rows if (unit, assignee) in new_holder)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--docs", type=int, default=1000, help="documents in flight (default 1000)")
    parser.add_argument("--staff", type=int, default=None, help="city size (default: the demo city, ~190)")
    parser.add_argument("--concurrency", type=int, default=24, help="updates in flight while applying")
    parser.add_argument("--submit-concurrency", type=int, default=32, help="submits in flight while preparing")
    parser.add_argument(
        "--database-url", default=None, help="a PostgreSQL server for a throw-away database (default: SQLite)"
    )
    args = parser.parse_args(argv)
    configure_logging("WARNING", json=False)
    logging.getLogger("temporalio").setLevel(logging.ERROR)
    with ringi_stack(database_url=args.database_url, staff=args.staff) as stack:
        return asyncio.run(run(args, stack.settings))


if __name__ == "__main__":
    raise SystemExit(main())
