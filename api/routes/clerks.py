"""代理申請: 庶務担当 grants (an administrator or 人事担当 names a unit's 庶務 clerk for a period)."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import CurrentStaff, SessionDep
from api.services.clerks import ClerkGrantService
from schemas.api.clerks import ClerkGrantCreate, ClerkGrantRead

router = APIRouter(prefix="/v1/org/clerk-grants", tags=["org"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def grant_clerk(body: ClerkGrantCreate, staff: CurrentStaff, session: SessionDep) -> ClerkGrantRead:
    """庶務担当の付与: ``staff_id`` may draft 庶務 requests for the staff of ``org_unit`` within the period."""
    return await ClerkGrantService(session).grant(staff, body)
