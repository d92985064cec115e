"""通知 (notices): reminders, escalations and records-office notices addressed to me, newest first."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentStaff, SessionDep
from api.paging import Paging
from db.repositories.notifications import NotificationRepository
from schemas.api.models import NotificationRead
from schemas.api.paging import Page

router = APIRouter(prefix="/v1", tags=["notifications"])


@router.get("/notifications")
async def my_notifications(session: SessionDep, staff: CurrentStaff, page: Paging) -> Page[NotificationRead]:
    """Notices addressed to me (督促, 期限超過, 要確認), newest first; they never carry a document's body."""
    repo = NotificationRepository(session)
    rows, total = await repo.page_for_recipient(staff.id, limit=page.limit, offset=page.offset)
    return page.page([NotificationRead.model_validate(r, from_attributes=True) for r in rows], total)
