"""Nothing is offered that the chain refuses: the inbox's items and ``allowed_actions`` against ``chain.check``.

Random documents (routes, flags, 事前指示・至急, the rulebook's 代決 bar) are driven through random runs; at each
step, for random staff and random HR facts (who is absent, each decider's 代決順位), every item the inbox rule
lists — my pending steps, a 代決 for an absent decider, a 後閲 I owe — and every action ``allowed_actions`` offers
is accepted by ``chain.check`` with the context the API would send.  The inbox reads the read model, so its facts
are taken from what the projection writes (the step views, the document's facts and 合議不調).
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain import acting, chain
from schemas.document import ActionContext, ActionInput, ChainState, DocumentFacts, Route, StepView
from tests.domain.test_chain import DECIDER, DEPUTY, DEPUTY2, decide, make_facts, make_route
from tests.domain.test_chain_properties import (
    DEPUTIES,
    DRAFTER,
    NOW,
    OUTSIDER,
    Model,
    apply_op,
    everyone,
    initial_facts,
    routes,
    stages_of,
)


@st.composite
def documents(draw: st.DrawFn) -> Route:
    """A random route whose 決裁 the rulebook sometimes reserves to the decider in person (専決・代決不可)."""
    # Half go straight to the 決裁, so that the decider's absence (and 代決) is often the question.
    route = draw(routes | st.builds(lambda d: Route(stages=(d,)), stages_of("decide")))
    barred = draw(st.sampled_from([False, False, True]))
    stages = tuple(
        s.model_copy(update={"substitute_allowed": False, "rule": "第7条"}) if s.kind == "decide" and barred else s
        for s in route.stages
    )
    return route.model_copy(update={"stages": stages})


class Hr:
    """HR's facts of one day: who is absent, and the 代決順位 of each post (by its holder)."""

    def __init__(self, absent: frozenset[str], order: dict[str, tuple[str, ...]]) -> None:
        self.absent = absent
        self.order = order

    def substituting(self, staff_id: str) -> set[str]:
        """As HR answers ``/staff/{id}/substituting``: absent holders of posts the staff member substitutes for."""
        return {d for d, line in self.order.items() if staff_id in line and d in self.absent}

    def line(self, decider: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(代決順位, who of it is absent up to the first present), as integrations/substitution.py gathers it."""
        order = self.order.get(decider, ())
        absent = [decider] if decider in self.absent else []
        for substitute in order:
            if substitute in absent:
                continue
            if substitute not in self.absent:
                break
            absent.append(substitute)
        return order, tuple(absent)


def hr_facts(data: st.DataObject, state: ChainState) -> Hr:
    """Random absences and 代決順位, biased towards the interesting day: the pending decider away, a deputy in."""
    people = everyone(state)
    pool = sorted({*people, *DEPUTIES})
    absent = set(data.draw(st.lists(st.sampled_from(pool), max_size=3, unique=True), label="absent"))
    if state.pending_ids and data.draw(st.booleans(), label="pending ones away"):
        absent |= set(state.pending_ids)
    lines = st.sampled_from([(), DEPUTIES[:1], DEPUTIES, DEPUTIES[::-1]]) | st.lists(
        st.sampled_from(pool), max_size=3, unique=True
    ).map(tuple)
    order = {p: data.draw(lines, label=f"order of {p}") for p in people}
    return Hr(frozenset(absent), order)


def delegation_from_read_model(view: StepView, facts: DocumentFacts, consult_failed: bool) -> acting.Delegation:
    """What api/services/inbox.py reads: the step row's 代決 bar, the document row's flags and 合議不調."""
    return acting.Delegation(
        substitute_allowed=view.substitute_allowed,
        rule=view.rule,
        flags=facts.flags,
        pre_instructed=facts.pre_instructed,
        urgent_reason=facts.urgent_reason,
        consult_failed=consult_failed,
    )


def inbox_actions(state: ChainState, actor: str, hr: Hr) -> list[ActionInput]:
    """The inbox rule (api/services/inbox.py) over the projected state: each item as the action it leads to."""
    views = state.step_views()
    actions = [
        ActionInput(action=acting.STEP_ACTION[v.stage_kind], actor_id=actor)
        for v in views
        if v.state == "pending" and v.assignee_id == actor
    ]
    for view in views:
        if view.state != "pending" or view.stage_kind != "decide" or view.assignee_id not in hr.substituting(actor):
            continue
        order, absent = hr.line(view.assignee_id)
        delegation = delegation_from_read_model(view, state.facts, state.consult_failed)
        if acting.may_substitute(
            delegation, decider_id=view.assignee_id, actor_id=actor, absent_ids=absent, substitutes=order
        ):
            context = ActionContext(absent_ids=absent, substitutes=order)
            actions.append(
                ActionInput(action="substitute", actor_id=actor, on_behalf_of=view.assignee_id, context=context)
            )
    if acting.owes_post_review(state.post_reviews, actor):
        actions.append(ActionInput(action="post_review", actor_id=actor))
    return actions


def allowed_context(state: ChainState, actor: str, hr: Hr) -> ActionContext:
    """The HR facts the API gathers for ``allowed_actions`` (api/services/decisions.py, ``_allowed_context``)."""
    if state.current is not None and state.stages[state.current].kind == "decide" and state.pending_ids:
        order, absent = hr.line(state.pending_ids[0])
        return ActionContext(absent_ids=absent, substitutes=order)
    return ActionContext(absent_ids=tuple(sorted(hr.absent)))


def assert_offers_accepted(state: ChainState, hr: Hr) -> None:
    for actor in sorted({*everyone(state), *DEPUTIES, OUTSIDER, DRAFTER}):
        for action in inbox_actions(state, actor, hr):
            chain.check(state, action)  # raises if the inbox offered what the chain refuses
            event(f"inbox offers {action.action}")
        context = allowed_context(state, actor, hr)
        for offered in chain.allowed_actions(state, actor, context):
            chain.check(
                state,
                ActionInput(
                    action=offered.action,
                    actor_id=actor,
                    comment="理由あり",
                    on_behalf_of=offered.on_behalf_of,
                    target_step=offered.target_steps[-1] if offered.target_steps else None,
                    context=context,
                ),
            )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(route=documents(), facts=initial_facts, data=st.data())
def test_every_offered_action_is_accepted_by_the_chain(route: Route, facts: DocumentFacts, data: st.DataObject) -> None:
    state, _ = chain.submit(
        document_id="doc-1", drafter_id=DRAFTER, actor_id=DRAFTER, facts=facts, route=route, now=NOW
    )
    model = Model()
    for step in range(1, data.draw(st.integers(min_value=3, max_value=30), label="steps") + 1):
        assert_offers_accepted(state, hr_facts(data, state))
        state, _ = apply_op(data, state, model, NOW + timedelta(minutes=step))
    assert_offers_accepted(state, hr_facts(data, state))


def test_the_inbox_offers_no_substitute_for_a_flagged_matter_and_the_chain_agrees() -> None:
    """The disagreement this rule ended: a 重要 matter, its decider absent, their first substitute present."""
    flagged = make_facts(flags=("important",))
    state, _ = chain.submit(
        document_id="d", drafter_id=DRAFTER, actor_id=DRAFTER, facts=flagged, route=make_route(decide()), now=NOW
    )
    hr = Hr(frozenset({DECIDER}), {DECIDER: (DEPUTY,)})
    assert inbox_actions(state, DEPUTY, hr) == []
    unflagged = state.model_copy(update={"facts": flagged.model_copy(update={"flags": ()})})
    [offer] = inbox_actions(unflagged, DEPUTY, hr)
    chain.check(unflagged, offer)
    second = Hr(frozenset({DECIDER}), {DECIDER: (DEPUTY2, DEPUTY)})  # in line behind a present substitute
    assert [a.actor_id for a in inbox_actions(unflagged, DEPUTY, second)] == []
