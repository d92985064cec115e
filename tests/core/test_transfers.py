"""core.transfers: validation names the offending row; the plan sends each step to the post's new holder."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from core.errors import Invalid
from core.transfers import HeldStep, check_plan, holders_after, plan_moves
from schemas.transfers import TransferPlan

TODAY = date(2027, 3, 20)
ON = date(2027, 4, 1)
HELD = {("a", "u1", "manager"), ("b", "u2", "chief"), ("c", "u3", "manager")}


def make_plan(**overrides: Any) -> TransferPlan:
    values: dict[str, Any] = {
        "effective_on": ON,
        "end": [
            {"staff_id": "a", "org_unit": "u1", "post": "manager"},
            {"staff_id": "b", "org_unit": "u2", "post": "chief"},
            {"staff_id": "c", "org_unit": "u3", "post": "manager"},
        ],
        "start": [{"staff_id": "b", "org_unit": "u1", "post": "manager"}],
        "abolished_posts": [{"org_unit": "u3", "post": "manager"}],
    }
    values.update(overrides)
    return TransferPlan.model_validate(values)


def check(plan: TransferPlan) -> None:
    check_plan(
        plan, today=TODAY, staff={"a", "b", "c"}, org_units={"u1", "u2", "u3"}, posts={"manager", "chief"}, held=HELD
    )


def test_a_valid_plan_passes() -> None:
    check(make_plan())


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"effective_on": date(2027, 3, 19)}, "past"),
        ({"start": [{"staff_id": "zz", "org_unit": "u1", "post": "manager"}]}, "start[0]: unknown staff 'zz'"),
        ({"end": [{"staff_id": "a", "org_unit": "u2", "post": "chief"}]}, "end[0]: a does not hold chief in u2"),
        ({"start": [{"staff_id": "b", "org_unit": "u9", "post": "chief"}]}, "start[0]: unknown org unit 'u9'"),
        ({"start": [{"staff_id": "a", "org_unit": "u3", "post": "manager"}]}, "start[0]: manager in u3 is abolished"),
        ({"abolished_org_units": ["u7"]}, "abolished_org_units[0]"),
        ({"new_org_units": [{"code": "u1", "name": "x", "kind": "division"}]}, "new_org_units[0]"),
    ],
)
def test_bad_rows_are_named(overrides: dict[str, Any], named: str) -> None:
    with pytest.raises(Invalid, match=named.replace("[", r"\[").replace("]", r"\]")):
        check(make_plan(**overrides))


def test_nobody_may_be_left_in_an_abolished_post() -> None:
    plan = make_plan(end=[{"staff_id": "a", "org_unit": "u1", "post": "manager"}], start=[])
    with pytest.raises(Invalid, match="manager in u3 is abolished but c still holds it"):
        check_plan(
            plan,
            today=TODAY,
            staff={"a", "b", "c"},
            org_units={"u1", "u2", "u3"},
            posts={"manager", "chief"},
            held=HELD,
            occupied={("c", "u3", "manager")},
        )


def test_the_plan_follows_the_post() -> None:
    steps = [HeldStep("d1", 0, "review", "a"), HeldStep("d2", 1, "consult", "c"), HeldStep("d3", 0, "decide", "x")]
    moves = plan_moves(make_plan(), steps, {("u1", "manager"): ["a"], ("u3", "manager"): ["c"]})
    assert [(m.document_id, m.outcome, m.new_assignee_id) for m in moves] == [
        ("d1", "reassign", "b"),
        ("d2", "needs_decision", None),
    ]
    assert moves[1].reason == "post abolished -> needs a decision"


def test_a_vacated_post_needs_a_decision() -> None:
    plan = make_plan(start=[], abolished_posts=[])
    [move] = plan_moves(plan, [HeldStep("d1", 0, "review", "a")], {("u1", "manager"): ["a"]})
    assert (move.outcome, move.reason) == ("needs_decision", "post vacant -> needs a decision")


def test_holders_after_is_the_same_read_before_or_after_writing() -> None:
    plan = make_plan()
    assert holders_after(plan, {("u1", "manager"): ["a"]}) == holders_after(plan, {("u1", "manager"): ["b"]})
