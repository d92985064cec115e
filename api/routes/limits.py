"""庶務 limits: a request's overtime totals against the caps and a leave's balance; the 特例業務 list for 人事課."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CurrentStaff, SessionDep, StateDep
from api.paging import Paging
from api.services import limits
from api.services.documents import DocumentService
from core.clock import today_in_japan
from schemas.api.limits import DocumentLimits, OvertimeSpecialCaseRead
from schemas.api.paging import Page

router = APIRouter(prefix="/v1", tags=["limits"])


@router.get("/documents/{document_id}/limits")
async def document_limits(document_id: str, staff: CurrentStaff, app: StateDep, session: SessionDep) -> DocumentLimits:
    """The person's overtime totals (month, 年度, 2–6 month averages, months over 45 h; pending orders included)
    against the caps, or the leave balance HR holds less the requests it does not hold yet."""
    today = today_in_japan()
    row = await DocumentService(app, session).visible(staff, document_id)
    rulebooks = app.rulebooks
    book = await (rulebooks.version(row.rulebook_version) if row.rulebook_version else rulebooks.in_force(today))
    return await limits.document_limits(app, session, row, book, today=today)


@router.get("/reports/overtime-special-cases")
async def overtime_special_cases(
    staff: CurrentStaff,
    session: SessionDep,
    fiscal_year: Annotated[int, Query(ge=2000, le=2200)],
    page: Paging,
) -> Page[OvertimeSpecialCaseRead]:
    """特例業務: the overtime orders of the 年度 beyond the caps, with their reasons (人事課's yearly review)."""
    return page.slice(await limits.special_cases(session, staff, fiscal_year=fiscal_year, today=today_in_japan()))
