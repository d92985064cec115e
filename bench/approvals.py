"""Approvals through ringi's HTTP API, next to a bare Temporal baseline on the same server (``make bench``).

Starts a whole ``ringi dev`` stack (``bench.stack``: Temporal dev server tuned as DESIGN §5, HR and finance stubs,
worker, API) on a temporary data directory and free ports, so it never meets a running ``make run``; ringi's
database is SQLite there, or a throw-away database on the PostgreSQL server of ``--database-url``.  For each
concurrency level C it drives N spending documents through the API with C concurrent clients (``bench.drive``),
then, on the same Temporal server, the bare baseline (``bench.bare``) at the same level: pairing the two per
level keeps a busy machine's changing load from skewing the ratios.  ``bench.measure`` times the calls and
samples each process's RSS and CPU; ``bench.report`` prints documents/s, latencies, the ratios ringi ÷ bare,
CPU per decided document and the targets (PASS or MISS, never asserted).

    python -m bench.approvals                       # C = 1, 10, 50; 50 documents at C=1, else 200
    python -m bench.approvals --docs 30 --concurrency 1,10 --skip-bare --json
    python -m bench.approvals --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bench.drive import BareBench, RingiBench
from bench.measure import LevelResult, log, machine_facts
from bench.report import jsonable, ratios, render_text, targets
from bench.stack import RingiStack, bare_worker, database_kind, ringi_stack

DEFAULT_LEVELS = (1, 10, 50)
PAUSE_BETWEEN_LEVELS_SECONDS = 1.0


async def run_levels(
    stack: RingiStack, args: argparse.Namespace, plan: Sequence[tuple[int, int]]
) -> tuple[list[LevelResult], list[LevelResult]]:
    """Per level: ringi, then (unless skipped) bare right after it, so each pair sees the same machine load."""
    ringi_bench = RingiBench(stack.api_url, stack.pids, args.audit_sample)
    await ringi_bench.prepare(args.warmup)
    ringi: list[LevelResult] = []
    bare: list[LevelResult] = []
    async with contextlib.AsyncExitStack() as scope:
        bare_bench: BareBench | None = None
        if not args.skip_bare:
            client, task_queue = await scope.enter_async_context(bare_worker(stack.settings))
            bare_bench = BareBench(client, task_queue, stack.pids.get("temporal"), args.audit_sample)
            await bare_bench.prepare(args.warmup)
        for concurrency, documents in plan:
            await asyncio.sleep(PAUSE_BETWEEN_LEVELS_SECONDS)  # let the previous level's workflows close
            ringi.append(await ringi_bench.level(concurrency, documents))
            if bare_bench is not None:
                await asyncio.sleep(PAUSE_BETWEEN_LEVELS_SECONDS)
                bare.append(await bare_bench.level(concurrency, documents))
    return ringi, bare


# --------------------------------------------------------------------------- command line


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
    parser.add_argument(
        "--database-url",
        default=os.environ.get("RINGI_BENCH_DATABASE_URL") or None,
        help="a PostgreSQL server (postgresql+asyncpg://…/db) to run ringi's database on, in a throw-away"
        " database created for the run (default: SQLite in the temporary data directory)",
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


def quiet_libraries() -> None:
    for noisy in ("alembic", "httpx", "temporalio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    plan = plan_of(args)
    quiet_libraries()
    from cli.dev import StackError, find_temporal

    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_facts(find_temporal()),
        "plan": [{"concurrency": c, "documents": n} for c, n in plan],
    }
    try:
        with ringi_stack(database_url=args.database_url, keep_data=args.keep_data) as stack:
            settings = stack.settings
            report["stack"] = {
                "database": database_kind(settings.database_url),
                "data_dir": str(stack.data_dir),
                "api_url": stack.api_url,
                "temporal_address": settings.temporal_address,
                "action_timeout_seconds": settings.action_timeout_seconds,
                "log_level": settings.log_level,
                "pids": stack.pids,
            }
            ringi, bare = asyncio.run(run_levels(stack, args, plan))
            if (dead := stack.check_children()) is not None:
                log(f"a child died during the run: {dead}")
            failed = not all(r.ok() for r in [*ringi, *bare]) or dead is not None
            stack.keep = failed
    except StackError as exc:
        log(f"the stack did not start: {exc}")
        return 2
    report["ringi"] = ringi
    report["bare"] = bare
    report["ratios"] = ratios(ringi, bare)
    report["targets"] = [dataclasses.asdict(t) for t in targets(ringi, bare)]
    report["ok"] = not failed
    if args.json:
        print(json.dumps(jsonable(report), ensure_ascii=False, indent=2))
    else:
        print(render_text(report, ringi, bare))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
