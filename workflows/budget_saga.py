"""The budget saga of one document, driven by DocumentWorkflow: 仮押さえ (reserve) at submit, release when the
request lapses (差戻し, 取下げ, 却下, 引戻し), 支出負担行為 (commit) at the decision — each call exactly once
thanks to idempotency keys derived from the document and its reservation.
"""

from __future__ import annotations

from datetime import timedelta, timezone

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from domain.statuses import DECIDED, NOT_PURSUED
from schemas.document import ChainState, DocumentFacts, DocumentFinance, RecordsOfficeNotice
from schemas.finance import AdjustRequest, CommitRequest, ReleaseRequest, Reservation, ReserveRequest

with workflow.unsafe.imports_passed_through():
    from activities.finance import FinanceActivities
    from activities.notifications import NotificationActivities

JST = timezone(timedelta(hours=9))
#: Transport errors (財務会計 down, a timeout after its write) are retried with the same idempotency key.
FINANCE_TRY = timedelta(seconds=15)
FINANCE_GIVE_UP = timedelta(hours=24)


def cause_message(error: ActivityError) -> str:
    cause = error.cause
    return cause.message if isinstance(cause, ApplicationError) else str(cause or error)


def budget_refusal(error: ActivityError) -> ApplicationError:
    """A business refusal of 財務会計 (予算不足 …) refuses the submit, with the available amount in the reason."""
    cause = error.cause
    if isinstance(cause, ApplicationError) and cause.details:
        available = cause.details[0]
        if isinstance(available, int):
            return ApplicationError(
                f"{cause.message} (available: {available:,} yen)", type="Conflict", non_retryable=True
            )
    return ApplicationError(cause_message(error), type="Conflict", non_retryable=True)


class BudgetSaga:
    """Holds the document's finance state; the workflow calls it under its transition lock."""

    def __init__(self, document_id: str) -> None:
        self.document_id = document_id
        self.finance = DocumentFinance()
        self.document_number: str | None = None  # 文書番号 once taken: the commitment names it

    async def reserve(self, facts: DocumentFacts, *, seq: int) -> None:
        """仮押さえ, or the difference when the budget is still held (a resubmission).  Refused → the update fails."""
        if not facts.budget_code or facts.fiscal_year is None or facts.amount_yen <= 0:
            return
        held = self.finance.state == "reserved" and self.finance.reservation_id is not None
        if held and self.finance.reserved_yen == facts.amount_yen:
            return
        key = f"{self.document_id}:reserve:{seq}"  # one key per (re)submission
        try:
            if held:
                request = AdjustRequest(
                    reservation_id=self.finance.reservation_id or "", amount_yen=facts.amount_yen, key=key
                )
                reservation = await self._call_adjust(request)
            else:
                reservation = await self._call_reserve(
                    ReserveRequest(
                        document_id=self.document_id,
                        fiscal_year=facts.fiscal_year,
                        budget_code=facts.budget_code,
                        amount_yen=facts.amount_yen,
                        key=key,
                    )
                )
        except ActivityError as error:
            raise budget_refusal(error) from error
        self.finance = DocumentFinance(
            state="reserved",
            reservation_id=reservation.reservation_id,
            reserved_yen=reservation.amount_yen,
            fiscal_year=reservation.fiscal_year,
        )

    async def settle(self, state: ChainState) -> bool:
        """Release a budget the document no longer has a claim on, or commit it once decided; True if it did."""
        finance = self.finance
        if finance.state != "reserved" or finance.reservation_id is None:
            return False
        if state.status in NOT_PURSUED:  # its budget is not held for it
            await workflow.execute_activity_method(
                FinanceActivities.release_budget,
                ReleaseRequest(reservation_id=finance.reservation_id, key=f"{finance.reservation_id}:release"),
                start_to_close_timeout=FINANCE_TRY,
                schedule_to_close_timeout=FINANCE_GIVE_UP,
            )
            self.finance = finance.model_copy(update={"state": "released"})
            return True
        if state.status in DECIDED:
            self.finance = await self._commit(state, finance)
            return True
        return False

    async def _commit(self, state: ChainState, finance: DocumentFinance) -> DocumentFinance:
        request = CommitRequest(
            document_id=state.document_id,
            reservation_id=finance.reservation_id or "",
            document_number=self.document_number or state.document_id,
            decision_date=state.updated_at.astimezone(JST).date(),
            amount_yen=finance.reserved_yen,
            key=f"{finance.reservation_id}:commit",
        )
        try:
            commitment = await workflow.execute_activity_method(
                FinanceActivities.commit_budget,
                request,
                start_to_close_timeout=FINANCE_TRY,
                schedule_to_close_timeout=FINANCE_GIVE_UP,
            )
        except ActivityError as error:
            reason = f"支出負担行為 refused by 財務会計: {cause_message(error)}"
            await workflow.execute_activity_method(
                NotificationActivities.notify_records_office,
                RecordsOfficeNotice(document_id=state.document_id, reason=reason),
                start_to_close_timeout=timedelta(seconds=30),
            )
            return finance.model_copy(update={"state": "commit_failed", "error": reason})
        return finance.model_copy(update={"state": "committed", "voucher_id": commitment.voucher_id})

    @staticmethod
    async def _call_reserve(request: ReserveRequest) -> Reservation:
        return await workflow.execute_activity_method(
            FinanceActivities.reserve_budget,
            request,
            start_to_close_timeout=FINANCE_TRY,
            schedule_to_close_timeout=FINANCE_GIVE_UP,
        )

    @staticmethod
    async def _call_adjust(request: AdjustRequest) -> Reservation:
        return await workflow.execute_activity_method(
            FinanceActivities.adjust_budget,
            request,
            start_to_close_timeout=FINANCE_TRY,
            schedule_to_close_timeout=FINANCE_GIVE_UP,
        )
