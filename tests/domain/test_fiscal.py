"""年度 and 出納整理期間: which fiscal year a date and a decision belong to."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.fiscal import (
    closing_period_end,
    fiscal_year_end,
    fiscal_year_label,
    fiscal_year_of,
    fiscal_year_start,
    in_closing_period,
    spending_fiscal_year,
)


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [
        (date(2026, 4, 1), 2026),
        (date(2026, 12, 31), 2026),
        (date(2027, 1, 1), 2026),
        (date(2027, 3, 31), 2026),
        (date(2027, 4, 1), 2027),
        (date(2024, 2, 29), 2023),
    ],
)
def test_fiscal_year_of(day: date, fiscal_year: int) -> None:
    assert fiscal_year_of(day) == fiscal_year


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_fiscal_year_bounds_contain_the_day(day: date) -> None:
    fiscal_year = fiscal_year_of(day)
    assert fiscal_year_start(fiscal_year) <= day <= fiscal_year_end(fiscal_year)
    assert fiscal_year_end(fiscal_year) + timedelta(days=1) == fiscal_year_start(fiscal_year + 1)


@pytest.mark.parametrize(
    ("day", "closing"),
    [
        (date(2027, 3, 31), False),
        (date(2027, 4, 1), True),
        (date(2027, 5, 31), True),
        (date(2027, 6, 1), False),
    ],
)
def test_in_closing_period(day: date, closing: bool) -> None:
    assert in_closing_period(day) is closing


def test_spending_fiscal_year_defaults_to_the_decision_date() -> None:
    assert spending_fiscal_year(date(2027, 3, 31), None) == 2026
    assert spending_fiscal_year(date(2027, 4, 1), None) == 2027
    assert spending_fiscal_year(date(2027, 4, 1), 2027) == 2027


@pytest.mark.parametrize("day", [date(2027, 4, 1), date(2027, 5, 31)])
def test_previous_year_during_the_closing_period(day: date) -> None:
    assert spending_fiscal_year(day, 2026) == 2026


@pytest.mark.parametrize(
    ("day", "named", "reason"),
    [
        (date(2027, 6, 1), 2026, "令和8年度 may be named only until its 出納閉鎖 on 2027-05-31"),
        (date(2027, 3, 31), 2025, "only until its 出納閉鎖 on 2026-05-31; 2027-03-31 is in 令和8年度"),
        (date(2027, 4, 15), 2025, "令和7年度 was closed on 2026-05-31"),
        (date(2027, 3, 31), 2027, "令和9年度 has not started"),
    ],
)
def test_other_years_are_refused(day: date, named: int, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        spending_fiscal_year(day, named)


def test_closing_period_end() -> None:
    assert closing_period_end(2026) == date(2027, 5, 31)


@pytest.mark.parametrize(
    ("fiscal_year", "label"), [(2026, "令和8年度"), (2019, "令和元年度"), (2020, "令和2年度"), (2018, "平成30年度")]
)
def test_fiscal_year_label(fiscal_year: int, label: str) -> None:
    assert fiscal_year_label(fiscal_year) == label
