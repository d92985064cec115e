"""Sign-in: staff id + password (+ a one-time code outside the office network) -> bearer token; TOTP enrolment."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import AnyStaff, CurrentStaff, SessionDep, StateDep
from api.origin import OriginDep
from api.paging import Paging
from api.services.auth import authenticate, lockouts, unlock
from api.services.second_factor import SecondFactorService
from api.services.sessions import open_session, revoke_all
from core.security import issue_token
from schemas.api.models import TokenRequest, TokenResponse
from schemas.api.paging import Page
from schemas.api.signin import LockoutRead, TotpConfirm, TotpConfirmed, TotpEnrolment

router = APIRouter(prefix="/v1/auth", tags=["auth"])


@router.post("/token")
async def create_token(body: TokenRequest, session: SessionDep, app: StateDep, origin: OriginDep) -> TokenResponse:
    """Exchange a staff id and password (and, outside the office network, a one-time code) for a bearer token."""
    staff = await authenticate(
        session, app.settings, body.staff_id, body.password, body.otp, origin.client_ip, origin.user_agent
    )
    opened = await open_session(
        session, app.settings, staff.id, kind="api", client_ip=origin.client_ip, user_agent=origin.user_agent
    )
    token = issue_token(
        staff.id,
        opened.id,
        secret=app.settings.jwt_signing_secret(),
        ttl_seconds=app.settings.jwt_ttl_seconds,
        now=opened.created_at,
    )
    return TokenResponse(access_token=token)


@router.post("/signout", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(staff: AnyStaff, session: SessionDep) -> None:
    """Sign out everywhere: every session of the caller (tokens and web cookies) ends at once."""
    await revoke_all(session, staff.id, reason="sign_out")


@router.post("/totp/enrol")
async def enrol_totp(staff: CurrentStaff, app: StateDep, session: SessionDep, origin: OriginDep) -> TotpEnrolment:
    """Start a TOTP enrolment (office network only): the otpauth URI and its QR code (SVG), drawn locally."""
    return await SecondFactorService(app, session).enrol(staff, client_ip=origin.client_ip)


@router.post("/totp/confirm")
async def confirm_totp(
    body: TotpConfirm, staff: CurrentStaff, app: StateDep, session: SessionDep, origin: OriginDep
) -> TotpConfirmed:
    """Activate the pending enrolment with the app's current code; answers with 10 one-time recovery codes."""
    return await SecondFactorService(app, session).confirm(staff, body.code, client_ip=origin.client_ip)


@router.delete("/totp/{staff_id}", status_code=status.HTTP_204_NO_CONTENT)
async def reset_totp(staff_id: str, staff: CurrentStaff, app: StateDep, session: SessionDep) -> None:
    """Remove a staff member's second factor and recovery codes, e.g. a lost phone (admins only)."""
    await SecondFactorService(app, session).reset(staff, staff_id)


@router.get("/lockouts")
async def list_lockouts(staff: CurrentStaff, app: StateDep, session: SessionDep, page: Paging) -> Page[LockoutRead]:
    """Staff ids with failed sign-ins on record, the latest failure first, with their locks now (admins only)."""
    return await lockouts(session, app.settings, staff, page=page)


@router.delete("/lockout/{staff_id}", status_code=status.HTTP_204_NO_CONTENT)
async def lift_lockout(staff_id: str, staff: CurrentStaff, session: SessionDep) -> None:
    """Lift a lockout and forget the failed sign-ins (admins only)."""
    await unlock(session, staff, staff_id)
