"""代理申請: 庶務担当 grants (an administrator or 人事担当 names a unit's 庶務 clerk for a period; list, revoke)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from api.deps import CurrentStaff, SessionDep
from api.paging import Paging
from api.services.clerks import ClerkGrantService
from schemas.api.clerks import ClerkGrantCreate, ClerkGrantRead
from schemas.api.paging import Page

router = APIRouter(prefix="/v1/org/clerk-grants", tags=["org"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def grant_clerk(body: ClerkGrantCreate, staff: CurrentStaff, session: SessionDep) -> ClerkGrantRead:
    """庶務担当の付与: ``staff_id`` may draft 庶務 requests for the staff of ``org_unit`` within the period."""
    return await ClerkGrantService(session).grant(staff, body)


@router.get("")
async def list_clerk_grants(
    staff: CurrentStaff,
    session: SessionDep,
    page: Paging,
    staff_id: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    org_unit: Annotated[str | None, Query(min_length=1, max_length=64, pattern=r"^[a-z0-9_.]+$")] = None,
) -> Page[ClerkGrantRead]:
    """庶務担当の権限の一覧 by start date: every grant for an administrator or 人事担当, else the caller's own."""
    return await ClerkGrantService(session).list(staff, staff_id=staff_id, org_unit=org_unit, page=page)


@router.delete("/{grant_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_clerk_grant(
    grant_id: Annotated[str, Path(min_length=1, max_length=36)], staff: CurrentStaff, session: SessionDep
) -> Response:
    """庶務担当の権限の取消し (an administrator or 人事担当)."""
    await ClerkGrantService(session).revoke(staff, grant_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
