"""和暦: era boundaries, 元年, and dates before 明治."""

from __future__ import annotations

from datetime import date

import pytest

from core.era import era_of, wareki


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        (date(2026, 11, 26), "令和8年11月26日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1912, 7, 30), "大正元年7月30日"),
        (date(1868, 1, 25), "明治元年1月25日"),
        (date(1868, 1, 24), "1868年1月24日"),
    ],
)
def test_wareki(day: date, shown: str) -> None:
    assert wareki(day) == shown


def test_era_of_counts_the_first_year_as_one() -> None:
    assert era_of(date(2020, 1, 1)) == ("令和", 2)
    assert era_of(date(1800, 1, 1)) is None
