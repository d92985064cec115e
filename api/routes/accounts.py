"""Account life cycle: my password change; an administrator's reset, deactivation and reactivation of an account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from api.deps import AnyStaff, CurrentStaff, SessionDep, StateDep, current_session_id
from api.origin import OriginDep
from api.services.accounts import change_password, read_account, reset_password, set_active
from schemas.api.accounts import AccountRead, OneTimePassword, PasswordChange, PasswordChanged

router = APIRouter(tags=["auth"])

StaffId = Annotated[str, Path(max_length=40)]


@router.post("/v1/me/password")
async def change_my_password(
    body: PasswordChange, staff: AnyStaff, session: SessionDep, app: StateDep, origin: OriginDep, request: Request
) -> PasswordChanged:
    """Change my password (also with a one-time password): every other session of mine ends, this one goes on."""
    return await change_password(
        session,
        app.settings,
        staff,
        current=body.current,
        new=body.new,
        session_id=current_session_id(request),
        origin=origin,
    )


@router.get("/v1/admin/staff/{staff_id}")
async def get_account(staff_id: StaffId, staff: CurrentStaff, session: SessionDep) -> AccountRead:
    """A staff member's account: one-time password pending, deactivated (admins only)."""
    return await read_account(session, staff, staff_id)


@router.post("/v1/admin/staff/{staff_id}/password-reset")
async def reset_account_password(
    staff_id: StaffId, staff: CurrentStaff, session: SessionDep, app: StateDep, origin: OriginDep
) -> OneTimePassword:
    """Issue a one-time password, answered only now; the person must change it; their sessions end (admins only)."""
    return await reset_password(session, app.settings, staff, staff_id, origin=origin)


@router.post("/v1/admin/staff/{staff_id}/deactivate")
async def deactivate_account(
    staff_id: StaffId, staff: CurrentStaff, session: SessionDep, origin: OriginDep
) -> AccountRead:
    """Deactivate an account: sign-in refused at once, every session ended, its history kept (admins only)."""
    return await set_active(session, staff, staff_id, active=False, origin=origin)


@router.post("/v1/admin/staff/{staff_id}/reactivate")
async def reactivate_account(
    staff_id: StaffId, staff: CurrentStaff, session: SessionDep, origin: OriginDep
) -> AccountRead:
    """Reactivate a deactivated account (admins only)."""
    return await set_active(session, staff, staff_id, active=True, origin=origin)
