"""予算 (budget) look-ups for the drafting form: read through the finance client, never written here."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import httpx
from fastapi import APIRouter, Path, Query

from api.deps import CurrentStaff, StateDep
from core.calendar import JST
from core.errors import NotFound, Unavailable
from core.fiscal import fiscal_year_of
from integrations.finance import FinanceRefused
from schemas.finance import Budget

router = APIRouter(prefix="/v1", tags=["budgets"])


@router.get("/budgets/{code}")
async def budget(
    code: Annotated[str, Path(max_length=40, pattern=r"^[0-9A-Za-z-]+$")],
    _: CurrentStaff,
    app: StateDep,
    fiscal_year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
) -> Budget:
    """A budget line's allocation, reservations, commitments and what is still available (執行可能額)."""
    year = fiscal_year or fiscal_year_of(datetime.now(JST).date())
    try:
        return await app.finance.budget(code, year)
    except FinanceRefused as exc:
        raise NotFound(exc.detail) from exc
    except httpx.HTTPError as exc:
        raise Unavailable("the finance system (財務会計) is not answering; retry later") from exc
