"""Route building is pure: the same snapshot gives the same route, and a missing fact is named, not fetched."""

from __future__ import annotations

from datetime import date

import pytest

from domain.routes import OrgSnapshot, RouteUnresolvable, build_route, lookups
from schemas.document import DocumentFacts
from schemas.org import OrgUnit, OrgUnitRef, PostRef, StaffRef
from tests.rules.builders import DEFAULT

ON = date(2026, 11, 26)
UNIT = OrgUnit(code="somu.somu", name="総務課", kind="division", parent_code="somu")


def staff(staff_id: str, post: str, unit: str = "somu.somu") -> StaffRef:
    return StaffRef(
        id=staff_id, name=staff_id, org_unit=OrgUnitRef(code=unit, name=unit), post=PostRef(code=post, name=post)
    )


DRAFTER = staff("drafter", "staff")
FACTS = DocumentFacts(version=1, content_hash="h", matter="spending", amount_yen=300_000, org_unit_code=UNIT.code)


def snapshot(**holders: tuple[StaffRef, ...]) -> OrgSnapshot:
    needed = lookups(DEFAULT, FACTS, DRAFTER, UNIT, escalate=False)
    return OrgSnapshot(
        on=ON, drafter=DRAFTER, unit=UNIT, holders={key: holders.get(key[0], ()) for key in needed.holders}
    )


def test_a_small_spending_goes_to_the_manager() -> None:
    needed = lookups(DEFAULT, FACTS, DRAFTER, UNIT, escalate=False)
    assert needed.holders == {("manager", "somu.somu")}
    route = build_route(DEFAULT, FACTS, snapshot(manager=(staff("boss", "manager"),)))
    assert [(s.kind, s.assignees[0].id) for s in route.stages] == [("decide", "boss")]
    assert route.rulebook_version == DEFAULT.id


def test_an_empty_post_is_named() -> None:
    with pytest.raises(RouteUnresolvable, match=r"nobody holds post manager in somu.somu"):
        build_route(DEFAULT, FACTS, snapshot())


def test_an_unknown_unit_is_named() -> None:
    org = OrgSnapshot(on=ON, drafter=DRAFTER, unit=UNIT)
    with pytest.raises(RouteUnresolvable, match=r"unknown org unit somu.somu"):
        build_route(DEFAULT, FACTS, org)
