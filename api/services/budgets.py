"""予算 (budget) look-ups: read through the finance client (財務会計), never written here."""

from __future__ import annotations

from datetime import date

import httpx

from core.errors import NotFound, Unavailable
from domain.fiscal import fiscal_year_of
from integrations.finance import FinanceClient, FinanceRefused
from schemas.finance import Budget


async def budget_of(finance: FinanceClient, code: str, *, fiscal_year: int | None, today: date) -> Budget:
    """A budget line's allocation, reservations, commitments and what is still available (執行可能額)."""
    try:
        return await finance.budget(code, fiscal_year or fiscal_year_of(today))
    except FinanceRefused as exc:
        raise NotFound(exc.detail) from exc
    except httpx.HTTPError as exc:
        raise Unavailable("the finance system (財務会計) is not answering; retry later") from exc
