"""Property tests of the pure approval chain: random action sequences never break its invariants."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.document import (
    ActionInput,
    ActionName,
    ChainEvent,
    ChainState,
    DocumentFacts,
    Route,
    Stage,
    StageKind,
)
from schemas.org import OrgUnitRef, PostRef, StaffRef
from workflows import chain
from workflows.chain import ChainError

NOW = datetime(2024, 4, 1, 9, 0, tzinfo=UTC)
DRAFTER = "drafter"
OUTSIDER = "outsider"
STAFF = ("s1", "s2", "s3", "s4", DRAFTER)  # the drafter may also sit on the route
ACTIONS: tuple[ActionName, ...] = ("approve", "send_back", "withdraw", "resubmit")


def staff(staff_id: str) -> StaffRef:
    return StaffRef(
        id=staff_id,
        name=staff_id,
        org_unit=OrgUnitRef(code="soumu", name="総務課"),
        post=PostRef(code="chief", name="係長"),
    )


def facts(version: int) -> DocumentFacts:
    return DocumentFacts(
        matter="spending",
        amount_yen=1000 * version,
        org_unit_code="soumu",
        version=version,
        content_hash=f"h{version}",
    )


def stage(kind: StageKind, size: int) -> st.SearchStrategy[Stage]:
    ids = st.lists(st.sampled_from(STAFF), min_size=1, max_size=size, unique=True)
    return ids.map(lambda xs: Stage(kind=kind, assignees=tuple(staff(x) for x in xs)))


routes = st.tuples(
    st.lists(stage("review", 1), max_size=2),
    st.lists(stage("consult", 3), max_size=2),
    stage("decide", 1),
).map(lambda parts: Route(stages=(*parts[0], *parts[1], parts[2])))


Who = Literal["pending", "drafter", "assignee", "outsider"]


@dataclass(frozen=True)
class Step:
    """One random attempt by the drafter, an assignee (often one the chain waits for) or an outsider."""

    action: ActionName
    who: Who
    pick: int
    comment: str
    version_delta: int | None  # resubmit facts: None keeps them, else current version + delta


# Weighted towards moves that can succeed, so sequences get deep instead of stopping at the first refusal.
steps = st.builds(
    Step,
    action=st.sampled_from(["approve"] * 5 + ["send_back"] * 2 + ["resubmit"] * 2 + ["withdraw"]),
    who=st.sampled_from(["pending"] * 4 + ["drafter", "assignee", "outsider"]),
    pick=st.integers(min_value=0, max_value=20),
    comment=st.sampled_from(["", "  ", "理由あり", "理由あり"]),
    version_delta=st.none() | st.integers(min_value=-1, max_value=2),
)


def people(state: ChainState) -> list[str]:
    assignees = sorted({a for s in state.stages for a in s.assignee_ids})
    return [DRAFTER, *assignees, OUTSIDER]


def actor_for(state: ChainState, step: Step) -> str:
    if step.who == "drafter" or (step.who == "pending" and not state.pending_ids):
        return state.drafter_id
    if step.who == "outsider":
        return OUTSIDER
    candidates = state.pending_ids if step.who == "pending" else people(state)[1:-1]
    return candidates[step.pick % len(candidates)]


def to_input(state: ChainState, step: Step) -> ActionInput:
    new_facts = None if step.version_delta is None else facts(state.facts.version + step.version_delta)
    return ActionInput(action=step.action, actor_id=actor_for(state, step), comment=step.comment, facts=new_facts)


def expected_refusal(state: ChainState, action: ActionInput) -> bool:
    """The rules, restated independently of chain.py."""
    pending = state.pending_ids
    if action.action == "approve":
        return action.actor_id not in pending
    if action.action == "send_back":
        return action.actor_id not in pending or not action.comment.strip()
    if action.action == "withdraw":
        return action.actor_id != state.drafter_id or state.status not in {"in_review", "sent_back"}
    older = action.facts is not None and action.facts.version < state.facts.version
    return action.actor_id != state.drafter_id or state.status != "sent_back" or older


def attempt(state: ChainState, action: ActionInput, now: datetime) -> tuple[ChainState, list[ChainEvent]] | ChainError:
    try:
        return chain.apply(state, action, now)
    except ChainError as err:
        return err


def checked(state: ChainState, action: ActionInput) -> ChainError | None:
    try:
        chain.check(state, action)
    except ChainError as err:
        return err
    return None


def assert_invariants(state: ChainState) -> None:
    for s in state.stages:
        ids = [a.staff_id for a in s.approvals]
        assert set(ids) <= set(s.assignee_ids), "approval by someone not assigned to the stage"
        assert len(ids) == len(set(ids)), "two approvals by the same person in one stage"
    pinned = all(
        (a.version, a.content_hash) == (state.facts.version, state.facts.content_hash)
        for s in state.stages
        for a in s.approvals
    )
    if state.status == "approved":
        assert state.current is None
        assert all(s.complete for s in state.stages)
        assert pinned
    if state.status == "in_review":
        assert state.current is not None
        assert all(s.complete for s in state.stages[: state.current]), "an earlier stage lost an approval"
        assert not state.stages[state.current].complete
        assert all(s.approvals == () for s in state.stages[state.current + 1 :])
        assert pinned
    if state.status == "sent_back":
        assert state.current is None
        assert all(s.approvals == () for s in state.stages)


def assert_accepts_nothing(state: ChainState) -> None:
    for action_name in ACTIONS:
        for actor_id in people(state):
            action = ActionInput(
                action=action_name,
                actor_id=actor_id,
                comment="理由あり",
                facts=facts(state.facts.version + 1),
            )
            assert checked(state, action) is not None


@settings(max_examples=300, deadline=None)
@given(route=routes, run=st.lists(steps, max_size=60))
def test_random_action_sequences_keep_the_invariants(route: Route, run: list[Step]) -> None:
    state, events = chain.submit(
        document_id="doc-1", drafter_id=DRAFTER, actor_id=DRAFTER, facts=facts(1), route=route, now=NOW
    )
    assert [e.seq for e in events] == [1]
    history = list(events)
    assert_invariants(state)

    for i, step in enumerate(run, start=1):
        now = NOW + timedelta(minutes=i)
        action = to_input(state, step)
        before = state.model_dump()
        terminal = chain.is_terminal(state)

        refusal = checked(state, action)
        outcome = attempt(state, action, now)

        assert state.model_dump() == before, "check/apply mutated their input"
        assert (refusal is None) == (not isinstance(outcome, ChainError)), "check and apply disagree"
        assert (refusal is not None) == expected_refusal(state, action), f"rules disagree on {action}"
        if isinstance(outcome, ChainError):
            assert refusal is not None
            assert (outcome.kind, outcome.reason) == (refusal.kind, refusal.reason)
            assert outcome.kind in {"forbidden", "conflict", "invalid"}
            assert outcome.reason.strip()
            continue
        assert not terminal, "a terminal state accepted an action"

        new_state, new_events = outcome
        assert [e.seq for e in new_events] == list(range(state.seq + 1, state.seq + 1 + len(new_events)))
        assert new_state.seq == state.seq + len(new_events)
        assert [(e.action, e.actor_id, e.at) for e in new_events] == [(action.action, action.actor_id, now)]
        assert new_state.updated_at == now
        history += new_events
        state = new_state
        assert_invariants(state)

    assert [e.seq for e in history] == list(range(1, len(history) + 1))
    if chain.is_terminal(state):
        assert_accepts_nothing(state)


@settings(max_examples=100, deadline=None)
@given(route=routes, order=st.randoms(use_true_random=False))
def test_approving_in_any_order_reaches_a_decision(route: Route, order: random.Random) -> None:
    """Only the pending assignees' approvals, in any order within a stage, lead to ``approved``."""
    state, _ = chain.submit(
        document_id="doc-1", drafter_id=DRAFTER, actor_id=DRAFTER, facts=facts(1), route=route, now=NOW
    )
    approvals = 0
    while state.status == "in_review":
        pending = list(state.pending_ids)
        actor_id = order.choice(pending)
        state, _ = chain.apply(state, ActionInput(action="approve", actor_id=actor_id), NOW)
        approvals += 1
        assert_invariants(state)

    assert state.status == "approved"
    assert approvals == sum(len(s.assignees) for s in route.stages)
    assert state.seq == 1 + approvals
