"""A demo city of a given size (``ringi seed --staff N``); the default city stays as it was."""

from __future__ import annotations

import pytest

from core.demo_city import generate_city, scale_for_staff


@pytest.mark.parametrize("staff", [1, 190, 191, 1_000, 10_000])
def test_at_least_the_asked_size_and_the_smallest_such(staff: int) -> None:
    scale = scale_for_staff(staff)
    assert len(generate_city(staff=staff).staff) >= staff
    if scale > 1:
        assert len(generate_city(divisions_scale=scale - 1).staff) < staff


def test_the_default_city_is_unchanged() -> None:
    assert generate_city(staff=190) == generate_city() == generate_city(divisions_scale=1)
