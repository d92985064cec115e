"""The approval chain (回議 → 合議 → 決裁) as a pure state machine.

``submit`` and ``apply`` take a state and an action and return the new state plus the events it produced;
anything the rules forbid raises ``ChainError`` with a reason a person can read.  No Temporal, no clock, no
I/O: the workflow passes time in and carries the state durably.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from schemas.document import (
    TERMINAL_STATUSES,
    ActionInput,
    Approval,
    ChainEvent,
    ChainState,
    DocumentFacts,
    Route,
    StageState,
)

Refusal = Literal["forbidden", "conflict", "invalid"]


class ChainError(Exception):
    """An action the chain does not allow.  ``kind``: forbidden (not yours), conflict (not now), invalid."""

    def __init__(self, kind: Refusal, reason: str) -> None:
        super().__init__(reason)
        self.kind: Refusal = kind
        self.reason = reason


def submit(
    *, document_id: str, drafter_id: str, actor_id: str, facts: DocumentFacts, route: Route, now: datetime
) -> tuple[ChainState, list[ChainEvent]]:
    """起案 → 回議: the drafter submits; the first stage becomes current."""
    if actor_id != drafter_id:
        raise ChainError("forbidden", "only the drafter may submit the document")
    if not route.stages or route.stages[-1].kind != "decide":
        raise ChainError("invalid", "a route must end with a decision (決裁) stage")
    stages = tuple(StageState(kind=s.kind, assignee_ids=tuple(a.id for a in s.assignees)) for s in route.stages)
    if any(not s.assignee_ids for s in stages):
        raise ChainError("invalid", "every stage of the route needs at least one assignee")
    state = ChainState(
        document_id=document_id,
        drafter_id=drafter_id,
        status="in_review",
        facts=facts,
        stages=stages,
        current=None,
        updated_at=now,
    )
    state = _enter_stage(state, 0, now)
    return _emit(state, "submit", actor_id, now, stage_index=0)


def check(state: ChainState, action: ActionInput) -> None:
    """Raise ``ChainError`` if ``action`` is not allowed now; used by the update validator."""
    _RULES[action.action](state, action)


def apply(state: ChainState, action: ActionInput, now: datetime) -> tuple[ChainState, list[ChainEvent]]:
    """Apply one allowed action; raises ``ChainError`` otherwise."""
    check(state, action)
    return _TRANSITIONS[action.action](state, action, now)


# --- who may do what, when -------------------------------------------------------------------------------


def _require_status(state: ChainState, action: str, *allowed: str) -> None:
    if state.status not in allowed:
        raise ChainError("conflict", f"cannot {action}: the document is {state.status}")


def _require_current_assignee(state: ChainState, actor_id: str) -> StageState:
    assert state.current is not None
    stage = state.stages[state.current]
    if actor_id not in stage.assignee_ids:
        raise ChainError("forbidden", f"not your step: the document is waiting for {', '.join(stage.pending_ids)}")
    if stage.approved_by(actor_id):
        raise ChainError("conflict", "you have already approved this stage")
    return stage


def _check_approve(state: ChainState, action: ActionInput) -> None:
    _require_status(state, "approve", "in_review")
    _require_current_assignee(state, action.actor_id)


def _check_send_back(state: ChainState, action: ActionInput) -> None:
    _require_status(state, "send back", "in_review")
    _require_current_assignee(state, action.actor_id)
    if not action.comment.strip():
        raise ChainError("invalid", "a send-back (差戻し) needs a reason in the comment")


def _check_withdraw(state: ChainState, action: ActionInput) -> None:
    if action.actor_id != state.drafter_id:
        raise ChainError("forbidden", "only the drafter may withdraw (取下げ) the document")
    _require_status(state, "withdraw", "in_review", "sent_back")


def _check_resubmit(state: ChainState, action: ActionInput) -> None:
    if action.actor_id != state.drafter_id:
        raise ChainError("forbidden", "only the drafter may resubmit the document")
    _require_status(state, "resubmit", "sent_back")
    if action.facts is not None and action.facts.version < state.facts.version:
        raise ChainError("conflict", "resubmitted version is older than the one sent back")


# --- transitions -----------------------------------------------------------------------------------------


def _approve(state: ChainState, action: ActionInput, now: datetime) -> tuple[ChainState, list[ChainEvent]]:
    assert state.current is not None
    index = state.current
    stage = state.stages[index]
    approval = Approval(
        staff_id=action.actor_id, at=now, version=state.facts.version, content_hash=state.facts.content_hash
    )
    stage = stage.model_copy(update={"approvals": (*stage.approvals, approval)})
    state = _replace_stage(state, index, stage)
    detail: dict[str, Any] = {"stage_kind": stage.kind}
    if stage.complete:
        if index + 1 < len(state.stages):
            state = _enter_stage(state, index + 1, now)
        else:
            state = state.model_copy(update={"status": "approved", "current": None})
            detail["decided"] = True
    return _emit(state, "approve", action.actor_id, now, stage_index=index, comment=action.comment, detail=detail)


def _send_back(state: ChainState, action: ActionInput, now: datetime) -> tuple[ChainState, list[ChainEvent]]:
    """差戻し to the drafter: every approval is void; routing starts again from the first stage."""
    index = state.current
    state = state.model_copy(update={"status": "sent_back", "current": None, "stages": _cleared(state)})
    return _emit(state, "send_back", action.actor_id, now, stage_index=index, comment=action.comment)


def _withdraw(state: ChainState, action: ActionInput, now: datetime) -> tuple[ChainState, list[ChainEvent]]:
    """取下げ: terminal; the history stays."""
    state = state.model_copy(update={"status": "withdrawn", "current": None})
    return _emit(state, "withdraw", action.actor_id, now, comment=action.comment)


def _resubmit(state: ChainState, action: ActionInput, now: datetime) -> tuple[ChainState, list[ChainEvent]]:
    facts = action.facts or state.facts
    state = state.model_copy(update={"status": "in_review", "facts": facts, "stages": _cleared(state)})
    state = _enter_stage(state, 0, now)
    return _emit(state, "resubmit", action.actor_id, now, stage_index=0, comment=action.comment)


_RULES = {
    "approve": _check_approve,
    "send_back": _check_send_back,
    "withdraw": _check_withdraw,
    "resubmit": _check_resubmit,
}
_TRANSITIONS = {"approve": _approve, "send_back": _send_back, "withdraw": _withdraw, "resubmit": _resubmit}


# --- helpers ---------------------------------------------------------------------------------------------


def _enter_stage(state: ChainState, index: int, now: datetime) -> ChainState:
    stage = state.stages[index].model_copy(update={"became_current_at": now})
    return _replace_stage(state, index, stage).model_copy(update={"current": index})


def _replace_stage(state: ChainState, index: int, stage: StageState) -> ChainState:
    stages = (*state.stages[:index], stage, *state.stages[index + 1 :])
    return state.model_copy(update={"stages": stages})


def _cleared(state: ChainState) -> tuple[StageState, ...]:
    return tuple(s.model_copy(update={"approvals": (), "became_current_at": None}) for s in state.stages)


def _emit(
    state: ChainState,
    action: Literal["submit", "approve", "send_back", "withdraw", "resubmit"],
    actor_id: str,
    now: datetime,
    *,
    stage_index: int | None = None,
    comment: str = "",
    detail: dict[str, Any] | None = None,
) -> tuple[ChainState, list[ChainEvent]]:
    seq = state.seq + 1
    event = ChainEvent(
        seq=seq,
        action=action,
        actor_id=actor_id,
        at=now,
        version=state.facts.version,
        content_hash=state.facts.content_hash,
        stage_index=stage_index,
        comment=comment,
        detail=detail or {},
    )
    return state.model_copy(update={"seq": seq, "updated_at": now}), [event]


def is_terminal(state: ChainState) -> bool:
    return state.status in TERMINAL_STATUSES
