"""受信箱 (inbox): the steps waiting for me, those I may take as 代決者, and the 後閲 I owe."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header

from api.deps import CurrentStaff, SessionDep, StateDep
from api.paging import Paging
from api.services.bulk import BulkApprovalService
from api.services.inbox import inbox_for
from core.clock import today_in_japan
from schemas.api.models import BulkApproveCreate, BulkApproveRead, InboxItem
from schemas.api.paging import Page

router = APIRouter(prefix="/v1", tags=["inbox"])


@router.get("/inbox")
async def inbox(session: SessionDep, staff: CurrentStaff, app: StateDep, page: Paging) -> Page[InboxItem]:
    """My pending steps, decisions I may take for an absent decider (代決), and my 後閲, oldest first."""
    return page.slice(await inbox_for(session, app.hr, staff.id, today=today_in_japan()))


@router.post("/inbox/bulk-approve")
async def bulk_approve(
    body: BulkApproveCreate,
    session: SessionDep,
    staff: CurrentStaff,
    app: StateDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> BulkApproveRead:
    """一括承認: each item (document id and the version shown) approved as its own decision, or refused with the
    reason; at most 50 items.  The same Idempotency-Key again applies each item once."""
    service = BulkApprovalService(app, session)
    return await service.approve(staff, body, key=idempotency_key or "", today=today_in_japan())
