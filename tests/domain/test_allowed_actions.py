"""``chain.allowed_actions``: exactly the actions ``chain.check`` accepts, for each person, at each step of a run."""

from __future__ import annotations

from domain import chain
from domain.chain import ChainError
from schemas.document import ActionContext, ActionInput, ChainState
from tests.domain.test_chain import (
    C1,
    C2,
    DECIDER,
    DEPUTY,
    DEPUTY2,
    DRAFTER,
    OUTSIDER,
    R1,
    R2,
    Run,
    circulate,
    consult,
    decide,
    review,
)

PEOPLE = (DRAFTER, R1, R2, C1, C2, DECIDER, DEPUTY, DEPUTY2, OUTSIDER)


def names(state: ChainState, actor_id: str, context: ActionContext | None = None) -> set[str]:
    return {a.action for a in chain.allowed_actions(state, actor_id, context)}


def assert_agrees_with_check(state: ChainState, context: ActionContext | None = None) -> None:
    """Every offered action passes ``check`` (with a reason); every action ``check`` passes is offered."""
    for person in PEOPLE:
        offered = chain.allowed_actions(state, person, context)
        for allowed in offered:
            chain.check(
                state,
                ActionInput(
                    action=allowed.action,
                    actor_id=person,
                    comment="理由",
                    on_behalf_of=allowed.on_behalf_of,
                    target_step=allowed.target_steps[-1] if allowed.target_steps else None,
                    context=context or ActionContext(),
                ),
            )
        for action in chain._RULES:
            try:
                chain.check(
                    state,
                    ActionInput(action=action, actor_id=person, comment="理由", context=context or ActionContext()),  # type: ignore[arg-type]
                )
            except ChainError:
                continue
            assert action in {a.action for a in offered}, (person, action)


def test_each_person_is_offered_their_own_step_only() -> None:
    run = Run()
    assert names(run.state, R1) == {"approve", "send_back", "comment"}
    assert names(run.state, DRAFTER) == {"recall", "withdraw", "comment"}
    assert names(run.state, R2) == {"comment"}  # on the route, not yet their turn
    assert names(run.state, OUTSIDER) == set()
    assert_agrees_with_check(run.state)

    run.do("approve", R1)
    assert names(run.state, R1) == {"recall", "comment"}  # 引戻し until the next approver acts
    assert names(run.state, DRAFTER) == {"withdraw", "comment"}  # too late for the drafter's recall
    assert "approve" in names(run.state, R2)
    assert_agrees_with_check(run.state)


def test_consult_offers_consent_and_objection_with_a_reason() -> None:
    run = Run()
    run.all("approve", R1, R2)
    offered = {a.action: a for a in chain.allowed_actions(run.state, C1)}
    assert {"approve", "consent", "object", "send_back"} <= set(offered)
    assert offered["object"].reason_required and not offered["consent"].reason_required
    assert offered["send_back"].target_steps == (0, 1, 2)
    assert_agrees_with_check(run.state)


def test_decider_may_reject_and_a_substitute_decides_only_for_an_absent_decider() -> None:
    run = Run(review(R1), decide())
    run.do("approve", R1)
    assert {"approve", "reject", "send_back"} <= names(run.state, DECIDER)
    assert names(run.state, DEPUTY) == set()

    present = ActionContext(substitutes=(DEPUTY, DEPUTY2))
    assert names(run.state, DEPUTY, present) == set()
    absent = ActionContext(absent_ids=(DECIDER,), substitutes=(DEPUTY, DEPUTY2))
    offered = {a.action: a for a in chain.allowed_actions(run.state, DEPUTY, absent)}
    assert set(offered) == {"substitute", "reject"}
    assert offered["substitute"].on_behalf_of == DECIDER and offered["reject"].on_behalf_of == DECIDER
    assert names(run.state, DEPUTY2, absent) == set()  # not first in line (代決順位)
    assert_agrees_with_check(run.state, absent)


def test_pull_up_is_offered_past_absent_reviewers_only() -> None:
    run = Run(review(R1), review(R2), decide())
    assert "pull_up" not in names(run.state, R2)
    assert "pull_up" in names(run.state, R2, ActionContext(absent_ids=(R1,)))
    assert_agrees_with_check(run.state, ActionContext(absent_ids=(R1,)))


def test_after_the_decision_only_circulation_and_post_review_remain() -> None:
    run = Run(review(R1), decide(), circulate(C1))
    run.do("approve", R1)
    run.do("substitute", DEPUTY, on_behalf_of=DECIDER, absent=(DECIDER,), substitutes=(DEPUTY,))
    assert names(run.state, C1) == {"acknowledge", "comment"}
    assert "post_review" in names(run.state, DECIDER)
    assert names(run.state, R1) == {"comment"}
    assert_agrees_with_check(run.state)


def test_sent_back_document_offers_resubmit_and_withdraw_to_the_drafter() -> None:
    run = Run(review(R1), consult(C1, C2), decide())
    run.do("send_back", R1, comment="根拠資料を添付してください")
    assert names(run.state, DRAFTER) == {"withdraw", "resubmit", "comment"}
    assert names(run.state, R1) == {"comment"}
    assert_agrees_with_check(run.state)
