"""The approval chain (回議 → 合議 → 決裁 → 供覧) as a pure state machine.

``submit`` and ``apply`` take a state and an action and return the new state plus the events it produced;
anything the rules forbid raises ``ChainError`` with a reason a person can read.  No Temporal, no clock, no
I/O: the workflow passes time in (and HR's facts in ``ActionInput.context``) and carries the state durably.
Every event carries its input, so ``rebuild(events)`` replays a chain to the same state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Literal

from domain import acting
from domain.errors import ChainError as ChainError  # re-exported: callers catch ``chain.ChainError``
from domain.statuses import IN_ROUTING, TERMINAL
from schemas.document import (
    REASON_REQUIRED,
    ActionContext,
    ActionInput,
    AllowedAction,
    ChainEvent,
    ChainState,
    DocumentFacts,
    EventAction,
    LastResponse,
    PostReview,
    Response,
    ResponseKind,
    Route,
    StageState,
)

Transition = tuple[ChainState, list[ChainEvent]]


# --- public API --------------------------------------------------------------------------------------------


def submit(
    *, document_id: str, drafter_id: str, actor_id: str, facts: DocumentFacts, route: Route, now: datetime
) -> Transition:
    """起案 → 回議: the drafter submits (or the 庶務担当 who drafted it for them: ``facts.drafted_by``); the first
    stage becomes current."""
    acting.check_submitter(drafter_id=drafter_id, actor_id=actor_id, drafted_by=facts.drafted_by)
    stages = _stages_of(route)
    state = ChainState(
        document_id=document_id,
        drafter_id=drafter_id,
        status="in_review",
        facts=facts,
        stages=stages,
        current=None,
        updated_at=now,
    )
    state = _enter(state, 0, now).model_copy(update={"round_started_seq": 1})
    on_behalf = {"on_behalf_of": drafter_id} if actor_id != drafter_id else None  # 代理申請: the clerk acts
    return _emit(state, "submit", actor_id, now, stage_index=0, route=route, detail=on_behalf)


def check(state: ChainState, action: ActionInput) -> None:
    """Raise ``ChainError`` if ``action`` is not allowed now; the update validator calls this."""
    _RULES[action.action](state, action)


def apply(state: ChainState, action: ActionInput, now: datetime) -> Transition:
    """Apply one allowed action; raises ``ChainError`` otherwise."""
    check(state, action)
    new_state, events = _TRANSITIONS[action.action](state, action, now)
    return new_state, [e.model_copy(update={"input": action}) for e in events]


def reroute(state: ChainState, tail: Route, now: datetime, *, reason: str, after: int | None = None) -> Transition:
    """Replace every stage after stage ``after`` (default: the current one) with ``tail``.

    合議不調 passes the failed 合議 (``failed_consult``): when the objection completed it and routing had already
    moved on, routing resumes at the first stage of ``tail``.
    """
    if state.current is None:
        raise ChainError("conflict", "only a document in routing can be rerouted")
    pivot = state.current if after is None else after
    if not 0 <= pivot <= state.current:
        raise ChainError("invalid", "a reroute keeps the stages up to one already reached")
    kept = state.stages[: pivot + 1]
    _check_shape([s.kind for s in kept] + [s.kind for s in tail.stages])
    moved_on = state.current > pivot
    state = state.model_copy(update={"stages": (*kept, *_stages_of(tail, allow_partial=True))})
    if moved_on:
        state = _enter(state, pivot + 1, now)
    detail = {} if after is None else {"after": after}
    return _emit(state, "reroute", "system", now, stage_index=state.current, comment=reason, detail=detail, route=tail)


def escalation_tail(state: ChainState, higher: Route) -> Route:
    """合議不調: what replaces the stages after the failed 合議, given the route one level up.

    The higher route's stages after that 合議 (found by its members; else its last 合議), preceded by the
    reviewers it puts before it that this document has not passed yet (e.g. the former decider, who now
    reviews).  A 合議 the document has already passed is not asked again.
    """
    if state.current is None:
        raise ChainError("conflict", "only a document in routing can be rerouted")
    pivot = failed_consult(state)
    failed = set(state.stages[pivot].assignee_ids)
    consults = [i for i, s in enumerate(higher.stages) if s.kind == "consult"]
    same = [i for i in consults if {a.id for a in higher.stages[i].assignees} == failed]
    at = same[0] if same else max(consults, default=-1)
    seen = {a for s in state.stages[: pivot + 1] for a in s.assignee_ids}
    missed = [s for s in higher.stages[: max(at, 0)] if s.kind == "review" and s.assignees[0].id not in seen]
    rest = [s for s in higher.stages[at + 1 :] if not (s.kind == "consult" and {a.id for a in s.assignees} <= seen)]
    return Route(stages=(*missed, *rest), rulebook_version=higher.rulebook_version)


def failed_consult(state: ChainState) -> int:
    """The latest 合議 up to the current stage that an objection made 不調 (else the current stage)."""
    assert state.current is not None
    failed = [i for i, s in enumerate(state.stages[: state.current + 1]) if s.kind == "consult" and s.objected]
    return failed[-1] if failed else state.current


def note_deadline(
    state: ChainState, kind: Literal["remind", "escalate"], stage_index: int, now: datetime
) -> Transition:
    """督促 (reminder) or エスカレーション: recorded on the stage, no change of who holds the document."""
    stage = state.stages[stage_index]
    field = "reminded_at" if kind == "remind" else "escalated_at"
    state = _replace_stage(state, stage_index, stage.model_copy(update={field: now}))
    detail = {"assignees": list(stage.pending_ids)}
    return _emit(state, kind, "system", now, stage_index=stage_index, detail=detail)


def reassign(state: ChainState, old_id: str, new_id: str, now: datetime, *, reason: str, post: str = "") -> Transition:
    """人事異動: every unanswered step of ``old_id`` from the current stage on goes to ``new_id``.

    Answers already given stay with who gave them (and the post they held then); a step ``old_id`` no longer
    holds (answered, passed over, or the document has finished) is left alone, so no event is produced.  When
    ``new_id`` is already a member of the stage, ``old_id`` simply leaves it.
    """
    if state.status not in IN_ROUTING or state.current is None or old_id == new_id:
        return state, []
    moved: list[int] = []
    for index in range(state.current, len(state.stages)):
        stage = state.stages[index]
        if old_id not in stage.assignee_ids or old_id in stage.skipped_ids or stage.response_of(old_id) is not None:
            continue
        if index == state.current and stage.complete:
            continue
        ids = tuple(dict.fromkeys(new_id if a == old_id else a for a in stage.assignee_ids))
        quorum = None if stage.quorum is None else min(stage.quorum, len(ids))
        state = _replace_stage(state, index, stage.model_copy(update={"assignee_ids": ids, "quorum": quorum}))
        moved.append(index)
    if not moved:
        return state, []
    detail = {"from": old_id, "to": new_id, "post": post, "stages": moved}
    return _emit(state, "reassign", "system", now, stage_index=moved[0], comment=reason, detail=detail)


def rebuild(events: list[ChainEvent]) -> ChainState:
    """Replay a chain from its events (the first must be the submit): the audit trail is the state."""
    first = events[0]
    if first.action != "submit" or first.route is None or first.input is not None:
        raise ValueError("a chain starts with its submit event")
    facts = _facts_at_submit(first)
    state, _ = submit(
        document_id=first.detail["document_id"],
        drafter_id=first.actor_id,
        actor_id=first.actor_id,
        facts=facts,
        route=first.route,
        now=first.at,
    )
    for event in events[1:]:
        if event.input is not None:
            state, _ = apply(state, event.input, event.at)
        elif event.action == "reroute" and event.route is not None:
            state, _ = reroute(state, event.route, event.at, reason=event.comment, after=event.detail.get("after"))
        elif event.action in ("remind", "escalate") and event.stage_index is not None:
            state, _ = note_deadline(state, event.action, event.stage_index, event.at)
        elif event.action == "reassign":
            state, _ = reassign(
                state,
                event.detail["from"],
                event.detail["to"],
                event.at,
                reason=event.comment,
                post=event.detail["post"],
            )
        else:
            raise ValueError(f"event {event.seq} ({event.action}) cannot be replayed")
    return state


def is_terminal(state: ChainState) -> bool:
    return state.status in TERMINAL


def is_finished(state: ChainState) -> bool:
    """Terminal and nobody still owes a 後閲: the workflow may end."""
    return is_terminal(state) and not state.open_post_reviews


# --- who may do what, when -----------------------------------------------------------------------------------


def _require_status(state: ChainState, what: str, *allowed: str) -> None:
    if state.status not in allowed:
        raise ChainError("conflict", f"cannot {what}: the document is {state.status}")


def _current(state: ChainState) -> StageState:
    assert state.current is not None
    return state.stages[state.current]


def _require_pending(state: ChainState, actor_id: str, *kinds: str) -> StageState:
    stage = _current(state)
    if actor_id not in stage.assignee_ids:
        # Not the assignee of the current stage: 403, even for one who acted on an earlier stage (their step is
        # behind them, not theirs in another state).  409 is for "yours, but not now".
        waiting = ", ".join(stage.pending_ids) or "nobody"
        assert state.current is not None
        if any(r.staff_id == actor_id for s in state.stages[: state.current] for r in s.responses):
            raise ChainError("forbidden", f"you have already answered; the document is now waiting for {waiting}")
        raise ChainError("forbidden", f"not your step: the document is waiting for {waiting}")
    if actor_id not in stage.pending_ids:
        raise ChainError("conflict", "you have already answered this stage")
    if stage.kind not in kinds:
        raise ChainError("conflict", f"this is a {stage.kind} stage: use {_VERB[stage.kind]}")
    return stage


#: 判断: what the holder of a step decides (承認・同意・異議・差戻し・却下・引上げ承認・代決): what operators count as
#: decisions.  Not the drafter's own moves (提出・引戻し・取下げ・再提出), 供覧 and 後閲 reads, 意見, nor what the
#: system records (reroute, remind, escalate, reassign).
DECISION_ACTIONS: frozenset[str] = frozenset(
    {"approve", "consent", "object", "send_back", "reject", "pull_up", "substitute"}
)
_VERB = {
    "review": "approve",
    "examine": "approve",
    "decide": "approve",
    "consult": "consent or object",
    "circulate": "acknowledge",
}


def _require_reason(action: ActionInput, what: str) -> None:
    if not action.comment.strip():
        raise ChainError("invalid", f"{what} needs a reason in the comment")


def _check_approve(state: ChainState, action: ActionInput) -> None:
    _require_status(state, "approve", "in_review")
    _require_pending(state, action.actor_id, "review", "examine", "decide", "consult")


def _check_consent(state: ChainState, action: ActionInput) -> None:
    _require_status(state, action.action, "in_review")
    _require_pending(state, action.actor_id, "consult")
    if action.action == "object":
        _require_reason(action, "an objection (異議)")


def _check_acknowledge(state: ChainState, action: ActionInput) -> None:
    _require_status(state, "acknowledge", "circulating")
    _require_pending(state, action.actor_id, "circulate")


def _check_send_back(state: ChainState, action: ActionInput) -> None:
    _require_status(state, "send back", "in_review")
    _require_pending(state, action.actor_id, "review", "examine", "decide", "consult")
    _require_reason(action, "a send-back (差戻し)")
    assert state.current is not None
    target = action.target_step
    if target is not None and not 0 <= target <= state.current:
        raise ChainError("invalid", f"target_step must be a stage from 0 to {state.current} (the current one)")


def _check_recall(state: ChainState, action: ActionInput) -> None:
    _require_status(state, "recall (引戻し)", "in_review")
    answered = any(r.seq > state.round_started_seq for s in state.stages for r in s.responses)
    if action.actor_id == state.drafter_id and not answered:
        return
    last = state.last_response
    if last is not None and last.staff_id == action.actor_id:
        return
    acted = any(r.staff_id == action.actor_id for s in state.stages for r in s.responses)
    if action.actor_id == state.drafter_id or acted:  # the right person, too late
        raise ChainError("conflict", "too late to recall (引戻し): the next approver has already acted")
    raise ChainError("forbidden", "only the drafter or the approver who acted last may recall (引戻し)")


def _check_withdraw(state: ChainState, action: ActionInput) -> None:
    acting.check_drafter(drafter_id=state.drafter_id, actor_id=action.actor_id, to="withdraw (取下げ) the document")
    _require_status(state, "withdraw", "in_review", "sent_back", "draft")


def _check_reject(state: ChainState, action: ActionInput) -> None:
    _require_status(state, "reject", "in_review")
    stage = _current(state)
    if stage.kind != "decide":
        raise ChainError("conflict", "only the decision stage (決裁) can reject; earlier approvers send back")
    if action.on_behalf_of is not None:
        _check_substitute(state, action)
    elif action.actor_id not in stage.assignee_ids:
        raise ChainError("forbidden", "only the decider may reject (却下) the document")
    _require_reason(action, "a rejection (却下)")


def _check_pull_up(state: ChainState, action: ActionInput) -> None:
    _require_status(state, "pull up (引上げ承認)", "in_review")
    assert state.current is not None
    later = _later_stage_of(state, action.actor_id)
    if later is None:
        raise ChainError("forbidden", "only an approver later in the route may pull up (引上げ承認)")
    acting.check_pull_up(state.stages[state.current : later], set(action.context.absent_ids))


def _check_substitute(state: ChainState, action: ActionInput) -> None:
    _require_status(state, "decide as substitute (代決)", "in_review")
    stage = _current(state)
    decider = action.on_behalf_of
    if decider is None:
        raise ChainError("invalid", "代決 needs on_behalf_of: the absent decider you act for")
    if stage.kind != "decide" or decider not in stage.assignee_ids:
        raise ChainError("conflict", "代決 is for the decision stage, on behalf of its decider (on_behalf_of)")
    acting.check_substitute(
        delegation(state),
        decider_id=decider,
        actor_id=action.actor_id,
        absent_ids=set(action.context.absent_ids),
        substitutes=action.context.substitutes,
    )


def delegation(state: ChainState) -> acting.Delegation:
    """The facts of this chain that decide whether its 決裁 may be taken by 代決 (see ``acting.Delegation``)."""
    decide = next((s for s in state.stages if s.kind == "decide"), None)
    facts = state.facts
    return acting.Delegation(
        substitute_allowed=decide is None or decide.substitute_allowed,
        rule=decide.rule if decide else "",
        flags=facts.flags,
        pre_instructed=facts.pre_instructed,
        urgent_reason=facts.urgent_reason,
        consult_failed=state.consult_failed,
    )


def _check_post_review(state: ChainState, action: ActionInput) -> None:
    if not acting.owes_post_review(state.post_reviews, action.actor_id):
        raise ChainError("conflict", "you owe no post-review (後閲) on this document")


def _check_comment(state: ChainState, action: ActionInput) -> None:
    if action.actor_id not in _participants(state):
        raise ChainError("forbidden", "only the drafter and those on the route may comment")
    _require_reason(action, "a comment")


def _check_resubmit(state: ChainState, action: ActionInput) -> None:
    acting.check_resubmitter(drafter_id=state.drafter_id, actor_id=action.actor_id, drafted_by=state.facts.drafted_by)
    _require_status(state, "resubmit", "sent_back", "draft")
    if action.facts is not None and action.facts.version < state.facts.version:
        raise ChainError("conflict", "resubmitted version is older than the one sent back")


# --- transitions ---------------------------------------------------------------------------------------------


def _respond(state: ChainState, action: ActionInput, now: datetime, kind: ResponseKind) -> Transition:
    index = state.current
    assert index is not None
    response = _response(state, action, now, kind)
    state = _add_response(state, index, response)
    state, detail = _advance(state, now)
    return _emit(state, action.action, action.actor_id, now, stage_index=index, comment=action.comment, detail=detail)


def _approve(state: ChainState, action: ActionInput, now: datetime) -> Transition:
    kind: ResponseKind = "consent" if _current(state).kind == "consult" else "approve"
    state, events = _respond(state, action, now, kind)
    if action.bulk:  # 一括承認: the audit event says the approval was one item of a bulk request
        events = [e.model_copy(update={"detail": {**e.detail, "bulk": True}}) for e in events]
    return state, events


def _consent(state: ChainState, action: ActionInput, now: datetime) -> Transition:
    return _respond(state, action, now, "consent" if action.action == "consent" else "object")


def _acknowledge(state: ChainState, action: ActionInput, now: datetime) -> Transition:
    return _respond(state, action, now, "acknowledge")


def _send_back(state: ChainState, action: ActionInput, now: datetime) -> Transition:
    """差戻し to the drafter; answers from the target stage on are void (a 合議 group is cleared whole)."""
    index = state.current
    target = action.target_step or 0
    stages = tuple(s if i < target else _cleared(s) for i, s in enumerate(state.stages))
    state = state.model_copy(
        update={"status": "sent_back", "current": None, "stages": stages, "sent_back_to": target, "last_response": None}
    )
    state = _drop_post_reviews_from(state, target)
    detail = {"target_step": target}
    return _emit(state, "send_back", action.actor_id, now, stage_index=index, comment=action.comment, detail=detail)


def _recall(state: ChainState, action: ActionInput, now: datetime) -> Transition:
    """引戻し: the drafter takes the document back to draft, or the last approver takes back their answer."""
    last = state.last_response
    if last is None or last.staff_id != action.actor_id:  # the drafter, before anyone acted in this round
        index = state.current
        state = state.model_copy(update={"status": "draft", "current": None, "sent_back_to": index})
        return _emit(state, "recall", action.actor_id, now, stage_index=index, comment=action.comment)
    stage = state.stages[last.stage_index]
    taken_back = next(r for r in stage.responses if r.staff_id == last.staff_id)
    stages = list(state.stages)
    stages[last.stage_index] = stage.model_copy(
        update={"responses": tuple(r for r in stage.responses if r is not taken_back)}
    )
    if taken_back.capacity == "pull_up":  # the passed-over approvers are owed their step again
        mine = [p for p in state.post_reviews if p.reason == "pull_up" and p.caused_by_seq == taken_back.seq]
        for review in mine:
            stages[review.stage_index] = stages[review.stage_index].model_copy(update={"skipped_ids": ()})
        state = state.model_copy(update={"post_reviews": tuple(p for p in state.post_reviews if p not in mine)})
    first_open = next(i for i, s in enumerate(stages) if not s.complete)
    # Stages after the reopened one hold no answers (the recaller acted last); reset their clocks.
    stages = [s if i <= first_open or s.responses else _cleared(s) for i, s in enumerate(stages)]
    state = state.model_copy(update={"stages": tuple(stages), "last_response": None})
    if first_open != state.current:
        state = _enter(state, first_open, now)
    detail = {"taken_back": taken_back.kind}
    return _emit(
        state, "recall", action.actor_id, now, stage_index=last.stage_index, comment=action.comment, detail=detail
    )


def _withdraw(state: ChainState, action: ActionInput, now: datetime) -> Transition:
    """取下げ: terminal; the history stays."""
    state = state.model_copy(update={"status": "withdrawn", "current": None, "last_response": None})
    return _emit(state, "withdraw", action.actor_id, now, comment=action.comment)


def _reject(state: ChainState, action: ActionInput, now: datetime) -> Transition:
    """却下: terminal; a new draft may copy it (引用起案)."""
    index = state.current
    assert index is not None
    state = state.model_copy(update={"status": "rejected", "current": None, "last_response": None})
    detail = {}
    if action.on_behalf_of:  # 代決 of a rejection: the decider still reads it afterwards (後閲)
        review = PostReview(
            staff_id=action.on_behalf_of,
            stage_index=index,
            reason="substitute",
            acted_by=action.actor_id,
            owed_since=now,
        )
        state = state.model_copy(update={"post_reviews": (*state.post_reviews, review)})
        detail["on_behalf_of"] = action.on_behalf_of
    return _emit(state, "reject", action.actor_id, now, stage_index=index, comment=action.comment, detail=detail)


def _pull_up(state: ChainState, action: ActionInput, now: datetime) -> Transition:
    """引上げ承認: pass over the absent approvers before the actor's stage; each owes a 後閲."""
    start = state.current
    later = _later_stage_of(state, action.actor_id)
    assert start is not None and later is not None
    skipped: list[str] = []
    reviews: list[PostReview] = []
    for index in range(start, later):
        stage = state.stages[index]
        skipped.extend(stage.pending_ids)
        reviews.extend(
            PostReview(
                staff_id=s,
                stage_index=index,
                reason="pull_up",
                acted_by=action.actor_id,
                owed_since=now,
                caused_by_seq=state.seq + 1,
            )
            for s in stage.pending_ids
        )
        state = _replace_stage(state, index, stage.model_copy(update={"skipped_ids": stage.pending_ids}))
    state = _enter(state, later, now).model_copy(update={"post_reviews": (*state.post_reviews, *reviews)})
    kind: ResponseKind = "consent" if state.stages[later].kind == "consult" else "approve"
    state = _add_response(state, later, _response(state, action, now, kind, capacity="pull_up"))
    state, detail = _advance(state, now)
    detail["skipped"] = skipped
    return _emit(state, "pull_up", action.actor_id, now, stage_index=later, comment=action.comment, detail=detail)


def _substitute(state: ChainState, action: ActionInput, now: datetime) -> Transition:
    """代決: the designated substitute decides for the absent decider, who owes a 後閲."""
    index = state.current
    decider = action.on_behalf_of
    assert index is not None and decider is not None
    response = _response(state, action, now, "approve", capacity="substitute", on_behalf_of=decider)
    state = _add_response(state, index, response)
    review = PostReview(
        staff_id=decider,
        stage_index=index,
        reason="substitute",
        acted_by=action.actor_id,
        owed_since=now,
        caused_by_seq=state.seq + 1,
    )
    state = state.model_copy(update={"post_reviews": (*state.post_reviews, review)})
    state, detail = _advance(state, now)
    detail["on_behalf_of"] = decider
    return _emit(state, "substitute", action.actor_id, now, stage_index=index, comment=action.comment, detail=detail)


def _post_review(state: ChainState, action: ActionInput, now: datetime) -> Transition:
    reviews = tuple(
        p.model_copy(update={"acknowledged_at": now})
        if p.staff_id == action.actor_id and p.acknowledged_at is None
        else p
        for p in state.post_reviews
    )
    state = state.model_copy(update={"post_reviews": reviews})
    return _emit(state, "post_review", action.actor_id, now, comment=action.comment)


def _comment(state: ChainState, action: ActionInput, now: datetime) -> Transition:
    return _emit(state, "comment", action.actor_id, now, stage_index=state.current, comment=action.comment)


def _resubmit(state: ChainState, action: ActionInput, now: datetime) -> Transition:
    """再提出: an edit voids every answer given to an older version; routing resumes at the first open stage."""
    facts = action.facts or state.facts
    stages = state.stages
    if facts.version != state.facts.version or facts.content_hash != state.facts.content_hash:
        stages = tuple(
            s
            if all((r.version, r.content_hash) == (facts.version, facts.content_hash) for r in s.responses)
            else _cleared(s)
            for s in stages
        )
    resume = min(state.sent_back_to or 0, next((i for i, s in enumerate(stages) if not s.complete), len(stages)))
    stages = tuple(s if i < resume else _cleared(s) for i, s in enumerate(stages))
    state = state.model_copy(
        update={"status": "in_review", "facts": facts, "stages": stages, "sent_back_to": None, "last_response": None}
    )
    state = _drop_post_reviews_from(state, resume)
    state = _enter(state, resume, now).model_copy(update={"round_started_seq": state.seq + 1})
    return _emit(state, "resubmit", action.actor_id, now, stage_index=resume, comment=action.comment)


_RULES: dict[str, Callable[[ChainState, ActionInput], None]] = {
    "approve": _check_approve,
    "consent": _check_consent,
    "object": _check_consent,
    "send_back": _check_send_back,
    "recall": _check_recall,
    "withdraw": _check_withdraw,
    "reject": _check_reject,
    "pull_up": _check_pull_up,
    "substitute": _check_substitute,
    "acknowledge": _check_acknowledge,
    "post_review": _check_post_review,
    "comment": _check_comment,
    "resubmit": _check_resubmit,
}
_TRANSITIONS: dict[str, Callable[[ChainState, ActionInput, datetime], Transition]] = {
    "approve": _approve,
    "consent": _consent,
    "object": _consent,
    "send_back": _send_back,
    "recall": _recall,
    "withdraw": _withdraw,
    "reject": _reject,
    "pull_up": _pull_up,
    "substitute": _substitute,
    "acknowledge": _acknowledge,
    "post_review": _post_review,
    "comment": _comment,
    "resubmit": _resubmit,
}


# --- helpers -------------------------------------------------------------------------------------------------


def _check_shape(kinds: Sequence[str]) -> None:
    """[review|consult|examine]* decide circulate*, or circulate+ alone (供覧 only)."""
    if not kinds:
        raise ChainError("invalid", "a route needs at least one stage")
    if kinds.count("decide") > 1:
        raise ChainError("invalid", "a route has at most one decision (決裁) stage")
    if "decide" in kinds:
        after = kinds[kinds.index("decide") + 1 :]
        if any(k != "circulate" for k in after):
            raise ChainError("invalid", "only circulation (供覧) may follow the decision stage")
        if "circulate" in kinds[: kinds.index("decide")]:
            raise ChainError("invalid", "circulation (供覧) comes after the decision")
    elif any(k != "circulate" for k in kinds):
        raise ChainError("invalid", "a route must end with a decision (決裁) stage, or only circulate (供覧)")


def _stages_of(route: Route, *, allow_partial: bool = False) -> tuple[StageState, ...]:
    """Validate a route's shape: [review|consult|examine]* decide circulate*, or circulate+ alone (供覧 only)."""
    if not allow_partial:
        _check_shape([s.kind for s in route.stages])
    stages = []
    for stage in route.stages:
        ids = tuple(dict.fromkeys(a.id for a in stage.assignees))
        if not ids:
            raise ChainError("invalid", "every stage of the route needs at least one assignee")
        if stage.kind in ("review", "examine", "decide") and len(ids) != 1:
            raise ChainError("invalid", f"a {stage.kind} stage has exactly one approver")
        if stage.quorum is not None and (stage.kind != "consult" or not 1 <= stage.quorum <= len(ids)):
            raise ChainError("invalid", "a quorum is for a consult stage, between 1 and its number of members")
        stages.append(
            StageState(
                kind=stage.kind,
                assignee_ids=ids,
                quorum=stage.quorum,
                reason=stage.reason,
                remind_after_days=stage.remind_after_days,
                escalate_after_days=stage.escalate_after_days,
                rule=stage.rule,
                substitute_allowed=stage.substitute_allowed,
            )
        )
    return tuple(stages)


def _later_stage_of(state: ChainState, actor_id: str) -> int | None:
    assert state.current is not None
    for index in range(state.current + 1, len(state.stages)):
        stage = state.stages[index]
        if stage.kind != "circulate" and actor_id in stage.assignee_ids:
            return index
    return None


def _participants(state: ChainState) -> set[str]:
    people = {state.drafter_id}
    for stage in state.stages:
        people.update(stage.assignee_ids)
        people.update(r.staff_id for r in stage.responses)
    return people


def _response(
    state: ChainState,
    action: ActionInput,
    now: datetime,
    kind: ResponseKind,
    *,
    capacity: Literal["self", "substitute", "pull_up"] = "self",
    on_behalf_of: str | None = None,
) -> Response:
    return Response(
        staff_id=action.actor_id,
        kind=kind,
        at=now,
        version=state.facts.version,
        content_hash=state.facts.content_hash,
        capacity=capacity,
        on_behalf_of=on_behalf_of,
        actor_post=action.context.actor_post,
        comment=action.comment,
        seq=state.seq + 1,  # the event this transition emits
    )


def _add_response(state: ChainState, index: int, response: Response) -> ChainState:
    stage = state.stages[index]
    state = _replace_stage(state, index, stage.model_copy(update={"responses": (*stage.responses, response)}))
    return state.model_copy(update={"last_response": LastResponse(stage_index=index, staff_id=response.staff_id)})


def _advance(state: ChainState, now: datetime) -> tuple[ChainState, dict[str, Any]]:
    """Move past complete stages; at the end the matter is decided (決裁) or its circulation complete."""
    detail: dict[str, Any] = {}
    index = state.current
    assert index is not None
    while index < len(state.stages) and state.stages[index].complete:
        if state.stages[index].kind == "decide":
            detail["decided"] = True
        index += 1
    if index == state.current:
        return state, detail
    if index < len(state.stages):
        return _enter(state, index, now), detail
    final = "completed" if state.stages[-1].kind == "circulate" else "approved"
    detail["final"] = final
    return state.model_copy(update={"status": final, "current": None}), detail


def _enter(state: ChainState, index: int, now: datetime) -> ChainState:
    stage = state.stages[index].model_copy(update={"became_current_at": now, "reminded_at": None, "escalated_at": None})
    status = "circulating" if stage.kind == "circulate" else "in_review"
    return _replace_stage(state, index, stage).model_copy(update={"current": index, "status": status})


def _replace_stage(state: ChainState, index: int, stage: StageState) -> ChainState:
    stages = (*state.stages[:index], stage, *state.stages[index + 1 :])
    return state.model_copy(update={"stages": stages})


def _cleared(stage: StageState) -> StageState:
    return stage.model_copy(
        update={
            "responses": (),
            "skipped_ids": (),
            "became_current_at": None,
            "reminded_at": None,
            "escalated_at": None,
        }
    )


def _drop_post_reviews_from(state: ChainState, index: int) -> ChainState:
    """Answers from ``index`` on are void, and so are the 後閲 they created."""
    return state.model_copy(
        update={"post_reviews": tuple(p for p in state.post_reviews if p.stage_index < index or p.acknowledged_at)}
    )


def _facts_at_submit(event: ChainEvent) -> DocumentFacts:
    return DocumentFacts.model_validate(event.detail["facts"])


def _emit(
    state: ChainState,
    action: EventAction,
    actor_id: str,
    now: datetime,
    *,
    stage_index: int | None = None,
    comment: str = "",
    detail: dict[str, Any] | None = None,
    route: Route | None = None,
) -> Transition:
    seq = state.seq + 1
    extra = dict(detail or {})
    if action == "submit":
        extra.update(document_id=state.document_id, facts=state.facts.model_dump(mode="json"))
    event = ChainEvent(
        seq=seq,
        action=action,
        actor_id=actor_id,
        at=now,
        version=state.facts.version,
        content_hash=state.facts.content_hash,
        stage_index=stage_index,
        comment=comment,
        detail=extra,
        route=route,
    )
    return state.model_copy(update={"seq": seq, "updated_at": now}), [event]


# --- what may a person do now ---------------------------------------------------------------------------------


def allowed_actions(state: ChainState, actor_id: str, context: ActionContext | None = None) -> list[AllowedAction]:
    """Every action ``actor_id`` may take now, as ``check`` decides it (the UI's buttons, the API's answer).

    ``context`` carries HR's facts (absences, the 代決順位) as for an action; without it 引上げ承認 and 代決 are
    never offered.  Reasons are assumed given: ``reason_required`` tells the caller to ask for one.
    """
    context = context or ActionContext()
    allowed: list[AllowedAction] = []
    for name in _RULES:
        for on_behalf_of in _principals(state, name, actor_id):
            candidate = ActionInput(
                action=name,
                actor_id=actor_id,
                comment="(reason)",
                on_behalf_of=on_behalf_of,
                context=context,
            )
            try:
                check(state, candidate)
            except ChainError:
                continue
            targets = tuple(range(state.current + 1)) if name == "send_back" and state.current is not None else ()
            allowed.append(
                AllowedAction(
                    action=candidate.action,
                    on_behalf_of=on_behalf_of,
                    target_steps=targets,
                    reason_required=name in REASON_REQUIRED,
                )
            )
            break
    return allowed


def _principals(state: ChainState, action: str, actor_id: str) -> list[str | None]:
    """For whom the actor might act: themselves, or (代決, 却下 by 代決) the decider of the current stage."""
    if action == "substitute":
        return list(_current_deciders(state))
    if action == "reject":
        return [None, *_current_deciders(state)]
    return [None]


def _current_deciders(state: ChainState) -> tuple[str, ...]:
    if state.current is None or state.stages[state.current].kind != "decide":
        return ()
    return state.stages[state.current].pending_ids
