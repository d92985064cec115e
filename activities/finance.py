"""Finance activities (財務会計): reserve budget (仮押さえ), adjust or release it, commit it (支出負担行為).

Each call carries the idempotency key the workflow derived from the document and step, so a retry after a lost
answer changes nothing twice.  Business refusals become non-retryable ``ApplicationError``s with a stable type
(``BudgetExceeded``, ``FiscalYearClosed``, ``UnknownBudgetCode`` …; ``details[0]`` is the available yen or None);
transport errors and 5xx propagate, and Temporal retries them.
"""

from __future__ import annotations

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from integrations.finance import FinanceClient, FinanceRefused
from schemas.finance import (
    AdjustRequest,
    Commitment,
    CommitRequest,
    ReleaseRequest,
    Reservation,
    ReserveRequest,
)

log = structlog.get_logger("ringi.finance")

#: Refusal type from finance -> ``ApplicationError.type`` the workflow matches on.
ERROR_TYPES: dict[str, str] = {
    "insufficient_budget": "BudgetExceeded",
    "fiscal_year_closed": "FiscalYearClosed",
    "unknown_budget_code": "UnknownBudgetCode",
    "unknown_reservation": "UnknownReservation",
    "unknown_commitment": "UnknownCommitment",
    "already_committed": "AlreadyCommitted",
    "already_released": "ReservationReleased",
    "exceeds_reservation": "ExceedsReservation",
    "decision_date_outside_fiscal_year": "DecisionDateOutsideFiscalYear",
    "idempotency_key_reused": "IdempotencyKeyReused",
}
#: Any other refusal (an invalid request, a missing key: a bug on our side, which no retry fixes).
DEFAULT_ERROR_TYPE = "FinanceRefused"


def refusal_error(exc: FinanceRefused) -> ApplicationError:
    """The non-retryable ``ApplicationError`` for a refusal; ``details`` is ``(available_yen,)``."""
    return ApplicationError(
        exc.detail, exc.available_yen, type=ERROR_TYPES.get(exc.type, DEFAULT_ERROR_TYPE), non_retryable=True
    )


class FinanceActivities:
    """Side effects on the finance system; one instance per worker, sharing its client."""

    def __init__(self, client: FinanceClient) -> None:
        self._client = client

    @activity.defn(name="reserve_budget")
    async def reserve_budget(self, request: ReserveRequest) -> Reservation:
        """仮押さえ: hold the document's amount on its budget line."""
        try:
            reservation = await self._client.reserve(
                request.document_id, request.fiscal_year, request.budget_code, request.amount_yen, key=request.key
            )
        except FinanceRefused as exc:
            log.info("finance.reserve_refused", document_id=request.document_id, refusal=exc.type)
            raise refusal_error(exc) from exc
        log.info(
            "finance.reserved",
            document_id=request.document_id,
            reservation_id=reservation.reservation_id,
            amount_yen=reservation.amount_yen,
        )
        return reservation

    @activity.defn(name="adjust_budget")
    async def adjust_budget(self, request: AdjustRequest) -> Reservation:
        """Re-reserve at a new amount (the document's amount changed on 再提出)."""
        try:
            reservation = await self._client.adjust(request.reservation_id, request.amount_yen, key=request.key)
        except FinanceRefused as exc:
            log.info("finance.adjust_refused", reservation_id=request.reservation_id, refusal=exc.type)
            raise refusal_error(exc) from exc
        log.info(
            "finance.adjusted",
            document_id=reservation.document_id,
            reservation_id=reservation.reservation_id,
            amount_yen=reservation.amount_yen,
        )
        return reservation

    @activity.defn(name="release_budget")
    async def release_budget(self, request: ReleaseRequest) -> Reservation:
        """Give the reservation back (取下げ, 却下); releasing twice is fine."""
        try:
            reservation = await self._client.release(request.reservation_id, key=request.key)
        except FinanceRefused as exc:
            log.info("finance.release_refused", reservation_id=request.reservation_id, refusal=exc.type)
            raise refusal_error(exc) from exc
        log.info("finance.released", document_id=reservation.document_id, reservation_id=reservation.reservation_id)
        return reservation

    @activity.defn(name="commit_budget")
    async def commit_budget(self, request: CommitRequest) -> Commitment:
        """支出負担行為 for the decided document: consume its reservation and get a voucher id."""
        try:
            commitment = await self._client.commit(
                request.reservation_id,
                document_number=request.document_number,
                decision_date=request.decision_date,
                amount_yen=request.amount_yen,
                key=request.key,
            )
        except FinanceRefused as exc:
            log.info("finance.commit_refused", document_id=request.document_id, refusal=exc.type)
            raise refusal_error(exc) from exc
        log.info(
            "finance.committed",
            document_id=request.document_id,
            voucher_id=commitment.voucher_id,
            amount_yen=commitment.amount_yen,
        )
        return commitment
