"""HttpFinanceClient against the real finance stub over HTTP: look-ups, writes, refusals, retries, failures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from integrations.finance import FinanceClient, FinanceRefused, HttpFinanceClient
from schemas.finance import Commitment, Reservation
from stubs.finance.app import create_app
from tests.support.serve import serve_app

SUPPLIES = "0201-01-10-001"  # 需用費 (庁用消耗品), 2,000,000 yen
LINE = "9999-99-99-001"


@pytest.fixture
async def finance_url(tmp_path: Path) -> AsyncIterator[str]:
    async with serve_app(create_app(tmp_path / "finance.db")) as url:
        yield url


@pytest.fixture
async def finance(finance_url: str) -> AsyncIterator[HttpFinanceClient]:
    async with HttpFinanceClient(finance_url) as client:
        yield client


@pytest.fixture
async def admin(finance_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=finance_url) as client:
        yield client


async def reserve(finance: FinanceClient, key: str = "r", *, amount_yen: int = 300_000, **kw: str) -> Reservation:
    return await finance.reserve(kw.get("document_id", "doc-1"), 2026, kw.get("code", SUPPLIES), amount_yen, key=key)


async def commit(finance: FinanceClient, reservation_id: str, key: str = "c", amount_yen: int = 300_000) -> Commitment:
    return await finance.commit(
        reservation_id, document_number="萩総第7号", decision_date=date(2026, 7, 1), amount_yen=amount_yen, key=key
    )


async def test_is_a_finance_client(finance: HttpFinanceClient) -> None:
    client: FinanceClient = finance  # checked by mypy
    assert (await client.budget(SUPPLIES, 2026)).allocated_yen == 2_000_000


async def test_lookups(finance: HttpFinanceClient) -> None:
    line = await finance.budget(SUPPLIES, 2026)
    assert (line.name, line.available_yen, line.closed) == (
        "総務管理費 一般管理費 需用費 (庁用消耗品)",
        2_000_000,
        False,
    )
    assert SUPPLIES in [b.code for b in await finance.budgets(2027)]
    check = await finance.check(SUPPLIES, 2026, 2_000_001)
    assert (check.sufficient, check.available_yen) == (False, 2_000_000)
    assert (await finance.check(SUPPLIES, 2026, 2_000_000)).sufficient is True
    with pytest.raises(FinanceRefused) as refused:
        await finance.budget("0000-00-00-000", 2026)
    assert (refused.value.type, refused.value.status, refused.value.available_yen) == ("unknown_budget_code", 404, None)


async def test_reserve_adjust_commit_cancel(finance: HttpFinanceClient) -> None:
    reservation = await reserve(finance)
    assert reservation == Reservation(
        reservation_id="R2026-000001",
        document_id="doc-1",
        fiscal_year=2026,
        budget_code=SUPPLIES,
        amount_yen=300_000,
        state="reserved",
    )
    assert await reserve(finance) == reservation  # same key: same answer, nothing new

    adjusted = await finance.adjust(reservation.reservation_id, 500_000, key="adj")
    assert adjusted.amount_yen == 500_000
    assert (await finance.budget(SUPPLIES, 2026)).reserved_yen == 500_000

    commitment = await commit(finance, reservation.reservation_id, amount_yen=450_000)
    assert (commitment.voucher_id, commitment.decision_date, commitment.state) == (
        "V2026-000001",
        date(2026, 7, 1),
        "committed",
    )
    line = await finance.budget(SUPPLIES, 2026)
    assert (line.reserved_yen, line.committed_yen) == (0, 450_000)

    cancelled = await finance.cancel_commitment(commitment.voucher_id, key="cancel")
    assert cancelled == commitment.model_copy(update={"state": "cancelled"})
    assert (await finance.budget(SUPPLIES, 2026)).available_yen == 2_000_000

    ledger = await finance.ledger()
    assert [r.state for r in ledger.reservations] == ["committed"]
    assert ledger.commitments == (cancelled,)
    assert (await finance.ledger(document_id="doc-2")).reservations == ()
    assert (await finance.ledger(fiscal_year=2026)).commitments == (cancelled,)


async def test_release(finance: HttpFinanceClient) -> None:
    reservation = await reserve(finance)
    released = await finance.release(reservation.reservation_id, key="rel")
    assert released.state == "released"
    assert await finance.release(reservation.reservation_id, key="rel-2") == released
    with pytest.raises(FinanceRefused) as refused:
        await commit(finance, reservation.reservation_id)
    assert refused.value.type == "already_released"


async def test_refusals(finance: HttpFinanceClient, admin: httpx.AsyncClient) -> None:
    await admin.put(f"/admin/budgets/2026/{LINE}", json={"name": "試験", "allocated_yen": 1_000})
    held = await reserve(finance, "r1", code=LINE, amount_yen=800)
    with pytest.raises(FinanceRefused) as insufficient:
        await reserve(finance, "r2", code=LINE, amount_yen=201)
    assert (insufficient.value.type, insufficient.value.available_yen, insufficient.value.status) == (
        "insufficient_budget",
        200,
        409,
    )
    assert "200 yen available" in insufficient.value.detail

    with pytest.raises(FinanceRefused) as reused:
        await reserve(finance, "r1", code=LINE, amount_yen=1)
    assert (reused.value.type, reused.value.status) == ("idempotency_key_reused", 422)

    await commit(finance, held.reservation_id, amount_yen=800)
    with pytest.raises(FinanceRefused) as committed:
        await finance.release(held.reservation_id, key="rel")
    assert committed.value.type == "already_committed"

    await admin.post("/admin/fiscal-years/2026/close")
    with pytest.raises(FinanceRefused) as closed:
        await reserve(finance, "r3")
    assert closed.value.type == "fiscal_year_closed"


async def test_timeout_after_write_then_retry(finance_url: str, admin: httpx.AsyncClient) -> None:
    """The dangerous case: the write happened but the answer was lost; the retry with the same key finds it."""
    await admin.post("/admin/faults", json={"timeout_after_write": 1, "withhold_ms": 20_000})
    async with HttpFinanceClient(finance_url, timeout=0.5) as impatient:
        with pytest.raises(httpx.TimeoutException):
            await reserve(impatient, "doc-1:reserve")
        reservation = await reserve(impatient, "doc-1:reserve")
    assert reservation.reservation_id == "R2026-000001"
    ledger = (await admin.get("/ledger")).json()
    assert len(ledger["reservations"]) == 1


async def test_server_errors_and_injected_refusals(finance: HttpFinanceClient, admin: httpx.AsyncClient) -> None:
    await admin.post("/admin/faults", json={"fail_next": 1})
    with pytest.raises(httpx.HTTPStatusError) as failed:
        await reserve(finance)
    assert failed.value.response.status_code == 503

    await admin.post("/admin/faults", json={"refuse_next": 1})
    with pytest.raises(FinanceRefused) as refused:
        await reserve(finance)
    assert (refused.value.type, refused.value.detail) == ("insufficient_budget", "injected refusal")
    assert (await reserve(finance)).reservation_id == "R2026-000001"


async def test_unreachable_is_a_transport_error(tmp_path: Path) -> None:
    async with serve_app(create_app(tmp_path / "gone.db")) as url:
        pass  # the port is free again
    async with HttpFinanceClient(url) as finance:
        with pytest.raises(httpx.TransportError):
            await finance.budget(SUPPLIES, 2026)


async def test_not_a_refusal_without_a_type() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"detail": "Not Found"})

    async with HttpFinanceClient("http://finance.test", transport=httpx.MockTransport(handler)) as finance:
        with pytest.raises(httpx.HTTPStatusError):
            await finance.budget(SUPPLIES, 2026)


async def test_concurrent_clients_race(finance: HttpFinanceClient, admin: httpx.AsyncClient) -> None:
    await admin.put(f"/admin/budgets/2026/{LINE}", json={"name": "試験", "allocated_yen": 1_000})
    results = await asyncio.gather(
        *[reserve(finance, f"k{i}", code=LINE, amount_yen=1_000, document_id=f"d{i}") for i in range(10)],
        return_exceptions=True,
    )
    assert sum(isinstance(r, Reservation) for r in results) == 1
    assert all(
        isinstance(r, FinanceRefused) and r.type == "insufficient_budget"
        for r in results
        if not isinstance(r, Reservation)
    )
