"""The fault harness (bench/chaos.py) shortened: two workers and two API processes on one Temporal dev server, a
dozen documents of every script, a few seeded SIGKILLs of each kind of process, and the same end checks as
``make chaos`` (documents in their intended state, audit chains, finance ledger, HR postings, 文書番号, notices).

One run per backend (SQLite, PostgreSQL in a throw-away database); ``pytest -s`` prints the harness's table.
Set ``RINGI_CHAOS_SEED`` to replay a run.
"""

from __future__ import annotations

import os

import pytest

from bench.chaos import build_parser, render, run
from tests.support.databases import BACKENDS, POSTGRES_URL

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("RINGI_CHAOS_SEED", "20250401"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_workers_two_apis_under_kills_lose_nothing_and_apply_nothing_twice(backend: str) -> None:
    argv = ["--docs", "10", "--kills", "5", "--seed", str(SEED), "--concurrency", "5", "--gap", "0.2", "0.6"]
    argv += ["--overload-clients", "0", "--max-seconds", "300", "--max-requests", "5000"]
    if backend == "postgres":
        if not POSTGRES_URL:
            pytest.skip("RINGI_TEST_POSTGRES_URL is not set")
        argv += ["--postgres", "--postgres-url", POSTGRES_URL]
    result = run(build_parser().parse_args(argv))
    print(render(result))
    assert (result.workers, result.apis) == (2, 2)
    assert sum(result.chaos.kills.values()) >= 5
    failed = [f"{c.name}: {c.detail}" for c in result.checks if not c.ok]
    assert not failed, f"seed {result.seed}: {failed}"
