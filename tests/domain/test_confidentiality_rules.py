"""The pure confidentiality rules beside ``sees``: the records office as a role, what lists may carry, who may copy a
機密性2+ document (引用起案), the level of a document that lists others, and who may make someone else absent."""

from __future__ import annotations

import pytest

from domain.absences import may_register_for
from domain.visibility import Audience, Viewer, content_listed, highest_level, may_copy, viewer_of
from schemas.org import OrgUnitRef, PostRef, StaffRef

DOC = Audience(drafter_id="d", org_unit_code="fukushi.kodomo", route=frozenset({"consult"}))


def test_the_records_office_is_the_role_not_the_unit() -> None:
    somu = frozenset({"somu.somu"})
    assert not viewer_of("s", is_admin=False, units=somu, roles=frozenset()).sees_all
    assert viewer_of("s", is_admin=False, units=frozenset(), roles=frozenset({"records_office"})).sees_all
    assert not viewer_of("s", is_admin=False, units=somu, roles=frozenset({"hr_admin"})).sees_all


def test_lists_carry_content_of_level_1_only() -> None:
    assert [content_listed(level) for level in (1, 2, 3)] == [True, False, False]


@pytest.mark.parametrize(
    ("viewer", "level", "allowed"),
    [
        (Viewer(staff_id="consult"), 1, True),  # on the route, another division: a 機密性1 copy is fine
        (Viewer(staff_id="consult"), 2, False),
        (Viewer(staff_id="consult"), 3, False),
        (Viewer(staff_id="d"), 3, False),  # the drafter, since moved to another division
        (Viewer(staff_id="c", units=frozenset({"fukushi.kodomo"})), 3, True),
        (Viewer(staff_id="r", records_office=True), 3, True),
        (Viewer(staff_id="a", is_admin=True), 2, True),
        (Viewer(staff_id="nobody"), 1, False),  # outside the audience: nothing to copy
    ],
)
def test_a_classified_copy_stays_in_the_drafting_division(viewer: Viewer, level: int, allowed: bool) -> None:
    assert may_copy(viewer, DOC, level) is allowed


def test_a_list_document_takes_the_highest_level() -> None:
    assert highest_level([]) == 1
    assert highest_level([1, 3, 2]) == 3


def _ref(staff_id: str, unit: str, post: str) -> StaffRef:
    return StaffRef(
        id=staff_id, name=staff_id, org_unit=OrgUnitRef(code=unit, name=unit), post=PostRef(code=post, name=post)
    )


MAYOR = _ref("mayor", "executive", "mayor")
HR_CLERK = _ref("jinji", "somu.jinji", "staff")
CHIEF = _ref("chief", "somu.somu", "chief")
CLERK = _ref("clerk", "somu.somu", "staff")


@pytest.mark.parametrize(
    ("actor", "target", "roles", "allowed"),
    [
        (HR_CLERK, MAYOR, frozenset(), False),  # 人事課 membership is no power
        (HR_CLERK, CLERK, frozenset(), False),
        (HR_CLERK, MAYOR, frozenset({"hr_admin"}), True),
        (CHIEF, CLERK, frozenset(), True),  # 庶務 of their own 課
        (CLERK, CHIEF, frozenset(), False),  # not above them
        (CHIEF, MAYOR, frozenset(), False),
        (CLERK, CLERK, frozenset(), True),  # oneself
        (CHIEF, CLERK, frozenset({"records_office"}), True),
        (HR_CLERK, MAYOR, frozenset({"records_office"}), False),
    ],
)
def test_absences_for_others(actor: StaffRef, target: StaffRef, roles: frozenset[str], allowed: bool) -> None:
    ok = may_register_for(actor.id, target.id, is_admin=False, roles=roles, actor=actor, target=target)
    assert ok is allowed
