"""受信箱 (inbox): the steps waiting for me, those I may take as 代決者, and the 後閲 I owe."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import structlog
from fastapi import APIRouter

from api.deps import CurrentStaff, SessionDep, StateDep
from core.calendar import JST
from db.repositories.documents import PostReviewRepository, RouteStepRepository
from schemas.api.models import InboxItem

router = APIRouter(prefix="/v1", tags=["inbox"])
log = structlog.get_logger("ringi.inbox")

_LONG_AGO = datetime.min.replace(tzinfo=UTC)


@router.get("/inbox")
async def inbox(session: SessionDep, staff: CurrentStaff, app: StateDep) -> list[InboxItem]:
    """My pending steps, decisions I may take for an absent decider (代決), and my 後閲, oldest first."""
    steps = RouteStepRepository(session)
    items = [
        InboxItem(
            document_id=doc.id,
            title=doc.title,
            stage_index=step.stage_index,
            stage_kind=step.stage_kind,
            since=step.since,
        )
        for step, doc in await steps.inbox(staff.id)
    ]
    try:
        absent = await app.hr.substituting(staff.id, on=datetime.now(JST).date())
    except httpx.HTTPError as exc:  # the inbox still shows my own steps when HR is down
        log.warning("inbox.hr_unavailable", error=repr(exc))
        absent = []
    if absent:
        items += [
            InboxItem(
                document_id=doc.id,
                title=doc.title,
                kind="substitute",
                stage_index=step.stage_index,
                stage_kind=step.stage_kind,
                since=step.since,
                on_behalf_of=step.assignee_id,
            )
            for step, doc in await steps.inbox(*(a.id for a in absent), kinds=("decide",))
        ]
    items += [
        InboxItem(
            document_id=doc.id,
            title=doc.title,
            kind="post_review",
            stage_index=review.stage_index,
            stage_kind="decide" if review.reason == "substitute" else "review",
            since=review.owed_since,
            on_behalf_of=review.acted_by,
        )
        for review, doc in await PostReviewRepository(session).open_for(staff.id)
    ]
    return sorted(items, key=lambda i: i.since or _LONG_AGO)
