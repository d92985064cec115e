"""Schemathesis over /openapi.json in the suite (fixed seed, a few cases per operation, < 30 s; as a 主事 on SQLite
and as an administrator on PostgreSQL, so two roles at the cost of one): no 5xx.
``make fuzz`` runs the same with at least 1,000 cases, signed in as each of several roles in turn (主事, 課長, the
records office, an administrator: each sees other answers — 403s become 200s), and also asserts the answers conform
to the document (RINGI_FUZZ_CASES, RINGI_FUZZ_ROLES, RINGI_FUZZ_CONFORMANCE=1)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from temporalio.client import Client

from tests.api import fuzz
from tests.api.support import ADMIN, RECORDS_OFFICE
from tests.support.stack import full_stack, holder

#: Who the fuzzer signs in as (``RINGI_FUZZ_ROLES``, comma-separated; the suite: one role per backend).
ROLES = {
    "staff": holder("somu.somu", "staff"),  # a 主事 of 総務課: drafts, reads what his division may
    "manager": holder("somu.somu", "manager"),  # 総務課長: decides, reports of the division
    "records": RECORDS_OFFICE,  # 文書担当 (the records_office grant): every document, retention, disposal, seals
    "admin": ADMIN,  # rulebooks, transfers, accounts, access log
}


SUITE_ROLE = {"sqlite": "staff", "postgres": "admin"}


def roles(backend: str) -> list[str]:
    chosen = os.environ.get("RINGI_FUZZ_ROLES", SUITE_ROLE.get(backend, "staff"))
    names = [n.strip() for n in chosen.split(",") if n.strip()]
    unknown = set(names) - set(ROLES)
    assert not unknown, f"RINGI_FUZZ_ROLES: unknown {sorted(unknown)}; known: {sorted(ROLES)}"
    return names


async def test_fuzzed_requests_never_answer_5xx(
    request: pytest.FixtureRequest,
    seeded_database_url: str,
    temporal_client: Client,
    hr_url: str,
    finance_url: str,
    tmp_path: Path,
) -> None:
    total = int(os.environ.get("RINGI_FUZZ_CASES", "100"))
    conformance = os.environ.get("RINGI_FUZZ_CONFORMANCE") == "1"
    async with full_stack(
        seeded_database_url, temporal_client, hr_url=hr_url, finance_url=finance_url, data_dir=tmp_path
    ) as stack:
        document = (await stack.http.get("/openapi.json")).json()
        count = sum(1 for _ in fuzz.operations(document))
        names = roles(request.node.callspec.params["seeded_database_url"])
        per_operation = max(1, -(-total // (count * len(names))))  # the cases shared among the roles
        reports = []
        for name in names:
            headers = await stack.as_(ROLES[name])
            reports.append(
                await asyncio.to_thread(
                    fuzz.run,
                    document,
                    base_url=stack.api_url,
                    headers=dict(headers),
                    cases_per_operation=per_operation,
                    conformance=conformance,
                )
            )
            print(f"{name} ({ROLES[name]}): {reports[-1].summary()}")
    report = fuzz.Report.merged(reports)
    print(report.summary())
    if os.environ.get("RINGI_FUZZ_VERBOSE") == "1":
        for (label, status), n in sorted(report.by_operation.items()):
            print(f"  {status} x{n} {label}")
    for line in report.server_errors + report.nonconforming:
        print(line)
    assert report.cases >= min(total, count)
    assert not report.server_errors, "\n".join(report.server_errors)
    if conformance:
        assert not report.nonconforming, "\n".join(report.nonconforming)
