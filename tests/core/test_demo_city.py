"""The demo city generator: deterministic, well-formed, shaped like the seed organisation in DESIGN §2."""

from __future__ import annotations

from collections import Counter

import pytest

from core.demo_city import ADMIN_ID, EFFECTIVE_FROM, EXECUTIVE_CODE, generate_city
from schemas.org import POST_RANKS, City


def _holders(city: City, org_unit: str, post: str) -> list[str]:
    return [a.staff_id for a in city.assignments if a.org_unit_code == org_unit and a.post_code == post]


def test_same_city_every_call() -> None:
    assert generate_city() == generate_city()
    assert generate_city(divisions_scale=3) == generate_city(divisions_scale=3)


@pytest.mark.parametrize(("scale", "low", "high"), [(1, 150, 250), (5, 550, 1000), (8, 850, 1200)])
def test_head_count_in_range(scale: int, low: int, high: int) -> None:
    city = generate_city(divisions_scale=scale)
    assert low <= len(city.staff) <= high
    assert len(city.org_units) == len(generate_city().org_units)  # scale adds people, not units


def test_codes_ids_and_symbols_are_unique() -> None:
    city = generate_city(divisions_scale=2)
    codes = [u.code for u in city.org_units]
    assert len(codes) == len(set(codes))
    ids = [s.id for s in city.staff]
    assert len(ids) == len(set(ids))
    symbols = [u.symbol for u in city.org_units if u.kind == "division"]
    assert None not in symbols
    assert len(symbols) == len(set(symbols))


def test_staff_ids_follow_generation_order() -> None:
    city = generate_city()
    numbered = [s.id for s in city.staff if s.id != ADMIN_ID]
    assert numbered == [f"s{n:04d}" for n in range(1, len(numbered) + 1)]
    assert all(" " in s.name for s in city.staff if s.id != ADMIN_ID)


def test_tree_shape() -> None:
    city = generate_city()
    units = {u.code: u for u in city.org_units}
    assert units[EXECUTIVE_CODE].kind == "executive"
    assert units[EXECUTIVE_CODE].parent_code is None
    for unit in city.org_units:
        if unit.kind == "department":
            assert unit.parent_code == EXECUTIVE_CODE
        elif unit.kind == "division":
            assert unit.parent_code is not None
            assert units[unit.parent_code].kind == "department"
            assert unit.code.startswith(f"{unit.parent_code}.")
    departments = {u.code for u in city.org_units if u.kind == "department"}
    assert departments == {
        "seisaku", "somu", "shimin", "fukushi", "doboku", "norin",
        "shoko", "kyoiku", "suido", "kaikei", "gikai",
    }  # fmt: skip
    for dept in departments:
        assert 1 <= sum(1 for u in city.org_units if u.parent_code == dept) <= 4


def test_one_director_per_department_and_one_manager_per_division() -> None:
    city = generate_city(divisions_scale=3)
    for unit in city.org_units:
        if unit.kind == "department":
            assert len(_holders(city, unit.code, "director")) == 1, unit.code
        if unit.kind == "division":
            assert len(_holders(city, unit.code, "manager")) == 1, unit.code
            assert len(_holders(city, unit.code, "assistant_manager")) <= 1, unit.code
            assert _holders(city, unit.code, "chief"), unit.code
            assert len(_holders(city, unit.code, "staff")) >= 2, unit.code


def test_special_posts() -> None:
    city = generate_city()
    for post in ("mayor", "deputy_mayor", "superintendent"):
        assert len(_holders(city, EXECUTIVE_CODE, post)) == 1


def test_key_divisions_exist_with_managers() -> None:
    city = generate_city()
    units = {u.code: u for u in city.org_units}
    assert units["somu.somu"].name == "総務課"
    assert units["somu.somu"].symbol == "萩総"
    assert units["somu.zaisei"].name == "財政課"
    assert units["somu.zaisei"].symbol == "萩財"
    for code in ("somu.somu", "somu.zaisei", "somu.keiyaku", "seisaku.dx", "seisaku.joho", "kyoiku.somu"):
        assert len(_holders(city, code, "manager")) == 1


def test_exactly_one_open_assignment_per_person() -> None:
    city = generate_city()
    per_staff = Counter(a.staff_id for a in city.assignments)
    assert set(per_staff) == {s.id for s in city.staff}
    assert set(per_staff.values()) == {1}
    assert all(a.effective_from == EFFECTIVE_FROM and a.effective_to is None for a in city.assignments)
    assert {a.post_code for a in city.assignments} <= set(POST_RANKS)
    assert {p.code for p in city.posts} == set(POST_RANKS)


def test_admin() -> None:
    city = generate_city()
    admins = [s for s in city.staff if s.is_admin]
    assert [a.id for a in admins] == [ADMIN_ID]
    assert admins[0].name == "システム管理者"
    assert _holders(city, "seisaku.joho", "staff").count(ADMIN_ID) == 1


def test_scale_must_be_positive() -> None:
    with pytest.raises(ValueError, match="divisions_scale"):
        generate_city(divisions_scale=0)
