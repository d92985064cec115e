"""Which deadline of the current stage is next (domain/deadlines.py), and when a failed 合議 goes one level up."""

from __future__ import annotations

from datetime import timedelta

from domain import chain
from domain.consult import goes_one_level_up
from domain.deadlines import next_due, stage_key
from schemas.document import Deadlines
from tests.domain.test_chain import C1, DRAFTER, NOW, R1, consult, decide, make_facts, make_input, make_route, review

REMIND = NOW + timedelta(days=3)
ESCALATE = NOW + timedelta(days=5)
BOTH = Deadlines(remind_at=REMIND, escalate_at=ESCALATE)


def submitted() -> chain.ChainState:
    state, _ = chain.submit(
        document_id="d1",
        drafter_id=DRAFTER,
        actor_id=DRAFTER,
        facts=make_facts(),
        route=make_route(review(R1), decide()),
        now=NOW,
    )
    return state


def test_the_reminder_comes_first_then_the_escalation_each_once() -> None:
    state = submitted()
    assert next_due(state, BOTH) == ("remind", REMIND)
    reminded, _ = chain.note_deadline(state, "remind", 0, REMIND)
    assert next_due(reminded, BOTH) == ("escalate", ESCALATE)
    escalated, _ = chain.note_deadline(reminded, "escalate", 0, ESCALATE)
    assert next_due(escalated, BOTH) is None
    assert next_due(state, Deadlines()) is None  # no deadlines set
    assert next_due(state, Deadlines(escalate_at=ESCALATE)) == ("escalate", ESCALATE)


def test_a_moved_stage_has_another_key_and_a_finished_chain_no_deadline() -> None:
    state = submitted()
    approved, _ = chain.apply(state, make_input("approve", R1), NOW + timedelta(hours=1))
    assert stage_key(approved) != stage_key(state)
    decided, _ = chain.apply(approved, make_input("approve", "decider"), NOW + timedelta(hours=2))
    assert decided.status == "approved" and next_due(decided, BOTH) is None


def test_an_ordinary_approval_does_not_go_one_level_up() -> None:
    state = submitted()
    approved, _ = chain.apply(state, make_input("approve", R1), NOW + timedelta(hours=1))
    assert not goes_one_level_up(state, approved)


def test_an_objection_that_fails_the_consult_goes_one_level_up_once() -> None:
    state, _ = chain.submit(
        document_id="d1",
        drafter_id=DRAFTER,
        actor_id=DRAFTER,
        facts=make_facts(),
        route=make_route(consult(C1), decide()),
        now=NOW,
    )
    failed, _ = chain.apply(state, make_input("object", C1, comment="反対"), NOW + timedelta(hours=1))
    assert failed.consult_failed and goes_one_level_up(state, failed)
    assert not goes_one_level_up(failed, failed)  # only the transition in which it failed
