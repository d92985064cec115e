"""Which notices each transition of the pure chain gives rise to (and their dedupe keys)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from activities.transition_notices import transition_notices
from domain import chain
from schemas.document import ActionName, ChainEvent
from tests.domain.test_chain import (
    C1,
    C2,
    DECIDER,
    DRAFTER,
    NOW,
    R1,
    R2,
    Run,
    circulate,
    consult,
    decide,
    make_facts,
    make_input,
    review,
)


def kinds(run: Run, events: list[ChainEvent]) -> list[tuple[str, str, str]]:
    """(kind, recipient, what) of the notices the run's latest transition gives rise to."""
    drafts = transition_notices(run.state, events)
    return [
        (d.kind, d.recipient_id, str(d.detail.get("stage_kind") or d.detail.get("role") or d.detail.get("result")))
        for d in drafts
    ]


def step(run: Run, action: ActionName, actor: str, **kwargs: Any) -> list[ChainEvent]:
    run.state, events = chain.apply(run.state, make_input(action, actor, **kwargs), run.tick())
    return events


def test_submit_assigns_the_first_stage() -> None:
    run = Run()
    assert kinds(run, run.events) == [("assigned", R1, "review")]


def test_each_stage_entered_is_assigned_once_to_each_member() -> None:
    run = Run()
    assert kinds(run, step(run, "approve", R1)) == [("assigned", R2, "review")]
    assert kinds(run, step(run, "approve", R2)) == [("assigned", C1, "consult"), ("assigned", C2, "consult")]
    assert kinds(run, step(run, "consent", C1)) == []  # C2 was told when the 合議 began
    assert kinds(run, step(run, "consent", C2)) == [("assigned", DECIDER, "decide")]
    assert kinds(run, step(run, "approve", DECIDER)) == [("decided", DRAFTER, "approved")]


def test_a_decision_with_readers_tells_the_drafter_and_the_readers() -> None:
    run = Run(review(R1), decide(), circulate("k1", "k2"))
    step(run, "approve", R1)
    assert kinds(run, step(run, "approve", DECIDER)) == [
        ("decided", DRAFTER, "approved"),
        ("assigned", "k1", "circulate"),
        ("assigned", "k2", "circulate"),
    ]


def test_a_rejection_tells_the_drafter() -> None:
    run = Run(review(R1), decide())
    step(run, "approve", R1)
    assert kinds(run, step(run, "reject", DECIDER, comment="根拠不足")) == [("decided", DRAFTER, "rejected")]


def test_a_send_back_tells_the_drafter_and_the_stage_routing_resumes_from() -> None:
    run = Run()
    step(run, "approve", R1)
    step(run, "approve", R2)
    events = step(run, "send_back", C1, comment="積算根拠を", target_step=1)
    assert kinds(run, events) == [("sent_back", DRAFTER, "drafter"), ("sent_back", R2, "target")]
    assert kinds(run, step(run, "resubmit", DRAFTER)) == [("assigned", R2, "review")]


def test_a_recall_gives_the_recaller_no_notice_of_their_own_step() -> None:
    run = Run()
    step(run, "approve", R1)
    assert kinds(run, step(run, "recall", R1)) == []


def test_keys_are_stable_for_a_retried_projection_and_new_for_a_new_round() -> None:
    run = Run(review(R1), decide())
    first = transition_notices(run.state, run.events)
    assert [d.dedupe_key for d in first] == [d.dedupe_key for d in transition_notices(run.state, run.events)]
    assert first[0].dedupe_key == f"doc-1:assigned:0:{NOW.isoformat()}:{R1}"
    step(run, "send_back", R1, comment="やり直し")
    run.clock += timedelta(days=1)
    events = step(run, "resubmit", DRAFTER)
    again = transition_notices(run.state, events)
    assert again[0].recipient_id == R1 and again[0].dedupe_key != first[0].dedupe_key


def test_deadline_notes_assign_nobody() -> None:
    run = Run(review(R1), consult(C1), decide())
    run.state, events = chain.note_deadline(run.state, "remind", 0, run.tick())
    assert kinds(run, events) == []


def test_a_decision_notice_says_whether_daiketsu_may_decide_it() -> None:
    """The dispatcher forwards an absent decider's 決裁 only when 代決 may decide it (domain/acting.py's rule)."""

    def delegable(run: Run) -> object:
        (notice,) = transition_notices(run.state, run.events)
        return notice.detail["delegable"]

    assert delegable(Run(decide())) is True
    assert delegable(Run(decide(), facts=make_facts(flags=("important",)))) is False
    assert delegable(Run(decide(), facts=make_facts(flags=("important",), urgent_reason="至急"))) is True
    barred = decide().model_copy(update={"substitute_allowed": False})
    assert delegable(Run(barred)) is False
