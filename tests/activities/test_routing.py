"""Route resolution (pure, against an in-memory HR): the rulebook picks the decider at every threshold, flags move
it up, mandatory 合議 are placed by department with their citation, the version is pinned, and the as-of date
reaches every HR look-up."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from core.demo_city import generate_city
from domain.routes import RouteUnresolvable
from integrations.org_snapshot import resolve_route
from rules.sources import StaticRulebooks
from schemas.document import DocumentFacts, Route, RouteRequest
from schemas.org import Assignment, StaffMember
from tests.rules.builders import DEFAULT, authority_rows, version
from tests.rules.test_evaluate import SPENDING_BOUNDARIES
from tests.support.city_hr import CityHr

CITY = generate_city()
ON = date(2026, 11, 26)
NEW_RULES = date(2027, 4, 1)


def holder(unit: str, post: str) -> str:
    return next(a.staff_id for a in CITY.assignments if a.org_unit_code == unit and a.post_code == post)


DRAFTER = holder("somu.somu", "staff")  # 総務課 主事
MANAGER, DIRECTOR = holder("somu.somu", "manager"), holder("somu", "director")
VICE, MAYOR = holder("executive", "deputy_mayor"), holder("executive", "mayor")
FINANCE, CONTRACTS = holder("somu.zaisei", "manager"), holder("somu.keiyaku", "manager")
ZEIMU = holder("shimin.zeimu", "staff")  # 市民部 税務課: another department than 財政課's
ZEIMU_MANAGER, SHIMIN_DIRECTOR = holder("shimin.zeimu", "manager"), holder("shimin", "director")
DECIDERS = {"manager": MANAGER, "director": DIRECTOR, "deputy_mayor": VICE, "mayor": MAYOR}


def facts(amount_yen: int = 300_000, *, unit: str = "somu.somu", **extra: Any) -> DocumentFacts:
    base: dict[str, Any] = {"matter": "spending", "amount_yen": amount_yen, "org_unit_code": unit}
    return DocumentFacts(version=1, content_hash="h", **{**base, **extra})


async def resolve(
    fact: DocumentFacts, *, drafter: str = DRAFTER, on: date = ON, hr: CityHr | None = None, **extra: Any
) -> Route:
    books = StaticRulebooks([DEFAULT, *extra.pop("books", [])])
    request = RouteRequest(document_id="d", drafter_id=drafter, facts=fact, as_of=on, **extra)
    return await resolve_route(hr or CityHr(CITY), books, request, on=on)


def shape(route: Route) -> list[tuple[str, str]]:
    return [(s.kind, s.assignees[0].id) for s in route.stages]


@pytest.mark.parametrize(("expense_class", "amount", "level"), SPENDING_BOUNDARIES)
async def test_the_decider_at_every_threshold(expense_class: str, amount: int, level: str) -> None:
    route = await resolve(facts(amount, expense_class=expense_class))
    decide = route.stages[-1]
    assert (decide.kind, decide.assignees[0].id) == ("decide", DECIDERS[level])
    assert decide.rule.startswith("別表第1 第1項") and decide.substitute_allowed
    assert route.rulebook_version == DEFAULT.id
    reviewers = [s.assignees[0].id for s in route.stages if s.kind == "review"]
    line = list(DECIDERS.values())
    assert reviewers == line[: line.index(DECIDERS[level])]  # up the direct line, one step at a time
    assert all(s.rule for s in route.stages), "every stage cites a rule"


async def test_unclassed_spending_uses_the_other_bands() -> None:
    assert shape(await resolve(facts(999_999)))[-1] == ("decide", MANAGER)
    assert shape(await resolve(facts(1_000_000)))[-1] == ("decide", DIRECTOR)


@pytest.mark.parametrize("flag", ["important", "unusual", "precedent", "doubtful"])
async def test_flags_move_the_decider_one_level_up(flag: str) -> None:
    route = await resolve(facts(300_000, flags=(flag,)))
    assert shape(route) == [("review", MANAGER), ("decide", DIRECTOR)]
    assert "第5条" in route.stages[-1].rule


async def test_mandatory_finance_consult_in_the_same_department_follows_the_manager() -> None:
    route = await resolve(facts(5_000_000))  # 副市長専決, 財政課 is in 総務部 like the drafter
    assert shape(route) == [("review", MANAGER), ("consult", FINANCE), ("review", DIRECTOR), ("decide", VICE)]
    consult = route.stages[1]
    assert consult.rule == "第6条第1項第1号" and "財政課" in consult.reason


async def test_another_department_consults_after_the_director_unless_the_director_decides() -> None:
    vice = await resolve(facts(5_000_000, unit="shimin.zeimu"), drafter=ZEIMU)
    assert shape(vice) == [
        ("review", ZEIMU_MANAGER),
        ("review", SHIMIN_DIRECTOR),
        ("consult", FINANCE),
        ("decide", VICE),
    ]
    director = await resolve(facts(1_000_000, unit="shimin.zeimu"), drafter=ZEIMU)
    assert shape(director) == [("review", ZEIMU_MANAGER), ("consult", FINANCE), ("decide", SHIMIN_DIRECTOR)]


async def test_drafter_named_consults_are_placed_by_department() -> None:
    kikaku, jinji = holder("seisaku.kikaku", "manager"), holder("somu.jinji", "manager")
    route = await resolve(facts(5_000_000, consult_units=("seisaku.kikaku", "somu.jinji")))
    assert [(s.kind, [a.id for a in s.assignees]) for s in route.stages] == [
        ("review", [MANAGER]),
        ("consult", [FINANCE]),
        ("consult", [jinji]),
        ("review", [DIRECTOR]),
        ("consult", [kikaku]),
        ("decide", [VICE]),
    ]
    quorum = await resolve(facts(300_000, consult_units=("seisaku.kikaku", "somu.jinji"), consult_quorum=1))
    assert [(s.kind, len(s.assignees)) for s in quorum.stages] == [("consult", 2), ("decide", 1)]


async def test_contracts_consult_the_contracts_division() -> None:
    route = await resolve(facts(300_000, matter="contract", expense_class="other"))
    assert shape(route) == [("consult", CONTRACTS), ("decide", MANAGER)]
    assert route.stages[0].rule == "第6条第1項第2号"


async def test_a_non_delegable_matter_bars_substitutes_on_its_decision() -> None:
    route = await resolve(facts(150_000_000, matter="contract", expense_class="construction"))
    decide = route.stages[-1]
    assert decide.assignees[0].id == MAYOR and not decide.substitute_allowed and "第7条第1号" in decide.rule


async def test_general_affairs_requests() -> None:
    leave = await resolve(facts(0, matter="leave", days=2))
    assert shape(leave) == [("decide", MANAGER)]
    long_trip = await resolve(facts(0, matter="trip", days=3))
    assert shape(long_trip) == [("review", MANAGER), ("decide", DIRECTOR)]
    overtime = await resolve(facts(0, matter="overtime", hours=2, monthly_overtime_hours=22))
    assert shape(overtime)[-1] == ("decide", DIRECTOR)
    with pytest.raises(RouteUnresolvable, match="monthly_overtime_hours"):
        await resolve(facts(0, matter="overtime", hours=2))


async def test_the_version_in_force_or_the_pinned_one() -> None:
    rows = authority_rows()
    rows[4] = {**rows[4], "below": 500_000}  # from 2027-04-01 the 課長 decides その他 only below 50万
    rows[5] = {**rows[5], "at_least": 500_000}
    stricter = version(NEW_RULES, authority=rows)
    before = await resolve(facts(600_000), on=date(2027, 3, 31), books=[stricter])
    after = await resolve(facts(600_000), on=NEW_RULES, books=[stricter])
    assert (before.rulebook_version, shape(before)[-1]) == (DEFAULT.id, ("decide", MANAGER))
    assert (after.rulebook_version, shape(after)[-1]) == (stricter.id, ("decide", DIRECTOR))
    pinned = await resolve(facts(600_000, rulebook_version=DEFAULT.id), on=NEW_RULES, books=[stricter])
    assert (pinned.rulebook_version, shape(pinned)[-1]) == (DEFAULT.id, ("decide", MANAGER))
    with pytest.raises(RouteUnresolvable, match="no rulebook"):
        await resolve(facts(600_000), on=date(2020, 1, 1))


async def test_the_as_of_date_reaches_every_hr_look_up() -> None:
    """A new 総務課長 from 2027-04-01: the preview as of that day shows them; every look-up was as of it."""
    moved = tuple(
        a.model_copy(update={"effective_to": NEW_RULES}) if a.staff_id == MANAGER else a for a in CITY.assignments
    )
    arrival = Assignment(
        staff_id="new-manager", org_unit_code="somu.somu", post_code="manager", effective_from=NEW_RULES
    )
    city = CITY.model_copy(
        update={
            "staff": (*CITY.staff, StaffMember(id="new-manager", name="新 課長")),
            "assignments": (*moved, arrival),
        }
    )
    hr = CityHr(city)
    today = await resolve(facts(1_500_000, readers=(holder("somu.somu", "chief"),)), hr=hr)
    assert shape(today)[0] == ("review", MANAGER)
    hr.asked.clear()
    later = await resolve(facts(1_500_000, readers=(holder("somu.somu", "chief"),)), hr=hr, on=NEW_RULES)
    assert shape(later)[0] == ("review", "new-manager")
    assert hr.asked and set(hr.asked) == {NEW_RULES}


async def test_escalation_keeps_the_version_and_goes_up() -> None:
    route = await resolve(facts(300_000, rulebook_version=DEFAULT.id), escalate=True)
    assert shape(route) == [("review", MANAGER), ("decide", DIRECTOR)]
    assert "合議不調" in route.stages[-1].reason


class CountingHr(CityHr):
    """CityHr that counts each distinct question (method, arguments)."""

    def __init__(self, city: Any) -> None:
        super().__init__(city)
        self.questions: list[tuple[object, ...]] = []

    async def get_staff(self, staff_id: str, *, as_of: date | None = None) -> Any:
        self.questions.append(("staff", staff_id, as_of))
        return await super().get_staff(staff_id, as_of=as_of)

    async def get_org_unit(self, code: str, *, as_of: date | None = None) -> Any:
        self.questions.append(("unit", code, as_of))
        return await super().get_org_unit(code, as_of=as_of)

    async def holders(self, org_unit: str, post: str, *, as_of: date | None = None) -> Any:
        self.questions.append(("holders", org_unit, post, as_of))
        return await super().holders(org_unit, post, as_of=as_of)


async def test_one_resolve_asks_hr_each_question_once() -> None:
    """A named 合議 with the mandatory one's unit, a reader twice: every fact is gathered once."""
    hr = CountingHr(CITY)
    reader = holder("somu.somu", "chief")
    route = await resolve(
        facts(5_000_000, consult_units=("somu.zaisei", "shimin.zeimu"), readers=(reader, reader)), hr=hr
    )
    assert [s.kind for s in route.stages].count("consult") >= 2
    assert len(hr.questions) == len(set(hr.questions))
