"""Unit tests of the pure approval chain (回議 → 合議 → 決裁): every action and every refusal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from schemas.document import ActionInput, ChainEvent, ChainState, DocumentFacts, Route, Stage, StageKind
from schemas.org import OrgUnitRef, PostRef, StaffRef
from workflows import chain
from workflows.chain import ChainError

NOW = datetime(2024, 4, 1, 9, 0, tzinfo=UTC)
DRAFTER = "drafter"
REVIEWER = "reviewer"
CONSULT_A = "consult-a"
CONSULT_B = "consult-b"
DECIDER = "decider"
OUTSIDER = "outsider"


# --- builders --------------------------------------------------------------------------------------------


def staff(staff_id: str) -> StaffRef:
    return StaffRef(
        id=staff_id,
        name=staff_id.title(),
        org_unit=OrgUnitRef(code="soumu", name="総務課"),
        post=PostRef(code="chief", name="係長"),
    )


def make_stage(kind: StageKind, *assignee_ids: str) -> Stage:
    return Stage(kind=kind, assignees=tuple(staff(i) for i in assignee_ids))


def make_route(
    review: Sequence[str] = (REVIEWER,),
    consult: Sequence[str] = (CONSULT_A, CONSULT_B),
    decide: Sequence[str] = (DECIDER,),
) -> Route:
    """回議 → 合議 → 決裁; an empty sequence leaves that stage out."""
    parts: tuple[tuple[StageKind, Sequence[str]], ...] = (
        ("review", review),
        ("consult", consult),
        ("decide", decide),
    )
    stages = [make_stage(kind, *ids) for kind, ids in parts]
    return Route(stages=tuple(s for s in stages if s.assignees))


def make_facts(**overrides: Any) -> DocumentFacts:
    values: dict[str, Any] = {
        "matter": "spending",
        "amount_yen": 120_000,
        "org_unit_code": "soumu",
        "version": 1,
        "content_hash": "sha256:v1",
    }
    values.update(overrides)
    return DocumentFacts(**values)


def submitted(route: Route | None = None, facts: DocumentFacts | None = None) -> ChainState:
    state, _ = chain.submit(
        document_id="doc-1",
        drafter_id=DRAFTER,
        actor_id=DRAFTER,
        facts=facts or make_facts(),
        route=route or make_route(),
        now=NOW,
    )
    return state


def act(
    state: ChainState,
    action: Any,
    actor_id: str,
    *,
    comment: str = "",
    facts: DocumentFacts | None = None,
    now: datetime = NOW,
) -> tuple[ChainState, list[ChainEvent]]:
    return chain.apply(state, ActionInput(action=action, actor_id=actor_id, comment=comment, facts=facts), now)


def approve_all(state: ChainState, *actor_ids: str) -> ChainState:
    for actor_id in actor_ids:
        state, _ = act(state, "approve", actor_id)
    return state


def refused(
    state: ChainState, action: Any, actor_id: str, *, comment: str = "", facts: DocumentFacts | None = None
) -> ChainError:
    """The refusal of ``action``: ``check`` and ``apply`` must agree on it."""
    action_input = ActionInput(action=action, actor_id=actor_id, comment=comment, facts=facts)
    with pytest.raises(ChainError) as checked:
        chain.check(state, action_input)
    with pytest.raises(ChainError) as applied:
        chain.apply(state, action_input, NOW)
    assert (checked.value.kind, checked.value.reason) == (applied.value.kind, applied.value.reason)
    return applied.value


def sent_back(state: ChainState | None = None, by: str = REVIEWER) -> ChainState:
    state, _ = act(state or submitted(), "send_back", by, comment="金額の根拠を添付してください")
    return state


def fully_approved() -> ChainState:
    return approve_all(submitted(), REVIEWER, CONSULT_A, CONSULT_B, DECIDER)


# --- submit (起案 → 回議) ----------------------------------------------------------------------------------


def test_submit_enters_first_stage() -> None:
    state, events = chain.submit(
        document_id="doc-1",
        drafter_id=DRAFTER,
        actor_id=DRAFTER,
        facts=make_facts(),
        route=make_route(),
        now=NOW,
    )

    assert state.status == "in_review"
    assert state.current == 0
    assert state.seq == 1
    assert state.pending_ids == (REVIEWER,)
    assert [s.kind for s in state.stages] == ["review", "consult", "decide"]
    assert state.stages[0].became_current_at == NOW
    assert all(s.became_current_at is None for s in state.stages[1:])
    assert all(s.approvals == () for s in state.stages)
    assert [(e.seq, e.action, e.actor_id, e.stage_index, e.version) for e in events] == [(1, "submit", DRAFTER, 0, 1)]


def test_submit_by_someone_else_is_forbidden() -> None:
    with pytest.raises(ChainError) as err:
        chain.submit(
            document_id="doc-1",
            drafter_id=DRAFTER,
            actor_id=OUTSIDER,
            facts=make_facts(),
            route=make_route(),
            now=NOW,
        )
    assert err.value.kind == "forbidden"
    assert "drafter" in err.value.reason


@pytest.mark.parametrize(
    "route",
    [
        pytest.param(Route(stages=()), id="empty"),
        pytest.param(make_route(decide=()), id="ends-in-consult"),
        pytest.param(Route(stages=(make_stage("decide", DECIDER), make_stage("review", REVIEWER))), id="decide-first"),
    ],
)
def test_submit_route_without_final_decision_is_invalid(route: Route) -> None:
    with pytest.raises(ChainError) as err:
        chain.submit(
            document_id="doc-1",
            drafter_id=DRAFTER,
            actor_id=DRAFTER,
            facts=make_facts(),
            route=route,
            now=NOW,
        )
    assert err.value.kind == "invalid"
    assert "decision" in err.value.reason


def test_submit_stage_without_assignees_is_invalid() -> None:
    route = Route(stages=(make_stage("review"), make_stage("decide", DECIDER)))
    with pytest.raises(ChainError) as err:
        chain.submit(
            document_id="doc-1",
            drafter_id=DRAFTER,
            actor_id=DRAFTER,
            facts=make_facts(),
            route=route,
            now=NOW,
        )
    assert err.value.kind == "invalid"
    assert "assignee" in err.value.reason


def test_decide_only_route_is_accepted() -> None:
    state = submitted(make_route(review=(), consult=()))
    assert [s.kind for s in state.stages] == ["decide"]
    assert state.pending_ids == (DECIDER,)


# --- approve ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("consult_order", [(CONSULT_A, CONSULT_B), (CONSULT_B, CONSULT_A)])
def test_happy_path_ends_approved(consult_order: tuple[str, str]) -> None:
    state, events = chain.submit(
        document_id="doc-1",
        drafter_id=DRAFTER,
        actor_id=DRAFTER,
        facts=make_facts(),
        route=make_route(),
        now=NOW,
    )
    pending = [state.pending_ids]
    for actor_id in (REVIEWER, *consult_order, DECIDER):
        state, new = act(state, "approve", actor_id)
        events += new
        pending.append(state.pending_ids)

    assert state.status == "approved"
    assert state.current is None
    assert chain.is_terminal(state)
    first, second = consult_order
    assert pending == [(REVIEWER,), (CONSULT_A, CONSULT_B), (second,), (DECIDER,), ()]
    assert [e.action for e in events] == ["submit", "approve", "approve", "approve", "approve"]
    assert [e.actor_id for e in events] == [DRAFTER, REVIEWER, first, second, DECIDER]
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert state.seq == 5
    assert [e.stage_index for e in events] == [0, 0, 1, 1, 2]
    assert events[-1].detail == {"stage_kind": "decide", "decided": True}
    assert all(s.complete for s in state.stages)


def test_approve_pins_facts_and_time() -> None:
    later = NOW + timedelta(hours=3)
    state, events = act(submitted(), "approve", REVIEWER, comment="確認しました", now=later)

    (approval,) = state.stages[0].approvals
    assert (approval.staff_id, approval.at, approval.version, approval.content_hash) == (
        REVIEWER,
        later,
        1,
        "sha256:v1",
    )
    assert (events[0].comment, events[0].at, events[0].version) == ("確認しました", later, 1)
    assert state.updated_at == later


def test_completing_a_stage_enters_the_next() -> None:
    later = NOW + timedelta(minutes=5)
    state, events = act(submitted(), "approve", REVIEWER, now=later)

    assert state.current == 1
    assert state.stages[1].became_current_at == later
    assert events[0].detail == {"stage_kind": "review"}


def test_consult_waits_for_every_member() -> None:
    state = approve_all(submitted(), REVIEWER, CONSULT_B)

    assert state.current == 1
    assert state.status == "in_review"
    assert state.pending_ids == (CONSULT_A,)
    assert state.stages[2].became_current_at is None


def test_approving_twice_in_consult_is_a_conflict() -> None:
    state = approve_all(submitted(), REVIEWER, CONSULT_A)

    err = refused(state, "approve", CONSULT_A)
    assert err.kind == "conflict"
    assert "already approved" in err.reason


@pytest.mark.parametrize("actor_id", [OUTSIDER, DRAFTER, CONSULT_A, DECIDER])
def test_approve_by_non_assignee_is_forbidden(actor_id: str) -> None:
    err = refused(submitted(), "approve", actor_id)
    assert err.kind == "forbidden"
    assert "not your step" in err.reason
    assert REVIEWER in err.reason


def test_approve_after_approved_is_a_conflict() -> None:
    err = refused(fully_approved(), "approve", DECIDER)
    assert err.kind == "conflict"
    assert "approved" in err.reason


def test_approve_while_sent_back_is_a_conflict() -> None:
    err = refused(sent_back(), "approve", REVIEWER)
    assert err.kind == "conflict"
    assert "sent_back" in err.reason


def test_same_person_in_two_stages_approves_each() -> None:
    state = submitted(make_route(review=(DECIDER,), consult=()))
    state = approve_all(state, DECIDER)
    assert state.pending_ids == (DECIDER,)
    state = approve_all(state, DECIDER)
    assert state.status == "approved"


# --- send back (差戻し) ------------------------------------------------------------------------------------


@pytest.mark.parametrize("comment", ["", "   ", "\n\t"])
def test_send_back_without_reason_is_invalid(comment: str) -> None:
    err = refused(submitted(), "send_back", REVIEWER, comment=comment)
    assert err.kind == "invalid"
    assert "reason" in err.reason


def test_send_back_by_non_assignee_is_forbidden() -> None:
    err = refused(submitted(), "send_back", OUTSIDER, comment="no")
    assert err.kind == "forbidden"
    assert "not your step" in err.reason


def test_send_back_after_own_consult_approval_is_a_conflict() -> None:
    state = approve_all(submitted(), REVIEWER, CONSULT_A)
    err = refused(state, "send_back", CONSULT_A, comment="気が変わった")
    assert err.kind == "conflict"
    assert "already approved" in err.reason


def test_send_back_voids_every_approval() -> None:
    state = approve_all(submitted(), REVIEWER, CONSULT_A)
    state, events = act(state, "send_back", CONSULT_B, comment="予算科目が違います")

    assert state.status == "sent_back"
    assert state.current is None
    assert state.pending_ids == ()
    assert all(s.approvals == () and s.became_current_at is None for s in state.stages)
    assert [(e.seq, e.action, e.actor_id, e.stage_index, e.comment) for e in events] == [
        (4, "send_back", CONSULT_B, 1, "予算科目が違います")
    ]


@pytest.mark.parametrize("state_name", ["sent_back", "approved"])
def test_send_back_when_not_in_review_is_a_conflict(state_name: str) -> None:
    state = sent_back() if state_name == "sent_back" else fully_approved()
    err = refused(state, "send_back", REVIEWER if state_name == "sent_back" else DECIDER, comment="why")
    assert err.kind == "conflict"
    assert state_name in err.reason


# --- resubmit (再提出) ------------------------------------------------------------------------------------


def test_resubmit_restarts_at_first_stage_with_new_facts() -> None:
    state = sent_back(approve_all(submitted(), REVIEWER, CONSULT_A), by=CONSULT_B)
    v2 = make_facts(version=2, content_hash="sha256:v2", amount_yen=98_000)
    later = NOW + timedelta(days=1)

    state, events = act(state, "resubmit", DRAFTER, comment="修正しました", facts=v2, now=later)

    assert state.status == "in_review"
    assert state.current == 0
    assert state.facts == v2
    assert state.pending_ids == (REVIEWER,)
    assert state.stages[0].became_current_at == later
    assert all(s.approvals == () for s in state.stages)
    assert [(e.seq, e.action, e.stage_index, e.version, e.content_hash) for e in events] == [
        (5, "resubmit", 0, 2, "sha256:v2")
    ]


def test_approvals_after_resubmit_pin_the_new_version() -> None:
    v2 = make_facts(version=2, content_hash="sha256:v2")
    state, _ = act(sent_back(), "resubmit", DRAFTER, facts=v2)
    state = approve_all(state, REVIEWER, CONSULT_B, CONSULT_A, DECIDER)

    assert state.status == "approved"
    approvals = [a for s in state.stages for a in s.approvals]
    assert len(approvals) == 4
    assert {(a.version, a.content_hash) for a in approvals} == {(2, "sha256:v2")}


def test_resubmit_without_facts_keeps_them() -> None:
    state, events = act(sent_back(), "resubmit", DRAFTER)
    assert state.facts == make_facts()
    assert state.status == "in_review"
    assert events[0].version == 1


def test_resubmit_of_older_version_is_a_conflict() -> None:
    state = sent_back(submitted(facts=make_facts(version=3)))
    err = refused(state, "resubmit", DRAFTER, facts=make_facts(version=2))
    assert err.kind == "conflict"
    assert "older" in err.reason


@pytest.mark.parametrize("actor_id", [REVIEWER, OUTSIDER])
def test_resubmit_by_non_drafter_is_forbidden(actor_id: str) -> None:
    err = refused(sent_back(), "resubmit", actor_id, facts=make_facts(version=2))
    assert err.kind == "forbidden"
    assert "drafter" in err.reason


@pytest.mark.parametrize("state_name", ["in_review", "approved"])
def test_resubmit_unless_sent_back_is_a_conflict(state_name: str) -> None:
    state = submitted() if state_name == "in_review" else fully_approved()
    err = refused(state, "resubmit", DRAFTER, facts=make_facts(version=2))
    assert err.kind == "conflict"
    assert state_name in err.reason


# --- withdraw (取下げ) ------------------------------------------------------------------------------------


def test_withdraw_mid_review_keeps_history() -> None:
    state = approve_all(submitted(), REVIEWER)
    state, events = act(state, "withdraw", DRAFTER, comment="不要になった")

    assert state.status == "withdrawn"
    assert state.current is None
    assert chain.is_terminal(state)
    assert [a.staff_id for a in state.stages[0].approvals] == [REVIEWER]
    assert [(e.seq, e.action, e.actor_id, e.comment) for e in events] == [(3, "withdraw", DRAFTER, "不要になった")]


def test_withdraw_while_sent_back() -> None:
    state, _ = act(sent_back(), "withdraw", DRAFTER)
    assert state.status == "withdrawn"


@pytest.mark.parametrize("actor_id", [REVIEWER, DECIDER, OUTSIDER])
def test_withdraw_by_non_drafter_is_forbidden(actor_id: str) -> None:
    err = refused(submitted(), "withdraw", actor_id)
    assert err.kind == "forbidden"
    assert "drafter" in err.reason


def test_withdraw_after_approval_is_a_conflict() -> None:
    err = refused(fully_approved(), "withdraw", DRAFTER)
    assert err.kind == "conflict"
    assert "approved" in err.reason


def test_withdraw_twice_is_a_conflict() -> None:
    state, _ = act(submitted(), "withdraw", DRAFTER)
    err = refused(state, "withdraw", DRAFTER)
    assert err.kind == "conflict"
    assert "withdrawn" in err.reason


# --- terminal states and purity --------------------------------------------------------------------------


@pytest.mark.parametrize("terminal", ["approved", "withdrawn"])
@pytest.mark.parametrize("action", ["approve", "send_back", "withdraw", "resubmit"])
@pytest.mark.parametrize("actor_id", [DRAFTER, REVIEWER, CONSULT_A, DECIDER, OUTSIDER])
def test_terminal_states_accept_nothing(terminal: str, action: str, actor_id: str) -> None:
    state = fully_approved() if terminal == "approved" else act(submitted(), "withdraw", DRAFTER)[0]
    err = refused(state, action, actor_id, comment="reason", facts=make_facts(version=2))
    assert err.kind in {"forbidden", "conflict"}


def test_apply_leaves_its_input_unchanged() -> None:
    state = approve_all(submitted(), REVIEWER)
    before = state.model_dump()

    act(state, "approve", CONSULT_A)
    act(state, "send_back", CONSULT_A, comment="x")
    act(state, "withdraw", DRAFTER)
    refused(state, "approve", OUTSIDER)

    assert state.model_dump() == before
