"""受信箱 (inbox): my pending steps, decisions I may take as 代決者 for an absent decider, and the 後閲 I owe."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from db.repositories.documents import PostReviewRepository, RouteStepRepository
from integrations.hr import HrClient
from schemas.api.models import InboxItem

log = structlog.get_logger("ringi.inbox")

_LONG_AGO = datetime.min.replace(tzinfo=UTC)


async def inbox_for(session: AsyncSession, hr: HrClient, staff_id: str, *, today: date) -> list[InboxItem]:
    """Oldest first.  When HR is down the inbox still shows the staff member's own steps and 後閲."""
    steps = RouteStepRepository(session)
    items = [
        InboxItem(
            document_id=doc.id,
            title=doc.title,
            stage_index=step.stage_index,
            stage_kind=step.stage_kind,
            since=step.since,
        )
        for step, doc in await steps.inbox(staff_id)
    ]
    try:
        absent = await hr.substituting(staff_id, on=today)
    except httpx.HTTPError as exc:
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
        for review, doc in await PostReviewRepository(session).open_for(staff_id)
    ]
    return sorted(items, key=lambda i: i.since or _LONG_AGO)
