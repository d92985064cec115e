"""予算 (budget) look-ups for the drafting form: read through the finance client, never written here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import CurrentStaff, SessionDep, StateDep
from api.services.budgets import budget_of
from core.clock import today_in_japan
from db.session import release
from schemas.finance import Budget

router = APIRouter(prefix="/v1", tags=["budgets"])


@router.get("/budgets/{code}")
async def budget(
    code: Annotated[str, Path(max_length=40, pattern=r"^[0-9A-Za-z-]+$")],
    _: CurrentStaff,
    app: StateDep,
    session: SessionDep,
    fiscal_year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
) -> Budget:
    """A budget line's allocation, reservations, commitments and what is still available (執行可能額)."""
    await release(session)  # the sign-in's read ends: nothing held while 財務会計 answers
    return await budget_of(app.finance, code, fiscal_year=fiscal_year, today=today_in_japan())
