"""Contract: ringi's real finance client (``HttpFinanceClient``) against the finance stand-in (``stubs.finance``),
which shares none of its models.

Every method of ``FinanceClient`` is called over HTTP; each test asserts the answers field by field, and at the
end every answer is held against the models the client parses (``Wire.drift``): a field renamed on either side
fails here.  The stub refuses request fields it does not know, so a rename in what the client sends fails too
(422 ``invalid_request`` -> ``FinanceRefused``).  Refusals carry ``type``, ``detail`` and (for an insufficient
budget) ``available_yen``: asserted where they are raised.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from integrations.finance import FinanceClient, FinanceRefused, HttpFinanceClient
from schemas.finance import Budget, BudgetCheck, Commitment, Ledger, Reservation
from stubs.finance.app import create_app
from tests.contracts.wire import Wire
from tests.support.serve import serve_app

LINE = "9999-01-10-001"  # a line of this test's own, so that the figures are this test's
DECIDED = date(2026, 7, 1)
_ID = r"[^/]+"

#: What ``HttpFinanceClient`` parses from each answer of finance.
FINANCE_WIRE = {
    ("GET", "/health"): None,  # ping: only the status is read
    ("GET", f"/budgets/{_ID}"): Budget,
    ("GET", "/budgets"): list[Budget],
    ("POST", "/budgets/check"): BudgetCheck,
    ("POST", "/reservations"): Reservation,
    ("PUT", f"/reservations/{_ID}"): Reservation,
    ("POST", f"/reservations/{_ID}/release"): Reservation,
    ("POST", "/commitments"): Commitment,
    ("POST", f"/commitments/{_ID}/cancel"): Commitment,
    ("GET", "/ledger"): Ledger,
}


@pytest.fixture
async def wire() -> AsyncIterator[Wire]:
    """The wire of one test; checked for drift when the test ends."""
    wire = Wire(FINANCE_WIRE)
    yield wire
    assert wire.drift() == []


@pytest.fixture
async def finance_url(tmp_path: Path) -> AsyncIterator[str]:
    async with serve_app(create_app(tmp_path / "finance.db")) as url:
        async with httpx.AsyncClient(base_url=url) as admin:  # finance's own admin, not our client
            response = await admin.put(
                f"/admin/budgets/2026/{LINE}", json={"name": "試験 需用費", "allocated_yen": 1_000}
            )
            response.raise_for_status()
        yield url


@pytest.fixture
async def finance(finance_url: str, wire: Wire) -> AsyncIterator[FinanceClient]:
    async with HttpFinanceClient(finance_url, transport=wire.transport) as client:
        yield client


def budget(*, allocated: int = 1_000, reserved: int = 0, committed: int = 0, closed: bool = False) -> Budget:
    return Budget(
        code=LINE,
        name="試験 需用費",
        fiscal_year=2026,
        allocated_yen=allocated,
        reserved_yen=reserved,
        committed_yen=committed,
        available_yen=allocated - reserved - committed,
        closed=closed,
    )


def test_every_method_has_a_contract() -> None:
    methods = {name for name, _ in inspect.getmembers(FinanceClient, inspect.isfunction) if not name.startswith("_")}
    tests = {name for name in globals() if name.startswith("test_")}
    assert {m for m in methods if not any(f"_{m}_" in f"{t}_" for t in tests)} == set()  # test_<method>[_<method>…]


async def test_budget_budgets(finance: FinanceClient, finance_url: str) -> None:
    assert await finance.budget(LINE, 2026) == budget()
    assert budget() in await finance.budgets(2026)
    assert LINE not in [b.code for b in await finance.budgets(2027)]  # the fiscal year reaches finance
    async with httpx.AsyncClient(base_url=finance_url) as admin:
        await admin.post("/admin/fiscal-years/2026/close")
    assert await finance.budget(LINE, 2026) == budget(closed=True)
    with pytest.raises(FinanceRefused) as unknown:
        await finance.budget("0000-00-00-000", 2026)
    assert (unknown.value.type, unknown.value.status) == ("unknown_budget_code", 404)


async def test_check(finance: FinanceClient) -> None:
    assert await finance.check(LINE, 2026, 1_001) == BudgetCheck(
        fiscal_year=2026, budget_code=LINE, amount_yen=1_001, available_yen=1_000, sufficient=False, closed=False
    )
    assert (await finance.check(LINE, 2026, 1_000)).sufficient


async def test_reserve_adjust_release(finance: FinanceClient) -> None:
    held = await finance.reserve("doc-1", 2026, LINE, 600, key="r1")
    assert held == Reservation(
        reservation_id=held.reservation_id,
        document_id="doc-1",
        fiscal_year=2026,
        budget_code=LINE,
        amount_yen=600,
        state="reserved",
    )
    assert await finance.reserve("doc-1", 2026, LINE, 600, key="r1") == held  # the key reached finance
    assert await finance.budget(LINE, 2026) == budget(reserved=600)

    with pytest.raises(FinanceRefused) as insufficient:
        await finance.reserve("doc-2", 2026, LINE, 401, key="r2")
    assert (insufficient.value.type, insufficient.value.available_yen, insufficient.value.status) == (
        "insufficient_budget",
        400,
        409,
    )
    assert insufficient.value.detail

    adjusted = await finance.adjust(held.reservation_id, 900, key="a1")
    assert adjusted == held.model_copy(update={"amount_yen": 900})
    released = await finance.release(held.reservation_id, key="x1")
    assert released == adjusted.model_copy(update={"state": "released"})
    assert await finance.budget(LINE, 2026) == budget()


async def test_commit_cancel_commitment_ledger(finance: FinanceClient) -> None:
    held = await finance.reserve("doc-1", 2026, LINE, 800, key="r1")
    other = await finance.reserve("doc-2", 2026, LINE, 100, key="r2")
    committed = await finance.commit(
        held.reservation_id, document_number="萩総第7号", decision_date=DECIDED, amount_yen=700, key="c1"
    )
    assert committed == Commitment(
        voucher_id=committed.voucher_id,
        document_id="doc-1",
        document_number="萩総第7号",
        decision_date=DECIDED,
        fiscal_year=2026,
        budget_code=LINE,
        amount_yen=700,
        state="committed",
        reservation_id=held.reservation_id,
    )
    assert committed.voucher_id.startswith("V2026-")
    assert await finance.budget(LINE, 2026) == budget(reserved=100, committed=700)

    cancelled = await finance.cancel_commitment(committed.voucher_id, key="k1")
    assert cancelled == committed.model_copy(update={"state": "cancelled"})

    ledger = await finance.ledger()
    assert ledger.reservations == (held.model_copy(update={"state": "committed"}), other)
    assert ledger.commitments == (cancelled,)
    assert await finance.ledger(document_id="doc-2") == Ledger(reservations=(other,))
    assert await finance.ledger(fiscal_year=2027) == Ledger()

    with pytest.raises(FinanceRefused) as outside:
        await finance.commit(
            other.reservation_id, document_number="萩総第8号", decision_date=date(2027, 6, 1), amount_yen=1, key="c2"
        )
    assert outside.value.type == "decision_date_outside_fiscal_year"


async def test_ping(finance: FinanceClient) -> None:
    await finance.ping(within=2.0)  # finance's /health answers: /ready counts it up
    async with HttpFinanceClient("http://127.0.0.1:9") as closed:  # nothing listens on the discard port
        with pytest.raises(httpx.HTTPError):
            await closed.ping(within=0.5)
