"""Finance stub (財務会計システム): budget lines (予算・配当), reservations (仮押さえ) and commitments (支出負担行為).

A small FastAPI app with its own SQLite state (``stubs.finance.store``) and its own wire format
(``stubs.finance.models``: nothing of ringi's is imported, so a drift between ringi's client and finance shows in
the contract tests).  On first start (lifespan, never at
import) the database is seeded with the demo city's budget (``stubs.finance.seed``); later starts keep what is
there.

Every write takes an ``Idempotency-Key`` header: the same key with the same request answers the first answer
again (``Idempotent-Replayed: true``), with another request 422 ``idempotency_key_reused``.  Errors are JSON
``{"type": stable string, "detail": reason, ...}`` (``available_yen`` with ``insufficient_budget``).

``/admin/faults`` (``stubs.faults.WriteFaultConfig``) makes it slow, failing (5xx), refusing (409
``insufficient_budget`` without writing) or, the dangerous case, withholding the answer to a write it has
committed.  ``/admin/budgets`` and ``/admin/fiscal-years`` change allocations and close fiscal years.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, FastAPI, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from stubs.faults import WriteFaultConfig, add_faults
from stubs.finance.models import (
    AllocationSet,
    Budget,
    BudgetCheck,
    BudgetCheckRequest,
    Commitment,
    CommitmentCreate,
    FiscalYearStatus,
    Health,
    Ledger,
    Reservation,
    ReservationAdjust,
    ReservationCreate,
)
from stubs.finance.seed import demo_allocations
from stubs.finance.store import Allocation, Answer, FinanceStore, Refused

#: What ``refuse_next`` answers instead of processing a write.
INJECTED_REFUSAL = {"type": "insufficient_budget", "detail": "injected refusal", "available_yen": 0}


def _store(request: Request) -> FinanceStore:
    store: FinanceStore = request.app.state.store
    return store


def _key(idempotency_key: Annotated[str | None, Header(max_length=200)] = None) -> str:
    if not idempotency_key:
        raise Refused(400, "idempotency_key_required", "this write needs an Idempotency-Key header")
    return idempotency_key


StoreDep = Annotated[FinanceStore, Depends(_store)]
KeyDep = Annotated[str, Depends(_key)]


def _answer(answer: Answer) -> JSONResponse:
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
    return JSONResponse(answer.body, status_code=answer.status, headers=headers)


async def _refused(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refused)
    return JSONResponse(exc.body(), status_code=exc.status)


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = jsonable_encoder(exc.errors())
    detail = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in errors)
    return JSONResponse({"type": "invalid_request", "detail": detail, "errors": errors}, status_code=422)


def create_app(db_path: Path) -> FastAPI:
    """Build the finance stub over the SQLite file ``db_path`` (created and seeded on first start)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = FinanceStore(db_path)
        await anyio.to_thread.run_sync(store.initialise, demo_allocations)
        app.state.store = store
        yield

    app = FastAPI(title="Finance stub (財務会計)", version="0.1.0", lifespan=lifespan)
    add_faults(app, WriteFaultConfig(), refusal=INJECTED_REFUSAL)
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(RequestValidationError, _invalid)

    @app.get("/health")
    async def health() -> Health:
        """Liveness; never subject to injected faults."""
        return Health(status="ok")

    @app.get("/budgets")
    def list_budgets(fiscal_year: int, store: StoreDep) -> list[Budget]:
        """Every budget line of a fiscal year, by code."""
        return store.budgets(fiscal_year)

    @app.get("/budgets/{code}")
    def get_budget(code: str, fiscal_year: int, store: StoreDep) -> Budget:
        """One budget line: allocated, reserved, committed and available yen."""
        return store.budget(fiscal_year, code)

    @app.post("/budgets/check")
    def check_budget(body: BudgetCheckRequest, store: StoreDep) -> BudgetCheck:
        """Whether an amount is available now (a look-up: nothing is held)."""
        return store.check(body.fiscal_year, body.budget_code, body.amount_yen)

    @app.post("/reservations", status_code=201, response_model=Reservation)
    def create_reservation(body: ReservationCreate, store: StoreDep, key: KeyDep) -> JSONResponse:
        """仮押さえ: hold budget for a document."""
        return _answer(store.reserve(key=key, **body.model_dump()))

    @app.get("/reservations/{reservation_id}")
    def get_reservation(reservation_id: str, store: StoreDep) -> Reservation:
        """One reservation."""
        return store.reservation(reservation_id)

    @app.put("/reservations/{reservation_id}", response_model=Reservation)
    def adjust_reservation(reservation_id: str, body: ReservationAdjust, store: StoreDep, key: KeyDep) -> JSONResponse:
        """Re-reserve at a new amount; only an increase must be available."""
        return _answer(store.adjust(key=key, reservation_id=reservation_id, amount_yen=body.amount_yen))

    @app.post("/reservations/{reservation_id}/release", response_model=Reservation)
    def release_reservation(reservation_id: str, store: StoreDep, key: KeyDep) -> JSONResponse:
        """Give a reservation back (idempotent); a committed one cannot be released."""
        return _answer(store.release(key=key, reservation_id=reservation_id))

    @app.post("/commitments", status_code=201, response_model=Commitment)
    def create_commitment(body: CommitmentCreate, store: StoreDep, key: KeyDep) -> JSONResponse:
        """支出負担行為: consume a reservation (up to its amount; the rest is released) and issue a voucher."""
        return _answer(store.commit(key=key, **body.model_dump()))

    @app.get("/commitments/{voucher_id}")
    def get_commitment(voucher_id: str, store: StoreDep) -> Commitment:
        """One commitment by voucher id."""
        return store.commitment(voucher_id)

    @app.post("/commitments/{voucher_id}/cancel", response_model=Commitment)
    def cancel_commitment(voucher_id: str, store: StoreDep, key: KeyDep) -> JSONResponse:
        """Cancel a 支出負担行為 (idempotent): its amount is available again."""
        return _answer(store.cancel_commitment(key=key, voucher_id=voucher_id))

    @app.get("/ledger")
    def get_ledger(store: StoreDep, fiscal_year: int | None = None, document_id: str | None = None) -> Ledger:
        """All reservations and commitments, in the order they were made (for tests and reconciliation)."""
        return store.ledger(fiscal_year=fiscal_year, document_id=document_id)

    @app.put("/admin/budgets/{fiscal_year}/{code}")
    def set_allocation(fiscal_year: int, code: str, body: AllocationSet, store: StoreDep) -> Budget:
        """Add or replace a line's allocation (配当); not below what is reserved and committed."""
        allocation = Allocation(fiscal_year=fiscal_year, code=code, name=body.name, allocated_yen=body.allocated_yen)
        return store.set_allocation(allocation)

    @app.post("/admin/fiscal-years/{fiscal_year}/close")
    def close_fiscal_year(fiscal_year: int, store: StoreDep) -> FiscalYearStatus:
        """出納閉鎖: refuse further reservations, adjustments, commitments and cancellations in the year."""
        store.set_closed(fiscal_year, closed=True)
        return FiscalYearStatus(fiscal_year=fiscal_year, closed=True)

    @app.post("/admin/fiscal-years/{fiscal_year}/reopen")
    def reopen_fiscal_year(fiscal_year: int, store: StoreDep) -> FiscalYearStatus:
        """Undo a close (for tests and demos)."""
        store.set_closed(fiscal_year, closed=False)
        return FiscalYearStatus(fiscal_year=fiscal_year, closed=False)

    return app
