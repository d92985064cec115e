"""不在 (absences): register, list and cancel; kept in HR, where routing and 代決 look them up."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Response, status

from api.deps import CurrentStaff, SessionDep, StateDep
from api.paging import Paging
from api.services.absences import AbsenceService
from core.clock import today_in_japan
from schemas.api.absences import AbsenceCreate
from schemas.api.paging import Page
from schemas.org import Absence

router = APIRouter(prefix="/v1/absences", tags=["absences"])


def _service(app: StateDep, session: SessionDep) -> AbsenceService:
    return AbsenceService(app, session)


Absences = Annotated[AbsenceService, Depends(_service)]


def _today() -> date:
    return today_in_japan()


@router.post("", status_code=status.HTTP_201_CREATED)
async def register_absence(
    body: AbsenceCreate,
    staff: CurrentStaff,
    absences: Absences,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> Absence:
    """Register 休暇 or 出張 (mine, or as 庶務 / admin for someone else); a repeated Idempotency-Key registers once."""
    return await absences.register(staff, body, key=idempotency_key, today=_today())


@router.get("")
async def list_absences(
    _: CurrentStaff,
    absences: Absences,
    page: Paging,
    staff_id: Annotated[str | None, Query(max_length=40)] = None,
    on: date | None = None,
) -> Page[Absence]:
    """Absences, optionally of one staff member and covering one day (``on``), by start date (HR's list, paged here)."""
    return page.slice(await absences.list(staff_id=staff_id, on=on))


@router.delete("/{absence_id}", status_code=status.HTTP_204_NO_CONTENT)
async def cancel_absence(
    absence_id: Annotated[int, Path(ge=1, le=2**31 - 1)], staff: CurrentStaff, absences: Absences
) -> Response:
    """Cancel an absence (mine, or as 庶務 / admin)."""
    await absences.cancel(staff, absence_id, today=_today())
    return Response(status_code=status.HTTP_204_NO_CONTENT)
