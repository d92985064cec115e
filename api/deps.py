"""Request dependencies: settings, the unit of work (session), the Temporal client, the signed-in staff member."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from api.services.accounts import require_change_done
from api.services.sessions import check_live
from core.errors import Unauthorized
from core.security import InvalidToken, read_token
from core.settings import Settings
from db.models import StaffRow
from db.repositories.org import OrgRepository
from db.rulebooks import DbRulebooks
from integrations.finance import FinanceClient
from integrations.hr import HrClient


@dataclass
class AppState:
    """What the lifespan builds once per process and every request shares."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    temporal: Client
    hr: HrClient
    finance: FinanceClient
    _rulebooks: DbRulebooks | None = field(default=None, repr=False)

    @property
    def rulebooks(self) -> DbRulebooks:
        """The rulebook versions in the database, cached for the process (see db/rulebooks.py)."""
        if self._rulebooks is None:
            self._rulebooks = DbRulebooks(self.sessions)
        return self._rulebooks


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.ringi
    return state


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's one session: sign-in, services and views all read and write through it.

    What is left in its transaction commits when the handler succeeds and rolls back when it raises; services
    shorten it (``db.session.release`` before waiting on HR or Temporal, ``db.session.writing`` for a unit that
    writes), so a request holds a pooled connection only while it talks to the database.
    """
    async with _state(request).sessions() as session:
        yield session
        await session.commit()


#: Function scope: the session commits before the response is sent, so what a reply says is already stored.
SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]


_bearer = HTTPBearer(auto_error=False)


async def _signed_in_staff(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> StaffRow:
    if credentials is None:
        raise Unauthorized("a bearer token is required (POST /v1/auth/token)")
    settings = _state(request).settings
    try:
        claims = read_token(credentials.credentials, keys=settings.jwt_verifying_secrets())
    except InvalidToken as exc:
        raise Unauthorized(str(exc)) from exc
    await check_live(session, settings, session_id=claims.session_id, staff_id=claims.staff_id)
    request.state.ringi_session_id = claims.session_id
    staff = await OrgRepository(session).get_staff(claims.staff_id)
    if staff is None:
        raise Unauthorized("the token's staff member no longer exists")
    if staff.deactivated_at is not None:  # its sessions were ended with it; a belt to those braces
        raise Unauthorized("this account is deactivated")
    return signed_in(session, staff)


async def _current_staff(staff: Annotated[StaffRow, Depends(_signed_in_staff)]) -> StaffRow:
    """The signed-in staff member, unless they hold a one-time password they must change first (403)."""
    require_change_done(staff)
    return staff


def signed_in(session: AsyncSession, staff: StaffRow) -> StaffRow:
    """The signed-in staff member, detached from the session: a unit of work that rolls back expires what the
    session holds, and the request keeps using who is asking."""
    session.expunge(staff)
    return staff


def current_session_id(request: Request) -> str:
    """The session the signed-in request was made with (set by ``CurrentStaff`` or the web viewer)."""
    session_id: str = request.state.ringi_session_id
    return session_id


StateDep = Annotated[AppState, Depends(_state)]
CurrentStaff = Annotated[StaffRow, Depends(_current_staff)]
#: Signed in, also with a one-time password: only for changing it and signing out.
AnyStaff = Annotated[StaffRow, Depends(_signed_in_staff)]
