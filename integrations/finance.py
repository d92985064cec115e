"""財務会計 (finance): budget look-ups, reservations (仮押さえ) and commitments (支出負担行為).

``FinanceClient`` is what activities and the API depend on; ``HttpFinanceClient`` is the real one (httpx), used
against the finance stub in dev and tests.  Every write takes an idempotency key: repeating a write with its key
(after a timeout, say) returns the first answer and changes nothing.

A business refusal (a 4xx answer with a ``type``: ``insufficient_budget``, ``fiscal_year_closed``,
``unknown_budget_code`` …) raises ``FinanceRefused``; every other failure (5xx, timeouts, refused connections)
propagates as ``httpx.HTTPStatusError`` / ``httpx.TransportError`` so that Temporal retries the activity.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter

from integrations.http import HttpServiceClient
from schemas.finance import Budget, BudgetCheck, Commitment, Ledger, Reservation

_BUDGET_LIST = TypeAdapter(list[Budget])


class FinanceRefused(Exception):
    """Finance refused a request for a business reason; repeating it unchanged will not help.

    Attributes:
        type: the stable refusal type (``insufficient_budget``, ``fiscal_year_closed``, ``unknown_budget_code``,
            ``unknown_reservation``, ``unknown_commitment``, ``already_committed``, ``already_released``,
            ``exceeds_reservation``, ``decision_date_outside_fiscal_year``, ``idempotency_key_reused``,
            ``idempotency_key_required``, ``invalid_request``).
        detail: the reason, for people.
        available_yen: what is left on the budget line (``insufficient_budget`` only).
        status: the HTTP status it came with.
    """

    def __init__(self, type: str, detail: str, available_yen: int | None = None, *, status: int = 409) -> None:
        super().__init__(f"{type}: {detail}")
        self.type = type
        self.detail = detail
        self.available_yen = available_yen
        self.status = status


class FinanceClient(Protocol):
    """The finance system as ringi uses it.  Refusals raise ``FinanceRefused``."""

    async def ping(self, *, within: float) -> None:
        """Raise (``httpx.HTTPError``) unless the system answers its health check within ``within`` seconds."""
        ...

    async def budget(self, code: str, fiscal_year: int) -> Budget:
        """One budget line (allocated, reserved, committed, available yen)."""
        ...

    async def budgets(self, fiscal_year: int) -> list[Budget]:
        """Every budget line of a fiscal year, by code."""
        ...

    async def check(self, code: str, fiscal_year: int, amount_yen: int) -> BudgetCheck:
        """Whether ``amount_yen`` is available on a line now (nothing is held)."""
        ...

    async def reserve(
        self, document_id: str, fiscal_year: int, budget_code: str, amount_yen: int, *, key: str
    ) -> Reservation:
        """仮押さえ: hold ``amount_yen`` of a line for a document."""
        ...

    async def adjust(self, reservation_id: str, amount_yen: int, *, key: str) -> Reservation:
        """Re-reserve a held reservation at ``amount_yen`` (only an increase must be available)."""
        ...

    async def release(self, reservation_id: str, *, key: str) -> Reservation:
        """Give a reservation back (releasing a released one is fine; a committed one is refused)."""
        ...

    async def commit(
        self, reservation_id: str, *, document_number: str, decision_date: date, amount_yen: int, key: str
    ) -> Commitment:
        """支出負担行為: consume the reservation for ``amount_yen`` (<= reserved; the rest is released)."""
        ...

    async def cancel_commitment(self, voucher_id: str, *, key: str) -> Commitment:
        """Cancel a 支出負担行為; its amount becomes available again."""
        ...

    async def ledger(self, *, fiscal_year: int | None = None, document_id: str | None = None) -> Ledger:
        """Reservations and commitments, optionally of one fiscal year or document."""
        ...


class HttpFinanceClient(HttpServiceClient):
    """``FinanceClient`` over HTTP.  Use as ``async with HttpFinanceClient(url) as finance:`` or call ``aclose()``."""

    async def budget(self, code: str, fiscal_year: int) -> Budget:
        response = await self._http.get(f"/budgets/{_segment(code)}", params={"fiscal_year": fiscal_year})
        return Budget.model_validate(_checked(response).json())

    async def budgets(self, fiscal_year: int) -> list[Budget]:
        response = await self._http.get("/budgets", params={"fiscal_year": fiscal_year})
        return _BUDGET_LIST.validate_python(_checked(response).json())

    async def check(self, code: str, fiscal_year: int, amount_yen: int) -> BudgetCheck:
        body = {"budget_code": code, "fiscal_year": fiscal_year, "amount_yen": amount_yen}
        return BudgetCheck.model_validate(_checked(await self._http.post("/budgets/check", json=body)).json())

    async def reserve(
        self, document_id: str, fiscal_year: int, budget_code: str, amount_yen: int, *, key: str
    ) -> Reservation:
        body = {"document_id": document_id, "fiscal_year": fiscal_year, "budget_code": budget_code}
        return Reservation.model_validate(
            await self._write("POST", "/reservations", key, {**body, "amount_yen": amount_yen})
        )

    async def adjust(self, reservation_id: str, amount_yen: int, *, key: str) -> Reservation:
        path = f"/reservations/{_segment(reservation_id)}"
        return Reservation.model_validate(await self._write("PUT", path, key, {"amount_yen": amount_yen}))

    async def release(self, reservation_id: str, *, key: str) -> Reservation:
        path = f"/reservations/{_segment(reservation_id)}/release"
        return Reservation.model_validate(await self._write("POST", path, key))

    async def commit(
        self, reservation_id: str, *, document_number: str, decision_date: date, amount_yen: int, key: str
    ) -> Commitment:
        body = {
            "reservation_id": reservation_id,
            "document_number": document_number,
            "decision_date": decision_date.isoformat(),
            "amount_yen": amount_yen,
        }
        return Commitment.model_validate(await self._write("POST", "/commitments", key, body))

    async def cancel_commitment(self, voucher_id: str, *, key: str) -> Commitment:
        path = f"/commitments/{_segment(voucher_id)}/cancel"
        return Commitment.model_validate(await self._write("POST", path, key))

    async def ledger(self, *, fiscal_year: int | None = None, document_id: str | None = None) -> Ledger:
        params: dict[str, str | int] = {}
        if fiscal_year is not None:
            params["fiscal_year"] = fiscal_year
        if document_id is not None:
            params["document_id"] = document_id
        return Ledger.model_validate(_checked(await self._http.get("/ledger", params=params)).json())

    async def _write(self, method: str, path: str, key: str, body: dict[str, Any] | None = None) -> Any:
        response = await self._http.request(method, path, json=body, headers={"Idempotency-Key": key})
        return _checked(response).json()


def _segment(value: str) -> str:
    return quote(value, safe="")


def _checked(response: httpx.Response) -> httpx.Response:
    """``response`` if it succeeded; ``FinanceRefused`` for a 4xx with a ``type``, else ``HTTPStatusError``."""
    if response.is_client_error:
        body = _json(response)
        if isinstance(body, dict) and isinstance(body.get("type"), str):
            available = body.get("available_yen")
            raise FinanceRefused(
                body["type"],
                str(body.get("detail", "")),
                available if isinstance(available, int) else None,
                status=response.status_code,
            )
    response.raise_for_status()
    return response


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
