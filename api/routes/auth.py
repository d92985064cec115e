"""Sign-in (dev token issuer): staff id + password -> bearer token."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SessionDep, StateDep
from core.errors import Unauthorized
from core.security import issue_token, verify_password
from db.repositories.org import OrgRepository
from schemas.api.models import TokenRequest, TokenResponse

router = APIRouter(prefix="/v1/auth", tags=["auth"])


@router.post("/token")
async def create_token(body: TokenRequest, session: SessionDep, app: StateDep) -> TokenResponse:
    """Exchange a staff id and password for a bearer token (JWT)."""
    staff = await OrgRepository(session).get_staff(body.staff_id)
    if staff is None or not verify_password(body.password, staff.password_hash):
        raise Unauthorized("unknown staff id or wrong password")
    token = issue_token(staff.id, secret=app.settings.jwt_secret, ttl_seconds=app.settings.jwt_ttl_seconds)
    return TokenResponse(access_token=token)
