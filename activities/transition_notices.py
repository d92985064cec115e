"""Notices a transition of the chain gives rise to: 回議/合議/決裁/供覧 assigned, 差戻し, 決裁 / 却下.

Written by the projection in the same transaction as the read model, so a notice exists exactly when the state
change it announces does; each has a dedupe key built from the transition (stage and the moment it began, or the
event's seq), so a retried projection writes nothing twice.  Reminders and escalations come from the deadline
timers (``activities/notifications.py``); substitutes of an absent decider are found by the dispatcher, which
asks HR (``activities/delivery.py``), so the projection in every decision's critical path makes no HR call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from activities.notice_text import display_name, subject
from db.models import DocumentRow
from db.repositories.notifications import NotificationRepository
from domain import acting, chain
from domain.statuses import IN_ROUTING
from schemas.document import ChainEvent, ChainState


@dataclass(frozen=True)
class NoticeDraft:
    dedupe_key: str
    recipient_id: str
    kind: str
    detail: dict[str, Any] = field(default_factory=dict)


def assigned_notices(state: ChainState, events: Sequence[ChainEvent]) -> list[NoticeDraft]:
    """The pending steps of a stage this transition entered (not the actor's own: a recall gives one back)."""
    if state.current is None or state.status not in IN_ROUTING:
        return []
    stage = state.stages[state.current]
    if stage.became_current_at is None or stage.became_current_at != state.updated_at:
        return []
    actors = {e.actor_id for e in events}
    since = stage.became_current_at.isoformat()
    detail: dict[str, Any] = {"stage_kind": stage.kind, "stage_index": state.current}
    if stage.kind == "decide":  # whether the dispatcher may forward it to a 代決者 (domain/acting.py's rule)
        detail["delegable"] = acting.delegable(chain.delegation(state))
    return [
        NoticeDraft(
            dedupe_key=f"{state.document_id}:assigned:{state.current}:{since}:{assignee}",
            recipient_id=assignee,
            kind="assigned",
            detail=detail,
        )
        for assignee in stage.pending_ids
        if assignee not in actors
    ]


def event_notices(state: ChainState, event: ChainEvent) -> list[NoticeDraft]:
    """差戻し: the drafter, and the assignees of the stage routing resumes from; 決裁 / 却下: the drafter;
    a 代理申請 submitted by the 庶務担当: the person it was filed for (who may withdraw it)."""
    prefix = f"{state.document_id}:{{kind}}:{event.seq}"
    if event.action == "submit":
        if event.actor_id == state.drafter_id:
            return []
        key = f"{prefix.format(kind='filed_for_you')}:{state.drafter_id}"
        return [NoticeDraft(key, state.drafter_id, "filed_for_you", {"drafted_by": event.actor_id})]
    if event.action == "send_back":
        target = int(event.detail.get("target_step") or 0)
        key = prefix.format(kind="sent_back")
        drafts = [NoticeDraft(f"{key}:{state.drafter_id}", state.drafter_id, "sent_back", {"role": "drafter"})]
        if 0 <= target < len(state.stages):
            drafts += [
                NoticeDraft(f"{key}:{assignee}", assignee, "sent_back", {"role": "target", "target_step": target})
                for assignee in state.stages[target].assignee_ids
                if assignee not in (event.actor_id, state.drafter_id)
            ]
        return drafts
    if event.action == "reject" or event.detail.get("decided"):
        result = "rejected" if event.action == "reject" else "approved"
        if event.actor_id == state.drafter_id:
            return []
        key = f"{prefix.format(kind='decided')}:{state.drafter_id}"
        return [NoticeDraft(key, state.drafter_id, "decided", {"result": result})]
    return []


def transition_notices(state: ChainState, events: Sequence[ChainEvent]) -> list[NoticeDraft]:
    drafts = [d for e in events for d in event_notices(state, e)]
    return drafts + assigned_notices(state, events)


async def write_transition_notices(
    session: AsyncSession, document: DocumentRow, state: ChainState, events: Sequence[ChainEvent]
) -> int:
    """Into the outbox, once each (one statement); returns how many the transition gave rise to."""
    drafts = transition_notices(state, events)
    name = display_name(document)
    await NotificationRepository(session).add_all_once(
        [
            {
                "dedupe_key": draft.dedupe_key,
                "recipient_id": draft.recipient_id,
                "document_id": state.document_id,
                "kind": draft.kind,
                "subject": subject(draft.kind, name, draft.detail),
                "created_at": state.updated_at,
                "detail": draft.detail,
            }
            for draft in drafts
        ]
    )
    return len(drafts)
