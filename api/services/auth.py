"""Sign-in (サインイン): the one credential check that both the web UI and ``POST /v1/auth/token`` call.

Transport-free: the UI turns the staff member into a session cookie, the API into a bearer token.  A second
factor (TOTP) plugs in here: when the check needs a one-time code it raises ``SecondFactorRequired`` and the
sign-in form shows its code field.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Unauthorized
from core.security import verify_password
from db.models import StaffRow
from db.repositories.org import OrgRepository


class SecondFactorRequired(Unauthorized):
    """The password is right but a one-time code (ワンタイムコード) is needed, or the one given is wrong."""


async def authenticate(
    session: AsyncSession, *, staff_id: str, password: str, one_time_code: str | None = None
) -> StaffRow:
    """The staff member whose credentials these are; ``Unauthorized`` (never saying which part was wrong)."""
    staff = await OrgRepository(session).get_staff(staff_id)
    if staff is None or not verify_password(password, staff.password_hash):
        raise Unauthorized("unknown staff id or wrong password")
    return staff
