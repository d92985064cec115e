"""和暦 at every era boundary, and the fiscal year of an instant rolling over at midnight JST on April 1."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.era import era_year, jst_date, wareki_date, wareki_year
from domain.fiscal import fiscal_year_at, fiscal_year_label


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 12, 31), "令和元年12月31日"),
        (date(2020, 1, 1), "令和2年1月1日"),
        (date(2026, 11, 26), "令和8年11月26日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1926, 12, 24), "大正15年12月24日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1912, 7, 30), "大正元年7月30日"),
        (date(1900, 1, 1), "1900年1月1日"),
    ],
)
def test_wareki_date_is_decided_by_the_exact_day(day: date, label: str) -> None:
    assert wareki_date(day) == label


def test_era_year() -> None:
    assert era_year(date(2019, 5, 1)) == ("令和", 1)
    assert era_year(date(2019, 4, 30)) == ("平成", 31)
    assert era_year(date(1911, 1, 1)) is None


@pytest.mark.parametrize(
    ("year", "label"),
    [(2019, "令和元年"), (2018, "平成30年"), (1989, "平成元年"), (1988, "昭和63年"), (2026, "令和8年")],
)
def test_wareki_year(year: int, label: str) -> None:
    assert wareki_year(year) == label


@pytest.mark.parametrize(
    ("fiscal_year", "label"),
    [
        (2026, "令和8年度"),
        (2019, "令和元年度"),  # starts 2019-04-01 under 平成, but 令和 begins within it: 令和元年度
        (2018, "平成30年度"),
        (1989, "平成元年度"),
        (1988, "昭和63年度"),  # ends 1989-03-31 under 平成, still 昭和63年度
    ],
)
def test_fiscal_year_labels(fiscal_year: int, label: str) -> None:
    assert fiscal_year_label(fiscal_year) == label


@pytest.mark.parametrize(
    ("at", "fiscal_year"),
    [
        (datetime(2027, 3, 31, 14, 59, 59, 999999, tzinfo=UTC), 2026),  # 23:59:59.999999 JST on March 31
        (datetime(2027, 3, 31, 15, 0, tzinfo=UTC), 2027),  # 00:00 JST on April 1
        (datetime(2027, 4, 1, 0, 0, tzinfo=UTC), 2027),
        (datetime(2027, 3, 31, 23, 59, tzinfo=UTC), 2027),  # still March 31 in UTC, April 1 in Japan
        (datetime(2027, 4, 1, 0, 0, tzinfo=UTC) - timedelta(hours=9, microseconds=1), 2026),
    ],
)
def test_fiscal_year_rolls_over_at_midnight_jst(at: datetime, fiscal_year: int) -> None:
    assert fiscal_year_at(at) == fiscal_year


def test_jst_date_needs_an_aware_datetime() -> None:
    assert jst_date(datetime(2019, 4, 30, 15, 0, tzinfo=UTC)) == date(2019, 5, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        jst_date(datetime(2019, 4, 30, 15, 0))
