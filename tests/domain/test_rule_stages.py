"""The chain and rulebook-cited stages: citations reach the step views, a non-delegable decision refuses 代決,
and 合議不調 with several 合議 on the route (placed by department) keeps the ones not yet asked."""

from __future__ import annotations

import pytest

from domain import chain
from domain.chain import ChainError
from schemas.document import Route
from tests.domain.test_chain import (
    C1,
    C2,
    DECIDER,
    DEPUTY,
    R1,
    R2,
    Run,
    consult,
    decide,
    make_input,
    make_route,
    review,
)


def _kinds(route: Route) -> list[tuple[str, list[str]]]:
    return [(s.kind, [a.id for a in s.assignees]) for s in route.stages]


def test_step_views_carry_the_reason_and_rule() -> None:
    cited = decide().model_copy(update={"rule": "別表第1 第1項(3)ア", "reason": "課長専決"})
    run = Run(review(R1).model_copy(update={"rule": "第4条"}), cited)
    views = run.state.step_views()
    assert [(v.rule, v.reason) for v in views][1] == ("別表第1 第1項(3)ア", "課長専決")
    assert views[0].rule == "第4条"


def test_a_non_delegable_decision_refuses_substitutes() -> None:
    barred = decide().model_copy(update={"substitute_allowed": False, "rule": "第7条第1号"})
    run = Run(barred)
    action = make_input("substitute", DEPUTY, on_behalf_of=DECIDER, absent=(DECIDER,), substitutes=(DEPUTY,))
    with pytest.raises(ChainError, match="bars 代決"):
        chain.check(run.state, action)
    allowed = Run(decide())
    chain.check(allowed.state, action)


def test_escalation_from_the_first_of_two_consults_keeps_the_later_one() -> None:
    """課長 -> 合議 C1 (own department) -> 部長 (R2) -> 合議 C2 (other department) -> 決裁; C1 objects."""
    run = Run(review(R1), consult(C1), review(R2), consult(C2), decide())
    run.do("approve", R1)
    run.do("object", C1, comment="異議")
    higher = make_route(review(R1), consult(C1), review(R2), consult(C2), review(DECIDER), decide(DEPUTY))
    tail = chain.escalation_tail(run.state, higher)
    assert _kinds(tail) == [("review", [R2]), ("consult", [C2]), ("review", [DECIDER]), ("decide", [DEPUTY])]
    state, _ = chain.reroute(run.state, tail, run.tick(), reason="合議不調", after=chain.failed_consult(run.state))
    assert [s.kind for s in state.stages] == ["review", "consult", "review", "consult", "review", "decide"]


def test_escalation_from_the_later_consult_brings_in_the_missed_reviewer() -> None:
    """部長 decides: 課長 -> 合議 C1 -> 合議 C2 (other department, before the decider) -> 部長; C2 objects."""
    run = Run(review(R1), consult(C1), consult(C2), decide(R2))
    run.do("approve", R1)
    run.do("consent", C1)
    run.do("object", C2, comment="異議")
    higher = make_route(review(R1), consult(C1), review(R2), consult(C2), decide(DECIDER))
    tail = chain.escalation_tail(run.state, higher)
    assert _kinds(tail) == [("review", [R2]), ("decide", [DECIDER])]


def test_an_objection_that_completes_the_consult_reroutes_from_it() -> None:
    """The sole 財政課長 objects: routing had moved on to the 部長's decision; the 部長 now reviews."""
    run = Run(review(R1), consult(C1), decide(R2))
    run.do("approve", R1)
    run.do("object", C1, comment="財源なし")
    assert run.state.current == 2  # the objection completed the 合議
    higher = make_route(review(R1), consult(C1), review(R2), decide(DECIDER))
    tail = chain.escalation_tail(run.state, higher)
    after = chain.failed_consult(run.state)
    state, events = chain.reroute(run.state, tail, run.tick(), reason="合議不調", after=after)
    assert [(s.kind, s.assignee_ids) for s in state.stages] == [
        ("review", (R1,)),
        ("consult", (C1,)),
        ("review", (R2,)),
        ("decide", (DECIDER,)),
    ]
    assert state.current == 2 and state.pending_ids == (R2,)
    assert chain.rebuild([*run.events, *events]) == state
