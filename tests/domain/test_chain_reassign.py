"""chain.reassign (人事異動): unanswered steps follow the post; answers stay with who gave them; rebuild replays it."""

from __future__ import annotations

from domain import chain
from tests.domain.test_chain import C1, C2, DECIDER, R1, R2, Run, consult, decide, review

NEW = "successor"


def _reassign(run: Run, old: str, new: str = NEW) -> list[object]:
    run.state, events = chain.reassign(run.state, old, new, run.tick(), reason="人事異動", post="課長")
    run.events += events
    return list(events)


def test_the_pending_step_goes_to_the_new_holder() -> None:
    run = Run()
    [event] = _reassign(run, R1)
    assert run.state.pending_ids == (NEW,)
    assert event.action == "reassign" and event.detail == {"from": R1, "to": NEW, "post": "課長", "stages": [0]}
    run.do("approve", NEW)
    assert run.state.pending_ids == (R2,)


def test_a_waiting_step_later_in_the_route_moves_too() -> None:
    run = Run()
    _reassign(run, DECIDER)
    assert run.state.stages[-1].assignee_ids == (NEW,)
    assert run.state.pending_ids == (R1,)


def test_answers_already_given_keep_who_gave_them() -> None:
    run = Run()
    run.do("approve", R1, post="課長")
    assert _reassign(run, R1) == []
    [response] = run.state.stages[0].responses
    assert (response.staff_id, response.actor_post) == (R1, "課長")
    assert run.state.stages[0].assignee_ids == (R1,)


def test_a_consult_member_is_replaced_and_one_already_there_is_not_doubled() -> None:
    run = Run(review(R1), consult(C1, C2, quorum=2), decide())
    run.do("approve", R1)
    _reassign(run, C1, C2)
    stage = run.state.stages[1]
    assert stage.assignee_ids == (C2,) and stage.quorum == 1
    run.do("consent", C2)
    assert run.state.pending_ids == (DECIDER,)


def test_finished_documents_and_unknown_people_are_left_alone() -> None:
    run = Run(review(R1), decide())
    assert _reassign(run, "nobody") == []
    run.do("approve", R1)
    run.do("approve", DECIDER)
    assert _reassign(run, DECIDER) == []


def test_rebuild_replays_a_reassignment() -> None:
    run = Run()
    _reassign(run, R1)
    run.do("approve", NEW)
    assert chain.rebuild(run.events) == run.state
