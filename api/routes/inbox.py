"""受信箱 (inbox): the steps waiting for me."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentStaff, SessionDep
from db.repositories.documents import RouteStepRepository
from schemas.api.models import InboxItem

router = APIRouter(prefix="/v1", tags=["inbox"])


@router.get("/inbox")
async def inbox(session: SessionDep, staff: CurrentStaff) -> list[InboxItem]:
    """My pending steps, oldest first."""
    rows = await RouteStepRepository(session).inbox(staff.id)
    return [
        InboxItem(document_id=doc.id, title=doc.title, stage_kind=step.stage_kind, since=step.since)
        for step, doc in rows
    ]
