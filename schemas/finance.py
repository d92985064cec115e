"""財務会計 (finance): budget lines, reservations (仮押さえ) and commitments (支出負担行為), and the activity inputs.

A budget line (予算) is one 配当 (allocation) per fiscal year and budget code.  The code reads
``款項-目-節-事業``: e.g. ``0201-01-10-001`` is 総務費 (02) 総務管理費 (01), 一般管理費 (目 01), 需用費 (節 10),
事業 001.  ``available = allocated - reserved - committed``.

The activity inputs cross the Temporal boundary: while workflows are in flight, only add fields with defaults.
Money is integer yen.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ReservationState = Literal["reserved", "released", "committed"]
CommitmentState = Literal["committed", "cancelled"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Budget(_Frozen):
    """One budget line of a fiscal year, with what is spoken for."""

    code: str
    name: str
    fiscal_year: int
    allocated_yen: int  # 配当額
    reserved_yen: int  # 仮押さえ not yet committed
    committed_yen: int  # 支出負担行為済額
    available_yen: int  # 執行可能額 = allocated - reserved - committed
    closed: bool = False  # the fiscal year is closed (出納閉鎖): nothing more may be reserved or committed


class BudgetCheck(_Frozen):
    """Whether ``amount_yen`` is available on a budget line now (a look-up; nothing is held)."""

    fiscal_year: int
    budget_code: str
    amount_yen: int
    available_yen: int
    sufficient: bool  # amount_yen <= available_yen and the fiscal year is open
    closed: bool


class Reservation(_Frozen):
    """仮押さえ: budget held for a document until it is decided (committed) or dropped (released)."""

    reservation_id: str
    document_id: str
    fiscal_year: int
    budget_code: str
    amount_yen: int
    state: ReservationState


class Commitment(_Frozen):
    """支出負担行為: the encumbrance of a decided document, with the voucher (伝票) number finance gave it."""

    voucher_id: str  # e.g. V2026-000123
    document_id: str
    document_number: str  # 文書番号, e.g. 萩総第123号
    decision_date: date  # 決裁日
    fiscal_year: int
    budget_code: str
    amount_yen: int
    state: CommitmentState
    reservation_id: str = ""  # the reservation it consumed


class Ledger(_Frozen):
    """Every reservation and commitment the finance system holds (for tests and reconciliation)."""

    reservations: tuple[Reservation, ...] = ()
    commitments: tuple[Commitment, ...] = ()


# --- activity inputs --------------------------------------------------------------------------------------------
# ``key`` is the idempotency key: derived by the workflow from the document and step, the same on every retry.


class ReserveRequest(_Frozen):
    """仮押さえ ``amount_yen`` of ``budget_code`` in ``fiscal_year`` for ``document_id``."""

    document_id: str
    fiscal_year: int
    budget_code: str
    amount_yen: int = Field(gt=0)
    key: str


class AdjustRequest(_Frozen):
    """Re-reserve a held reservation at a new amount (only an increase must be available)."""

    reservation_id: str
    amount_yen: int = Field(gt=0)
    key: str


class ReleaseRequest(_Frozen):
    """Give a reservation back (取下げ, 却下, or an amount that will not be spent)."""

    reservation_id: str
    key: str


class CommitRequest(_Frozen):
    """支出負担行為 for a decided document, consuming its reservation (any unspent rest is released)."""

    document_id: str
    reservation_id: str
    document_number: str
    decision_date: date
    amount_yen: int = Field(gt=0)
    key: str
