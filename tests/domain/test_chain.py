"""Unit tests of the pure approval chain v2 (回議 → 合議 → 決裁 → 供覧): every action and every refusal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain import chain
from domain.chain import ChainError
from schemas.document import (
    ActionContext,
    ActionInput,
    ActionName,
    ChainEvent,
    DocumentFacts,
    Route,
    Stage,
    StageKind,
    StepState,
)
from schemas.org import OrgUnitRef, PostRef, StaffRef

NOW = datetime(2024, 4, 1, 9, 0, tzinfo=UTC)
DRAFTER = "drafter"
R1 = "r1"
R2 = "r2"
R3 = "r3"
C1 = "c1"
C2 = "c2"
C3 = "c3"
DECIDER = "decider"
DEPUTY = "deputy"  # 代決者 of the decider's post
DEPUTY2 = "deputy2"
K1 = "k1"
K2 = "k2"
OUTSIDER = "outsider"
REASON = "金額の根拠を添付してください"


# --- builders --------------------------------------------------------------------------------------------


def staff(staff_id: str) -> StaffRef:
    return StaffRef(
        id=staff_id,
        name=staff_id.title(),
        org_unit=OrgUnitRef(code="soumu", name="総務課"),
        post=PostRef(code="chief", name="係長"),
    )


def stage(kind: StageKind, *assignee_ids: str, quorum: int | None = None) -> Stage:
    return Stage(kind=kind, assignees=tuple(staff(i) for i in assignee_ids), quorum=quorum)


def review(staff_id: str) -> Stage:
    return stage("review", staff_id)


def consult(*staff_ids: str, quorum: int | None = None) -> Stage:
    return stage("consult", *staff_ids, quorum=quorum)


def decide(staff_id: str = DECIDER) -> Stage:
    return stage("decide", staff_id)


def circulate(*staff_ids: str) -> Stage:
    return stage("circulate", *staff_ids)


def make_route(*stages: Stage) -> Route:
    """The given stages; by default 回議 r1 → 回議 r2 → 合議 c1, c2 (all) → 決裁."""
    return Route(stages=stages or (review(R1), review(R2), consult(C1, C2), decide()))


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


V2 = make_facts(version=2, content_hash="sha256:v2", amount_yen=98_000)


def make_input(
    action: ActionName,
    actor_id: str,
    *,
    comment: str = "",
    facts: DocumentFacts | None = None,
    target_step: int | None = None,
    on_behalf_of: str | None = None,
    absent: tuple[str, ...] = (),
    substitutes: tuple[str, ...] = (),
    post: str = "",
) -> ActionInput:
    return ActionInput(
        action=action,
        actor_id=actor_id,
        comment=comment,
        facts=facts,
        target_step=target_step,
        on_behalf_of=on_behalf_of,
        context=ActionContext(absent_ids=absent, substitutes=substitutes, actor_post=post),
    )


class Run:
    """One document's chain under test: actions one minute apart, every event kept for ``rebuild``."""

    def __init__(self, *stages: Stage, facts: DocumentFacts | None = None) -> None:
        self.route = make_route(*stages)
        self.clock = NOW
        self.state, self.events = chain.submit(
            document_id="doc-1",
            drafter_id=DRAFTER,
            actor_id=DRAFTER,
            facts=facts or make_facts(),
            route=self.route,
            now=NOW,
        )

    def tick(self) -> datetime:
        self.clock += timedelta(minutes=1)
        return self.clock

    def do(self, action: ActionName, actor_id: str, **kwargs: Any) -> ChainEvent:
        """Apply one action that must be allowed; returns its (single) event."""
        action_input = make_input(action, actor_id, **kwargs)
        chain.check(self.state, action_input)
        self.state, events = chain.apply(self.state, action_input, self.tick())
        assert len(events) == 1
        assert events[0].input == action_input
        self.events += events
        return events[0]

    def all(self, action: ActionName, *actor_ids: str) -> None:
        for actor_id in actor_ids:
            self.do(action, actor_id)

    def refuse(self, action: ActionName, actor_id: str, kind: str, match: str, **kwargs: Any) -> ChainError:
        """The refusal of an action: ``check`` and ``apply`` agree, the state is untouched."""
        action_input = make_input(action, actor_id, **kwargs)
        before = self.state
        with pytest.raises(ChainError) as checked:
            chain.check(self.state, action_input)
        with pytest.raises(ChainError) as applied:
            chain.apply(self.state, action_input, self.clock)
        assert (checked.value.kind, checked.value.reason) == (applied.value.kind, applied.value.reason)
        assert self.state == before
        assert applied.value.kind == kind, applied.value.reason
        assert match in applied.value.reason
        assert str(applied.value) == applied.value.reason
        return applied.value

    def reroute(self, *tail: Stage, reason: str = "合議不調") -> ChainEvent:
        self.state, events = chain.reroute(self.state, Route(stages=tail), self.tick(), reason=reason)
        self.events += events
        return events[0]

    def note(self, kind: Any, stage_index: int) -> ChainEvent:
        self.state, events = chain.note_deadline(self.state, kind, stage_index, self.tick())
        self.events += events
        return events[0]

    def assert_rebuilds(self) -> None:
        assert chain.rebuild(self.events) == self.state
        as_json = [ChainEvent.model_validate_json(e.model_dump_json()) for e in self.events]
        assert chain.rebuild(as_json) == self.state
        assert [e.seq for e in self.events] == list(range(1, self.state.seq + 1))

    def responders(self, index: int) -> list[str]:
        return [r.staff_id for r in self.state.stages[index].responses]

    def views(self) -> dict[tuple[int, str], StepState]:
        return {(v.stage_index, v.assignee_id): v.state for v in self.state.step_views()}


def submit_error(route: Route, actor_id: str = DRAFTER) -> ChainError:
    with pytest.raises(ChainError) as err:
        chain.submit(
            document_id="doc-1", drafter_id=DRAFTER, actor_id=actor_id, facts=make_facts(), route=route, now=NOW
        )
    return err.value


# --- submit (起案 → 回議) ----------------------------------------------------------------------------------


def test_submit_enters_the_first_stage() -> None:
    run = Run()
    state, (event,) = run.state, run.events

    assert (state.status, state.current, state.seq, state.updated_at) == ("in_review", 0, 1, NOW)
    assert state.pending_ids == (R1,)
    assert [s.kind for s in state.stages] == ["review", "review", "consult", "decide"]
    assert state.stages[0].became_current_at == NOW
    assert all(s.became_current_at is None and s.responses == () for s in state.stages[1:])
    assert (event.seq, event.action, event.actor_id, event.stage_index, event.version) == (1, "submit", DRAFTER, 0, 1)
    assert event.route == run.route
    assert event.input is None
    assert event.detail["document_id"] == "doc-1"
    assert DocumentFacts.model_validate(event.detail["facts"]) == make_facts()
    assert not chain.is_terminal(state)
    assert not chain.is_finished(state)


def test_submit_by_someone_else_is_forbidden() -> None:
    err = submit_error(make_route(), actor_id=OUTSIDER)
    assert err.kind == "forbidden"
    assert "drafter" in err.reason


@pytest.mark.parametrize(
    ("stages", "match"),
    [
        pytest.param((), "at least one stage", id="empty"),
        pytest.param((review(R1),), "must end with a decision", id="review-only"),
        pytest.param((review(R1), consult(C1, C2)), "must end with a decision", id="ends-in-consult"),
        pytest.param((circulate(K1), review(R1)), "must end with a decision", id="circulate-then-review"),
        pytest.param((decide(), decide(R1)), "at most one decision", id="two-decisions"),
        pytest.param((decide(), review(R1)), "only circulation", id="review-after-decision"),
        pytest.param((decide(), consult(C1)), "only circulation", id="consult-after-decision"),
        pytest.param((circulate(K1), decide()), "comes after the decision", id="circulate-before-decision"),
        pytest.param((stage("review"), decide()), "at least one assignee", id="no-assignee"),
        pytest.param((stage("review", R1, R2), decide()), "exactly one approver", id="two-reviewers"),
        pytest.param((stage("decide", DECIDER, R1),), "exactly one approver", id="two-deciders"),
        pytest.param((consult(C1, C2, quorum=0), decide()), "quorum", id="quorum-zero"),
        pytest.param((consult(C1, C2, quorum=3), decide()), "quorum", id="quorum-above-members"),
        pytest.param((stage("review", R1, quorum=1), decide()), "quorum", id="quorum-on-review"),
    ],
)
def test_submit_of_a_malformed_route_is_invalid(stages: tuple[Stage, ...], match: str) -> None:
    err = submit_error(Route(stages=stages))
    assert err.kind == "invalid"
    assert match in err.reason


@pytest.mark.parametrize(
    "stages",
    [
        pytest.param((decide(),), id="decide-only"),
        pytest.param((consult(C1), review(R1), consult(C2, C3, quorum=1), decide()), id="mixed-before-decide"),
        pytest.param((decide(), circulate(K1, K2), circulate(K1)), id="decide-then-circulate"),
        pytest.param((circulate(K1), circulate(K2)), id="circulate-only"),
    ],
)
def test_well_formed_routes_are_accepted(stages: tuple[Stage, ...]) -> None:
    run = Run(*stages)
    assert [s.kind for s in run.state.stages] == [s.kind for s in stages]
    assert run.state.current == 0


def test_duplicate_consult_members_count_once() -> None:
    run = Run(consult(C1, C2, C1), decide())
    assert run.state.stages[0].assignee_ids == (C1, C2)
    assert run.state.stages[0].required == 2


# --- approve (回議 / 決裁) -----------------------------------------------------------------------------------


def test_approve_records_the_response_and_enters_the_next_stage() -> None:
    run = Run()
    event = run.do("approve", R1, comment="確認しました", post="総務課長")

    (response,) = run.state.stages[0].responses
    assert (response.staff_id, response.kind, response.at, response.capacity, response.on_behalf_of) == (
        R1,
        "approve",
        run.clock,
        "self",
        None,
    )
    assert response.seq == event.seq == 2
    assert (response.version, response.content_hash, response.actor_post, response.comment) == (
        1,
        "sha256:v1",
        "総務課長",
        "確認しました",
    )
    assert run.state.current == 1
    assert run.state.pending_ids == (R2,)
    assert run.state.stages[1].became_current_at == run.clock
    assert run.state.last_response is not None
    assert (run.state.last_response.stage_index, run.state.last_response.staff_id) == (0, R1)
    assert (event.seq, event.action, event.actor_id, event.stage_index, event.comment) == (
        2,
        "approve",
        R1,
        0,
        "確認しました",
    )
    assert run.state.updated_at == run.clock


def test_full_route_ends_approved() -> None:
    run = Run()
    run.all("approve", R1, R2)
    run.do("consent", C2)
    run.do("approve", C1)  # 同意 by approve
    assert run.state.pending_ids == (DECIDER,)
    event = run.do("approve", DECIDER)

    assert run.state.status == "approved"
    assert run.state.current is None
    assert run.state.pending_ids == ()
    assert chain.is_terminal(run.state)
    assert chain.is_finished(run.state)
    assert event.detail == {"decided": True, "final": "approved"}
    assert [r.kind for s in run.state.stages for r in s.responses] == [
        "approve",
        "approve",
        "consent",
        "consent",
        "approve",
    ]
    assert set(run.views().values()) == {"done"}
    run.assert_rebuilds()


@pytest.mark.parametrize("actor_id", [OUTSIDER, DRAFTER, R2, C1, DECIDER])
def test_approve_by_someone_else_is_forbidden(actor_id: str) -> None:
    err = Run().refuse("approve", actor_id, "forbidden", "not your step")
    assert R1 in err.reason


def test_a_stage_kind_needs_its_verb() -> None:
    run = Run()
    run.refuse("consent", R1, "conflict", "use approve")
    run.refuse("object", R1, "conflict", "use approve", comment=REASON)
    run.refuse("acknowledge", R1, "conflict", "in_review")


def test_the_same_person_in_two_stages_answers_each() -> None:
    run = Run(review(DECIDER), decide())
    run.do("approve", DECIDER)
    assert (run.state.current, run.state.pending_ids) == (1, (DECIDER,))
    run.do("approve", DECIDER)
    assert run.state.status == "approved"


# --- 合議 (consult): consent, object, quorum ------------------------------------------------------------------


def test_consult_without_quorum_waits_for_every_member() -> None:
    run = Run(consult(C1, C2, C3), decide())
    run.do("consent", C2)
    run.do("consent", C3)
    assert (run.state.current, run.state.pending_ids) == (0, (C1,))
    assert run.state.stages[1].became_current_at is None
    run.refuse("consent", C2, "conflict", "already answered")
    run.do("consent", C1)
    assert (run.state.current, run.state.pending_ids) == (1, (DECIDER,))


def test_quorum_two_of_three_completes_after_two_answers_and_closes_the_third() -> None:
    run = Run(consult(C1, C2, C3, quorum=2), decide())
    run.do("consent", C3)
    assert run.state.pending_ids == (C1, C2)
    run.do("approve", C1)

    stage0 = run.state.stages[0]
    assert stage0.complete
    assert len(stage0.responses) == stage0.required == 2
    assert [r.kind for r in stage0.responses] == ["consent", "consent"]
    assert run.state.current == 1
    assert run.views() == {(0, C1): "done", (0, C2): "closed", (0, C3): "done", (1, DECIDER): "pending"}
    err = run.refuse("consent", C2, "forbidden", "not your step")
    assert DECIDER in err.reason
    run.do("approve", DECIDER)
    assert run.state.status == "approved"
    assert run.views()[(0, C2)] == "closed"
    run.assert_rebuilds()


@pytest.mark.parametrize("comment", ["", "   ", "\n\t"])
def test_objection_needs_a_reason(comment: str) -> None:
    run = Run(consult(C1, C2), decide())
    run.refuse("object", C1, "invalid", "reason", comment=comment)


def test_objection_marks_the_consult_failed_and_still_counts_as_an_answer() -> None:
    run = Run(consult(C1, C2), decide())
    assert not run.state.consult_failed
    run.do("object", C1, comment="予算の流用は認められない")
    assert run.state.consult_failed
    assert run.state.stages[0].objected
    assert run.state.pending_ids == (C2,)
    run.do("consent", C2)

    assert run.state.current == 1  # the decider decides on a failed 合議, or the route is escalated
    assert [r.kind for r in run.state.stages[0].responses] == ["object", "consent"]
    assert run.state.consult_failed


@pytest.mark.parametrize("action", ["consent", "object", "approve", "send_back"])
def test_consult_member_answering_twice_is_a_conflict(action: ActionName) -> None:
    run = Run(consult(C1, C2), decide())
    run.do("consent", C1)
    run.refuse(action, C1, "conflict", "already answered", comment=REASON)


# --- decide → circulate (供覧) ---------------------------------------------------------------------------------


def test_decision_then_circulation_is_circulating_then_completed() -> None:
    run = Run(review(R1), decide(), circulate(K1, K2), circulate(R1))
    run.all("approve", R1, DECIDER)

    assert (run.state.status, run.state.current, run.state.pending_ids) == ("circulating", 2, (K1, K2))
    assert not chain.is_terminal(run.state)
    assert run.events[-1].detail == {"decided": True}
    run.refuse("approve", K1, "conflict", "circulating")
    run.refuse("send_back", K1, "conflict", "circulating", comment=REASON)
    run.refuse("withdraw", DRAFTER, "conflict", "circulating")
    run.refuse("reject", DECIDER, "conflict", "circulating", comment=REASON)
    run.refuse("recall", DECIDER, "conflict", "circulating")
    run.refuse("acknowledge", OUTSIDER, "forbidden", "not your step")
    run.refuse("acknowledge", R1, "forbidden", "already answered")  # their 供覧 comes later: not this one

    run.do("acknowledge", K2)
    assert (run.state.status, run.state.pending_ids) == ("circulating", (K1,))
    run.refuse("acknowledge", K2, "conflict", "already answered")
    run.do("acknowledge", K1)
    assert (run.state.status, run.state.current, run.state.pending_ids) == ("circulating", 3, (R1,))
    event = run.do("acknowledge", R1)

    assert run.state.status == "completed"
    assert event.detail == {"final": "completed"}
    assert chain.is_terminal(run.state)
    assert chain.is_finished(run.state)
    assert [r.kind for r in run.state.stages[2].responses] == ["acknowledge", "acknowledge"]
    run.assert_rebuilds()


def test_circulation_only_route() -> None:
    run = Run(circulate(K1, K2))
    assert (run.state.status, run.state.pending_ids) == ("circulating", (K1, K2))
    run.refuse("approve", K1, "conflict", "circulating")
    run.refuse("withdraw", DRAFTER, "conflict", "circulating")
    run.refuse("acknowledge", OUTSIDER, "forbidden", "not your step")
    run.all("acknowledge", K1, K2)

    assert run.state.status == "completed"
    assert chain.is_finished(run.state)
    run.assert_rebuilds()


# --- send back (差戻し) ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("comment", ["", "   ", "\n\t"])
def test_send_back_needs_a_reason(comment: str) -> None:
    Run().refuse("send_back", R1, "invalid", "reason", comment=comment)


def test_send_back_by_someone_not_pending_is_forbidden() -> None:
    Run().refuse("send_back", R2, "forbidden", "not your step", comment=REASON)


@pytest.mark.parametrize("target", [-1, 3, 99])
def test_send_back_target_outside_zero_to_current_is_invalid(target: int) -> None:
    run = Run()
    run.all("approve", R1, R2)  # current: the consult, index 2
    run.refuse("send_back", C1, "invalid", "target_step", comment=REASON, target_step=target)


def test_send_back_by_default_voids_every_answer() -> None:
    run = Run()
    run.all("approve", R1, R2)
    run.do("consent", C1)
    event = run.do("send_back", C2, comment=REASON)

    state = run.state
    assert (state.status, state.current, state.sent_back_to, state.last_response) == ("sent_back", None, 0, None)
    assert state.pending_ids == ()
    assert all(s.responses == () and s.became_current_at is None for s in state.stages)
    assert (event.action, event.actor_id, event.stage_index, event.comment, event.detail) == (
        "send_back",
        C2,
        2,
        REASON,
        {"target_step": 0},
    )
    assert set(run.views().values()) == {"waiting"}
    run.refuse("send_back", C2, "conflict", "sent_back", comment=REASON)
    run.refuse("approve", R1, "conflict", "sent_back")


def test_send_back_into_a_consult_clears_the_whole_group() -> None:
    run = Run(review(R1), consult(C1, C2, C3), decide())
    run.do("approve", R1)
    run.all("consent", C1, C2, C3)
    run.do("send_back", DECIDER, comment=REASON, target_step=1)

    assert run.state.sent_back_to == 1
    assert run.responders(0) == [R1]
    assert run.state.stages[1].responses == ()
    assert run.state.stages[1].became_current_at is None


def test_send_back_from_inside_a_half_answered_consult_leaves_no_half_open_group() -> None:
    run = Run(review(R1), consult(C1, C2, C3), decide())
    run.do("approve", R1)
    run.do("consent", C1)
    run.do("object", C2, comment="異議あり")
    run.do("send_back", C3, comment=REASON, target_step=1)

    assert run.state.stages[1].responses == ()
    assert not run.state.consult_failed  # the objection went with the rest of the group
    assert run.responders(0) == [R1]


# --- resubmit (再提出) -----------------------------------------------------------------------------------------


def test_resubmit_without_edit_resumes_at_the_target_keeping_earlier_answers() -> None:
    run = Run()
    run.all("approve", R1, R2)
    run.all("consent", C1, C2)
    run.do("send_back", DECIDER, comment=REASON, target_step=2)
    kept = run.state.stages[:2]
    event = run.do("resubmit", DRAFTER, comment="添付しました")

    assert (run.state.status, run.state.current, run.state.sent_back_to) == ("in_review", 2, None)
    assert run.state.stages[:2] == kept
    assert run.state.pending_ids == (C1, C2)
    assert run.state.stages[2].became_current_at == run.clock
    assert (event.action, event.stage_index, event.version) == ("resubmit", 2, 1)
    run.assert_rebuilds()


def test_resubmit_with_identical_facts_is_no_edit() -> None:
    run = Run()
    run.all("approve", R1, R2)
    run.do("send_back", C1, comment=REASON, target_step=2)
    run.do("resubmit", DRAFTER, facts=make_facts())
    assert run.state.current == 2
    assert run.responders(0) == [R1]


def test_resubmit_with_an_edit_voids_older_answers_and_resumes_at_zero() -> None:
    run = Run()
    run.all("approve", R1, R2)
    run.all("consent", C1, C2)
    run.do("send_back", DECIDER, comment=REASON, target_step=3)
    event = run.do("resubmit", DRAFTER, facts=V2)

    assert (run.state.status, run.state.current, run.state.facts) == ("in_review", 0, V2)
    assert all(s.responses == () for s in run.state.stages)
    assert (event.stage_index, event.version, event.content_hash) == (0, 2, "sha256:v2")
    run.all("approve", R1, R2)
    run.all("consent", C1, C2)
    run.do("approve", DECIDER)
    assert run.state.status == "approved"
    assert {(r.version, r.content_hash) for s in run.state.stages for r in s.responses} == {(2, "sha256:v2")}
    run.assert_rebuilds()


def test_resubmit_with_a_new_content_hash_voids_answers_pinned_to_the_old_one() -> None:
    run = Run(review(R1), decide())
    run.do("approve", R1)
    run.do("send_back", DECIDER, comment=REASON, target_step=1)
    run.do("resubmit", DRAFTER, facts=make_facts(content_hash="sha256:v1-edited"))

    assert run.state.current == 0
    assert run.state.stages[0].responses == ()
    run.do("approve", R1)
    assert run.state.stages[0].responses[0].content_hash == "sha256:v1-edited"
    run.assert_rebuilds()


def test_resubmit_of_an_older_version_is_a_conflict() -> None:
    run = Run(facts=make_facts(version=3))
    run.do("send_back", R1, comment=REASON)
    run.refuse("resubmit", DRAFTER, "conflict", "older", facts=make_facts(version=2))


@pytest.mark.parametrize("actor_id", [R1, OUTSIDER])
def test_resubmit_by_someone_else_is_forbidden(actor_id: str) -> None:
    run = Run()
    run.do("send_back", R1, comment=REASON)
    run.refuse("resubmit", actor_id, "forbidden", "drafter", facts=V2)


def test_the_clerk_who_filed_a_proxy_request_resubmits_it() -> None:
    """代理申請: the 庶務担当 of record (``facts.drafted_by``) may resubmit, as offered by ``allowed_actions``."""
    run = Run(facts=make_facts(matter="leave", amount_yen=0, drafted_by="clerk-1"))
    run.do("send_back", R1, comment=REASON)
    assert "resubmit" in {a.action for a in chain.allowed_actions(run.state, "clerk-1")}
    assert "resubmit" not in {a.action for a in chain.allowed_actions(run.state, "clerk-2")}
    run.refuse("resubmit", "clerk-2", "forbidden", "庶務担当")
    event = run.do("resubmit", "clerk-1")
    assert (event.actor_id, run.state.status) == ("clerk-1", "in_review")
    run.assert_rebuilds()


def test_resubmit_while_in_review_is_a_conflict() -> None:
    Run().refuse("resubmit", DRAFTER, "conflict", "in_review", facts=V2)


# --- recall (引戻し) -------------------------------------------------------------------------------------------


def test_drafter_recalls_before_anyone_acts() -> None:
    run = Run()
    event = run.do("recall", DRAFTER, comment="添付漏れ")

    assert (run.state.status, run.state.current, run.state.sent_back_to) == ("draft", None, 0)
    assert run.state.pending_ids == ()
    assert (event.action, event.stage_index) == ("recall", 0)
    run.refuse("approve", R1, "conflict", "draft")
    run.refuse("recall", DRAFTER, "conflict", "draft")
    run.do("resubmit", DRAFTER, facts=V2)
    assert (run.state.status, run.state.current) == ("in_review", 0)
    run.assert_rebuilds()


def test_drafter_recall_after_a_resumed_resubmission_resumes_there_again() -> None:
    run = Run()
    run.all("approve", R1, R2)
    run.do("send_back", C1, comment=REASON, target_step=2)
    run.do("resubmit", DRAFTER)
    run.do("recall", DRAFTER)

    assert (run.state.status, run.state.sent_back_to) == ("draft", 2)
    run.do("resubmit", DRAFTER)
    assert run.state.current == 2
    assert [run.responders(0), run.responders(1)] == [[R1], [R2]]


def test_drafter_recall_with_an_edit_voids_everything() -> None:
    run = Run()
    run.all("approve", R1, R2)
    run.do("send_back", C1, comment=REASON, target_step=2)
    run.do("resubmit", DRAFTER)
    run.do("recall", DRAFTER)
    run.do("resubmit", DRAFTER, facts=V2)
    assert run.state.current == 0
    assert all(s.responses == () for s in run.state.stages)


def test_drafter_cannot_recall_once_an_approver_acted() -> None:
    run = Run()
    run.do("approve", R1)
    run.refuse("recall", DRAFTER, "conflict", "too late")


def test_nobody_but_the_drafter_recalls_before_anyone_acts() -> None:
    run = Run()
    run.refuse("recall", R1, "forbidden", "only the drafter")
    run.refuse("recall", OUTSIDER, "forbidden", "only the drafter")


def test_last_approver_recalls_their_answer_until_the_next_one_acts() -> None:
    run = Run()
    run.do("approve", R1)
    event = run.do("recall", R1, comment="再確認します")

    assert (run.state.status, run.state.current, run.state.pending_ids) == ("in_review", 0, (R1,))
    assert run.state.stages[0].responses == ()
    assert run.state.last_response is None
    assert (event.action, event.stage_index, event.detail) == ("recall", 0, {"taken_back": "approve"})
    run.refuse("recall", R1, "forbidden", "only the drafter")

    run.all("approve", R1, R2)
    run.refuse("recall", R1, "conflict", "too late")  # R2 acted since
    run.refuse("recall", OUTSIDER, "forbidden", "the approver who acted last")
    run.do("recall", R2)
    assert (run.state.current, run.state.pending_ids) == (1, (R2,))
    assert run.responders(0) == [R1]
    assert run.state.stages[2].became_current_at is None
    run.assert_rebuilds()


def test_recall_of_the_answer_that_completed_a_quorum_reopens_the_whole_consult() -> None:
    run = Run(consult(C1, C2, C3, quorum=2), decide())
    run.all("consent", C1, C2)
    assert run.state.current == 1
    run.refuse("recall", C1, "conflict", "too late")
    run.do("recall", C2)

    assert (run.state.current, run.state.pending_ids) == (0, (C2, C3))
    assert run.responders(0) == [C1]
    assert run.views()[(1, DECIDER)] == "waiting"
    run.do("consent", C3)
    assert run.state.current == 1


def test_recalling_an_objection_clears_the_failed_consult() -> None:
    run = Run(consult(C1, C2), decide())
    run.do("object", C1, comment="異議")
    run.do("recall", C1)
    assert not run.state.consult_failed
    assert run.state.pending_ids == (C1, C2)


def test_nobody_recalls_a_decision() -> None:
    run = Run(decide())
    run.do("approve", DECIDER)
    run.refuse("recall", DECIDER, "conflict", "approved")
    run.refuse("recall", DRAFTER, "conflict", "approved")


def test_recall_while_sent_back_is_a_conflict() -> None:
    run = Run()
    run.do("send_back", R1, comment=REASON)
    run.refuse("recall", DRAFTER, "conflict", "sent_back")


def test_drafter_cannot_recall_after_an_approvers_recall_while_other_answers_stand() -> None:
    run = Run(consult(C1, C2, C3), decide())
    run.all("consent", C1, C2)
    run.do("recall", C2)
    assert run.responders(0) == [C1]  # given since the submission, still standing
    run.refuse("recall", DRAFTER, "conflict", "too late")
    run.refuse("recall", C1, "conflict", "too late")


def test_drafter_recalls_again_once_the_only_answer_of_the_round_was_taken_back() -> None:
    run = Run()
    run.all("approve", R1, R2)
    run.do("send_back", C1, comment=REASON, target_step=2)
    run.do("resubmit", DRAFTER)  # a new round: R1 and R2 answered in the previous one
    run.do("consent", C1)
    run.refuse("recall", DRAFTER, "conflict", "too late")
    run.do("recall", C1)
    run.do("recall", DRAFTER)
    assert (run.state.status, run.state.sent_back_to) == ("draft", 2)
    run.assert_rebuilds()


# --- withdraw (取下げ) -----------------------------------------------------------------------------------------


def test_withdraw_mid_review_keeps_the_history() -> None:
    run = Run()
    run.do("approve", R1)
    event = run.do("withdraw", DRAFTER, comment="不要になった")

    assert (run.state.status, run.state.current, run.state.last_response) == ("withdrawn", None, None)
    assert chain.is_terminal(run.state)
    assert chain.is_finished(run.state)
    assert run.responders(0) == [R1]
    assert (event.action, event.actor_id, event.comment) == ("withdraw", DRAFTER, "不要になった")
    views = run.views()
    assert views[(0, R1)] == "done"
    assert {v for k, v in views.items() if k != (0, R1)} == {"cancelled"}


@pytest.mark.parametrize("how", ["sent_back", "draft"])
def test_withdraw_while_with_the_drafter(how: str) -> None:
    run = Run()
    if how == "sent_back":
        run.do("send_back", R1, comment=REASON)
    else:
        run.do("recall", DRAFTER)
    run.do("withdraw", DRAFTER)
    assert run.state.status == "withdrawn"


@pytest.mark.parametrize("actor_id", [R1, DECIDER, OUTSIDER])
def test_withdraw_by_someone_else_is_forbidden(actor_id: str) -> None:
    Run().refuse("withdraw", actor_id, "forbidden", "drafter")


def test_withdraw_after_the_decision_or_twice_is_a_conflict() -> None:
    run = Run(decide())
    run.do("approve", DECIDER)
    run.refuse("withdraw", DRAFTER, "conflict", "approved")
    run = Run()
    run.do("withdraw", DRAFTER)
    run.refuse("withdraw", DRAFTER, "conflict", "withdrawn")


# --- reject (却下) ---------------------------------------------------------------------------------------------


def test_decider_rejects_with_a_reason() -> None:
    run = Run(review(R1), decide(), circulate(K1))
    run.do("approve", R1)
    event = run.do("reject", DECIDER, comment="費用対効果が不明")

    assert (run.state.status, run.state.current) == ("rejected", None)
    assert chain.is_terminal(run.state)
    assert chain.is_finished(run.state)
    assert (event.action, event.stage_index, event.detail) == ("reject", 1, {})
    assert run.state.stages[1].responses == ()
    assert run.views() == {(0, R1): "done", (1, DECIDER): "cancelled", (2, K1): "cancelled"}
    run.refuse("approve", DECIDER, "conflict", "rejected")
    run.assert_rebuilds()


def test_reject_needs_a_reason() -> None:
    Run(decide()).refuse("reject", DECIDER, "invalid", "reason", comment=" ")


def test_only_the_decider_rejects() -> None:
    run = Run(review(R1), decide())
    run.refuse("reject", R1, "conflict", "only the decision stage", comment=REASON)
    run.refuse("reject", DECIDER, "conflict", "only the decision stage", comment=REASON)
    run.do("approve", R1)
    run.refuse("reject", R1, "forbidden", "only the decider", comment=REASON)
    run.refuse("reject", OUTSIDER, "forbidden", "only the decider", comment=REASON)


def test_substitute_rejects_for_the_absent_decider_who_owes_a_post_review() -> None:
    run = Run(decide())
    event = run.do("reject", DEPUTY, comment=REASON, on_behalf_of=DECIDER, absent=(DECIDER,), substitutes=(DEPUTY,))

    assert run.state.status == "rejected"
    assert event.detail == {"on_behalf_of": DECIDER}
    (owed,) = run.state.open_post_reviews
    assert (owed.staff_id, owed.reason, owed.acted_by, owed.stage_index) == (DECIDER, "substitute", DEPUTY, 0)
    assert not chain.is_finished(run.state)
    run.do("post_review", DECIDER)
    assert chain.is_finished(run.state)


def test_substitute_reject_follows_the_substitute_rules() -> None:
    run = Run(decide(), facts=make_facts(flags=("important",)))
    ctx: dict[str, Any] = {"on_behalf_of": DECIDER, "absent": (DECIDER,), "substitutes": (DEPUTY,)}
    run.refuse("reject", DEPUTY, "conflict", "important", comment=REASON, **ctx)
    run.refuse("reject", OUTSIDER, "forbidden", "substitute", comment=REASON, **ctx)


# --- pull up (引上げ承認) --------------------------------------------------------------------------------------


def test_pull_up_over_two_absent_reviewers() -> None:
    run = Run(review(R1), review(R2), review(R3), decide())
    event = run.do("pull_up", R3, absent=(R1, R2), comment="課長不在のため", post="部長")

    state = run.state
    assert (state.current, state.pending_ids) == (3, (DECIDER,))
    assert [state.stages[0].skipped_ids, state.stages[1].skipped_ids] == [(R1,), (R2,)]
    (response,) = state.stages[2].responses
    assert (response.staff_id, response.kind, response.capacity, response.actor_post) == (
        R3,
        "approve",
        "pull_up",
        "部長",
    )
    assert [(p.staff_id, p.stage_index, p.reason, p.acted_by, p.caused_by_seq) for p in state.open_post_reviews] == [
        (R1, 0, "pull_up", R3, event.seq),
        (R2, 1, "pull_up", R3, event.seq),
    ]
    assert (event.action, event.stage_index, event.detail) == ("pull_up", 2, {"skipped": [R1, R2]})
    assert run.views() == {(0, R1): "skipped", (1, R2): "skipped", (2, R3): "done", (3, DECIDER): "pending"}
    run.refuse("approve", R1, "forbidden", "not your step")

    run.do("post_review", R1, comment="拝見しました")
    assert [p.staff_id for p in run.state.open_post_reviews] == [R2]
    run.refuse("post_review", R1, "conflict", "no post-review")
    run.do("approve", DECIDER)
    assert run.state.status == "approved"
    assert not chain.is_finished(run.state)
    run.do("post_review", R2)  # allowed after the end
    assert chain.is_finished(run.state)
    run.assert_rebuilds()


def test_pull_up_by_the_decider_decides() -> None:
    run = Run(review(R1), decide(), circulate(K1))
    run.do("pull_up", DECIDER, absent=(R1,))
    assert (run.state.status, run.state.pending_ids) == ("circulating", (K1,))
    assert run.state.stages[1].responses[0].capacity == "pull_up"


def test_pull_up_into_a_consult_is_a_consent() -> None:
    run = Run(review(R1), consult(C1, C2), decide())
    run.do("pull_up", C2, absent=(R1,))
    assert (run.state.current, run.state.pending_ids) == (1, (C1,))
    assert [(r.staff_id, r.kind, r.capacity) for r in run.state.stages[1].responses] == [(C2, "consent", "pull_up")]


def test_pull_up_over_a_present_reviewer_is_a_conflict() -> None:
    run = Run(review(R1), review(R2), review(R3), decide())
    err = run.refuse("pull_up", R3, "conflict", "is not absent", absent=(R1,))
    assert R2 in err.reason


def test_pull_up_over_a_consult_is_a_conflict() -> None:
    run = Run(consult(C1), review(R1), decide())
    run.refuse("pull_up", R1, "conflict", "consult stage cannot be passed over", absent=(C1,))


@pytest.mark.parametrize("actor_id", [OUTSIDER, DRAFTER, R1, K1])
def test_pull_up_by_someone_not_later_on_the_route_is_forbidden(actor_id: str) -> None:
    run = Run(review(R1), review(R2), decide(), circulate(K1))
    run.refuse("pull_up", actor_id, "forbidden", "later in the route", absent=(R1, R2))


def test_pull_up_when_not_in_review_is_a_conflict() -> None:
    run = Run(review(R1), decide())
    run.do("send_back", R1, comment=REASON)
    run.refuse("pull_up", DECIDER, "conflict", "sent_back", absent=(R1,))


def test_recalling_a_pull_up_restores_the_skipped_approvers() -> None:
    run = Run(review(R1), review(R2), review(R3), decide())
    run.do("pull_up", R3, absent=(R1, R2))
    run.do("recall", R3)

    state = run.state
    assert (state.current, state.pending_ids) == (0, (R1,))
    assert all(s.responses == () and s.skipped_ids == () for s in state.stages)
    assert state.post_reviews == ()
    assert run.events[-1].detail == {"taken_back": "approve"}
    assert run.views()[(0, R1)] == "pending"
    run.assert_rebuilds()


def test_send_back_before_the_skipped_stages_drops_their_post_reviews() -> None:
    run = Run(review(R1), review(R2), review(R3), decide())
    run.do("pull_up", R3, absent=(R1, R2))
    run.do("send_back", DECIDER, comment=REASON, target_step=1)

    assert run.state.stages[0].skipped_ids == (R1,)
    assert run.state.stages[1].skipped_ids == ()
    assert [p.staff_id for p in run.state.open_post_reviews] == [R1]
    run.do("resubmit", DRAFTER)
    assert (run.state.current, run.state.pending_ids) == (1, (R2,))


def test_recalling_a_second_pull_up_restores_only_its_own_skips() -> None:
    run = Run(review(R1), review(R2), review(R3), review(C1), decide())
    run.do("pull_up", C1, absent=(R1, R2, R3))
    run.do("send_back", DECIDER, comment=REASON, target_step=1)
    run.do("resubmit", DRAFTER)  # resumes at R2; R1 stays passed over
    run.do("approve", R2)
    run.do("pull_up", C1, absent=(R3,))
    run.do("recall", C1)

    assert (run.state.current, run.state.pending_ids) == (2, (R3,))
    assert run.state.stages[0].skipped_ids == (R1,)
    assert run.responders(1) == [R2]
    assert [p.staff_id for p in run.state.open_post_reviews] == [R1]
    run.assert_rebuilds()


# --- substitute (代決) -----------------------------------------------------------------------------------------

SUBSTITUTE: dict[str, Any] = {"on_behalf_of": DECIDER, "absent": (DECIDER,), "substitutes": (DEPUTY,)}


def test_substitute_decides_and_the_decider_owes_a_post_review() -> None:
    run = Run(review(R1), decide())
    run.do("approve", R1)
    event = run.do("substitute", DEPUTY, comment="代決", post="副部長", **SUBSTITUTE)

    state = run.state
    assert state.status == "approved"
    (response,) = state.stages[1].responses
    assert (response.staff_id, response.kind, response.capacity, response.on_behalf_of, response.assignee_id) == (
        DEPUTY,
        "approve",
        "substitute",
        DECIDER,
        DECIDER,
    )
    assert response.actor_post == "副部長"
    assert event.detail == {"decided": True, "final": "approved", "on_behalf_of": DECIDER}
    (owed,) = state.open_post_reviews
    assert (owed.staff_id, owed.reason, owed.acted_by, owed.owed_since) == (DECIDER, "substitute", DEPUTY, run.clock)
    assert owed.caused_by_seq == response.seq == event.seq
    (view,) = [v for v in state.step_views() if v.stage_index == 1]
    assert (view.state, view.acted_by, view.capacity) == ("done", DEPUTY, "substitute")

    assert chain.is_terminal(state)
    assert not chain.is_finished(state)  # the workflow waits for the 後閲
    run.refuse("post_review", DEPUTY, "conflict", "no post-review")
    run.do("post_review", DECIDER)
    assert run.state.post_reviews[0].acknowledged_at == run.clock
    assert chain.is_finished(run.state)
    run.refuse("post_review", DECIDER, "conflict", "no post-review")
    run.assert_rebuilds()


def test_substitute_then_circulation() -> None:
    run = Run(decide(), circulate(K1))
    run.do("substitute", DEPUTY, **SUBSTITUTE)
    assert run.state.status == "circulating"
    run.do("acknowledge", K1)
    assert run.state.status == "completed"
    assert not chain.is_finished(run.state)
    run.do("post_review", DECIDER)
    assert chain.is_finished(run.state)


@pytest.mark.parametrize(
    ("overrides", "kind", "match"),
    [
        pytest.param({"absent": ()}, "conflict", "not absent", id="decider-present"),
        pytest.param({"substitutes": (R1,)}, "forbidden", "designated substitute", id="not-a-substitute"),
        pytest.param({"on_behalf_of": R1, "absent": (R1,)}, "conflict", "on behalf of its decider", id="not-decider"),
        pytest.param({"on_behalf_of": None}, "invalid", "needs on_behalf_of", id="no-on-behalf-of"),
        pytest.param({"substitutes": (DEPUTY2, DEPUTY)}, "forbidden", "first in line", id="not-first-in-line"),
    ],
)
def test_substitute_refusals(overrides: dict[str, Any], kind: str, match: str) -> None:
    run = Run(review(R1), decide())
    run.do("approve", R1)
    run.refuse("substitute", DEPUTY, kind, match, **{**SUBSTITUTE, **overrides})


def test_the_first_present_substitute_in_line_decides() -> None:
    run = Run(decide())
    line: dict[str, Any] = {**SUBSTITUTE, "substitutes": (DEPUTY2, DEPUTY)}
    run.refuse("substitute", DEPUTY, "forbidden", f"{DEPUTY2} is first in line", **line)
    run.do("substitute", DEPUTY, **{**line, "absent": (DECIDER, DEPUTY2)})
    assert run.state.stages[0].responses[0].staff_id == DEPUTY


def test_earlier_approvers_acting_again_are_forbidden_not_too_late() -> None:
    """The current step is not theirs (403), though they acted on an earlier one; 409 is for "yours, not now"."""
    run = Run()
    run.do("approve", R1)
    run.refuse("approve", R1, "forbidden", "already answered")
    run.refuse("send_back", R1, "forbidden", "already answered", comment=REASON)
    run.refuse("approve", C1, "forbidden", "not your step")


def test_substitute_when_not_in_review_is_a_conflict() -> None:
    run = Run(decide())
    run.do("send_back", DECIDER, comment=REASON)
    run.refuse("substitute", DEPUTY, "conflict", "sent_back", **SUBSTITUTE)


def test_substitute_before_the_decision_stage_is_a_conflict() -> None:
    run = Run(review(R1), decide())
    run.refuse("substitute", DEPUTY, "conflict", "decision stage", **SUBSTITUTE)


@pytest.mark.parametrize("flag", ["important", "unusual", "doubtful"])
def test_substitute_is_refused_for_a_flagged_matter(flag: str) -> None:
    run = Run(decide(), facts=make_facts(flags=(flag,)))
    run.refuse("substitute", DEPUTY, "conflict", flag, **SUBSTITUTE)


def test_substitute_is_allowed_for_a_precedent_matter() -> None:
    run = Run(decide(), facts=make_facts(flags=("precedent",)))
    run.do("substitute", DEPUTY, **SUBSTITUTE)
    assert run.state.status == "approved"


@pytest.mark.parametrize(
    "overrides",
    [pytest.param({"pre_instructed": True}, id="pre-instructed"), pytest.param({"urgent_reason": "至急"}, id="urgent")],
)
def test_substitute_of_a_flagged_matter_with_instruction_or_urgency(overrides: dict[str, Any]) -> None:
    run = Run(decide(), facts=make_facts(flags=("important", "doubtful"), **overrides))
    run.do("substitute", DEPUTY, **SUBSTITUTE)
    assert run.state.status == "approved"


def test_a_blank_urgent_reason_does_not_allow_substitution() -> None:
    run = Run(decide(), facts=make_facts(flags=("unusual",), urgent_reason="   "))
    run.refuse("substitute", DEPUTY, "conflict", "unusual", **SUBSTITUTE)


def _failed_consult(**facts: Any) -> Run:
    run = Run(consult(C1, C2), decide(), facts=make_facts(**facts))
    run.do("object", C1, comment="所管外の支出")
    run.do("consent", C2)
    assert run.state.consult_failed
    assert run.state.pending_ids == (DECIDER,)
    return run


def test_objection_makes_the_substitute_refused() -> None:
    run = _failed_consult()
    run.refuse("substitute", DEPUTY, "conflict", "合議 failed", **SUBSTITUTE)
    run.do("approve", DECIDER)  # the decider himself still may
    assert run.state.status == "approved"


@pytest.mark.parametrize(
    "overrides",
    [pytest.param({"pre_instructed": True}, id="pre-instructed"), pytest.param({"urgent_reason": "至急"}, id="urgent")],
)
def test_failed_consult_allows_substitution_with_instruction_or_urgency(overrides: dict[str, Any]) -> None:
    run = _failed_consult(**overrides)
    run.do("substitute", DEPUTY, **SUBSTITUTE)
    assert run.state.status == "approved"


# --- post review (後閲) and comment (意見) --------------------------------------------------------------------


@pytest.mark.parametrize("actor_id", [DRAFTER, R1, OUTSIDER])
def test_post_review_by_someone_who_owes_none_is_a_conflict(actor_id: str) -> None:
    Run().refuse("post_review", actor_id, "conflict", "no post-review")


@pytest.mark.parametrize("actor_id", [DRAFTER, R1, C2, DECIDER])
def test_participants_comment_without_changing_the_chain(actor_id: str) -> None:
    run = Run()
    run.do("approve", R1)
    before = run.state
    event = run.do("comment", actor_id, comment="予算科目は要確認")

    assert run.state.model_copy(update={"seq": before.seq, "updated_at": before.updated_at}) == before
    assert run.state.seq == before.seq + 1
    assert (event.action, event.actor_id, event.stage_index, event.comment) == (
        "comment",
        actor_id,
        1,
        "予算科目は要確認",
    )


def test_comment_after_the_end_and_by_a_substitute_who_acted() -> None:
    run = Run(decide())
    run.do("substitute", DEPUTY, **SUBSTITUTE)
    run.do("comment", DEPUTY, comment="後ほどご確認ください")
    run.do("comment", DRAFTER, comment="ありがとうございました")
    assert run.events[-1].stage_index is None
    run.assert_rebuilds()


def test_comment_refusals() -> None:
    run = Run()
    run.refuse("comment", OUTSIDER, "forbidden", "only the drafter and those on the route", comment="意見")
    run.refuse("comment", R1, "invalid", "reason", comment="  ")


# --- reroute and deadlines -------------------------------------------------------------------------------------


def test_reroute_replaces_the_stages_after_the_current_one() -> None:
    run = Run(consult(C1, C2), decide())
    run.do("object", C1, comment="異議")
    event = run.reroute(review(R1), decide("director"), circulate(K1))
    state = run.state
    assert [(s.kind, s.assignee_ids) for s in state.stages] == [
        ("consult", (C1, C2)),
        ("review", (R1,)),
        ("decide", ("director",)),
        ("circulate", (K1,)),
    ]
    assert (state.status, state.current, state.pending_ids) == ("in_review", 0, (C2,))
    assert run.responders(0) == [C1]
    assert (event.action, event.actor_id, event.comment, event.stage_index, event.input) == (
        "reroute",
        "system",
        "合議不調",
        0,
        None,
    )
    assert event.route == Route(stages=(review(R1), decide("director"), circulate(K1)))
    run.do("consent", C2)
    run.all("approve", R1, "director")
    run.do("acknowledge", K1)
    assert run.state.status == "completed"
    run.assert_rebuilds()


def test_reroute_needs_a_document_in_routing() -> None:
    run = Run()
    run.do("send_back", R1, comment=REASON)
    with pytest.raises(ChainError) as err:
        chain.reroute(run.state, make_route(decide()), NOW, reason="x")
    assert err.value.kind == "conflict"


def test_reroute_validates_the_tail() -> None:
    run = Run(review(R1), decide())
    with pytest.raises(ChainError) as err:
        chain.reroute(run.state, Route(stages=(decide(), decide(R2))), NOW, reason="x")
    assert err.value.kind == "invalid"


@pytest.mark.parametrize(
    "tail",
    [pytest.param((), id="no-decision-left"), pytest.param((review(R2), decide(R3)), id="review-after-decision")],
)
def test_reroute_refuses_a_tail_that_breaks_the_route_shape(tail: tuple[Stage, ...]) -> None:
    run = Run(consult(C1, C2), decide()) if tail == () else Run(decide(), circulate(K1))
    with pytest.raises(ChainError) as err:
        chain.reroute(run.state, Route(stages=tail), NOW, reason="x")
    assert err.value.kind == "invalid"


def test_reminders_and_escalations_are_recorded_on_the_stage() -> None:
    run = Run(consult(C1, C2), decide())
    run.do("consent", C1)
    reminded = run.note("remind", 0)
    escalated = run.note("escalate", 0)

    stage0 = run.state.stages[0]
    assert (stage0.reminded_at, stage0.escalated_at) == (reminded.at, escalated.at)
    assert (reminded.action, reminded.actor_id, reminded.detail) == ("remind", "system", {"assignees": [C2]})
    assert escalated.action == "escalate"
    assert run.state.pending_ids == (C2,)
    view = next(v for v in run.state.step_views() if v.assignee_id == C2)
    assert (view.reminded_at, view.escalated_at) == (reminded.at, escalated.at)
    run.assert_rebuilds()
    run.do("consent", C2)
    assert run.state.stages[1].reminded_at is None
    run.note("remind", 1)
    run.do("send_back", DECIDER, comment=REASON, target_step=1)
    assert run.state.stages[1].reminded_at is None  # cleared with the stage
    run.assert_rebuilds()


# --- step views ---------------------------------------------------------------------------------------------


def test_step_views_show_every_state() -> None:
    run = Run(review(R1), review(R2), consult(C1, C2, C3, quorum=2), decide(), circulate(K1))
    run.do("pull_up", C3, absent=(R1, R2), post="課長")
    run.do("object", C1, comment="異議")
    assert run.views() == {
        (0, R1): "skipped",
        (1, R2): "skipped",
        (2, C1): "done",
        (2, C2): "closed",
        (2, C3): "done",
        (3, DECIDER): "pending",
        (4, K1): "waiting",
    }
    by_assignee = {v.assignee_id: v for v in run.state.step_views()}
    c3 = by_assignee[C3]
    assert (c3.acted_by, c3.capacity, c3.response, c3.actor_post, c3.version) == (C3, "pull_up", "consent", "課長", 1)
    assert by_assignee[C1].comment == "異議"
    assert by_assignee[DECIDER].since == run.clock
    run.do("withdraw", DRAFTER)
    assert run.views()[(3, DECIDER)] == "cancelled"
    assert run.views()[(0, R1)] == "skipped"


# --- rebuild -------------------------------------------------------------------------------------------------


def _scenario_edit_and_resume(run: Run) -> None:
    run.all("approve", R1, R2)
    run.do("consent", C1)
    run.do("send_back", C2, comment=REASON, target_step=1)
    run.do("resubmit", DRAFTER)
    run.do("recall", DRAFTER)
    run.do("resubmit", DRAFTER, facts=V2)
    run.do("approve", R1)


def _scenario_recalls_and_pull_up(run: Run) -> None:
    run.do("approve", R1)
    run.do("recall", R1)
    run.do("pull_up", R2, absent=(R1,))
    run.do("recall", R2)
    run.do("pull_up", C2, absent=(R1, R2))
    run.do("post_review", R1)
    run.do("object", C1, comment="異議")
    run.note("remind", 3)


def _scenario_escalated_and_substituted(run: Run) -> None:
    run.all("approve", R1, R2)
    run.do("object", C1, comment="異議")
    run.reroute(consult(C3), decide("director"), circulate(K1, K2))
    run.do("consent", C2)
    run.do("comment", C3, comment="意見")
    run.do("consent", C3)
    run.refuse(
        "substitute",
        DEPUTY,
        "conflict",
        "合議 failed",
        **{**SUBSTITUTE, "on_behalf_of": "director", "absent": ("director",)},
    )
    run.do("approve", "director")
    run.do("acknowledge", K2)


def _scenario_rejected(run: Run) -> None:
    run.do("pull_up", R2, absent=(R1,))
    run.all("consent", C1, C2)
    run.note("escalate", 3)
    run.do("reject", DECIDER, comment=REASON)
    run.do("post_review", R1)


def _scenario_withdrawn(run: Run) -> None:
    run.do("send_back", R1, comment=REASON)
    run.do("resubmit", DRAFTER, facts=V2)
    run.do("approve", R1)
    run.do("withdraw", DRAFTER)


@pytest.mark.parametrize(
    "scenario",
    [
        _scenario_edit_and_resume,
        _scenario_recalls_and_pull_up,
        _scenario_escalated_and_substituted,
        _scenario_rejected,
        _scenario_withdrawn,
    ],
)
def test_rebuild_equals_the_live_state(scenario: Callable[[Run], None]) -> None:
    run = Run()
    scenario(run)
    run.assert_rebuilds()
    for upto in range(1, len(run.events)):  # every prefix is a state the chain was in
        assert chain.rebuild(run.events[:upto]).seq == upto


def test_rebuild_needs_the_submit_event_first() -> None:
    run = Run()
    run.do("approve", R1)
    with pytest.raises(ValueError, match="submit"):
        chain.rebuild(run.events[1:])


def test_apply_leaves_its_input_unchanged() -> None:
    run = Run()
    run.do("approve", R1)
    before = run.state.model_dump()
    chain.apply(run.state, make_input("approve", R2), NOW)
    chain.apply(run.state, make_input("send_back", R2, comment=REASON), NOW)
    chain.apply(run.state, make_input("withdraw", DRAFTER), NOW)
    chain.apply(run.state, make_input("recall", R1), NOW)
    assert run.state.model_dump() == before


def test_escalation_tail_brings_in_the_reviewers_not_yet_passed() -> None:
    """合議不調 one level up: the former decider now reviews, then the higher decider decides."""
    run = Run(consult(C1, C2), decide())
    run.do("object", C1, comment="異議")
    higher = make_route(review(DECIDER), consult(C1, C2), decide(DEPUTY))
    tail = chain.escalation_tail(run.state, higher)
    assert [(s.kind, [a.id for a in s.assignees]) for s in tail.stages] == [("review", [DECIDER]), ("decide", [DEPUTY])]
