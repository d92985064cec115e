"""Property tests of the pure approval chain v2: random routes, random actions, random HR contexts.

Each run submits a random route and tries random actions by random people (weighted towards those who can act),
with random absences and substitutes.  Against an independent restatement of the rules it checks that:

* an action is accepted exactly when the rules allow it, ``check`` and ``apply`` agree, and the input is untouched;
* no answer is lost or counted twice: each transition adds or removes exactly the answers the rules say;
* a quorum is exact: a stage closes with exactly ``required`` answers and the rest of its members ``closed``;
* 引戻し is only possible before the next act (the drafter: while no answer since the (re)submission stands);
* a send-back into a 合議 never leaves a half-open group;
* a terminal state is only entered by its own action, and afterwards only 後閲 and comments are accepted;
* replaying the emitted events (also through JSON) rebuilds the same state.

Edits bump the version or change only the content hash; reroute tails are random, and refused exactly when the kept
stages plus the tail break the route's shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain import chain
from domain.acting import NON_DELEGABLE_FLAGS
from domain.chain import ChainError
from schemas.document import (
    ActionContext,
    ActionInput,
    ActionName,
    ChainEvent,
    ChainState,
    DocumentFacts,
    Flag,
    Response,
    Route,
    Stage,
    StageKind,
)
from schemas.org import OrgUnitRef, PostRef, StaffRef

NOW = datetime(2024, 4, 1, 9, 0, tzinfo=UTC)
DRAFTER = "drafter"
OUTSIDER = "outsider"
POOL = ("p1", "p2", "p3", "p4", "p5", DRAFTER)  # approvers; one person may sit in several stages
CIRCULATORS = ("k1", "k2", "p1")
DEPUTIES = ("deputy1", "deputy2")
POSTS = ("", "課長", "部長")
ACTIONS: tuple[ActionName, ...] = get_args(ActionName)
FACTS = DocumentFacts(matter="spending", amount_yen=1000, org_unit_code="soumu", version=1, content_hash="sha256:v1")
RESPONDING = {"approve", "consent", "object", "acknowledge", "pull_up", "substitute"}

Key = tuple[int, str]  # (stage index, assignee)


def staff(staff_id: str) -> StaffRef:
    return StaffRef(
        id=staff_id,
        name=staff_id,
        org_unit=OrgUnitRef(code="soumu", name="総務課"),
        post=PostRef(code="chief", name="係長"),
    )


# --- strategies ------------------------------------------------------------------------------------------


@st.composite
def stages_of(draw: st.DrawFn, kind: StageKind) -> Stage:
    quorum = None
    if kind in ("review", "examine", "decide"):
        ids = [draw(st.sampled_from(POOL))]
    elif kind == "consult":
        ids = draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=3, unique=True))
        quorum = draw(st.none() | st.integers(min_value=1, max_value=len(ids)))
    else:
        ids = draw(st.lists(st.sampled_from(CIRCULATORS), min_size=1, max_size=2, unique=True))
    return Stage(kind=kind, assignees=tuple(staff(i) for i in ids), quorum=quorum)


@st.composite
def route_parts(draw: st.DrawFn, *, decision: bool) -> tuple[Stage, ...]:
    """[review|consult|examine]* decide circulate* (with a decision), else circulate* (non-empty for a whole
    route)."""
    stages: list[Stage] = []
    if decision:
        for _ in range(draw(st.integers(min_value=0, max_value=4))):
            stages.append(draw(stages_of(draw(st.sampled_from(["review", "review", "consult", "examine"])))))
        stages.append(draw(stages_of("decide")))
    circulations = draw(st.integers(min_value=0 if decision else 1, max_value=2))
    stages += [draw(stages_of("circulate")) for _ in range(circulations)]
    return tuple(stages)


routes = st.sampled_from([True] * 9 + [False]).flatmap(lambda d: route_parts(decision=d)).map(lambda s: Route(stages=s))

initial_facts = st.builds(
    DocumentFacts,
    matter=st.just("spending"),
    amount_yen=st.integers(min_value=0, max_value=10_000_000),
    org_unit_code=st.just("soumu"),
    version=st.just(1),
    content_hash=st.just("sha256:v1"),
    flags=st.sampled_from([(), (), (), ("precedent",)])
    | st.lists(st.sampled_from(get_args(Flag)), unique=True).map(tuple),
    pre_instructed=st.sampled_from([False] * 5 + [True]),
    urgent_reason=st.sampled_from(["", "", "", "", "  ", "至急"]),
)

OPS = (
    ["approve"] * 6
    + ["consent"] * 3
    + ["object", "acknowledge", "acknowledge", "send_back", "send_back", "recall", "recall", "recall"]
    + ["withdraw", "reject", "pull_up", "pull_up", "substitute", "post_review", "comment"]
    + ["resubmit", "resubmit", "resubmit", "reroute", "remind", "escalate"]
)


def often(data: st.DataObject) -> bool:
    return data.draw(st.integers(min_value=0, max_value=4)) > 0


def with_version(facts: DocumentFacts, version: int) -> DocumentFacts:
    return facts.model_copy(update={"version": version, "content_hash": f"sha256:v{version}"})


# --- the rules, restated --------------------------------------------------------------------------------------


def answers(state: ChainState) -> dict[Key, Response]:
    found: dict[Key, Response] = {}
    for index, stage in enumerate(state.stages):
        for response in stage.responses:
            key = (index, response.assignee_id)
            assert key not in found, f"{key} answered twice"
            found[key] = response
    return found


def route_people(state: ChainState) -> list[str]:
    return sorted({a for s in state.stages for a in s.assignee_ids})


def everyone(state: ChainState) -> list[str]:
    return sorted({DRAFTER, OUTSIDER, *DEPUTIES, *route_people(state)})


def later_stage(state: ChainState, actor_id: str) -> int | None:
    assert state.current is not None
    return next(
        (
            i
            for i in range(state.current + 1, len(state.stages))
            if state.stages[i].kind != "circulate" and actor_id in state.stages[i].assignee_ids
        ),
        None,
    )


@dataclass
class Model:
    """What the chain's state does not say outright: who may still recall, and what was answered when."""

    since_submit: set[tuple[int, str, datetime]] = field(default_factory=set)  # answers since the (re)submission
    last: tuple[int, str] | None = None  # (stage, staff) of the answer its author may still recall

    def standing_since_submit(self, state: ChainState) -> bool:
        return any((i, k, r.at) in self.since_submit for (i, k), r in answers(state).items())


def may_substitute(state: ChainState, action: ActionInput) -> bool:
    stage = state.stages[state.current] if state.current is not None else None
    facts = state.facts
    allowed_anyway = facts.pre_instructed or bool(facts.urgent_reason.strip())
    failed = any(r.kind == "object" for s in state.stages if s.kind == "consult" for r in s.responses)
    return (
        state.status == "in_review"
        and stage is not None
        and stage.kind == "decide"
        and stage.substitute_allowed
        and action.on_behalf_of in stage.assignee_ids
        and action.on_behalf_of in action.context.absent_ids
        and action.actor_id in [s for s in action.context.substitutes if s not in action.context.absent_ids][:1]
        and (allowed_anyway or not (set(facts.flags) & NON_DELEGABLE_FLAGS or failed))
    )


def allowed(state: ChainState, model: Model, action: ActionInput) -> bool:
    status, actor, current = state.status, action.actor_id, state.current
    stage = state.stages[current] if current is not None else None
    in_review = status == "in_review"
    pending = actor in state.pending_ids
    reason = bool(action.comment.strip())
    name = action.action
    if name == "approve":
        return in_review and pending
    if name in ("consent", "object"):
        return in_review and pending and stage is not None and stage.kind == "consult" and (name == "consent" or reason)
    if name == "acknowledge":
        return status == "circulating" and pending
    if name == "send_back":
        target = action.target_step
        return in_review and pending and reason and (target is None or 0 <= target <= (current or 0))
    if name == "recall":
        drafter_may = actor == DRAFTER and not model.standing_since_submit(state)
        return in_review and (drafter_may or (model.last is not None and model.last[1] == actor))
    if name == "withdraw":
        return actor == DRAFTER and status in ("in_review", "sent_back", "draft")
    if name == "reject":
        if not (in_review and stage is not None and stage.kind == "decide" and reason):
            return False
        return may_substitute(state, action) if action.on_behalf_of is not None else actor in stage.assignee_ids
    if name == "pull_up":
        if not in_review:
            return False
        later = later_stage(state, actor)
        if later is None:
            return False
        passed = state.stages[current:later]
        absent = set(action.context.absent_ids)
        return all(s.kind == "review" and set(s.pending_ids) <= absent for s in passed)
    if name == "substitute":
        return may_substitute(state, action)
    if name == "post_review":
        return any(p.staff_id == actor for p in state.open_post_reviews)
    if name == "comment":
        participants = {DRAFTER, *route_people(state), *(r.staff_id for r in answers(state).values())}
        return actor in participants and reason
    assert name == "resubmit"
    older = action.facts is not None and action.facts.version < state.facts.version
    return actor == DRAFTER and status in ("sent_back", "draft") and not older


# --- invariants ----------------------------------------------------------------------------------------------


def assert_invariants(state: ChainState) -> None:
    found = answers(state)
    for index, stage in enumerate(state.stages):
        responded = {r.assignee_id for r in stage.responses}
        assert responded <= set(stage.assignee_ids), "an answer by someone not on the stage"
        assert not responded & set(stage.skipped_ids), "skipped and answered"
        assert len(stage.responses) <= stage.required, "more answers than the quorum"
        assert stage.complete == (
            len(stage.responses) == stage.required or (bool(stage.skipped_ids) and not stage.responses)
        ), "a stage closed without exactly its quorum"
        if stage.skipped_ids:
            assert stage.kind == "review" and set(stage.skipped_ids) == set(stage.assignee_ids)
        expected_kinds = {
            "review": {"approve"},
            "examine": {"approve"},
            "decide": {"approve"},
            "consult": {"consent", "object"},
            "circulate": {"acknowledge"},
        }[stage.kind]
        assert {r.kind for r in stage.responses} <= expected_kinds
        assert all(r.capacity == "substitute" for r in stage.responses if r.on_behalf_of)
        if stage.kind != "decide":
            assert all(r.capacity != "substitute" for r in stage.responses)
        if index != state.current and state.status not in ("withdrawn", "rejected"):
            assert stage.complete or not (stage.responses or stage.skipped_ids), f"stage {index} is half-open"
    assert all((r.version, r.content_hash) == (state.facts.version, state.facts.content_hash) for r in found.values())

    routing = state.status in ("in_review", "circulating")
    assert (state.current is not None) == routing
    if routing:
        assert state.current is not None
        current = state.stages[state.current]
        assert (current.kind == "circulate") == (state.status == "circulating")
        assert all(s.complete for s in state.stages[: state.current]), "an earlier stage lost an answer"
        assert not current.complete
        assert state.pending_ids and set(state.pending_ids) <= set(current.assignee_ids)
        assert all(not (s.responses or s.skipped_ids) for s in state.stages[state.current + 1 :])
    if state.status in ("sent_back", "draft"):
        target = state.sent_back_to
        assert target is not None
        assert all(s.complete for s in state.stages[:target])
        assert all(not (s.responses or s.skipped_ids) for s in state.stages[target:])
    if state.status in ("approved", "completed"):
        assert all(s.complete for s in state.stages)
    decisions = [s for s in state.stages if s.kind == "decide"]
    if state.status == "approved" or (state.status in ("circulating", "completed") and decisions):
        assert len(decisions[0].responses) == 1, "a decision without exactly one 決裁"

    for review in state.open_post_reviews:
        stage = state.stages[review.stage_index]
        if review.reason == "pull_up":
            assert review.staff_id in stage.skipped_ids, "a 後閲 owed for a step that was not skipped"
        else:
            assert stage.kind == "decide" and review.staff_id in stage.assignee_ids
            response = stage.response_of(review.staff_id)
            assert state.status == "rejected" or (response is not None and response.capacity == "substitute")

    for view in state.step_views():
        stage = state.stages[view.stage_index]
        response = stage.response_of(view.assignee_id)
        assert (view.state == "done") == (response is not None)
        if view.state == "pending":
            assert view.stage_index == state.current and view.assignee_id in state.pending_ids
        if view.state == "closed":
            assert stage.complete and not stage.skipped_ids
    pending_views = {v.assignee_id for v in state.step_views() if v.state == "pending"}
    assert pending_views == set(state.pending_ids)


def assert_effect(
    before: ChainState, after: ChainState, model: Model, action: ActionInput, now: datetime
) -> tuple[int, str] | None:
    """The answers and 後閲 the action adds or removes, exactly; returns the answer its author may recall."""
    old, new = answers(before), answers(after)
    name, actor = action.action, action.actor_id
    kept = {k: v for k, v in new.items() if k in old}
    added = {k: v for k, v in new.items() if k not in old}
    assert all(old[k] == v for k, v in kept.items()), "an answer changed"

    if name in RESPONDING:
        assert before.current is not None
        index = before.current
        assignee = actor
        kind = "approve"
        capacity = "self"
        if name == "pull_up":
            index = later_stage(before, actor) or 0
            capacity = "pull_up"
        if name == "substitute":
            assert action.on_behalf_of is not None
            assignee, capacity = action.on_behalf_of, "substitute"
        if before.stages[index].kind == "consult":
            kind = "consent" if name in ("approve", "consent", "pull_up") else "object"
        if name == "acknowledge":
            kind = "acknowledge"
        assert kept == old, "an answer was lost"
        assert list(added) == [(index, assignee)], "not exactly one answer added"
        response = added[(index, assignee)]
        assert (response.staff_id, response.kind, response.capacity, response.at) == (actor, kind, capacity, now)
        assert (response.version, response.content_hash) == (before.facts.version, before.facts.content_hash)
        assert response.actor_post == action.context.actor_post and response.comment == action.comment
        assert response.seq == before.seq + 1, "an answer not tied to its event"
        new_reviews = after.post_reviews[len(before.post_reviews) :]
        assert after.post_reviews[: len(before.post_reviews)] == before.post_reviews
        if name == "pull_up":
            passed = range(before.current, index)
            for i in passed:
                assert after.stages[i].skipped_ids == before.stages[i].pending_ids == before.stages[i].assignee_ids
            expected = [(a, i) for i in passed for a in before.stages[i].assignee_ids]
            assert [(p.staff_id, p.stage_index) for p in new_reviews] == expected
            assert all(
                (p.reason, p.acted_by, p.owed_since, p.caused_by_seq) == ("pull_up", actor, now, before.seq + 1)
                for p in new_reviews
            )
        elif name == "substitute":
            assert [(p.staff_id, p.reason, p.acted_by, p.caused_by_seq) for p in new_reviews] == [
                (assignee, "substitute", actor, before.seq + 1)
            ]
        else:
            assert new_reviews == ()
        return (index, actor)

    if name == "send_back":
        target = action.target_step or 0
        assert new == {k: v for k, v in old.items() if k[0] < target}, "send-back kept or lost the wrong answers"
        assert (after.status, after.sent_back_to) == ("sent_back", target)
        assert after.stages[:target] == before.stages[:target]
        return None
    if name == "recall":
        assert after.status in ("in_review", "draft")
        if after.status == "draft":  # the drafter's, before anyone acted
            assert new == old and after.sent_back_to == before.current
            return None
        assert model.last is not None
        stage_index, staff_id = model.last
        taken = next(r for r in before.stages[stage_index].responses if r.staff_id == staff_id)
        assert new == {k: v for k, v in old.items() if k != (stage_index, taken.assignee_id)}, "recall lost answers"
        # a recalled 引上げ承認 gives the approvers it passed over (and only those) their step back
        passed_over = [
            p
            for p in before.post_reviews
            if taken.capacity == "pull_up" and (p.reason, p.acted_by, p.owed_since) == ("pull_up", actor, taken.at)
        ]
        restored = {p.stage_index for p in passed_over}
        assert after.current == min(restored | {stage_index})
        assert all(after.stages[i].skipped_ids == () for i in restored)
        untouched = [i for i in range(len(before.stages)) if i not in restored]
        assert all(after.stages[i].skipped_ids == before.stages[i].skipped_ids for i in untouched)
        assert after.post_reviews == tuple(p for p in before.post_reviews if p not in passed_over)
        return None
    if name == "resubmit":
        assert before.sent_back_to is not None and after.current is not None
        facts = action.facts or before.facts
        if (facts.version, facts.content_hash) == (before.facts.version, before.facts.content_hash):
            assert new == old, "a resubmission without edit lost answers"
            assert after.current == before.sent_back_to
        else:
            assert new == {}, "an answer to an older version survived the edit"
            if old:
                event("an edit voided earlier answers")
            assert after.current <= before.sent_back_to
        assert after.facts == facts
        return None
    if name == "post_review":
        assert after.model_copy(update={"post_reviews": before.post_reviews, "seq": before.seq}) == before.model_copy(
            update={"updated_at": now}
        )
        for b, a in zip(before.post_reviews, after.post_reviews, strict=True):
            owed = b.staff_id == actor and b.acknowledged_at is None
            assert a == (b.model_copy(update={"acknowledged_at": now}) if owed else b)
        return model.last
    if name == "comment":
        assert after == before.model_copy(update={"seq": before.seq + 1, "updated_at": now})
        return model.last
    assert name in ("withdraw", "reject")
    assert new == old
    assert after.status == {"withdraw": "withdrawn", "reject": "rejected"}[name]
    return None


def assert_only_followups(state: ChainState) -> None:
    """A terminal state refuses everything but 後閲 by who owes it and comments by participants."""
    decider = next((s.assignee_ids[0] for s in state.stages if s.kind == "decide"), DRAFTER)
    people = everyone(state)
    for name in ACTIONS:
        for actor_id in people:
            action = ActionInput(
                action=name,
                actor_id=actor_id,
                comment="理由",
                facts=with_version(state.facts, state.facts.version + 1),
                target_step=0,
                on_behalf_of=decider if name in ("reject", "substitute") else None,
                context=ActionContext(absent_ids=tuple(people), substitutes=tuple(people)),
            )
            try:
                chain.check(state, action)
            except ChainError:
                continue
            assert name in ("post_review", "comment"), f"{name} by {actor_id} accepted after {state.status}"


# --- the random runs -----------------------------------------------------------------------------------------


def promising(state: ChainState, model: Model) -> list[str]:
    """Operations that may well be allowed now, weighted, so that runs get deep."""
    stage = state.stages[state.current] if state.current is not None else None
    ops = ["comment"] + ["post_review"] * 3 * bool(state.open_post_reviews)
    if state.current is not None and state.current > 0:
        ops += ["send_back"]
    if state.status == "in_review" and stage is not None:
        ops += ["approve"] * 4 + ["send_back"] * 2 + ["recall"] * (3 if model.last else 1) + ["remind", "reroute"]
        if stage.kind == "consult":
            ops += ["consent"] * 3 + ["object"] * 4
        if stage.kind == "decide":
            ops += ["substitute"] * 3 + ["reject"] * 2
        if any(later_stage(state, p) is not None for p in route_people(state)):
            ops += ["pull_up"] * 4
    elif state.status == "circulating":
        ops += ["acknowledge"] * 4 + ["escalate", "reroute"]
    elif state.status in ("sent_back", "draft"):
        ops += ["resubmit"] * 4 + ["withdraw"]
    return ops


def draw_action(data: st.DataObject, state: ChainState, model: Model, name: ActionName, smart: bool) -> ActionInput:
    """An action by a likely actor in a favourable context (``smart``), or by anyone in any context."""
    people = everyone(state)
    stage = state.stages[state.current] if state.current is not None else None
    decider = stage.assignee_ids[0] if stage is not None and stage.kind == "decide" else None
    preferred: list[str] = {
        "recall": [model.last[1]] if model.last else [DRAFTER],
        "withdraw": [DRAFTER],
        "resubmit": [DRAFTER],
        "pull_up": [p for p in route_people(state) if state.current is not None and later_stage(state, p) is not None],
        "substitute": list(DEPUTIES),
        "reject": [*DEPUTIES, *([decider] if decider else [])],
        "post_review": [p.staff_id for p in state.open_post_reviews],
        "comment": people,
    }.get(name, list(state.pending_ids))
    actor = data.draw(st.sampled_from(preferred if smart and preferred else people), label="actor")
    others = tuple(p for p in route_people(state) if p != actor)
    any_people = st.lists(st.sampled_from(people), unique=True).map(tuple)

    if smart:  # few draws: long runs must fit in Hypothesis' buffer
        on_behalf_of = decider if name == "substitute" or (name == "reject" and actor in DEPUTIES) else None
        absent = (on_behalf_of,) if on_behalf_of else others if name == "pull_up" else ()
        substitutes: tuple[str, ...] = (actor,)
        if name in ("substitute", "reject") and data.draw(st.booleans(), label="in line after another"):
            substitutes = (next(d for d in DEPUTIES if d != actor), actor)  # 代決順位: the first present one acts
            if data.draw(st.booleans(), label="first in line absent"):
                absent = (*absent, substitutes[0])
        comment = "理由あり"
        target = None
        if name == "send_back":  # mostly back into the current stage: the earlier answers stand
            current = state.current or 0
            target = data.draw(st.sampled_from([current, current, None, *range(current + 1)]), label="target_step")
        deltas = [0, 1]
    else:
        on_behalf_of = data.draw(st.none() | st.sampled_from([*people, *([decider] * 3 if decider else [])]))
        absent = data.draw(st.sampled_from([(), others]) | any_people, label="absent")
        if on_behalf_of and data.draw(st.booleans()):
            absent = (*absent, on_behalf_of)
        substitutes = data.draw(st.sampled_from([(actor,), ()]) | any_people, label="substitutes")
        comment = data.draw(st.sampled_from(["理由あり", "", "  "]), label="comment")
        target = data.draw(st.none() | st.integers(min_value=-1, max_value=len(state.stages)), label="target_step")
        deltas = [0, 1, -1]
    facts = None
    if name == "resubmit" or not smart:
        delta = data.draw(st.sampled_from([None, *deltas, "hash"]), label="version delta")
        if delta == "hash":  # an edit that keeps the version number
            facts = state.facts.model_copy(update={"content_hash": f"{state.facts.content_hash}+"})
        elif delta is not None:
            facts = with_version(state.facts, state.facts.version + delta)
    return ActionInput(
        action=name,
        actor_id=actor,
        comment=comment,
        facts=facts,
        target_step=target,
        on_behalf_of=on_behalf_of,
        context=ActionContext(absent_ids=absent, substitutes=substitutes, actor_post=POSTS[state.seq % 3]),
    )


def draw_tail(data: st.DataObject, state: ChainState) -> Route:
    """Mostly a tail that keeps the route's shape after the current stage; sometimes any stages at all."""
    assert state.current is not None
    if not often(data):
        kinds = data.draw(st.lists(st.sampled_from(get_args(StageKind)), max_size=3), label="any tail")
        return Route(stages=tuple(data.draw(stages_of(k)) for k in kinds))
    kept = [s.kind for s in state.stages[: state.current + 1]]
    if "decide" not in kept and kept[-1] != "circulate":
        return Route(stages=data.draw(route_parts(decision=True), label="tail"))
    extra = data.draw(st.integers(min_value=0, max_value=2), label="circulations")
    return Route(stages=tuple(data.draw(stages_of("circulate")) for _ in range(extra)))


ROUTE_SHAPE = re.compile(r"[rce]*d[k]*|k+")  # review/consult/examine*, decide, circulate*; or circulate+ alone


def well_shaped(kinds: list[StageKind]) -> bool:
    letters = {"review": "r", "consult": "c", "examine": "e", "decide": "d", "circulate": "k"}
    return ROUTE_SHAPE.fullmatch("".join(letters[k] for k in kinds)) is not None


def probe(state: ChainState, model: Model, step: int) -> None:
    """``check`` agrees with the rules for every action by everyone who might try it, in a favourable context."""
    stage = state.stages[state.current] if state.current is not None else None
    decider = stage.assignee_ids[0] if stage is not None and stage.kind == "decide" else None
    people = everyone(state)
    actors = {DRAFTER, OUTSIDER, DEPUTIES[0], people[step % len(people)], *state.pending_ids}
    actors |= {p.staff_id for p in state.open_post_reviews} | ({model.last[1]} if model.last else set())
    if stage is not None:
        actors |= {r.staff_id for r in stage.responses}
        actors |= {p for p in route_people(state) if later_stage(state, p) is not None}
    for name in ACTIONS:
        for actor in sorted(actors):
            others = tuple(p for p in people if p != actor)
            contexts = [ActionContext(absent_ids=others, substitutes=(actor,))]
            if name in ("reject", "substitute") and decider is not None:  # 代決順位: another deputy comes first
                first = next(d for d in DEPUTIES if d != actor)
                contexts.append(ActionContext(absent_ids=(decider,), substitutes=(first, actor)))
            substituting = name in ("reject", "substitute") and decider is not None
            for on_behalf_of, context in [(None, contexts[0]), *((decider, c) for c in contexts if substituting)]:
                action = ActionInput(
                    action=name, actor_id=actor, comment="理由あり", on_behalf_of=on_behalf_of, context=context
                )
                try:
                    chain.check(state, action)
                    accepted = True
                except ChainError as err:
                    assert err.kind in ("forbidden", "conflict", "invalid") and err.reason.strip()
                    accepted = False
                legal = allowed(state, model, action)
                if accepted != legal:
                    raise AssertionError(f"check {'accepts' if accepted else 'refuses'} {action}")


def apply_op(
    data: st.DataObject, state: ChainState, model: Model, now: datetime
) -> tuple[ChainState, list[ChainEvent]]:
    """One random step, checked against the model; returns the new state and its events."""
    smart = often(data)
    name = data.draw(st.sampled_from(promising(state, model) if smart else OPS), label="op")
    if name in ("remind", "escalate"):
        index = data.draw(st.integers(min_value=0, max_value=len(state.stages) - 1))
        after, events = chain.note_deadline(state, name, index, now)
        assert after.stages[index] == state.stages[index].model_copy(
            update={"reminded_at" if name == "remind" else "escalated_at": now}
        )
        assert after.model_copy(update={"stages": state.stages}) == state.model_copy(
            update={"seq": state.seq + 1, "updated_at": now}
        )
        return after, events
    if name == "reroute":
        if state.current is None:
            try:
                chain.reroute(state, Route(stages=()), now, reason="x")
            except ChainError as err:
                assert err.kind == "conflict"
                return state, []
            raise AssertionError("rerouted a document that is not in routing")
        tail = draw_tail(data, state)
        shaped = well_shaped([s.kind for s in state.stages[: state.current + 1]] + [s.kind for s in tail.stages])
        try:
            after, events = chain.reroute(state, tail, now, reason="合議不調")
        except ChainError as err:
            assert not shaped, f"refused a well-shaped reroute: {err.reason}"
            assert err.kind == "invalid" and err.reason.strip()
            return state, []
        assert shaped, f"rerouted into a malformed route: {[s.kind for s in after.stages]}"
        event("accepted reroute")
        assert after.stages[: state.current + 1] == state.stages[: state.current + 1]
        assert [(s.kind, s.assignee_ids) for s in after.stages[state.current + 1 :]] == [
            (s.kind, tuple(a.id for a in s.assignees)) for s in tail.stages
        ]
        assert (after.status, after.current, after.last_response) == (state.status, state.current, state.last_response)
        return after, events

    action = draw_action(data, state, model, name, smart)
    legal = allowed(state, model, action)
    try:
        chain.check(state, action)
        refusal = None
    except ChainError as err:
        refusal = err
    try:
        after, events = chain.apply(state, action, now)
    except ChainError as err:
        assert refusal is not None, "check allowed what apply refused"
        assert (err.kind, err.reason) == (refusal.kind, refusal.reason)
        assert err.kind in ("forbidden", "conflict", "invalid") and err.reason.strip()
        assert not legal, f"refused a legal {action}: {err.kind} {err.reason}"
        return state, []
    assert refusal is None, "apply allowed what check refused"
    assert legal, f"accepted an illegal {action}"

    was_terminal = chain.is_terminal(state)
    assert (not was_terminal) or name in ("post_review", "comment"), f"{name} accepted after {state.status}"
    if chain.is_terminal(after) and not was_terminal:
        entered_by = {
            "withdrawn": {"withdraw"},
            "rejected": {"reject"},
            "approved": {"approve", "pull_up", "substitute"},
            "completed": {"acknowledge"},
        }
        assert name in entered_by[after.status], f"{after.status} entered by {name}"
    if was_terminal:
        assert after.status == state.status

    model.last = assert_effect(state, after, model, action, now)
    if name in RESPONDING:
        assert model.last is not None
        index, _ = model.last
        assignee = action.on_behalf_of if name == "substitute" else action.actor_id
        assert assignee is not None
        model.since_submit.add((index, assignee, now))
    if name == "resubmit":
        model.since_submit = set()
    if after.status == "in_review":  # the chain's own record of who may recall agrees with the model's
        recallable = after.last_response
        assert ((recallable.stage_index, recallable.staff_id) if recallable else None) == model.last
    assert [(e.action, e.actor_id, e.at, e.input) for e in events] == [(name, action.actor_id, now, action)]
    event(f"accepted {name}")
    return after, events


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(route=routes, facts=initial_facts, data=st.data())
def test_random_runs_keep_the_chain_rules(route: Route, facts: DocumentFacts, data: st.DataObject) -> None:
    state, history = chain.submit(
        document_id="doc-1", drafter_id=DRAFTER, actor_id=DRAFTER, facts=facts, route=route, now=NOW
    )
    model = Model()
    assert_invariants(state)

    for step in range(1, data.draw(st.integers(min_value=10, max_value=50), label="steps") + 1):
        now = NOW + timedelta(minutes=step)
        before = state.model_dump()
        state_before = state
        state, events = apply_op(data, state, model, now)
        assert state_before.model_dump() == before, "the chain mutated its input"
        assert [e.seq for e in events] == list(range(state_before.seq + 1, state.seq + 1))
        if events:
            assert state.updated_at == now
        history += events
        assert_invariants(state)
        probe(state, model, step)
        if chain.is_finished(state) and data.draw(st.booleans(), label="stop when finished"):
            break

    event(f"final status: {state.status}")
    event(f"events: {min(len(history) // 10 * 10, 30)}+")
    assert [e.seq for e in history] == list(range(1, state.seq + 1))
    assert chain.rebuild(history) == state
    assert chain.rebuild([ChainEvent.model_validate_json(e.model_dump_json()) for e in history]) == state
    if chain.is_terminal(state):
        assert_only_followups(state)
        assert chain.is_finished(state) == (not state.open_post_reviews)


@settings(max_examples=100, deadline=None)
@given(route=routes, data=st.data())
def test_answering_in_any_order_reaches_the_end_with_exact_quorums(route: Route, data: st.DataObject) -> None:
    """Only the pending members' answers, in any order, lead to the end; each stage takes exactly its quorum."""
    state, _ = chain.submit(
        document_id="doc-1", drafter_id=DRAFTER, actor_id=DRAFTER, facts=FACTS, route=route, now=NOW
    )
    count = 0
    while not chain.is_terminal(state):
        actor_id = data.draw(st.sampled_from(state.pending_ids))
        verb: Any = data.draw(st.sampled_from(["approve", "consent"]))
        kind = state.stages[state.current or 0].kind
        if kind != "consult":
            verb = "acknowledge" if kind == "circulate" else "approve"
        state, _ = chain.apply(state, ActionInput(action=verb, actor_id=actor_id), NOW + timedelta(minutes=count))
        count += 1
        assert_invariants(state)

    assert state.status == ("completed" if route.stages[-1].kind == "circulate" else "approved")
    assert count == sum(s.required for s in state.stages)
    assert all(len(s.responses) == s.required for s in state.stages)
    closed = {(v.stage_index, v.assignee_id) for v in state.step_views() if v.state == "closed"}
    assert closed == {(i, a) for i, s in enumerate(state.stages) for a in s.assignee_ids if s.response_of(a) is None}
    assert chain.is_finished(state)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_recalling_a_pull_up_gives_back_only_the_steps_it_passed_over(data: st.DataObject) -> None:
    """引上げ承認 twice by the same approver, with a send-back in between: its recall undoes only the second."""
    n = data.draw(st.integers(min_value=2, max_value=4), label="reviewers")
    reviewers = [f"r{i}" for i in range(n)]
    kinds: list[tuple[StageKind, str]] = [*(("review", r) for r in reviewers), ("review", "x"), ("decide", "boss")]
    route = Route(stages=tuple(Stage(kind=kind, assignees=(staff(who),)) for kind, who in kinds))
    state, _ = chain.submit(
        document_id="doc-1", drafter_id=DRAFTER, actor_id=DRAFTER, facts=FACTS, route=route, now=NOW
    )
    clock = iter(NOW + timedelta(minutes=m) for m in range(1, 100))

    def act(action: ActionName, actor: str, **kwargs: Any) -> None:
        nonlocal state
        state, _ = chain.apply(state, ActionInput(action=action, actor_id=actor, **kwargs), next(clock))

    act("pull_up", "x", context=ActionContext(absent_ids=tuple(reviewers)))
    target = data.draw(st.integers(min_value=1, max_value=n - 1), label="send back to")
    act("send_back", "boss", comment="理由", target_step=target)
    act("resubmit", DRAFTER)
    present = data.draw(st.integers(min_value=0, max_value=n - 1 - target), label="present reviewers")
    for reviewer in reviewers[target : target + present]:
        act("approve", reviewer)
    first_passed = target + present
    if first_passed < n:
        act("pull_up", "x", context=ActionContext(absent_ids=tuple(reviewers[first_passed:])))
    else:
        act("approve", "x")
    before = state
    act("recall", "x")

    assert state.current == first_passed
    assert [s.skipped_ids for s in state.stages[:target]] == [(r,) for r in reviewers[:target]]
    assert all(s.skipped_ids == () for s in state.stages[target:])
    assert answers(state) == {k: v for k, v in answers(before).items() if k != (n, "x")}
    assert [(p.staff_id, p.acknowledged_at) for p in state.post_reviews] == [(r, None) for r in reviewers[:target]]
    assert_invariants(state)
