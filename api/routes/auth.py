"""Sign-in (dev token issuer): staff id + password -> bearer token."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SessionDep, StateDep
from api.services.auth import authenticate
from core.security import issue_token
from schemas.api.models import TokenRequest, TokenResponse

router = APIRouter(prefix="/v1/auth", tags=["auth"])


@router.post("/token")
async def create_token(body: TokenRequest, session: SessionDep, app: StateDep) -> TokenResponse:
    """Exchange a staff id and password for a bearer token (JWT)."""
    staff = await authenticate(session, staff_id=body.staff_id, password=body.password)
    token = issue_token(staff.id, secret=app.settings.jwt_secret, ttl_seconds=app.settings.jwt_ttl_seconds)
    return TokenResponse(access_token=token)
