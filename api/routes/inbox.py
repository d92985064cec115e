"""受信箱 (inbox): the steps waiting for me, those I may take as 代決者, and the 後閲 I owe."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentStaff, SessionDep, StateDep
from api.paging import Paging
from api.services.inbox import inbox_for
from core.clock import today_in_japan
from schemas.api.models import InboxItem
from schemas.api.paging import Page

router = APIRouter(prefix="/v1", tags=["inbox"])


@router.get("/inbox")
async def inbox(session: SessionDep, staff: CurrentStaff, app: StateDep, page: Paging) -> Page[InboxItem]:
    """My pending steps, decisions I may take for an absent decider (代決), and my 後閲, oldest first."""
    return page.slice(await inbox_for(session, app.hr, staff.id, today=today_in_japan()))
