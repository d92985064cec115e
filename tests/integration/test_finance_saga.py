"""The budget saga through API -> Temporal -> worker -> the finance stub over HTTP (SQLite and PostgreSQL).

Reserve (仮押さえ) at submit, release on send-back / withdraw / reject / recall, commit (支出負担行為) at the
decision — each exactly once, checked against the stub's ledger.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from temporalio.client import Client

from core.calendar import JST
from domain.fiscal import fiscal_year_of
from integrations.finance import HttpFinanceClient
from schemas.finance import Ledger
from tests.support.paging import every_item
from tests.support.stack import Stack, full_stack, holder

DRAFTER = holder("somu.somu", "staff")
MANAGER = holder("somu.somu", "manager")
FINANCE = holder("somu.zaisei", "manager")
DIRECTOR = holder("somu", "director")
YEAR = fiscal_year_of(datetime.now(JST).date())


@pytest_asyncio.fixture(loop_scope="session")
async def stack(
    seeded_database_url: str, temporal_client: Client, hr_url: str, finance_url: str, tmp_path: Path
) -> AsyncIterator[Stack]:
    async with full_stack(
        seeded_database_url,
        temporal_client,
        hr_url=hr_url,
        finance_url=finance_url,
        data_dir=tmp_path,
    ) as stack:
        yield stack


async def budget_line(finance_url: str, allocated_yen: int) -> str:
    """A fresh budget line of this fiscal year, so tests never share money."""
    code = f"9901-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=finance_url) as http:
        r = await http.put(f"/admin/budgets/{YEAR}/{code}", json={"name": "テスト用", "allocated_yen": allocated_yen})
        r.raise_for_status()
    return code


async def ledger(finance_url: str, document_id: str) -> Ledger:
    async with HttpFinanceClient(finance_url) as finance:
        return await finance.ledger(document_id=document_id)


async def settled(stack: Stack, document_id: str, state: str) -> dict[str, Any]:
    """The document once its finance state is ``state`` (release and commit follow the decision)."""
    for _ in range(100):
        r = await stack.call(DRAFTER, "GET", f"/v1/documents/{document_id}")
        if r.json()["finance"]["state"] == state:
            return dict(r.json())
        await asyncio.sleep(0.05)
    raise AssertionError(f"finance never reached {state}: {r.json()['finance']}")


async def test_decision_commits_once(stack: Stack, finance_url: str) -> None:
    code = await budget_line(finance_url, 2_000_000)
    doc = await stack.submitted(DRAFTER, amount_yen=1_500_000, budget_code=code)
    reserved = await settled(stack, doc["id"], "reserved")
    assert reserved["finance"]["reserved_yen"] == 1_500_000
    r = await stack.call(DRAFTER, "GET", f"/v1/budgets/{code}?fiscal_year={YEAR}")
    assert (r.json()["reserved_yen"], r.json()["available_yen"]) == (1_500_000, 500_000)

    for approver in (MANAGER, FINANCE, DIRECTOR):
        await stack.ok(approver, doc["id"], "approve")
    committed = await settled(stack, doc["id"], "committed")
    assert committed["finance"]["voucher_id"]

    book = await ledger(finance_url, doc["id"])
    assert [(c.amount_yen, c.state, c.voucher_id) for c in book.commitments] == [
        (1_500_000, "committed", committed["finance"]["voucher_id"])
    ]
    assert [r.state for r in book.reservations] == ["committed"]


async def test_insufficient_budget_refuses_the_submit_and_holds_nothing(stack: Stack, finance_url: str) -> None:
    code = await budget_line(finance_url, 1_000_000)
    doc = await stack.draft(DRAFTER, amount_yen=1_500_000, budget_code=code)
    r = await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/submit")
    assert r.status_code == 409, r.text
    assert "1,000,000" in r.json()["detail"]  # the available amount, in the reason
    assert (await ledger(finance_url, doc["id"])).reservations == ()
    r = await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}")
    assert r.json()["status"] == "draft"


async def test_send_back_releases_and_resubmit_reserves_the_new_amount(stack: Stack, finance_url: str) -> None:
    code = await budget_line(finance_url, 3_000_000)
    doc = await stack.submitted(DRAFTER, amount_yen=1_500_000, budget_code=code)
    await stack.ok(MANAGER, doc["id"], "send_back", comment="金額を見直すこと")
    await settled(stack, doc["id"], "released")
    r = await stack.call(DRAFTER, "PATCH", f"/v1/documents/{doc['id']}", json={"amount_yen": 1_200_000})
    assert r.status_code == 200
    await stack.ok(DRAFTER, doc["id"], "resubmit")
    again = await settled(stack, doc["id"], "reserved")
    assert again["finance"]["reserved_yen"] == 1_200_000
    states = sorted((r.amount_yen, r.state) for r in (await ledger(finance_url, doc["id"])).reservations)
    assert states == [(1_200_000, "reserved"), (1_500_000, "released")]


async def test_withdraw_reject_and_recall_release(stack: Stack, finance_url: str) -> None:
    code = await budget_line(finance_url, 5_000_000)
    withdrawn = await stack.submitted(DRAFTER, amount_yen=300_000, budget_code=code)
    await stack.ok(DRAFTER, withdrawn["id"], "withdraw")
    rejected = await stack.submitted(DRAFTER, amount_yen=300_000, budget_code=code)
    await stack.ok(MANAGER, rejected["id"], "reject", comment="見送り")
    recalled = await stack.submitted(DRAFTER, amount_yen=300_000, budget_code=code)
    await stack.ok(DRAFTER, recalled["id"], "recall")
    for doc in (withdrawn, rejected, recalled):
        await settled(stack, doc["id"], "released")
        assert [r.state for r in (await ledger(finance_url, doc["id"])).reservations] == ["released"]
    r = await stack.call(DRAFTER, "GET", f"/v1/budgets/{code}?fiscal_year={YEAR}")
    assert r.json()["available_yen"] == 5_000_000


async def test_two_documents_race_for_the_last_of_a_line(stack: Stack, finance_url: str) -> None:
    code = await budget_line(finance_url, 1_000_000)
    first = await stack.draft(DRAFTER, amount_yen=800_000, budget_code=code)
    second = await stack.draft(DRAFTER, amount_yen=800_000, budget_code=code)
    answers = await asyncio.gather(
        *(stack.call(DRAFTER, "POST", f"/v1/documents/{d['id']}/submit") for d in (first, second))
    )
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    r = await stack.call(DRAFTER, "GET", f"/v1/budgets/{code}?fiscal_year={YEAR}")
    assert (r.json()["reserved_yen"], r.json()["available_yen"]) == (800_000, 200_000)


async def test_commit_refused_by_finance_shows_on_the_document(stack: Stack, finance_url: str) -> None:
    code = await budget_line(finance_url, 1_000_000)
    doc = await stack.submitted(DRAFTER, amount_yen=300_000, budget_code=code)
    async with httpx.AsyncClient(base_url=finance_url) as http:
        (await http.post(f"/admin/fiscal-years/{YEAR}/close")).raise_for_status()
        try:
            await stack.ok(MANAGER, doc["id"], "approve")
            failed = await settled(stack, doc["id"], "commit_failed")
        finally:
            (await http.post(f"/admin/fiscal-years/{YEAR}/reopen")).raise_for_status()
    assert "財務会計" in failed["finance"]["error"]
    assert failed["status"] == "approved"  # the decision stands; the records office follows it up
    notices = [n for n in await every_item(stack, MANAGER, "/v1/notifications") if n["document_id"] == doc["id"]]
    assert [n["kind"] for n in notices] == ["records", "assigned"]  # newest first: 要確認, then 決裁 assigned
    assert "要確認" in notices[0]["subject"]
