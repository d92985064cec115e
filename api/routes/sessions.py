"""My sessions (セッション): every browser and token signed in as me, and ending one of them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, status

from api.deps import CurrentStaff, SessionDep, StateDep, current_session_id
from api.paging import Paging
from api.services.sessions import end_own_session, list_sessions
from schemas.api.paging import Page
from schemas.api.signin import SessionRead

router = APIRouter(prefix="/v1/me/sessions", tags=["auth"])

CurrentSessionId = Annotated[str, Depends(current_session_id)]


@router.get("")
async def my_sessions(
    staff: CurrentStaff, session: SessionDep, app: StateDep, current: CurrentSessionId, page: Paging
) -> Page[SessionRead]:
    """My live sessions (web and API), newest first; ``current`` marks the one of this request."""
    return page.slice(await list_sessions(session, app.settings, staff.id, current=current))


@router.delete("/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
async def end_my_session(
    staff: CurrentStaff, session: SessionDep, session_id: Annotated[str, Path(max_length=64)]
) -> None:
    """End one of my sessions (e.g. a browser left signed in elsewhere); its cookie or token is refused at once."""
    await end_own_session(session, staff.id, session_id)
