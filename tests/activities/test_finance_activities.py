"""Finance activities with the real HTTP client against the finance stub: results, refusals, retryable failures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.finance import FinanceActivities
from integrations.finance import HttpFinanceClient
from schemas.finance import (
    AdjustRequest,
    CommitRequest,
    ReleaseRequest,
    ReserveRequest,
)
from stubs.finance.app import create_app
from tests.support.serve import serve_app

SUPPLIES = "0201-01-10-001"  # 需用費 (庁用消耗品), 2,000,000 yen
LINE = "9999-99-99-001"


@pytest.fixture
async def finance_url(tmp_path: Path) -> AsyncIterator[str]:
    async with serve_app(create_app(tmp_path / "finance.db")) as url:
        yield url


@pytest.fixture
async def activities(finance_url: str) -> AsyncIterator[FinanceActivities]:
    async with HttpFinanceClient(finance_url, timeout=2.0) as client:
        yield FinanceActivities(client)


@pytest.fixture
async def admin(finance_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=finance_url) as client:
        yield client


def make_reserve(**overrides: Any) -> ReserveRequest:
    fields = {"document_id": "doc-1", "fiscal_year": 2026, "budget_code": SUPPLIES, "amount_yen": 300_000}
    return ReserveRequest(**(fields | {"key": "doc-1:reserve"} | overrides))


def make_commit(reservation_id: str, **overrides: Any) -> CommitRequest:
    fields = {"document_id": "doc-1", "document_number": "萩総第9号", "decision_date": date(2026, 7, 1)}
    return CommitRequest(
        **(fields | {"reservation_id": reservation_id, "amount_yen": 300_000, "key": "doc-1:commit"} | overrides)
    )


async def refusal(call: Any) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        await call
    assert caught.value.non_retryable
    return caught.value


async def test_reserve_commit_and_cancel(activities: FinanceActivities) -> None:
    reservation = await activities.reserve_budget(make_reserve())
    assert (reservation.reservation_id, reservation.state) == ("R2026-000001", "reserved")
    assert await activities.reserve_budget(make_reserve()) == reservation  # a retried activity: same answer

    adjusted = await activities.adjust_budget(
        AdjustRequest(reservation_id=reservation.reservation_id, amount_yen=350_000, key="doc-1:adjust")
    )
    assert adjusted.amount_yen == 350_000

    commitment = await activities.commit_budget(make_commit(reservation.reservation_id))
    assert (commitment.voucher_id, commitment.amount_yen, commitment.document_number) == (
        "V2026-000001",
        300_000,
        "萩総第9号",
    )
    assert await activities.commit_budget(make_commit(reservation.reservation_id)) == commitment


async def test_release(activities: FinanceActivities) -> None:
    reservation = await activities.reserve_budget(make_reserve())
    request = ReleaseRequest(reservation_id=reservation.reservation_id, key="doc-1:release")
    released = await activities.release_budget(request)
    assert released.state == "released"
    assert await activities.release_budget(request) == released


async def test_runs_as_an_activity(activities: FinanceActivities) -> None:
    reservation = await ActivityEnvironment().run(activities.reserve_budget, make_reserve())
    assert reservation.amount_yen == 300_000


async def test_budget_exceeded(activities: FinanceActivities, admin: httpx.AsyncClient) -> None:
    await admin.put(f"/admin/budgets/2026/{LINE}", json={"name": "試験", "allocated_yen": 1_000})
    held = await activities.reserve_budget(make_reserve(budget_code=LINE, amount_yen=900, key="a"))
    error = await refusal(activities.reserve_budget(make_reserve(budget_code=LINE, amount_yen=101, key="b")))
    assert (error.type, error.details) == ("BudgetExceeded", (100,))
    assert "100 yen available" in error.message

    error = await refusal(
        activities.adjust_budget(AdjustRequest(reservation_id=held.reservation_id, amount_yen=1_001, key="c"))
    )
    assert (error.type, error.details) == ("BudgetExceeded", (100,))


@pytest.mark.parametrize(
    ("overrides", "error_type"),
    [
        ({"budget_code": "0000-00-00-000"}, "UnknownBudgetCode"),
        ({"fiscal_year": 2030}, "UnknownBudgetCode"),
    ],
)
async def test_reserve_refused(activities: FinanceActivities, overrides: dict[str, Any], error_type: str) -> None:
    error = await refusal(activities.reserve_budget(make_reserve(**overrides)))
    assert (error.type, error.details) == (error_type, (None,))


async def test_fiscal_year_closed(activities: FinanceActivities, admin: httpx.AsyncClient) -> None:
    held = await activities.reserve_budget(make_reserve())
    await admin.post("/admin/fiscal-years/2026/close")
    assert (await refusal(activities.reserve_budget(make_reserve(key="other")))).type == "FiscalYearClosed"
    assert (await refusal(activities.commit_budget(make_commit(held.reservation_id)))).type == "FiscalYearClosed"


async def test_commit_refusals(activities: FinanceActivities) -> None:
    held = await activities.reserve_budget(make_reserve())
    too_much = await refusal(activities.commit_budget(make_commit(held.reservation_id, amount_yen=300_001)))
    assert too_much.type == "ExceedsReservation"
    late = await refusal(activities.commit_budget(make_commit(held.reservation_id, decision_date=date(2027, 6, 1))))
    assert late.type == "DecisionDateOutsideFiscalYear"
    unknown = await refusal(activities.commit_budget(make_commit("R2026-999999")))
    assert unknown.type == "UnknownReservation"
    reused = await refusal(activities.commit_budget(make_commit(held.reservation_id, key="doc-1:reserve")))
    assert reused.type == "IdempotencyKeyReused"

    await activities.commit_budget(make_commit(held.reservation_id))
    release = ReleaseRequest(reservation_id=held.reservation_id, key="doc-1:release")
    assert (await refusal(activities.release_budget(release))).type == "AlreadyCommitted"
    again = await refusal(activities.commit_budget(make_commit(held.reservation_id, key="doc-1:commit-2")))
    assert again.type == "AlreadyCommitted"


async def test_released_reservation_cannot_be_committed(activities: FinanceActivities) -> None:
    held = await activities.reserve_budget(make_reserve())
    await activities.release_budget(ReleaseRequest(reservation_id=held.reservation_id, key="rel"))
    assert (await refusal(activities.commit_budget(make_commit(held.reservation_id)))).type == "ReservationReleased"


async def test_transport_errors_are_left_to_temporal(activities: FinanceActivities, admin: httpx.AsyncClient) -> None:
    await admin.post("/admin/faults", json={"fail_next": 1})
    with pytest.raises(httpx.HTTPStatusError):
        await activities.reserve_budget(make_reserve())

    await admin.post("/admin/faults", json={"timeout_after_write": 1, "withhold_ms": 20_000})
    with pytest.raises(httpx.TimeoutException):
        await activities.reserve_budget(make_reserve())
    # Temporal's retry of the same activity (same key) gets the reservation the lost answer carried.
    reservation = await activities.reserve_budget(make_reserve())
    assert reservation.reservation_id == "R2026-000001"
    assert len((await admin.get("/ledger")).json()["reservations"]) == 1
