"""受信箱 (inbox): my pending steps, decisions I may take as 代決者 for an absent decider, and the 後閲 I owe.

A 代決 item is listed only when the chain would accept the 代決 (``domain.acting.check_substitute``, the rule the
workflow's validator applies): the matter allows it (the rulebook, the flags 重要・異例・疑義, 合議不調) and I am the
first present substitute in the 代決順位.  The matter's facts come from the read model; HR is asked only for the
documents whose matter allows 代決 at all.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.services.views import matter_of
from db.models import DocumentRow, RouteStepRow
from db.repositories.documents import PostReviewRepository, RouteStepRepository
from domain import acting
from integrations.hr import HrClient, HrNotFound
from integrations.substitution import SubstitutionFacts, substitution_facts
from schemas.api.models import InboxItem
from schemas.org import StaffRef

log = structlog.get_logger("ringi.inbox")

_LONG_AGO = datetime.min.replace(tzinfo=UTC)


async def inbox_for(session: AsyncSession, hr: HrClient, staff_id: str, *, today: date) -> list[InboxItem]:
    """Oldest first (then by document and stage, a stable order to page).  When HR is down the inbox still shows the
    staff member's own steps and 後閲."""
    steps = RouteStepRepository(session)
    items = [
        InboxItem(
            **_about(doc),
            stage_index=step.stage_index,
            stage_kind=step.stage_kind,
            since=step.since,
        )
        for step, doc in await steps.inbox(staff_id)
    ]
    try:
        items += await _substitute_items(steps, hr, staff_id, today=today)
    except (httpx.HTTPError, HrNotFound) as exc:
        log.warning("inbox.hr_unavailable", error=repr(exc))
    items += [
        InboxItem(
            **_about(doc),
            kind="post_review",
            stage_index=review.stage_index,
            stage_kind="decide" if review.reason == "substitute" else "review",
            since=review.owed_since,
            on_behalf_of=review.acted_by,
        )
        for review, doc in await PostReviewRepository(session).open_for(staff_id)
    ]
    return sorted(items, key=lambda i: (i.since or _LONG_AGO, i.document_id, i.stage_index, i.kind))


def _about(doc: DocumentRow) -> dict[str, Any]:
    """What an inbox row shows of its document besides the step: title, drafter, amount or 決裁区分, 文書番号."""
    matter = matter_of(doc)
    return {
        "document_id": doc.id,
        "title": doc.title,
        "version": doc.version,
        "drafter_id": doc.drafter_id,
        "matter": matter,
        "amount_yen": doc.amount_yen if matter != "general" else None,
        "category": doc.category,
        "number_display": doc.number_display,
    }


def delegation_of(step: RouteStepRow, document: DocumentRow) -> acting.Delegation:
    """The 代決 facts of a pending 決裁 as the read model holds them (projected from the chain state)."""
    return acting.Delegation(
        substitute_allowed=step.substitute_allowed,
        rule=step.rule,
        flags=tuple(document.flags or ()),
        pre_instructed=document.pre_instructed,
        urgent_reason=document.urgent_reason,
        consult_failed=document.consult_failed,
    )


async def _substitute_items(steps: RouteStepRepository, hr: HrClient, staff_id: str, *, today: date) -> list[InboxItem]:
    absent: dict[str, StaffRef] = {a.id: a for a in await hr.substituting(staff_id, on=today)}
    if not absent:
        return []
    lines: dict[str, SubstitutionFacts] = {}
    items: list[InboxItem] = []
    for step, doc in await steps.inbox(*absent, kinds=("decide",)):
        delegation = delegation_of(step, doc)
        if not acting.delegable(delegation):  # no HR call for a matter nobody may decide by 代決
            continue
        decider = step.assignee_id
        if decider not in lines:
            lines[decider] = await substitution_facts(hr, absent[decider], on=today)
        line = lines[decider]
        if not acting.may_substitute(
            delegation, decider_id=decider, actor_id=staff_id, absent_ids=line.absent_ids, substitutes=line.order
        ):
            continue
        items.append(
            InboxItem(
                **_about(doc),
                kind="substitute",
                stage_index=step.stage_index,
                stage_kind=step.stage_kind,
                since=step.since,
                on_behalf_of=decider,
            )
        )
    return items
