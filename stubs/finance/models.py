"""The finance system's own wire format (財務会計システム): what it answers and what it accepts.

Written from the finance side, not imported from ringi: ringi's client (``integrations.finance``) keeps its own
models, and the contract tests (tests/contracts/) hold the two against each other, so a field renamed on one side
fails there.  Requests refuse fields finance does not know (``extra="forbid"``).  Money is integer yen.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ReservationState = Literal["reserved", "released", "committed"]
CommitmentState = Literal["committed", "cancelled"]


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True)


class _Request(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Health(_Answer):
    status: str


class Budget(_Answer):
    """One budget line (予算) of a fiscal year: ``available = allocated - reserved - committed``."""

    code: str
    name: str
    fiscal_year: int
    allocated_yen: int  # 配当額
    reserved_yen: int  # 仮押さえ not yet committed
    committed_yen: int  # 支出負担行為済額
    available_yen: int  # 執行可能額
    closed: bool  # 出納閉鎖: nothing more may be reserved or committed in the year


class BudgetCheck(_Answer):
    """Whether ``amount_yen`` is available on a line now (a look-up; nothing is held)."""

    fiscal_year: int
    budget_code: str
    amount_yen: int
    available_yen: int
    sufficient: bool
    closed: bool


class Reservation(_Answer):
    """仮押さえ: budget held for a document until it is committed or released."""

    reservation_id: str
    document_id: str
    fiscal_year: int
    budget_code: str
    amount_yen: int
    state: ReservationState


class Commitment(_Answer):
    """支出負担行為 with its voucher (伝票) number, e.g. ``V2026-000123``."""

    voucher_id: str
    document_id: str
    document_number: str
    decision_date: date
    fiscal_year: int
    budget_code: str
    amount_yen: int
    state: CommitmentState
    reservation_id: str


class Ledger(_Answer):
    """Every reservation and commitment, in the order they were made (for tests and reconciliation)."""

    reservations: tuple[Reservation, ...]
    commitments: tuple[Commitment, ...]


class FiscalYearStatus(_Answer):
    fiscal_year: int
    closed: bool


class BudgetCheckRequest(_Request):
    fiscal_year: int
    budget_code: str
    amount_yen: int = Field(ge=0)


class ReservationCreate(_Request):
    document_id: str = Field(min_length=1, max_length=200)
    fiscal_year: int
    budget_code: str = Field(min_length=1, max_length=100)
    amount_yen: int = Field(gt=0)


class ReservationAdjust(_Request):
    amount_yen: int = Field(gt=0)


class CommitmentCreate(_Request):
    reservation_id: str
    document_number: str = Field(min_length=1, max_length=100)
    decision_date: date
    amount_yen: int = Field(gt=0)


class AllocationSet(_Request):
    name: str = Field(min_length=1, max_length=200)
    allocated_yen: int = Field(ge=0)
