"""General matters (一般事項) route to the decider their 決裁区分 row names; 文書審査 (法規審査) rows put an examine
stage before the decision, which approves (審査済) or sends back like a 回議."""

from __future__ import annotations

from datetime import date

import pytest

from domain import chain
from domain.chain import ChainError
from domain.routes import OrgSnapshot, RouteUnresolvable, build_route, lookups
from domain.rulebook.evaluate import category_problem
from schemas.document import DocumentFacts
from schemas.org import OrgUnit, OrgUnitRef, PostRef, StaffRef
from schemas.rules import LEVEL_NAMES, categories_of
from tests.domain.test_chain import DECIDER, R1, Run, decide, make_input, review, stage
from tests.rules.builders import DEFAULT

ON = date(2026, 12, 2)
UNIT = OrgUnit(code="shimin.shimin", name="市民課", kind="division", parent_code="shimin")
UNITS = {"manager": "shimin.shimin", "director": "shimin", "deputy_mayor": "executive", "mayor": "executive"}


def staff(staff_id: str, post: str, unit: str) -> StaffRef:
    return StaffRef(
        id=staff_id, name=staff_id, org_unit=OrgUnitRef(code=unit, name=unit), post=PostRef(code=post, name=post)
    )


DRAFTER = staff("drafter", "staff", UNIT.code)


def facts(category: str) -> DocumentFacts:
    return DocumentFacts(
        version=1, content_hash="h", matter="general", amount_yen=0, org_unit_code=UNIT.code, category=category
    )


def snapshot(document: DocumentFacts) -> OrgSnapshot:
    """Every post the route asks for is held by ``{post}@{unit}``."""
    needed = lookups(DEFAULT, document, DRAFTER, UNIT, escalate=False)
    holders = {(post, code): (staff(f"{post}@{code}", post, code),) for post, code in needed.holders}
    return OrgSnapshot(on=ON, drafter=DRAFTER, unit=UNIT, holders=holders)


@pytest.mark.parametrize("category", sorted(categories_of(DEFAULT)))
def test_each_category_routes_to_the_decider_its_row_names(category: str) -> None:
    row = next(r for r in DEFAULT.authority if r.category == category)
    route = build_route(DEFAULT, facts(category), snapshot(facts(category)))
    decision = route.stages[-1]
    assert decision.kind == "decide"
    assert decision.assignees[0].id == f"{row.level}@{UNITS[row.level]}"
    assert decision.rule == row.citation and LEVEL_NAMES[row.level] in decision.reason
    examined = [e for e in DEFAULT.examinations if e.category == category]
    assert [s.assignees[0].id for s in route.stages if s.kind == "examine"] == [
        f"{e.post}@{e.org_unit}" for e in examined
    ]


def test_an_ordinance_draft_is_examined_by_the_general_affairs_division_just_before_the_mayor() -> None:
    route = build_route(DEFAULT, facts("ordinance_draft"), snapshot(facts("ordinance_draft")))
    kinds = [s.kind for s in route.stages]
    assert kinds[-2:] == ["examine", "decide"] and kinds.count("examine") == 1
    examine = route.stages[-2]
    row = next(e for e in DEFAULT.examinations if e.category == "ordinance_draft")
    assert examine.assignees[0].id == "manager@somu.somu"
    assert examine.rule == row.citation and examine.reason.startswith("文書審査")
    assert route.stages[-1].assignees[0].id == "mayor@executive"


def test_an_ordinance_drafted_in_the_examining_division_asks_its_manager_once() -> None:
    """総務課 drafts the ordinance: its 課長 reviews (回議) and examines (文書審査) in one step, not twice."""
    somu = OrgUnit(code="somu.somu", name="総務課", kind="division", parent_code="somu")
    drafter = staff("drafter", "staff", somu.code)
    document = facts("ordinance_draft").model_copy(update={"org_unit_code": somu.code})
    needed = lookups(DEFAULT, document, drafter, somu, escalate=False)
    holders = {(post, code): (staff(f"{post}@{code}", post, code),) for post, code in needed.holders}
    route = build_route(DEFAULT, document, OrgSnapshot(on=ON, drafter=drafter, unit=somu, holders=holders))
    ids = [s.assignees[0].id for s in route.stages]
    assert ids.count("manager@somu.somu") == 1, route.stages
    merged = next(s for s in route.stages if s.assignees[0].id == "manager@somu.somu")
    row = next(e for e in DEFAULT.examinations if e.category == "ordinance_draft")
    assert merged.kind == "examine" and merged.reason.startswith("文書審査 (回議を兼ねる)")
    assert row.citation in merged.rule
    assert route.stages[-1].assignees[0].id == "mayor@executive"


def test_a_routine_reply_has_no_examination() -> None:
    route = build_route(DEFAULT, facts("inquiry_reply_routine"), snapshot(facts("inquiry_reply_routine")))
    assert [s.kind for s in route.stages] == ["decide"]


def test_an_unknown_category_names_the_known_ones() -> None:
    with pytest.raises(RouteUnresolvable, match="inquiry_reply_routine"):
        lookups(DEFAULT, facts("no_such_row"), DRAFTER, UNIT, escalate=False)
    problem = category_problem(DEFAULT, matter="general", category="no_such_row")
    assert problem is not None and all(key in problem for key in categories_of(DEFAULT))
    assert category_problem(DEFAULT, matter="general", category=None) is not None
    assert category_problem(DEFAULT, matter="general", category="report") is None
    assert category_problem(DEFAULT, matter="spending", category="report") is not None
    assert category_problem(DEFAULT, matter="spending", category=None) is None


def test_an_examine_stage_approves_then_the_decider_decides() -> None:
    run = Run(review(R1), stage("examine", "examiner"), decide())
    run.do("approve", R1)
    assert run.state.pending_ids == ("examiner",)
    run.do("approve", "examiner")
    assert run.state.pending_ids == (DECIDER,)
    run.do("approve", DECIDER)
    assert run.state.status == "approved"
    assert [r.kind for s in run.state.stages for r in s.responses] == ["approve", "approve", "approve"]


def test_an_examine_stage_sends_back_and_is_not_a_consult() -> None:
    run = Run(stage("examine", "examiner"), decide())
    with pytest.raises(ChainError, match="use approve"):
        chain.check(run.state, make_input("consent", "examiner"))
    run.do("send_back", "examiner", comment="条文の引用が誤っています")
    assert run.state.status == "sent_back"


def test_an_examine_stage_has_one_examiner_and_comes_before_the_decision() -> None:
    with pytest.raises(ChainError, match="exactly one approver"):
        Run(stage("examine", "e1", "e2"), decide())
    with pytest.raises(ChainError, match="only circulation"):
        Run(decide(), stage("examine", "examiner"))
