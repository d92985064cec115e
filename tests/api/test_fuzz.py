"""Schemathesis over /openapi.json in the suite (fixed seed, a few cases per operation, < 30 s): no 5xx.
``make fuzz`` runs the same with at least 1,000 cases and also asserts the answers conform to the document
(RINGI_FUZZ_CASES, RINGI_FUZZ_CONFORMANCE=1)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from temporalio.client import Client

from tests.api import fuzz
from tests.support.stack import full_stack, holder

FUZZER = holder("somu.somu", "staff")  # a 主事 of 総務課: drafts, reads what his division may


async def test_fuzzed_requests_never_answer_5xx(
    seeded_database_url: str, temporal_client: Client, hr_url: str, finance_url: str, tmp_path: Path
) -> None:
    total = int(os.environ.get("RINGI_FUZZ_CASES", "100"))
    conformance = os.environ.get("RINGI_FUZZ_CONFORMANCE") == "1"
    async with full_stack(
        seeded_database_url, temporal_client, hr_url=hr_url, finance_url=finance_url, data_dir=tmp_path
    ) as stack:
        document = (await stack.http.get("/openapi.json")).json()
        headers = await stack.as_(FUZZER)
        count = sum(1 for _ in fuzz.operations(document))
        report = await asyncio.to_thread(
            fuzz.run,
            document,
            base_url=stack.api_url,
            headers=dict(headers),
            cases_per_operation=max(1, -(-total // count)),
            conformance=conformance,
        )
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
